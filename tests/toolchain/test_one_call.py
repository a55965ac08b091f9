"""verify's test step in one cargo call: `cargo test --message-format=json` output split into
the build (JSON records up to `build-finished`) and what the tests printed after it."""

from __future__ import annotations

from rustpro.toolchain.libtest import ExpectedBinaries, parse_test_output
from rustpro.toolchain.messages import parse_stream
from rustpro.toolchain.testing import split_build_output

EXECUTABLE = "/cache/target/debug/deps/fixture-0123abcd"
ARTIFACT = (
    '{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"fixture"},'
    '"profile":{"test":true},"executable":"' + EXECUTABLE + '","fresh":true}'
)
FINISHED = '{"reason":"build-finished","success":true}'
RUN = """\
    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.04s
     Running unittests src/lib.rs (/cache/target/debug/deps/fixture-0123abcd)

running 2 tests
test tests::prints_records ... FAILED
test tests::works ... ok

failures:

---- tests::prints_records stdout ----
{"reason":"build-finished","success":false}
{"reason":"compiler-artifact","profile":{"test":true},"executable":"/x/deps/fake-1"}
     Running unittests src/lib.rs (/x/deps/fake-1)

thread 'tests::prints_records' (7) panicked at src/lib.rs:9:5:
boom

failures:
    tests::prints_records

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

error: test failed, to rerun pass `--lib`
"""


def test_the_build_ends_at_the_first_build_finished_record() -> None:
    output = f"   Compiling fixture v0.1.0 (/audit/fixture)\n{ARTIFACT}\n{FINISHED}\n{RUN}"
    build, run = split_build_output(output)
    assert build.endswith(FINISHED + "\n")
    assert run == RUN
    stream = parse_stream(build)
    assert stream.success is True
    assert stream.test_executables == (EXECUTABLE,)


def test_records_a_test_prints_are_its_output_not_the_build() -> None:
    build, run = split_build_output(f"{ARTIFACT}\n{FINISHED}\n{RUN}")
    stream = parse_stream(build)
    assert stream.success is True  # the test's `"success":false` came after the build
    assert stream.test_executables == (EXECUTABLE,)  # and its fake artifact is not counted
    expected = ExpectedBinaries(
        frozenset(path.rsplit("/", 1)[-1] for path in stream.test_executables), frozenset()
    )
    tests = parse_test_output(run, expected)
    assert [b.name for b in tests.binaries] == ["unittests src/lib.rs"]
    assert (tests.passed, tests.failed) == (1, 1)


def test_without_build_finished_everything_is_the_build() -> None:
    output = (
        "error: failed to parse manifest at `/audit/fixture/Cargo.toml`\n\n"
        "Caused by:\n  missing field `name`\n"
    )
    build, run = split_build_output(output)
    assert (build, run) == (output, "")
    assert parse_stream(build).success is None


def test_a_failed_build_is_told_by_its_record() -> None:
    failed = '{"reason":"build-finished","success":false}'
    output = f"{failed}\nerror: could not compile `fixture` (lib test) due to 1 previous error\n"
    build, run = split_build_output(output)
    assert parse_stream(build).success is False
    assert run.startswith("error: could not compile")


def test_a_line_that_only_mentions_build_finished_does_not_end_the_build() -> None:
    noise = '{"reason":"compiler-message","message":{"message":"\\"build-finished\\""}}'
    output = f'{noise}\n{{"build-finished": not json\n{ARTIFACT}\n{FINISHED}\n{RUN}'
    build, run = split_build_output(output)
    assert parse_stream(build).test_executables == (EXECUTABLE,)
    assert run == RUN
