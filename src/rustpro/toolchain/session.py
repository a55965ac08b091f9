"""One full-mode run's shared state: how to call cargo, and the evidence collected so far."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rustpro.discovery.layout import Workspace
from rustpro.engine.cache import cache_root
from rustpro.model import Checkpoint, Finding, Role
from rustpro.toolchain.paths import ReportPaths
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.runner import ToolRun, run_tool

STEPS = ("metadata", "clippy", "test", "fmt", "doc")

# Generous defaults: a cold build of a large workspace takes many minutes on a laptop.
DEFAULT_TIMEOUTS: Mapping[str, float] = {
    "metadata": 120.0,
    "clippy": 1800.0,
    "test": 1800.0,
    "fmt": 300.0,
    "doc": 900.0,
}

# Written where clippy looks when the project has no clippy.toml of its own: rustpro's
# production rules leave tests alone, and so should their clippy twins.
CLIPPY_TEST_ALLOWANCES = """\
allow-unwrap-in-tests = true
allow-expect-in-tests = true
allow-panic-in-tests = true
allow-dbg-in-tests = true
"""


@dataclass(frozen=True, slots=True)
class FullModeOptions:
    """What the command line says about full mode."""

    skip: frozenset[str] = frozenset()
    target_dir: Path | None = None
    # Overrides every step's default timeout when set.
    timeout: float | None = None
    progress: bool = True
    # Per-step timeouts that win over both `timeout` and the defaults.
    step_timeouts: Mapping[str, float] = field(default_factory=dict)

    def timeout_for(self, step: str) -> float:
        """Seconds `step` may run before it is killed."""
        if step in self.step_timeouts:
            return self.step_timeouts[step]
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUTS[step]


def default_target_dir(root: Path) -> Path:
    """rustpro's own build directory for `root`: under the user cache dir, keyed by the
    workspace path, so the project's `target/` is untouched and repeated audits are warm."""
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return cache_root() / "target" / f"{root.name}-{digest}"


@dataclass(slots=True)
class StepReport:
    """Findings, per-checkpoint evidence and warnings gathered by the steps (thread-safe)."""

    findings: list[Finding] = field(default_factory=list)
    evidence: dict[Checkpoint, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, findings: Sequence[Finding]) -> None:
        """Record tool findings."""
        with self._lock:
            self.findings.extend(findings)

    def note(self, checkpoint: Checkpoint, text: str) -> None:
        """Record one line of evidence for a checkpoint."""
        with self._lock:
            self.evidence.setdefault(checkpoint, []).append(text)

    def warn(self, text: str) -> None:
        """Record a warning for stderr."""
        with self._lock:
            self.warnings.append(text)


class CargoSession:
    """Runs cargo for one audited workspace: its own target dir, a scope that covers exactly
    the audited crates, plain output, and the progress spinner."""

    def __init__(
        self,
        workspace: Workspace,
        options: FullModeOptions,
        progress: StepProgress,
        report: StepReport,
    ) -> None:
        self.workspace = workspace
        self.options = options
        self.progress = progress
        self.report = report
        self.root = workspace.root.resolve()
        self.paths = ReportPaths(self.root, self.root)
        self.cargo = os.environ.get("CARGO", "cargo")
        self.target_dir = (options.target_dir or default_target_dir(self.root)).resolve()
        # `-p NAME` (or files named on the command line): only those packages are built.
        self.scope = _package_args(workspace.selected) if workspace.selected else ["--workspace"]
        self.roles = {
            entry.relpath: entry.role for crate in workspace.crates for entry in crate.files
        }

    def anchor_at(self, cargo_root: Path, packages: Sequence[str]) -> None:
        """Use cargo's workspace root for paths; when the audited crate is one member of a
        larger workspace, build only the audited packages, not all of its siblings."""
        self.paths = ReportPaths(self.root, cargo_root.resolve())
        if self.workspace.selected:
            packages = [name for name in packages if name in self.workspace.selected]
        if cargo_root.resolve() != self.root and packages:
            self.scope = _package_args(packages)

    def role_of(self, relpath: str) -> Role | None:
        """The role discovery gave a file, when it knows the file."""
        return self.roles.get(relpath)

    def env(self, **extra: str) -> dict[str, str]:
        """The environment for cargo: the user's, with rustpro's target dir and plain output."""
        env = dict(os.environ)
        env.update(
            CARGO_TARGET_DIR=str(self.target_dir),
            CARGO_TERM_COLOR="never",
            CARGO_TERM_PROGRESS_WHEN="never",
        )
        env.update(extra)
        return env

    def clippy_conf_dir(self) -> Path | None:
        """A directory holding rustpro's clippy.toml, or None when the project has its own
        (clippy reads the nearest one above each crate; the project's choice wins)."""
        for directory in (self.root, *self.root.parents):
            if (directory / "clippy.toml").is_file() or (directory / ".clippy.toml").is_file():
                return None
        conf = self.target_dir / "rustpro-clippy-conf"
        conf.mkdir(parents=True, exist_ok=True)
        path = conf / "clippy.toml"
        if not path.is_file() or path.read_text(encoding="utf-8") != CLIPPY_TEST_ALLOWANCES:
            path.write_text(CLIPPY_TEST_ALLOWANCES, encoding="utf-8")
        return conf

    def run(
        self,
        step: str,
        args: Sequence[str],
        *,
        description: str,
        env: Mapping[str, str] | None = None,
        merge_stderr: bool = False,
        on_line: Callable[[str], None] | None = None,
    ) -> ToolRun:
        """Run `cargo ARGS` for `step` in the audited root with the step's timeout."""
        with self.progress.step(description):
            return run_tool(
                [self.cargo, *args],
                cwd=self.root,
                env=env if env is not None else self.env(),
                timeout=self.options.timeout_for(step),
                merge_stderr=merge_stderr,
                on_line=on_line,
            )


def _package_args(packages: Sequence[str]) -> list[str]:
    return [arg for name in packages for arg in ("--package", name)]
