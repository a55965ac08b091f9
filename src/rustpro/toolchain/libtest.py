"""`cargo test` output (stdout and stderr interleaved) as per-binary counts and failed tests.

Cargo names each test binary on stderr (`Running unittests src/lib.rs (target/...)`,
`Doc-tests name`); libtest then prints its results on stdout, failed tests' output in
`---- name stdout ----` blocks and one summary line:

    test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; ...

Tests print too, past libtest's capture (a child process's output, a direct write to the
real stdout), and a test that runs cargo prints `Running ...` lines of its own. So a header
counts only when it names what this `cargo test` runs: an executable cargo reported building
(its `--message-format=json` records, from `cargo test --no-run` or from the build part of
the same call, `rustpro.toolchain.testing`), or a library with doctests, each once.
Anything else is a test's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RUNNING = re.compile(r"^\s*Running (.+?) \((.+)\)\s*$")
_DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)\s*$")
_SUMMARY = re.compile(
    r"^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; "
    r"(\d+) measured; (\d+) filtered out"
)
_FAILURE_HEADER = re.compile(r"^---- (.+?) std(?:out|err) ----$")
_PANIC = re.compile(r"panicked at (.+?):(\d+):(\d+):\s*$")
_DOCTEST_NAME = re.compile(r"^(.+?) - .*\(line (\d+)\)$")
# Lines after a panic message that are libtest's or the runtime's, not the test's words.
_PANIC_END = ("stack backtrace:", "note: run with", "note: Some details", "failures:")
MESSAGE_LINES = 4


@dataclass(frozen=True, slots=True)
class ExpectedBinaries:
    """What one `cargo test` runs: the file names of the test executables cargo built
    (`fixture_clean-0123abcd`) and the crates whose doctests it runs (`fixture_clean`)."""

    executables: frozenset[str]
    doc_crates: frozenset[str]

    def names_binary(self, artifact: str) -> bool:
        """True when `artifact`, as cargo printed it, is one of the built executables."""
        return _file_name(artifact) in self.executables

    def names_doctests(self, crate: str) -> bool:
        """True when `crate` is a library whose doctests this run includes."""
        return crate.replace("-", "_") in self.doc_crates


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(slots=True)
class FailedTest:
    """A test that failed: its name, where it panicked, and the first lines of its message."""

    name: str
    panic_path: str | None = None
    panic_line: int | None = None
    panic_column: int | None = None
    message: list[str] = field(default_factory=list)

    @property
    def doctest_place(self) -> tuple[str, int] | None:
        """`(path, line)` of a doctest, read from its name `src/lib.rs - item (line 5)`."""
        match = _DOCTEST_NAME.match(self.name)
        return (match.group(1), int(match.group(2))) if match else None


@dataclass(slots=True)
class TestBinary:
    """One test binary's run: `unittests src/lib.rs`, `tests/api.rs`, `doctests name`."""

    name: str
    # The executable cargo ran (`target/debug/deps/api-0123abcd`), when it printed one.
    artifact: str | None = None
    passed: int = 0
    failed: int = 0
    ignored: int = 0
    # False when the binary exited without a summary line (it crashed or was killed).
    finished: bool = False
    failures: list[FailedTest] = field(default_factory=list)

    @property
    def target_name(self) -> str | None:
        """The cargo target the binary was built from, as rustc names crates (`my_api`)."""
        if self.artifact is not None:
            return _file_name(self.artifact).rsplit("-", 1)[0]
        kind, _, crate = self.name.partition(" ")
        return crate if kind == "doctests" else None

    @property
    def source(self) -> str | None:
        """The source file the binary was built from (`src/lib.rs`), when cargo named it."""
        kind, _, path = self.name.partition(" ")
        if kind in ("unittests", "doctests"):
            return path if kind == "unittests" else None
        return self.name


@dataclass(slots=True)
class TestRun:
    """All binaries of one `cargo test`, in the order they ran."""

    binaries: list[TestBinary] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """Tests that passed, over all binaries."""
        return sum(b.passed for b in self.binaries)

    @property
    def failed(self) -> int:
        """Tests that failed, over all binaries."""
        return sum(b.failed for b in self.binaries)

    @property
    def ignored(self) -> int:
        """Tests that were ignored, over all binaries."""
        return sum(b.ignored for b in self.binaries)


def parse_test_output(output: str, expected: ExpectedBinaries) -> TestRun:
    """Parse `cargo test` output with stderr merged into stdout; only headers that name an
    `expected` binary, each the first time, start a binary."""
    run = TestRun()
    current: TestBinary | None = None
    failure: FailedTest | None = None
    in_panic = False
    seen: set[str] = set()
    for raw in output.splitlines():
        line = raw.rstrip()
        binary = _header(line, expected, seen)
        if binary is not None:
            current = binary
            run.binaries.append(current)
            failure, in_panic = None, False
            continue
        if current is None:
            continue
        summary = _SUMMARY.match(line)
        if summary:
            current.passed, current.failed, current.ignored = (
                int(summary.group(1)),
                int(summary.group(2)),
                int(summary.group(3)),
            )
            current.finished = True
            failure, in_panic = None, False
            continue
        block = _FAILURE_HEADER.match(line)
        if block:
            failure = _failure_named(current, block.group(1))
            in_panic = False
            continue
        if failure is None:
            continue
        if line == "failures:":
            failure, in_panic = None, False
            continue
        if line.startswith("Error: ") and not failure.message:
            # A test returning `Err` fails without a panic: its error is the message.
            failure.message.append(line.strip())
            continue
        panic = _PANIC.search(line)
        if panic and failure.panic_path is None:
            failure.panic_path = panic.group(1)
            failure.panic_line = int(panic.group(2))
            failure.panic_column = int(panic.group(3))
            in_panic = True
            continue
        if in_panic:
            if not line.strip() or line.lstrip().startswith(_PANIC_END):
                in_panic = False
            elif len(failure.message) < MESSAGE_LINES:
                failure.message.append(line.strip())
    return run


def _header(line: str, expected: ExpectedBinaries, seen: set[str]) -> TestBinary | None:
    """The binary a genuine cargo header line starts, or None for any other line."""
    running = _RUNNING.match(line)
    if running is not None:
        name, artifact = running.group(1), running.group(2)
        key = _file_name(artifact)
        if not expected.names_binary(artifact) or key in seen:
            return None
        seen.add(key)
        return TestBinary(name, artifact=artifact)
    doctests = _DOCTESTS.match(line)
    if doctests is not None:
        crate = doctests.group(1)
        key = f"doctests {crate}"
        if not expected.names_doctests(crate) or key in seen:
            return None
        seen.add(key)
        return TestBinary(key)
    return None


def _failure_named(binary: TestBinary, name: str) -> FailedTest:
    """The failure record for `name` (a test can print both a stdout and a stderr block)."""
    for failure in binary.failures:
        if failure.name == name:
            return failure
    failure = FailedTest(name)
    binary.failures.append(failure)
    return failure
