"""The clippy step: does the project compile, and what do clippy and rustc say about it.

When the clippy component is missing the step falls back to `cargo check`, so "does it
compile" is still answered; clippy's own lints are then marked skipped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from rustpro.errors import ToolError, ToolTimeout
from rustpro.model import Checkpoint, Finding, Role, Severity
from rustpro.toolchain.lints import PRODUCTION_ONLY, PROFILE, warn_flags
from rustpro.toolchain.messages import BuildStream, message_findings, parse_stream
from rustpro.toolchain.runner import ToolRun
from rustpro.toolchain.session import CargoSession

_ERROR_CODE = re.compile(r"E\d{4}")
# Checkpoints the lint profile reports into, for "clippy: N findings" evidence.
_PROFILE_CHECKPOINTS = sorted(set(PROFILE.values()), key=list(Checkpoint).index)


def run_clippy(session: CargoSession, *, use_clippy: bool = True) -> bool | None:
    """Run clippy (or `cargo check`) over every target; record findings and evidence.

    Returns whether the project compiles, or None when that could not be found out.
    """
    tool = "clippy" if use_clippy else "cargo check"
    args = session.build_args("clippy" if use_clippy else "check", "--all-targets")
    args += ["--message-format=json"]
    env = session.env()
    if use_clippy:
        args += ["--", *warn_flags(configured_clippy_lints(session))]
        conf = session.clippy_conf_dir()
        if conf is not None:
            env["CLIPPY_CONF_DIR"] = str(conf)
    try:
        run = session.run("clippy", args, description=f"{tool}: compiling", env=env)
    except ToolTimeout as err:
        session.report.note(Checkpoint.MEMORY, f"compiles: unknown ({err})")
        session.report.warn(f"{err}; its findings are missing from this report")
        return None
    except ToolError as err:
        session.report.note(Checkpoint.MEMORY, f"compiles: not checked ({err})")
        session.report.warn(str(err))
        return None
    if use_clippy and run.missing_component:
        for checkpoint in _PROFILE_CHECKPOINTS:
            session.report.note(
                checkpoint, f"clippy: skipped ({run.last_error_line()}); fell back to cargo check"
            )
        return run_clippy(session, use_clippy=False)
    return _record(session, run, parse_stream(run.stdout), tool)


def _record(session: CargoSession, run: ToolRun, stream: BuildStream, tool: str) -> bool:
    findings = [f for f in message_findings(stream, session.paths) if _applies(session, f)]
    compile_errors = sum(1 for f in findings if is_compile_error(f))
    lint_errors = sum(1 for f in findings if f.severity is Severity.ERROR) - compile_errors
    # A lint the crate denies (`#![deny(clippy::unwrap_used)]`) fails clippy's build, yet
    # the code compiles: only rustc's own errors mean it does not.
    compiled = (stream.success is True and run.returncode == 0) or (
        compile_errors == 0 and lint_errors > 0
    )
    if not compiled and compile_errors == 0:
        # cargo stopped before the compiler could say why (a dependency that does not
        # resolve, a broken manifest): the reason is on stderr.
        findings.append(_build_failure(run))
        compile_errors = 1
    session.report.add(findings)
    verdict = "yes" if compiled else f"no, {compile_errors} error(s)"
    session.report.note(Checkpoint.MEMORY, f"compiles: {verdict} ({tool}, {run.seconds:.1f} s)")
    if tool == "clippy":
        # Findings of lints rustpro asks for only to confirm its own twin rules (its `-W`
        # profile) are shown under those rules or judged away with them (`merge_twins`):
        # counted apart, so that "clippy: 7 finding(s)" never stands next to none.
        twin = confirmations(session)
        for checkpoint in _PROFILE_CHECKPOINTS:
            here = [f for f in findings if f.checkpoint is checkpoint and f.source == tool]
            twins = sum(1 for f in here if twin(f))
            count = len(here) - twins
            verdict = f"{count} finding(s)" if count else "clean"
            if twins:
                verdict += f", and {twins} twin finding(s) left to rustpro's rules"
            if not compiled:
                # rustc stops before clippy's late lints run on code that does not compile.
                verdict += " so far (incomplete: the project does not compile)"
            session.report.note(checkpoint, f"clippy: {verdict}")
    return compiled


def confirmations(session: CargoSession) -> Callable[[Finding], bool]:
    """Whether a clippy finding is of a lint rustpro asks for only to confirm its own twin
    rule (`unwrap_used` for `unwrap-in-production`), not one the project enables itself."""
    from rustpro.toolchain.full import project_clippy_lints
    from rustpro.toolchain.twins import overruled_twin, twin_table

    twins, project_lints = twin_table(), project_clippy_lints(session.workspace)
    return functools.partial(overruled_twin, twins=twins, project_lints=project_lints)


def is_compile_error(finding: Finding) -> bool:
    """True for rustc's own errors (`rustc::E0502`, an error without a code), as opposed to
    a lint raised to an error."""
    if finding.severity is not Severity.ERROR or not finding.rule.startswith("rustc::"):
        return False
    code = finding.rule.removeprefix("rustc::")
    return code in ("error", "build-failed") or _ERROR_CODE.fullmatch(code) is not None


def _applies(session: CargoSession, finding: Finding) -> bool:
    """Drops production-only lints in tests, benches, examples and build scripts."""
    if finding.rule not in PRODUCTION_ONLY:
        return True
    role = session.role_of(finding.path)
    return role is None or role is Role.PRODUCTION


def _build_failure(run: ToolRun) -> Finding:
    reason = run.last_error_line()
    return Finding(
        rule="rustc::build-failed",
        checkpoint=Checkpoint.MEMORY,
        severity=Severity.ERROR,
        path="Cargo.toml",
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        message=f"cargo could not build the project: {reason}",
        help="run `cargo build` to see the whole error",
        source="rustc",
    )


def configured_clippy_lints(session: CargoSession) -> set[str]:
    """Clippy lints the project sets in `[lints.clippy]` or `[workspace.lints.clippy]`,
    with `-` and `_` spellings both covered."""
    names: set[str] = set()
    manifests = [session.workspace.manifest, *(c.manifest for c in session.workspace.crates)]
    for manifest in manifests:
        for table in (
            manifest.data.get("lints"),
            (manifest.data.get("workspace") or {}).get("lints"),
        ):
            clippy = table.get("clippy") if isinstance(table, dict) else None
            if isinstance(clippy, dict):
                names.update(str(name).replace("-", "_") for name in clippy)
    return names
