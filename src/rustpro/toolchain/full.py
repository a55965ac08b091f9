"""Full mode: the toolchain steps in order, folded into the audit as findings and evidence.

    copy the tree -> clippy (does it compile?) -> test build -> test run
                                                             -> doc   (builds share the lock)
                     fmt, metadata

cargo runs in a copy of the audited tree (`rustpro.toolchain.workcopy`), so nothing it, the
build scripts or the tests write lands in the audited tree. rustfmt and `cargo metadata`
build nothing, so they run beside the others (metadata first only when the audited crate
belongs to a larger workspace, whose answer sets the scope). cargo holds the build directory
lock only while it builds, so `cargo doc` starts as soon as `cargo test --no-run` has built
the test binaries and runs beside the tests and doctests. Tests and docs are skipped when the
project does not compile: their failures would only repeat the compile errors.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from threading import Thread

from rustpro.discovery.layout import Workspace
from rustpro.engine.audit import ExtraResult
from rustpro.model import Checkpoint
from rustpro.toolchain.clippy import run_clippy
from rustpro.toolchain.lints import known_tool_rules, rule_checkpoint
from rustpro.toolchain.metadata import run_metadata
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.rustdoc import run_doc
from rustpro.toolchain.rustfmt import run_fmt
from rustpro.toolchain.session import STEPS, CargoSession, FullModeOptions, StepReport
from rustpro.toolchain.testing import run_tests
from rustpro.toolchain.twins import merge_twins

# Tool rules without a fixed name (a compile error's code, any other clippy lint): one
# example each, for asking whether the selection keeps a checkpoint's tool findings.
_OPEN_TOOL_RULES = (
    ("rustc::error", Checkpoint.MEMORY),
    ("rustc::warning", Checkpoint.PROJECT),
    ("rustdoc::broken_intra_doc_links", Checkpoint.DOCS),
    ("rustfmt::diff", Checkpoint.PROJECT),
    ("cargo-test::failed", Checkpoint.TESTING),
    ("cargo-test::timeout", Checkpoint.TESTING),
)

# The checkpoint whose evidence says what became of each step.
STEP_CHECKPOINTS = {
    "metadata": Checkpoint.PROJECT,
    "clippy": Checkpoint.MEMORY,
    "test": Checkpoint.TESTING,
    "fmt": Checkpoint.PROJECT,
    "doc": Checkpoint.DOCS,
}


class FullMode:
    """The `run_audit` hook for full mode, configured by the command line."""

    def __init__(self, options: FullModeOptions | None = None) -> None:
        self.options = options or FullModeOptions()

    def __call__(self, workspace: Workspace) -> ExtraResult:
        """Run the steps on `workspace`; never raises for a tool that is missing, fails or
        times out (that becomes evidence and a warning)."""
        report = StepReport()
        skip = self.options.skip
        for step in STEPS:
            if step in skip:
                report.note(STEP_CHECKPOINTS[step], f"{_label(step)}: skipped (--skip {step})")
        with StepProgress(self.options.progress) as progress:
            session = CargoSession(workspace, self.options, progress, report)
            if shutil.which(session.cargo) is None:
                reason = f"`{session.cargo}` is not on PATH"
                for step in STEPS:
                    if step not in skip:
                        report.note(STEP_CHECKPOINTS[step], f"{_label(step)}: skipped ({reason})")
                report.warn(f"full mode needs cargo: {reason}; only the static audit ran")
            else:
                session.prepare()
                _run_steps(session, skip)
        return ExtraResult(
            findings=report.findings,
            evidence=report.evidence,
            warnings=report.warnings,
            details=report.details,
            reportable=_reportable(),
            checkpoint_of=rule_checkpoint,
            combine=functools.partial(merge_twins, project_lints=project_clippy_lints(workspace)),
        )


def project_clippy_lints(workspace: Workspace) -> frozenset[str]:
    """The clippy lints the project turns on itself (warn, deny or forbid in `[lints.clippy]`
    of a member or `[workspace.lints.clippy]`), as `clippy::name`."""
    tables = [crate.manifest.section("lints", "clippy") for crate in workspace.crates]
    tables.append(workspace.manifest.section("workspace", "lints", "clippy"))
    enabled: set[str] = set()
    for table in tables:
        for name, value in table.items():
            level = value.get("level") if isinstance(value, dict) else value
            if level in ("warn", "deny", "forbid"):
                enabled.add(f"clippy::{name.replace('-', '_')}")
    return frozenset(enabled)


def _reportable() -> tuple[tuple[str, Checkpoint, str], ...]:
    """Every tool rule full mode may report, as `(rule, checkpoint, source)`."""
    rules = [*known_tool_rules().items(), *_OPEN_TOOL_RULES]
    return tuple((rule, checkpoint, rule.split("::")[0]) for rule, checkpoint in rules)


def _run_steps(session: CargoSession, skip: frozenset[str]) -> None:
    beside: list[Thread] = []
    if "fmt" not in skip:
        beside.append(_beside("fmt", run_fmt, session))
    if "metadata" not in skip:
        if session.in_larger_workspace:
            # cargo's answer decides which packages to build and where paths are anchored.
            run_metadata(session)
        else:
            # The audited root is cargo's workspace root: metadata only confirms, so it
            # need not hold up the build.
            beside.append(_beside("metadata", run_metadata, session))
    for thread in beside:
        thread.start()
    try:
        compiled: bool | None = None
        if "clippy" not in skip:
            compiled = run_clippy(session)
        if compiled is False:
            for step in ("test", "doc"):
                if step not in skip:
                    session.report.note(
                        STEP_CHECKPOINTS[step],
                        f"{_label(step)}: not run (the project does not compile)",
                    )
            return
        if "test" in skip:
            if "doc" not in skip:
                run_doc(session)
            return
        if "doc" in skip:
            run_tests(session)
            return
        doc = _beside("doc", run_doc, session)
        beside.append(doc)
        # Docs start once the test binaries are built: cargo then releases the build lock
        # while the tests run.
        run_tests(session, after_build=doc.start)
    finally:
        for thread in beside:
            if thread.ident is not None:  # the doc thread never starts if the tests raise
                thread.join()


def _beside(step: str, run: Callable[[CargoSession], object], session: CargoSession) -> Thread:
    """A thread for a step that runs beside the build. A bug in it becomes a warning: an
    exception escaping a thread would print a traceback and vanish from the report."""

    def guarded() -> None:
        try:
            run(session)
        except Exception as err:
            session.report.warn(f"the {step} step failed: {type(err).__name__}: {err}")

    return Thread(target=guarded, name=f"rustpro-{step}")


def _label(step: str) -> str:
    return {
        "metadata": "cargo metadata",
        "clippy": "compiles",
        "test": "tests",
        "fmt": "rustfmt",
        "doc": "docs build",
    }[step]


def full_mode_findings(workspace: Workspace) -> ExtraResult:
    """Full mode with default options (the hook `rustpro audit` uses without flags)."""
    return FullMode()(workspace)
