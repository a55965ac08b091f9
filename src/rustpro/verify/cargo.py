"""The cargo half of verify: full mode's steps on the work tree, nothing on the old side.

    copy the tree -> clippy --all-targets (does it build? clippy's warnings) -> cargo test
                     rustfmt --check (beside)

Full mode's session, work copy and target dir are reused, so a verify after an audit (or
another verify) is warm. `cargo clippy --all-targets` is `cargo check --all-targets` plus
clippy's lints: one build answers check 1 (builds) and check 3 (clippy); without the clippy
component, or with `--skip clippy`, `cargo check --all-targets` answers check 1 alone. When the
work tree does not build, the tests are not run.
"""

from __future__ import annotations

import functools
import shutil
from dataclasses import dataclass, field
from threading import Thread

from rustpro.discovery.layout import Workspace
from rustpro.engine.audit import ExtraResult
from rustpro.toolchain.clippy import run_clippy
from rustpro.toolchain.full import project_clippy_lints
from rustpro.toolchain.libtest import TestRun
from rustpro.toolchain.lints import rule_checkpoint
from rustpro.toolchain.metadata import run_metadata
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.rustfmt import run_fmt
from rustpro.toolchain.session import CargoSession, FullModeOptions, StepReport
from rustpro.toolchain.testing import run_tests
from rustpro.toolchain.twins import merge_twins

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
    became of them in `outcome`."""

    def __init__(
        self, options: FullModeOptions, *, build: bool, clippy: bool, test: bool, fmt: bool
    ) -> None:
        self.options = options
        self.build = build or clippy or test
        self.clippy = clippy
        self.test = test
        self.fmt = fmt
        self.outcome = CargoOutcome()

    def __call__(self, workspace: Workspace) -> ExtraResult:
        """Run the steps on `workspace`; tool failures become evidence, never exceptions."""
        report = StepReport()
        with StepProgress(self.options.progress) as progress:
            session = CargoSession(workspace, self.options, progress, report)
            if shutil.which(session.cargo) is None:
                self.outcome.missing_cargo = f"`{session.cargo}` is not on PATH"
            else:
                session.prepare()
                self._run(session)
        self.outcome.evidence = [line for lines in report.evidence.values() for line in lines]
        self.outcome.warnings = list(report.warnings)
        return ExtraResult(
            findings=report.findings,
            evidence=report.evidence,
            warnings=report.warnings,
            details=report.details,
            checkpoint_of=rule_checkpoint,
            combine=functools.partial(merge_twins, project_lints=project_clippy_lints(workspace)),
        )

    def _run(self, session: CargoSession) -> None:
        fmt = Thread(target=self._fmt, args=(session,), name="rustpro-verify-fmt")
        if self.fmt:
            fmt.start()
        try:
            if session.in_larger_workspace:
                # cargo's answer decides which packages to build and where paths are anchored.
                run_metadata(session)
            if self.build:
                self._build(session)
            if self.test and self.outcome.compiled is not False:
                self.outcome.tests = run_tests(session, one_call=True)
                self.outcome.tests_ran = True
        finally:
            if fmt.ident is not None:
                fmt.join()

    def _build(self, session: CargoSession) -> None:
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

    def _fmt(self, session: CargoSession) -> None:
        # A bug here must not vanish in a thread: it becomes a warning of the report.
        try:
            run_fmt(session)
            self.outcome.fmt_ran = True
        except Exception as err:
            session.report.warn(f"the fmt step failed: {type(err).__name__}: {err}")
