"""The cargo half of verify: full mode's steps on the work tree, nothing on the old side.

    copy the tree -> cargo test (build, then run) ------------------------+
                  -> clippy --all-targets (its own build dir, side by side) +-> outcome
                  -> rustfmt --check (once verify knows a .rs file changed) +

Full mode's session, work copy, target dir and steps are reused, so a verify after an audit
(or another verify) is warm. `cargo clippy --all-targets` is `cargo check --all-targets` plus
clippy's lints: one build answers check 1 (builds) and check 3 (clippy); without the clippy
component, or with `--skip clippy`, `cargo check --all-targets` answers check 1 alone.

The build and the tests run side by side. In one build directory cargo's builds take turns
(its build lock), and a build with clippy and one without make cargo probe rustc afresh each
time (its cache of rustc's answers is keyed by the wrapper, clippy-driver or none). So clippy
keeps its intermediate artifacts in a build dir of its own, `rustpro-clippy/` inside the
target dir (cargo's `build-dir`): check-mode artifacts are not the test build's anyway, and
only build scripts and proc macros are built twice (once). A cargo without `build-dir`
ignores it and the two take turns, as before.

When the work tree does not build, whatever the test step found is dropped and the tests are
reported as not run, as if they had never started.

`start` runs all of it in a background thread as soon as verify knows the crate, before
the static rules are even loaded; `run_audit` then collects it through the hook (`__call__`).
"""

from __future__ import annotations

import copy
import functools
import importlib
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from threading import Thread
from typing import TYPE_CHECKING

from rustpro.toolchain.session import CargoSession, FullModeOptions, StepReport

if TYPE_CHECKING:
    from rustpro.discovery.layout import Workspace
    from rustpro.engine.audit import ExtraResult
    from rustpro.toolchain.libtest import TestRun

# The modules the steps run with, imported by the background thread before it launches cargo
# (not by whoever imports this module: `begin` starts cargo before most of verify loads).
_STEP_MODULES = (
    "rustpro.toolchain.progress",
    "rustpro.toolchain.metadata",
    "rustpro.toolchain.testing",
    "rustpro.toolchain.clippy",
)
# clippy's build dir, inside the target dir (see the module docstring).
CLIPPY_BUILD_DIR = "rustpro-clippy"
# The evidence line run_clippy writes when it had to fall back to `cargo check`.
_FELL_BACK = "fell back to cargo check"


@dataclass(slots=True)
class CargoOutcome:
    """What the cargo steps found out, beside the findings they folded into the audit."""

    # Why cargo could not run at all (not on PATH), or None.
    missing_cargo: str | None = None
    # Does the work tree build: None when that was not found out (skipped, timed out).
    compiled: bool | None = None
    clippy_ran: bool = False
    # Why clippy's lints are missing when the build ran without them.
    clippy_missing: str | None = None
    build_tool: str = ""
    tests: TestRun | None = None
    tests_ran: bool = False
    fmt_ran: bool = False
    evidence: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class CargoChecks:
    """The `run_audit` hook of verify: runs the asked-for cargo steps and remembers what
    became of them in `outcome`.

    Called by `run_audit` without `start` first, it runs the steps there and then (in
    `run_audit`'s background thread); after `start(root)` they are already under way and the
    call waits for them. `fmt` is decided by `want_fmt` (rustfmt runs only for a change that
    touched a `.rs` file); until then the fmt step waits, and when nothing decided it by the
    time `run_audit` collects the steps, it runs."""

    def __init__(
        self, options: FullModeOptions, *, build: bool, clippy: bool, test: bool, fmt: bool
    ) -> None:
        self.options = options
        self.build = build or clippy or test
        self.clippy = clippy
        self.test = test
        self.fmt = fmt
        self.outcome = CargoOutcome()
        self._report = StepReport()
        self._fmt_wanted = False
        self._fmt_decided = threading.Event()
        self._cancelled = threading.Event()
        self._thread: Thread | None = None
        self._error: BaseException | None = None
        # Set once the build's cargo command is about to start (or nothing will start).
        self._launched = threading.Event()

    # ---- driving it ------------------------------------------------------------------

    def start(self, root: Path, *, launch_wait: float = 0.0) -> None:
        """Start the steps on the crate at `root` in a background thread, and wait up to
        `launch_wait` seconds for it to launch cargo: until then the caller's own work would
        only take turns with it on the interpreter and hold cargo back."""
        self._thread = Thread(
            target=self._in_background, args=(root,), name="rustpro-verify-cargo", daemon=True
        )
        self._thread.start()
        if launch_wait > 0:
            self._launched.wait(launch_wait)

    def want_fmt(self, wanted: bool) -> None:
        """Decide the fmt step: run rustfmt (when the step was asked for) or leave it out."""
        self._fmt_wanted = wanted
        self._fmt_decided.set()

    def cancel(self, *, wait: bool = True) -> None:
        """Stop the steps (verify failed elsewhere): the running cargo command is killed and
        no other starts; with `wait`, this returns once the background thread is done."""
        self._cancelled.set()
        self.want_fmt(False)
        if wait and self._thread is not None:
            self._thread.join()

    def __call__(self, workspace: Workspace) -> ExtraResult:
        """The hook: the steps' findings for `run_audit`; tool failures become evidence,
        never exceptions (an error of verify's own, such as an unwritable cache dir, is
        raised)."""
        if not self._fmt_decided.is_set():
            self.want_fmt(True)  # not decided by verify: the fmt step runs when asked for
        if self._thread is None:
            self._steps(workspace)
        else:
            while self._thread.is_alive():
                self._thread.join(0.1)  # a bounded join keeps KeyboardInterrupt deliverable
            if self._error is not None:
                raise self._error
        return self._result(workspace)

    # ---- the steps -------------------------------------------------------------------

    def _in_background(self, root: Path) -> None:
        try:
            # The steps' modules load here, while the caller waits for the launch.
            for module in _STEP_MODULES:
                importlib.import_module(module)
            from rustpro.discovery.layout import discover

            self._steps(discover(root))
        except BaseException as err:  # handed to the caller's thread by __call__
            self._error = err
        finally:
            self._launched.set()

    def _steps(self, workspace: Workspace) -> None:
        from rustpro.toolchain.progress import StepProgress

        report = self._report
        with StepProgress(self.options.progress) as progress:
            session = CargoSession(workspace, self.options, progress, report)
            session.cancelled = self._cancelled
            if shutil.which(session.cargo) is None:
                self.outcome.missing_cargo = f"`{session.cargo}` is not on PATH"
            elif not self._cancelled.is_set():
                session.prepare()
                self._run(session)
        self.outcome.evidence = [line for lines in report.evidence.values() for line in lines]
        self.outcome.warnings = list(report.warnings)

    def _result(self, workspace: Workspace) -> ExtraResult:
        from rustpro.engine.audit import ExtraResult
        from rustpro.toolchain.full import project_clippy_lints
        from rustpro.toolchain.lints import rule_checkpoint
        from rustpro.toolchain.twins import merge_twins

        report = self._report
        return ExtraResult(
            findings=report.findings,
            evidence=report.evidence,
            warnings=report.warnings,
            details=report.details,
            checkpoint_of=rule_checkpoint,
            combine=functools.partial(merge_twins, project_lints=project_clippy_lints(workspace)),
        )

    def _run(self, session: CargoSession) -> None:
        from rustpro.toolchain.metadata import run_metadata

        beside = [_guarded(self._fmt, session, "fmt")] if self.fmt else []
        for thread in beside:
            thread.start()
        try:
            if session.in_larger_workspace:
                # cargo's answer decides which packages to build and where paths are anchored.
                run_metadata(session)
            tests: CargoSession | None = None
            if self.test:
                # The tests report apart: what they found counts only if the tree builds.
                tests = copy.copy(session)
                tests.report = StepReport()
                beside.append(_guarded(self._tests, tests, "test"))
                beside[-1].start()
            self._launched.set()  # the tests are launching; the build is next
            if self.build:
                checking = copy.copy(session)
                if session.target_dir is not None:
                    checking.build_dir = session.target_dir / CLIPPY_BUILD_DIR
                self._build(checking)
        finally:
            for thread in beside:
                thread.join()
        if tests is not None:
            if self.outcome.compiled is False:
                self.outcome.tests = None
                self.outcome.tests_ran = False
            else:
                session.report.merge(tests.report)

    def _build(self, session: CargoSession) -> None:
        from rustpro.toolchain.clippy import run_clippy

        self.outcome.build_tool = "cargo clippy" if self.clippy else "cargo check"
        self.outcome.compiled = run_clippy(session, use_clippy=self.clippy)
        if not self.clippy:
            return
        fallback = [
            line
            for lines in session.report.evidence.values()
            for line in lines
            if _FELL_BACK in line
        ]
        if fallback:
            self.outcome.build_tool = "cargo check"
            self.outcome.clippy_missing = (
                fallback[0].removeprefix("clippy: skipped (").split(")")[0]
            )
        else:
            self.outcome.clippy_ran = True

    def _tests(self, session: CargoSession) -> None:
        from rustpro.toolchain.testing import run_tests

        self.outcome.tests = run_tests(session, one_call=True)
        self.outcome.tests_ran = True

    def _fmt(self, session: CargoSession) -> None:
        self._fmt_decided.wait()
        if self._fmt_wanted and not self._cancelled.is_set():
            from rustpro.toolchain.rustfmt import run_fmt

            run_fmt(session)
            self.outcome.fmt_ran = True


def _guarded(step: Callable[[CargoSession], None], session: CargoSession, name: str) -> Thread:
    """A thread for a step beside the build. A bug in it becomes a warning of the report:
    an exception escaping a thread would print a traceback and vanish."""

    def run() -> None:
        try:
            step(session)
        except Exception as err:
            session.report.warn(f"the {name} step failed: {type(err).__name__}: {err}")

    return Thread(target=run, name=f"rustpro-verify-{name}", daemon=True)
