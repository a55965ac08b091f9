"""`rustpro verify`: the work tree against its starting point, as six checks and a verdict.

    starting point (git objects or a snapshot) --> old side: blob ids, .rs texts, static audit
    work tree --> one audit: static rules + cargo (clippy --all-targets, test, fmt --check)
              --> the six checks, each pass / fail / not run / skipped / note

Nothing is checked out or built on the old side: its rustpro findings come from a static
audit of its sources (`startaudit`), its clippy findings from a snapshot or from an earlier
verify of the same content, else only clippy findings on lines the change touched count as
new (see docs/verify.md, "What counts as new").
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rustpro.cachedir import engine_fingerprint
from rustpro.errors import RustproError
from rustpro.fingerprint import source_reader
from rustpro.model import Finding
from rustpro.toolchain.clippy import is_compile_error
from rustpro.verify.begin import Begun, Opening, begin, verify_root
from rustpro.verify.cargo import CargoChecks, CargoOutcome
from rustpro.verify.options import REQUIRABLE, SKIPPABLE, VerifyOptions
from rustpro.verify.records import FindingRecord, RecordStore, at_least_warning, to_records
from rustpro.verify.result import Check, Problem, StartPoint, Status, TallyOfTests, VerifyReport
from rustpro.verify.sides import (
    Side,
    changed_files,
    git_side,
    meets,
    touched_lines,
    work_tree_side,
)
from rustpro.verify.snapshot import Snapshot
from rustpro.verify.startaudit import start_findings
from rustpro.verify.testchecks import (
    declared_tests,
    inventory_of,
    weakening_check,
    weakening_module,
)

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditResult

# The options (`verify.options`) and the first step (`verify.begin`) are re-exported here.
__all__ = ["REQUIRABLE", "SKIPPABLE", "CannotVerify", "VerifyOptions", "verify", "verify_root"]


class CannotVerify(RustproError):
    """verify cannot answer (exit 2): no cargo, no start, a required tool missing."""


@dataclass(slots=True)
class _Start:
    """The starting point resolved: what it is, its side, and what it remembers."""

    point: StartPoint
    side: Side
    root_in_repo: str = ""
    snapshot: Snapshot | None = None


def _read_start(opening: Opening) -> _Start:
    """The starting point with its side."""
    if opening.snapshot is not None:
        side = Side(blobs=dict(opening.snapshot.files))
        return _Start(opening.point, side, snapshot=opening.snapshot)
    assert opening.repo is not None and opening.point.commit is not None
    side = git_side(opening.repo, opening.point.commit, opening.root)
    relative = opening.root.relative_to(opening.repo).as_posix()
    return _Start(opening.point, side, root_in_repo="" if relative == "." else relative)


def verify(path: Path, options: VerifyOptions, begun: Begun | None = None) -> VerifyReport:
    """Verify the tree at `path`; raises `RustproError` when verify cannot run.

    The cargo steps start first, in the background, as soon as the crate and the starting
    point are known to exist (`begin`; `begun` when the caller did that already, before
    importing this module); everything else (the two sides, the test inventories, the
    static audit of both sides) is read while cargo works."""
    begun = begun if begun is not None else begin(path, options)
    cargo = begun.cargo
    try:
        report = _verify(begun.root, begun.repo, begun.opening, options, cargo)
    except Exception:
        if cargo is not None:
            cargo.cancel()
        raise
    except BaseException:  # Ctrl-C: the command line stops every cargo command
        if cargo is not None:
            cargo.cancel(wait=False)
        raise
    report.seconds = time.perf_counter() - begun.started
    return report


def _verify(
    root: Path,
    repo: Path | None,
    opening: Opening,
    options: VerifyOptions,
    cargo: CargoChecks | None,
) -> VerifyReport:
    start = _read_start(opening)
    new = work_tree_side(root, repo)
    changed = changed_files(start.side, new)
    rust_changed = any(p.endswith(".rs") for p in changed)
    if cargo is not None:
        cargo.want_fmt(rust_changed)
    else:
        cargo = _cargo_checks(options, rust_changed=rust_changed)
    module = weakening_module() if not options.skipped("weakening") else None
    inventories = _inventories(module, start, new, use_cache=options.use_cache)
    declared = _declared_at_start(start, inventories)
    old_findings = None if options.skipped("rustpro") else _start_records(start, options)
    result = audit_work_tree(root, options, cargo)
    outcome = cargo.outcome if cargo is not None else CargoOutcome()
    if cargo is not None and outcome.missing_cargo is not None:
        raise CannotVerify(
            f"verify needs cargo for its build, test, clippy and fmt checks: "
            f"{outcome.missing_cargo} (--skip build --skip fmt checks without cargo)"
        )
    checks = [
        _build_check(options, outcome, result.findings),
        _test_check(options, outcome, result.findings, declared),
        _clippy_check(options, outcome, result, start, new, changed),
        _rustpro_check(options, result, old_findings),
        _weakening(options, module, inventories),
        _fmt_check(options, outcome, result.findings, changed),
    ]
    report = VerifyReport(
        root=str(root),
        start=start.point,
        checks=checks,
        changed_files=changed,
        tests=_counts(outcome, declared),
        warnings=[*result.warnings, *outcome.warnings],
    )
    _require_answers(report, options)
    return report


def _cargo_checks(options: VerifyOptions, *, rust_changed: bool = True) -> CargoChecks | None:
    build = not options.skipped("build")
    clippy = not options.skipped("clippy")
    test = not options.skipped("test")
    # Check 6 is about the changed files: with no Rust file changed, rustfmt has nothing to
    # say that counts (and would only compete with the build for the CPU).
    fmt = not options.skipped("fmt") and rust_changed
    if not (build or clippy or test or fmt):
        return None
    return CargoChecks(options.full, build=build, clippy=clippy, test=test, fmt=fmt)


def audit_work_tree(root: Path, options: VerifyOptions, cargo: CargoChecks | None) -> AuditResult:
    """One audit of the work tree: the static rules, with the cargo steps when asked for."""
    from rustpro.engine.audit import AuditOptions, run_audit  # loaded once cargo is under way

    audit = AuditOptions(static=cargo is None, workers=options.workers, use_cache=options.use_cache)
    return run_audit(root, audit, extra=cargo)


def _inventories(
    module: Any, start: _Start, new: Side, *, use_cache: bool = True
) -> tuple[Any, Any] | None:
    """(old, new) test inventories, or None when the weakening module is unavailable or the
    snapshot recorded none."""
    if module is None:
        return None
    now = inventory_of(module, new, use_cache=use_cache)
    if start.snapshot is not None:
        if start.snapshot.tests is None:
            return None
        return module.TestInventory.from_json(start.snapshot.tests), now
    return inventory_of(module, start.side, use_cache=use_cache), now


def _declared_at_start(start: _Start, inventories: tuple[Any, Any] | None) -> int:
    if start.snapshot is not None:
        return start.snapshot.declared_tests
    old = inventories[0] if inventories is not None else None
    return declared_tests(start.side.rust_sources(), old)


# ---- check 1: builds -------------------------------------------------------------------


def _build_check(options: VerifyOptions, outcome: CargoOutcome, findings: list[Finding]) -> Check:
    if options.skipped("build"):
        return Check("builds", Status.SKIPPED, "skipped (--skip build)")
    evidence = [line for line in outcome.evidence if line.startswith("compiles:")]
    command = f"{outcome.build_tool or 'cargo check'} --all-targets"
    if outcome.compiled is True:
        return Check("builds", Status.PASS, f"compiles ({command})", evidence=evidence)
    errors = [f for f in findings if is_compile_error(f)]
    problems = [
        Problem(f.path, f.line, f.message, f.help or "fix the compile error", f.rule)
        for f in errors
    ]
    if outcome.compiled is None:
        reason = evidence[0] if evidence else "cargo could not tell"
        return Check(
            "builds", Status.FAIL, f"not known to compile: {reason}", problems, [], evidence
        )
    summary = f"does not compile: {len(errors)} error(s) from {command}"
    return Check("builds", Status.FAIL, summary, problems, [], evidence)


# ---- check 2: tests pass ---------------------------------------------------------------


def _test_check(
    options: VerifyOptions, outcome: CargoOutcome, findings: list[Finding], declared: int
) -> Check:
    if options.skipped("test"):
        return Check("tests", Status.SKIPPED, f"skipped (--skip {options.skip_flag('test')})")
    if outcome.compiled is False:
        return Check("tests", Status.NOT_RUN, "not run (the work tree does not build)")
    evidence = [line for line in outcome.evidence if line.startswith(("tests:", "tests "))]
    evidence += [line for line in outcome.evidence if " passed, " in line]
    failures = [f for f in findings if f.rule.startswith("cargo-test::")]
    problems = [
        Problem(
            f.path,
            f.line,
            f.message,
            f"{f.help}; fix the code (or the test's setup), never the assertion",
            f.rule,
        )
        for f in failures
    ]
    tests = outcome.tests
    if tests is None:
        summary = evidence[0] if evidence else "the tests did not run"
        return Check("tests", Status.FAIL, summary, problems, [], evidence)
    counts = (
        f"{tests.passed} passed, {tests.failed} failed, {tests.ignored} ignored "
        f"({len(tests.binaries)} test binaries)"
    )
    if problems or tests.failed:
        return Check("tests", Status.FAIL, counts, problems, [], evidence)
    if tests.passed + tests.failed == 0 and declared > 0:
        problem = Problem(
            "Cargo.toml",
            0,
            f"cargo test ran no test at all; the starting point declares {declared}",
            "find out why no test runs (a cfg, a feature, a harness = false target) and "
            "make them run again",
            "zero-tests",
        )
        return Check("tests", Status.FAIL, f"no test ran ({counts})", [problem], [], evidence)
    return Check("tests", Status.PASS, counts, [], [], evidence)


def _counts(outcome: CargoOutcome, declared: int) -> TallyOfTests | None:
    tests = outcome.tests
    if tests is None:
        return None
    return TallyOfTests(tests.passed, tests.failed, tests.ignored, len(tests.binaries), declared)


# ---- check 3: no new clippy warnings ---------------------------------------------------


def _clippy_key(side: Side, options: VerifyOptions) -> str:
    """The content a clippy run saw, with what changes clippy's answer (rustpro's lint
    profile is part of the engine, the features are cargo's)."""
    features = " ".join(options.full.feature_args())
    material = f"{engine_fingerprint()}\0{features}\0{side.content_key()}"
    return hashlib.sha256(material.encode()).hexdigest()


def _clippy_check(
    options: VerifyOptions,
    outcome: CargoOutcome,
    result: AuditResult,
    start: _Start,
    new: Side,
    changed: list[str],
) -> Check:
    if options.skipped("clippy"):
        return Check("clippy", Status.SKIPPED, f"skipped (--skip {options.skip_flag('clippy')})")
    if outcome.compiled is False:
        return Check("clippy", Status.NOT_RUN, "not run (the work tree does not build)")
    if not outcome.clippy_ran:
        reason = outcome.clippy_missing or "clippy did not run"
        return Check("clippy", Status.NOT_RUN, f"not run ({reason})")
    warnings = [
        f
        for f in result.findings
        if f.source in ("clippy", "rustc") and at_least_warning(f) and not is_compile_error(f)
    ]
    records = to_records(warnings, source_reader(result.root))
    store = RecordStore("clippy")
    if outcome.compiled:
        store.put(_clippy_key(new, options), records)
    if start.snapshot is not None:
        old = start.snapshot.clippy
    else:
        old = store.get(_clippy_key(start.side, options))
    if old is not None:
        known = {r.fingerprint for r in old}
        fresh = [r for r in records if r.fingerprint not in known]
        how = f"compared by fingerprint with {len(old)} at the start"
    else:
        lines = touched_lines(start.side, new, changed)
        fresh = [r for r in records if meets(lines, r.path, r.line, r.end_line)]
        how = "the start's were not recorded: only lines this change touched count"
    return _new_findings_check("clippy", fresh, len(records), how)


# ---- check 4: no new rustpro findings --------------------------------------------------


def _start_records(start: _Start, options: VerifyOptions) -> list[FindingRecord]:
    """rustpro's findings at the start: recorded in the snapshot, or from the static audit
    of the old sources (cached by content)."""
    if start.snapshot is not None:
        return start.snapshot.rustpro
    return start_findings(start.side, start.root_in_repo, workers=options.workers)


def _rustpro_check(
    options: VerifyOptions, result: AuditResult, old: list[FindingRecord] | None
) -> Check:
    if options.skipped("rustpro") or old is None:
        return Check("rustpro", Status.SKIPPED, "skipped (--skip rustpro)")
    now = [f for f in result.findings if f.source == "rustpro" and at_least_warning(f)]
    records = to_records(now, source_reader(result.root))
    known = {r.fingerprint for r in old}
    fresh = [r for r in records if r.fingerprint not in known]
    how = f"compared by fingerprint with {len(old)} at the start"
    return _new_findings_check("rustpro", fresh, len(records), how)


def _new_findings_check(
    check_id: str, fresh: Sequence[FindingRecord], total: int, how: str
) -> Check:
    problems = [
        Problem(r.path, r.line, f"{r.severity} {r.rule}: {r.message}", r.help, r.rule)
        for r in fresh
    ]
    if problems:
        summary = f"{len(problems)} new warning(s) or error(s) ({total} in all; {how})"
        return Check(check_id, Status.FAIL, summary, problems, [], [how])
    return Check(check_id, Status.PASS, f"nothing new ({total} in all; {how})", [], [], [how])


# ---- check 5: tests not weakened -------------------------------------------------------


def _weakening(options: VerifyOptions, module: Any, inventories: tuple[Any, Any] | None) -> Check:
    if options.skipped("weakening"):
        return Check("weakening", Status.SKIPPED, "skipped (--skip weakening)")
    if module is None:
        return Check(
            "weakening", Status.NOT_RUN, "not run (this build of rustpro has no test inventory)"
        )
    if inventories is None:
        return Check("weakening", Status.NOT_RUN, "not run (the snapshot has no test inventory)")
    return weakening_check(
        module, inventories[0], inventories[1], allow_test_edits=options.allow_test_edits
    )


# ---- check 6: formatted ----------------------------------------------------------------


def _fmt_check(
    options: VerifyOptions, outcome: CargoOutcome, findings: list[Finding], changed: list[str]
) -> Check:
    if options.skipped("fmt"):
        return Check("fmt", Status.SKIPPED, "skipped (--skip fmt)")
    if not any(path.endswith(".rs") for path in changed):
        return Check("fmt", Status.PASS, "no Rust file changed")
    evidence = [line for line in outcome.evidence if line.startswith("rustfmt:")]
    state = evidence[0] if evidence else "rustfmt: not run"
    if not outcome.fmt_ran or any(w in state for w in ("skipped", "not run", "failed")):
        return Check("fmt", Status.NOT_RUN, state.replace("rustfmt: ", "", 1), evidence=evidence)
    touched = set(changed)
    problems = [
        Problem(f.path, f.line, "rustfmt would reformat this file", "run `cargo fmt`", f.rule)
        for f in findings
        if f.rule == "rustfmt::diff" and f.path in touched
    ]
    if not problems:
        return Check("fmt", Status.PASS, "the changed files are formatted", evidence=evidence)
    summary = f"{len(problems)} changed file(s) not formatted"
    if "fmt" in options.require:
        return Check("fmt", Status.FAIL, summary, problems, [], evidence)
    return Check(
        "fmt", Status.NOTE, f"{summary} (a note: --require fmt fails it)", [], problems, evidence
    )


def _require_answers(report: VerifyReport, options: VerifyOptions) -> None:
    """Raise `CannotVerify` when a check that must answer could not and nothing failed (a
    failure already says the change is not done)."""
    if report.failed:
        return
    for check in report.checks:
        if check.status is not Status.NOT_RUN:
            continue
        if check.id == "fmt" and "fmt" not in options.require:
            continue
        raise CannotVerify(
            f"check `{check.title}` could not run: {check.summary}; "
            f"fix that or pass --skip {_skip_name(check.id)}"
        )


def _skip_name(check_id: str) -> str:
    return {"builds": "build", "tests": "test"}.get(check_id, check_id)
