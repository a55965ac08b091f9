"""Every error rustpro raises on purpose, in one tree.

    RustproError                 root: the CLI turns any of these into one line and exit 2
    ├── UsageError               the command line or configuration is wrong
    │   ├── PersonaError         an agent definition (--agent FILE) cannot be used
    │   └── CrateNameError       `rustpro new` got a package name cargo refuses (name, suggestion)
    ├── AuditPathError           the path to audit does not exist or holds no Cargo.toml
    ├── ManifestError            a Cargo.toml cannot be read or parsed (path, line)
    ├── ConfigError              rustpro.toml / [package.metadata.rustpro] is invalid (path)
    ├── BaselineError            a baseline file is missing, malformed or cannot be written (path)
    ├── GitError                 --changed-since: no git, no repository, an unknown ref
    ├── WorkDirError             full mode cannot write its build directory or its copy
    ├── OutputError              `--output FILE` cannot be written (path)
    ├── ToolError                an external tool failed to start or run (tool, returncode)
    │   ├── ToolTimeout          it ran past its timeout (tool, seconds)
    │   └── ToolCancelled        the audit is being stopped (Ctrl-C, SIGTERM): no new tool runs
    ├── UnknownRuleError         a rule name that is not in the catalog (name, suggestions)
    ├── ModelError               the agent's model cannot be asked or answered nonsense
    │                            (configuration: the key or model is wrong, exit 2; else 1)
    ├── JournalError             the agent's undo journal cannot be written (no change made)
    └── NewProjectError          `rustpro new` cannot create the project where asked (path)

Library code raises only these; anything else reaching the CLI is a bug, and the CLI still
prints one line for it rather than a traceback.
"""

from __future__ import annotations

from pathlib import Path


class RustproError(Exception):
    """Root of rustpro's own errors; `str(err)` is the one line shown to the user."""


class UsageError(RustproError):
    """The command line or configuration asks for something impossible."""


class CrateNameError(UsageError):
    """A package name `rustpro new` will not use, why, and a name it would."""

    def __init__(self, name: str, problem: str, suggestion: str) -> None:
        super().__init__(f"invalid package name `{name}`: {problem}; try `{suggestion}`")
        self.name = name
        self.problem = problem
        self.suggestion = suggestion


class AuditPathError(RustproError):
    """The path given to audit cannot be audited."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class ManifestError(RustproError):
    """A Cargo.toml is missing, unreadable or malformed."""

    def __init__(self, message: str, path: Path, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class ConfigError(RustproError):
    """rustpro's configuration (rustpro.toml or Cargo metadata) is invalid."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class BaselineError(RustproError):
    """A baseline file (`--baseline`, `--write-baseline`) cannot be read, parsed or written."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(f"baseline {path}: {message}")
        self.path = path


class GitError(RustproError):
    """`--changed-since` cannot ask git what changed: git is missing, the audited directory is
    not in a repository, or the ref names no commit."""


class WorkDirError(RustproError):
    """Full mode cannot create or write a directory it needs (its build directory, its copy
    of the project): the audit cannot run as asked."""


class OutputError(RustproError):
    """A file rustpro was asked to write (`--output`) cannot be written; nothing was."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class ToolError(RustproError):
    """An external tool (cargo, clippy, rustfmt) could not run or failed unexpectedly."""

    def __init__(self, message: str, tool: str, returncode: int | None = None) -> None:
        super().__init__(message)
        self.tool = tool
        self.returncode = returncode


class ToolTimeout(ToolError):
    """An external tool ran past its timeout."""

    def __init__(self, tool: str, seconds: float) -> None:
        super().__init__(f"{tool} timed out after {seconds:.0f} s", tool)
        self.seconds = seconds


class ToolCancelled(ToolError):
    """A tool was not started, or its result dropped, because the audit is being stopped."""

    def __init__(self, tool: str) -> None:
        super().__init__(f"{tool} was stopped (the audit was interrupted)", tool)


class UnknownRuleError(RustproError):
    """A rule name that rustpro does not know, with the closest known names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown rule `{name}`{hint}")
        self.name = name
        self.suggestions = suggestions


class PersonaError(UsageError):
    """An agent definition (`rustpro agent --agent FILE`) cannot be used."""


class ModelError(RustproError):
    """The agent's model could not be asked, or its answer could not be read. `configuration`
    marks what the user must fix before any run can work (a missing or rejected key, an
    unknown model): exit 2; anything else ends the run as failed (exit 1)."""

    def __init__(self, message: str, *, configuration: bool = False) -> None:
        super().__init__(message)
        self.configuration = configuration


class JournalError(RustproError):
    """The agent's undo journal cannot be written: the change it would protect is not made."""


class NewProjectError(RustproError):
    """`rustpro new` cannot create the project at `path` (it exists and holds files, it is
    not a directory, it cannot be written)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path
