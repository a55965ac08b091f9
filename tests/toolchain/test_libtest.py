"""The libtest summary parser on recorded and hand-written `cargo test` output."""

from __future__ import annotations

from rustpro.toolchain.libtest import ExpectedBinaries, parse_test_output
from tests.toolchain.recorded_support import recorded


def _expected(*executables: str, doc_crates: tuple[str, ...] = ()) -> ExpectedBinaries:
    return ExpectedBinaries(frozenset(executables), frozenset(doc_crates))


def test_recorded_run_gives_counts_per_binary_and_failures() -> None:
    expected = _expected("fixture_failing-4d6c43744e08b7ea", doc_crates=("fixture_failing",))
    run = parse_test_output(recorded("test-failing.txt"), expected)
    assert [b.name for b in run.binaries] == ["unittests src/lib.rs", "doctests fixture_failing"]
    unit, doc = run.binaries
    assert (unit.passed, unit.failed, unit.ignored, unit.finished) == (1, 1, 1, True)
    assert (doc.passed, doc.failed, doc.ignored, doc.finished) == (1, 1, 0, True)
    assert (run.passed, run.failed, run.ignored) == (2, 2, 1)
    assert unit.source == "src/lib.rs"
    assert doc.source is None
    (unit_failure,) = unit.failures
    assert unit_failure.name == "tests::triples_wrongly"
    assert (unit_failure.panic_path, unit_failure.panic_line) == ("src/lib.rs", 34)
    assert unit_failure.message[0] == "assertion `left == right` failed: three twos are six"
    assert unit_failure.message[1:] == ["left: 6", "right: 7"]
    (doc_failure,) = doc.failures
    assert doc_failure.doctest_place == ("src/lib.rs", 5)


OUTPUT_WITH_A_CRASH = """\
     Running tests/api.rs (target/debug/deps/api-0123)

running 2 tests
test first ... ok
error: test failed, to rerun pass `--test api`

Caused by:
  process didn't exit successfully: `target/debug/deps/api-0123` (signal: 11, SIGSEGV)
     Running unittests src/main.rs (target/debug/deps/app-4567)

running 1 test
test tests::works ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
"""


def test_a_binary_without_summary_is_marked_unfinished() -> None:
    run = parse_test_output(OUTPUT_WITH_A_CRASH, _expected("api-0123", "app-4567"))
    api, app = run.binaries
    assert (api.name, api.finished, api.source) == ("tests/api.rs", False, "tests/api.rs")
    assert (app.name, app.finished, app.passed) == ("unittests src/main.rs", True, 1)


def test_panic_message_stops_at_the_backtrace_note() -> None:
    output = """\
     Running unittests src/lib.rs (target/debug/deps/x-1)
failures:

---- parse::rejects stdout ----

thread 'parse::rejects' panicked at crates/core/src/parse.rs:9:5:
called `Result::unwrap()` on an `Err` value: Empty
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

failures:
    parse::rejects

test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
"""
    (binary,) = parse_test_output(output, _expected("x-1")).binaries
    (failure,) = binary.failures
    assert failure.panic_path == "crates/core/src/parse.rs"
    assert failure.message == ["called `Result::unwrap()` on an `Err` value: Empty"]


# A test that runs cargo (mdBook's runs `cargo run`) or writes to the real stdout prints lines
# that look like cargo's headers, in the middle of its binary's output.
OUTPUT_WITH_LOOKALIKE_HEADERS = """\
     Running unittests src/lib.rs (/cache/target/debug/deps/book-89abcdef01234567)

running 2 tests
     Running something
     Running `target/debug/mdbook build`
     Running unittests src/main.rs (target/debug/deps/other-0011223344556677)
   Doc-tests other
     Running unittests src/lib.rs (/cache/target/debug/deps/book-89abcdef01234567)
test renders ... ok
test builds ... ok

test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s

   Doc-tests book

running 1 test
test src/lib.rs - render (line 3) ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.10s
"""


def test_lines_that_only_look_like_cargo_headers_are_test_output() -> None:
    expected = _expected("book-89abcdef01234567", doc_crates=("book",))
    run = parse_test_output(OUTPUT_WITH_LOOKALIKE_HEADERS, expected)
    assert [(b.name, b.finished) for b in run.binaries] == [
        ("unittests src/lib.rs", True),
        ("doctests book", True),
    ]
    assert (run.passed, run.failed) == (3, 0)
