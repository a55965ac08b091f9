"""The test step: `cargo test --no-run` (the build), then `cargo test --no-fail-fast`;
per-binary counts, one finding per failure.

Building first tells which test executables exist (cargo's JSON artifact records), so only
cargo's own headers for those binaries are taken from the run's output, never a test's
lines that look like them (`rustpro.toolchain.libtest`).

`one_call` (verify) asks the same of one `cargo test --no-fail-fast --message-format=json`:
cargo prints the build's JSON records, ends them with `build-finished`, and only then runs
the tests, so what comes before the first `build-finished` record is the build (the
executables) and what follows is the run (a test printing a line that looks like a record
prints it after that point). One cargo start-up fewer; full mode keeps two calls, because
it starts `cargo doc` between them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from rustpro.discovery.layout import CrateLayout, Target
from rustpro.errors import ToolError, ToolTimeout
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolchain.libtest import (
    ExpectedBinaries,
    FailedTest,
    TestBinary,
    TestRun,
    parse_test_output,
)
from rustpro.toolchain.messages import parse_stream
from rustpro.toolchain.runner import ToolRun
from rustpro.toolchain.session import CargoSession

FAILED_RULE = "cargo-test::failed"
TIMEOUT_RULE = "cargo-test::timeout"


def run_tests(
    session: CargoSession,
    *,
    after_build: Callable[[], None] | None = None,
    one_call: bool = False,
) -> TestRun | None:
    """Build and run every test binary and doctest of the audited crates; record counts and
    failures, and return them (None when the tests did not build, run or finish). `after_build`
    is called once the build is over, however it ended (full mode starts `cargo doc` then:
    cargo's build lock is free while the tests run). `one_call` builds and runs them in one
    cargo command (see the module docstring); `after_build` is then called when it ends."""
    # Short panic messages: the finding quotes the first lines, not a backtrace.
    env = session.env(RUST_BACKTRACE="0")
    budget = session.options.timeout_for("test")
    started = time.monotonic()
    try:
        if one_call:
            try:
                found = _build_and_run(session, env, budget)
            finally:
                if after_build is not None:
                    after_build()
            if found is None:
                return None
            expected, run, output = found
        else:
            try:
                built = _build(session, env)
            finally:
                if after_build is not None:
                    after_build()
            if built is None:
                return None
            expected = built
            left = max(budget - (time.monotonic() - started), 1.0)
            run = session.run(
                "test",
                session.build_args("test", "--no-fail-fast"),
                description="cargo test: running",
                env=env,
                merge_stderr=True,
                timeout=left,
            )
            output = run.stdout
    except ToolTimeout:
        err = ToolTimeout("cargo test", budget)
        session.report.note(Checkpoint.TESTING, f"tests: did not finish ({err})")
        session.report.add([_finding(TIMEOUT_RULE, "Cargo.toml", 1, 1, f"{err}", "")])
        return None
    except ToolError as err:
        session.report.note(Checkpoint.TESTING, f"tests: not run ({err})")
        session.report.warn(str(err))
        return None
    tests = parse_test_output(output, expected)
    if run.returncode != 0 and not tests.binaries:
        reason = _last_error(output)
        session.report.note(Checkpoint.TESTING, f"tests: did not run ({reason})")
        session.report.add(
            [_finding(FAILED_RULE, "Cargo.toml", 1, 1, f"the tests did not run: {reason}", "")]
        )
        return None
    session.report.add(failure_findings(tests, session))
    session.report.note(Checkpoint.TESTING, _summary(tests, time.monotonic() - started))
    for binary in tests.binaries:
        counts = f"{binary.passed} passed, {binary.failed} failed, {binary.ignored} ignored"
        state = "" if binary.finished else ", crashed before its summary"
        session.report.detail(Checkpoint.TESTING, f"{_label(binary)}: {counts}{state}")
    return tests


def _build(session: CargoSession, env: dict[str, str]) -> ExpectedBinaries | None:
    """`cargo test --no-run`: the test executables it built, or None (recorded) when the
    tests do not build."""
    args = session.build_args("test", "--no-run", "--message-format=json")
    run = session.run("test", args, description="cargo test: building", env=env)
    stream = parse_stream(run.stdout)
    if run.returncode != 0 or stream.success is False:
        _not_built(session, run.last_error_line())
        return None
    return _expected(session, stream.test_executables)


def _build_and_run(
    session: CargoSession, env: dict[str, str], budget: float
) -> tuple[ExpectedBinaries, ToolRun, str] | None:
    """`cargo test --no-fail-fast --message-format=json`: what it built, the run, and the
    output after the build; None (recorded) when the tests do not build."""
    args = session.build_args("test", "--no-fail-fast", "--message-format=json")
    run = session.run(
        "test", args, description="cargo test", env=env, merge_stderr=True, timeout=budget
    )
    build, output = split_build_output(run.stdout)
    stream = parse_stream(build)
    if stream.success is not True:
        # No `build-finished` at all: cargo stopped before building (a manifest error).
        _not_built(session, _last_build_error(build, run.returncode))
        return None
    return _expected(session, stream.test_executables), run, output


def split_build_output(output: str) -> tuple[str, str]:
    """`cargo test --message-format=json` output as (the build, up to and including the
    first `build-finished` record; what the tests printed after it). No such record: all of
    it is the build."""
    position = 0
    for line in output.splitlines(keepends=True):
        position += len(line)
        if line.startswith("{") and '"build-finished"' in line:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict) and record.get("reason") == "build-finished":
                return output[:position], output[position:]
    return output, ""


def _last_build_error(build: str, returncode: int) -> str:
    """The last `error` line cargo printed while building (stderr is merged into the JSON
    records), else its last line that is not a record."""
    lines = [line.strip() for line in build.splitlines() if line.strip()]
    plain = [line for line in lines if not line.startswith("{")]
    errors = [line for line in plain if line.startswith("error")]
    if errors:
        return errors[-1]
    return plain[-1] if plain else f"exit status {returncode}"


def _not_built(session: CargoSession, reason: str) -> None:
    session.report.note(Checkpoint.TESTING, f"tests: could not be built ({reason})")
    session.report.add(
        [_finding(FAILED_RULE, "Cargo.toml", 1, 1, f"the tests do not build: {reason}", "")]
    )


def _expected(session: CargoSession, built: tuple[str, ...]) -> ExpectedBinaries:
    executables = frozenset(Path(path).name for path in built)
    doc_crates = frozenset(
        target.name.replace("-", "_")
        for crate in session.workspace.crates
        for target in crate.targets
        if target.kind == "lib"
    )
    return ExpectedBinaries(executables, doc_crates)


def _summary(tests: TestRun, seconds: float) -> str:
    """The one line the text report shows; per-binary lines are details (JSON)."""
    crashed = sum(1 for binary in tests.binaries if not binary.finished)
    binaries = f"{len(tests.binaries)} test binaries"
    if crashed:
        binaries += f", {crashed} crashed"
    return (
        f"{tests.passed} passed, {tests.failed} failed, {tests.ignored} ignored "
        f"({binaries}, {seconds:.1f} s)"
    )


def _label(binary: TestBinary) -> str:
    """`unittests src/lib.rs (ws_alpha)`: in a workspace every member has a src/lib.rs."""
    if binary.artifact is None or binary.target_name is None:
        return binary.name
    return f"{binary.name} ({binary.target_name})"


def failure_findings(tests: TestRun, session: CargoSession) -> list[Finding]:
    """One error per failed test or doctest, and per binary that crashed mid-run."""
    findings: list[Finding] = []
    for binary in tests.binaries:
        for failure in binary.failures:
            path, line, column = _place(failure, binary, session)
            detail = "; ".join(failure.message) or "see `cargo test` output"
            findings.append(
                _finding(
                    FAILED_RULE,
                    path,
                    line,
                    column,
                    f"test `{failure.name}` failed: {detail}",
                    f"rerun with `cargo test {_filter(failure)}`",
                )
            )
        if not binary.finished:
            source = _source_path(binary, session) or "Cargo.toml"
            findings.append(
                _finding(
                    FAILED_RULE,
                    source,
                    1,
                    1,
                    f"test binary `{binary.name}` exited before reporting its results "
                    "(a crash, an abort or a stack overflow)",
                    "run `cargo test` to see how it ended",
                )
            )
    return findings


def _place(failure: FailedTest, binary: TestBinary, session: CargoSession) -> tuple[str, int, int]:
    """Where a failure points: its doctest, else its panic location, else its test fn."""
    doctest = failure.doctest_place
    if doctest is not None:
        path = _package_relative(doctest[0], binary, session)
        if path is not None:
            return path, doctest[1], 1
    if failure.panic_path is not None and failure.panic_line is not None:
        path = session.paths.relative(failure.panic_path)
        if path is not None:
            return path, failure.panic_line, failure.panic_column or 1
    source = _source_path(binary, session)
    if source is None:
        return "Cargo.toml", 1, 1
    return source, _fn_line(session.root / source, failure.name), 1


def _package_relative(printed: str, binary: TestBinary, session: CargoSession) -> str | None:
    """A doctest path: rustdoc prints it relative to the package whose library it tests."""
    anchors = [session.local(crate.root) for crate in _crates_of(binary, session)]
    return session.paths.relative(printed, *anchors)


def _source_path(binary: TestBinary, session: CargoSession) -> str | None:
    """The binary's root source file. Cargo prints it relative to its package, so in a
    workspace the target (named like the binary's artifact) says which package."""
    if binary.source is None:
        return None
    for target in _targets_of(binary, session):
        if target.root.as_posix().endswith(binary.source):
            return session.paths.relative(str(session.local(target.root)))
    return session.paths.relative(binary.source)


def _targets_of(binary: TestBinary, session: CargoSession) -> list[Target]:
    name = binary.target_name
    return [
        target
        for crate in session.workspace.crates
        for target in crate.targets
        if name is not None and target.name.replace("-", "_") == name
    ]


def _crates_of(binary: TestBinary, session: CargoSession) -> list[CrateLayout]:
    name = binary.target_name
    return [
        crate
        for crate in session.workspace.crates
        if any(t.kind == "lib" and t.name.replace("-", "_") == name for t in crate.targets)
    ]


def _fn_line(path: Path, test_name: str) -> int:
    """The line of `fn NAME` for the last segment of a test's path, else 1."""
    name = test_name.rsplit("::", 1)[-1]
    pattern = re.compile(rf"\bfn\s+{re.escape(name)}\b")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return 1


def _filter(failure: FailedTest) -> str:
    if failure.doctest_place is not None:
        return "--doc"
    return f"-- --exact {failure.name}"


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip().startswith("error")]
    return lines[-1] if lines else "cargo test failed"


def _finding(rule: str, path: str, line: int, column: int, message: str, help_: str) -> Finding:
    return Finding(
        rule=rule,
        checkpoint=Checkpoint.TESTING,
        severity=Severity.ERROR,
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column,
        message=message,
        help=help_ or "run `cargo test` to see the whole output",
        source="cargo-test",
    )
