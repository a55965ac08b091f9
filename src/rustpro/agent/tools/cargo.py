"""The `cargo` tool: check, build, test, clippy, fmt, doc or bench, and nothing else.

No free-form shell: the model picks a command and, optionally, a package, a test filter and
a timeout. cargo runs the way full mode and verify run it, in rustpro's copy of the
workspace under its cache dir with rustpro's target dir (so the gate's build is warm and
nothing cargo writes lands in the workspace), killed with everything it started when the
timeout or the run's wall-time budget runs out. clippy gets rustpro's lint profile, as in the
gate. `fmt` formats the copy and writes the files rustfmt changed back into the workspace
through the undo journal; `fmt` with `check` only reports. The output is trimmed to what
matters: diagnostics, failed tests and their output, the summary lines.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping
from typing import Any

from rustpro.agent.ignore import walk
from rustpro.agent.tools.base import Kind, Tool, ToolFailure, integer, schema, string
from rustpro.agent.workspace import Workspace
from rustpro.discovery.layout import discover
from rustpro.errors import ToolError, ToolTimeout
from rustpro.toolchain.clippy import configured_clippy_lints
from rustpro.toolchain.lints import warn_flags
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.session import CargoSession, FullModeOptions, StepReport

COMMANDS = ("check", "build", "test", "clippy", "fmt", "doc", "bench")
DEFAULT_TIMEOUT = 600.0
MAX_OUTPUT_CHARS = 8000
# Lines that say cargo is busy, not what it found.
_NOISE = re.compile(
    r"^\s*(Compiling|Checking|Documenting|Downloading|Downloaded|Locking|Adding|Updating|"
    r"Blocking|Fresh|Dirty|Packaging|Generated|Running `)\b"
)
_PASSED_TEST = re.compile(r"^test .+ \.\.\. (ok|ignored)$")


class CargoRunner:
    """Runs cargo commands for the agent in rustpro's copy of the workspace."""

    def __init__(
        self,
        workspace: Workspace,
        options: FullModeOptions,
        seconds_left: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.workspace = workspace
        self.options = options
        self.seconds_left = seconds_left

    def run(self, args: Mapping[str, Any]) -> str:
        """Run the command the arguments ask for; its trimmed output."""
        command = args["command"]
        session = CargoSession(
            discover(self.workspace.root), self.options, StepProgress(False), StepReport()
        )
        if shutil.which(session.cargo) is None:
            raise ToolFailure(f"`{session.cargo}` is not installed (not on PATH)")
        session.prepare()
        cargo_args, env = self._arguments(session, args)
        timeout = float(args.get("timeout") or DEFAULT_TIMEOUT)
        left = self.seconds_left()
        if left is not None:
            timeout = min(timeout, left)
        if timeout <= 0:
            raise ToolFailure("no wall time left in the run's budget for cargo")
        try:
            run = session.run(
                "test",
                cargo_args,
                description=f"cargo {command}",
                env=env,
                merge_stderr=True,
                timeout=timeout,
            )
        except ToolTimeout:
            raise ToolFailure(
                f"cargo {command} timed out after {timeout:.0f} s and was stopped"
            ) from None
        except ToolError as err:
            raise ToolFailure(str(err)) from None
        output = self._clean(session, run.stdout)
        status = "ok" if run.returncode == 0 else f"failed (exit status {run.returncode})"
        header = f"cargo {' '.join(cargo_args[:1])}: {status} in {run.seconds:.1f} s"
        if command == "fmt" and not args.get("check") and run.returncode == 0:
            return header + "\n" + self._write_back(session)
        return header + "\n" + trim(output, command)

    def _arguments(
        self, session: CargoSession, args: Mapping[str, Any]
    ) -> tuple[list[str], dict[str, str]]:
        command = args["command"]
        package = args.get("package")
        scope = ["--package", package] if package else None
        env = session.env()
        if command == "fmt":
            fmt = ["fmt", *(scope or ["--all"])]
            return ([*fmt, "--check"] if args.get("check") else fmt), env
        base = [command, *(scope or session.scope), *self.options.feature_args()]
        if command in ("check", "build", "clippy"):
            base += ["--all-targets", "--message-format=short"]
        elif command == "doc":
            base += ["--no-deps", "--message-format=short"]
        if command == "clippy":
            base += ["--", *warn_flags(configured_clippy_lints(session))]
            conf = session.clippy_conf_dir()
            if conf is not None:
                env["CLIPPY_CONF_DIR"] = str(conf)
        if command in ("test", "bench") and args.get("test_filter"):
            base.append(str(args["test_filter"]))
        return base, env

    def _clean(self, session: CargoSession, text: str) -> str:
        """The output with rustpro's copy and target dir out of its paths."""
        text = text.replace(f"{session.root}/", "").replace(str(session.root), ".")
        if session.target_dir is not None:
            text = text.replace(str(session.target_dir), "<target>")
        return text

    def _write_back(self, session: CargoSession) -> str:
        """Copy the files rustfmt changed in the copy into the workspace (journalled)."""
        written = []
        for rel, is_dir in walk(self.workspace.root, self.workspace.root):
            if is_dir or not rel.endswith(".rs"):
                continue
            original = self.workspace.root / rel
            formatted = session.local(original)
            try:
                new = formatted.read_bytes()
                if new == original.read_bytes():
                    continue
                text = new.decode("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            self.workspace.write(rel, text)
            written.append(rel)
        if not written:
            return "every file was already formatted"
        return f"formatted {len(written)} file(s): {', '.join(written)}"


def trim(output: str, command: str) -> str:
    """cargo's output without progress lines and passing tests, cut to
    `MAX_OUTPUT_CHARS` (the start and the end kept: the first errors and the summary)."""
    kept = [
        line
        for line in output.splitlines()
        if line.strip() and not _NOISE.match(line) and not _PASSED_TEST.match(line.strip())
    ]
    text = "\n".join(kept)
    if len(text) <= MAX_OUTPUT_CHARS:
        return text or f"(cargo {command} printed nothing of note)"
    head = text[: MAX_OUTPUT_CHARS * 2 // 5]
    tail = text[-MAX_OUTPUT_CHARS * 3 // 5 :]
    left_out = text.count("\n") - head.count("\n") - tail.count("\n")
    return f"{head}\n... ({left_out} lines left out) ...\n{tail}"


def cargo_tool(runner: CargoRunner) -> Tool:
    """The `cargo` tool."""

    def kind_of(args: Mapping[str, Any]) -> Kind:
        return "write" if args.get("command") == "fmt" and not args.get("check") else "serial"

    return Tool(
        "cargo",
        "Run one cargo command on the workspace (in rustpro's build copy, with a timeout): "
        "check, build, test, clippy (with rustpro's lint profile, as the gate runs it), fmt "
        "(formats the files; with check=true only reports), doc or bench. Output is trimmed "
        "to diagnostics, failures and summaries.",
        schema(
            {"command": string("The cargo command.", enum=list(COMMANDS))},
            {
                "package": string("Only this package of the workspace."),
                "test_filter": string("test/bench only: run the tests whose name contains it."),
                "timeout": integer(
                    f"Seconds before cargo is stopped (default {DEFAULT_TIMEOUT:.0f}).", 1
                ),
                "check": {"type": "boolean", "description": "fmt only: report, do not write."},
            },
        ),
        "serial",
        runner.run,
        kind_of=kind_of,
    )
