"""Checks decided from what the cargo steps found out, without running cargo: the test
counts (a run of zero tests where the start declared some fails), build failures that leave
the cargo checks not run, and formatting as a note or, with --require fmt, a failure."""

from __future__ import annotations

from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolchain import libtest
from rustpro.verify.cargo import CargoOutcome
from rustpro.verify.result import Status
from rustpro.verify.run import VerifyOptions, _build_check, _fmt_check, _test_check

DEFAULT = VerifyOptions()


def outcome(*binaries: libtest.TestBinary, compiled: bool | None = True) -> CargoOutcome:
    return CargoOutcome(
        compiled=compiled,
        clippy_ran=True,
        build_tool="cargo clippy",
        tests=libtest.TestRun(list(binaries)),
        tests_ran=True,
        fmt_ran=True,
        evidence=["compiles: yes (clippy, 0.4 s)", "rustfmt: 1 file(s) would change (0.3 s)"],
    )


def finding(rule: str, path: str, line: int, severity: Severity = Severity.ERROR) -> Finding:
    return Finding(
        rule=rule,
        checkpoint=Checkpoint.MEMORY,
        severity=severity,
        path=path,
        line=line,
        column=1,
        end_line=line,
        end_column=1,
        message="mismatched types",
        help="",
        source=rule.split("::")[0],
    )


def test_zero_tests_run_fails_when_the_start_declared_some() -> None:
    ran_nothing = outcome(libtest.TestBinary("unittests src/lib.rs", finished=True))
    check = _test_check(DEFAULT, ran_nothing, [], declared=2)
    assert check.status is Status.FAIL
    assert "ran no test at all; the starting point declares 2" in check.problems[0].message


def test_zero_tests_pass_when_the_start_had_none() -> None:
    ran_nothing = outcome(libtest.TestBinary("unittests src/lib.rs", finished=True))
    assert _test_check(DEFAULT, ran_nothing, [], declared=0).status is Status.PASS


def test_counts_are_the_summary() -> None:
    ran = outcome(
        libtest.TestBinary("unittests src/lib.rs", passed=3, ignored=1, finished=True),
        libtest.TestBinary("tests/api.rs", passed=2, finished=True),
    )
    check = _test_check(DEFAULT, ran, [], declared=6)
    assert (check.status, check.summary) == (
        Status.PASS,
        "5 passed, 0 failed, 1 ignored (2 test binaries)",
    )


def test_a_build_failure_lists_the_errors_and_leaves_the_tests_not_run() -> None:
    broken = outcome(compiled=False)
    broken.tests = None
    errors = [finding("rustc::E0308", "src/lib.rs", 6)]
    build = _build_check(DEFAULT, broken, errors)
    assert build.status is Status.FAIL
    assert [(p.place, p.name) for p in build.problems] == [("src/lib.rs:6", "rustc::E0308")]
    tests = _test_check(DEFAULT, broken, [], declared=2)
    assert tests.status is Status.NOT_RUN


def test_unformatted_changed_files_are_a_note_unless_required() -> None:
    diff = [
        finding("rustfmt::diff", "src/lib.rs", 3, Severity.NOTE),
        finding("rustfmt::diff", "src/untouched.rs", 1, Severity.NOTE),
    ]
    note = _fmt_check(DEFAULT, outcome(), diff, ["src/lib.rs"])
    assert note.status is Status.NOTE
    assert [p.path for p in note.notes] == ["src/lib.rs"]  # untouched files are not reported
    required = VerifyOptions(require=frozenset({"fmt"}))
    failed = _fmt_check(required, outcome(), diff, ["src/lib.rs"])
    assert failed.status is Status.FAIL
    assert _fmt_check(DEFAULT, outcome(), diff, []).status is Status.PASS
