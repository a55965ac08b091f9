"""The gate with the real toolchain: the model's "done" is checked by `rustpro verify` against
the state recorded before its first edit. Scripted runs on copies of
tests/fixtures/cargo/verifiable and of the demo crate; every cargo run of the session
shares one target dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rustpro.toolchain.session import FullModeOptions
from tests.agent.support import Ran, Runner, call, crate_copy, turn

pytestmark = pytest.mark.cargo

REPO = Path(__file__).resolve().parent.parent.parent
DEMO_CRATE = REPO / "examples" / "agent" / "fix-unwrap"
DEMO_SCRIPT = REPO / "examples" / "agent" / "fix-unwrap.jsonl"

BREAK_ADD = call(
    "edit_file",
    path="src/lib.rs",
    old_text="left.saturating_add(right)",
    new_text="left.saturating_sub(right)",
)
MEND_ADD = call(
    "edit_file",
    path="src/lib.rs",
    old_text="left.saturating_sub(right)",
    new_text="left.saturating_add(right)",
)
DOUBLE = call(
    "edit_file",
    path="src/lib.rs",
    old_text="#[cfg(test)]\nmod tests {\n    use super::{add, port};\n",
    new_text=(
        "/// Twice `value`, saturating at the bounds of `u32`.\n#[must_use]\n"
        "pub fn double(value: u32) -> u32 {\n    add(value, value)\n}\n\n"
        "#[cfg(test)]\nmod tests {\n    use super::{add, double, port};\n\n"
        "    #[test]\n    fn doubles() {\n        assert_eq!(double(21), 42);\n    }\n"
    ),
)


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    return crate_copy(tmp_path / "crate")


def gated(
    runner: Runner, crate: Path, turns: list[dict[str, Any]], target: Path, **extra: Any
) -> Ran:
    """A run whose gate builds, tests and lints with cargo."""
    full = FullModeOptions(target_dir=target, progress=False)
    return runner.run(crate, turns, full=full, gate_skip=frozenset(), **extra)


def test_a_task_done_passes_the_gate(runner: Runner, crate: Path, cargo_target_dir: Path) -> None:
    ran = gated(
        runner,
        crate,
        [
            turn("Adding `double` with a test.", DOUBLE),
            turn("", call("cargo", command="test", test_filter="doubles"), call("verify")),
            turn("Done: `double` added and tested."),
        ],
        cargo_target_dir,
    )
    assert (ran.result.exit_code, ran.result.outcome) == (0, "passed")
    [gate] = ran.of("gate")
    assert (gate["verdict"], gate["attempt"], gate["failed"]) == ("pass", 1, [])
    assert set(gate["checks"].values()) == {"pass"}
    # The starting state was recorded before the first edit was made.
    snapshot = ran.of("snapshot")[0]
    first_write = ran.results("edit_file")[0]
    assert snapshot["seq"] < first_write["seq"] and snapshot["declared_tests"] == 2
    cargo, verify = ran.results("cargo")[0]["content"], ran.results("verify")[0]["content"]
    assert cargo.startswith("cargo test: ok") and "test result: ok. 1 passed" in cargo
    assert verify.startswith("rustpro verify: PASS") and "the state before the first edit" in verify


def test_a_done_with_a_failing_test_is_refused_then_fixed(
    runner: Runner, crate: Path, cargo_target_dir: Path
) -> None:
    ran = gated(
        runner,
        crate,
        [
            turn("Changing add.", BREAK_ADD),
            turn("Done."),
            turn("The test shows add must saturate upwards; restoring it.", MEND_ADD),
            turn("Done, for real."),
        ],
        cargo_target_dir,
    )
    assert (ran.result.exit_code, ran.result.outcome) == (0, "passed")
    first, second = ran.of("gate")
    assert (first["verdict"], first["failed"], first["max_attempts"]) == ("fail", ["tests"], 4)
    assert "tests::adds_small_numbers" in first["report"]
    assert "never the assertion" in first["report"]
    assert (second["verdict"], second["attempt"]) == ("pass", 2)
    # The refusal went back to the model as its next message.
    requests = ran.of("request")
    assert requests[2]["messages"] == requests[1]["messages"] + 2


def test_a_test_weakening_edit_is_refused(
    runner: Runner, crate: Path, cargo_target_dir: Path
) -> None:
    weaken = call(
        "edit_file",
        path="src/lib.rs",
        old_text="assert_eq!(add(2, 2), 4);",
        new_text="assert_eq!(add(2, 2), 0);",
    )
    ran = gated(
        runner,
        crate,
        [turn("Making add subtract, and its test agree.", BREAK_ADD, weaken), turn("Done.")],
        cargo_target_dir,
        max_gate_retries=0,
    )
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    [gate] = ran.of("gate")
    assert gate["failed"] == ["weakening"]
    assert gate["checks"]["tests"] == "pass"  # the tests pass: only the weakening check sees it
    assert "tests::adds_small_numbers" in gate["report"]
    assert "the gate refused 1 time(s), the last for: tests not weakened" in ran.result.summary
    assert "rustpro agent --undo" in ran.output


def test_a_change_that_adds_a_rustpro_finding_is_refused(
    runner: Runner, crate: Path, cargo_target_dir: Path
) -> None:
    # A new function no test reaches: the tests still pass, only rustpro's rules see it.
    unwrap = call(
        "edit_file",
        path="src/lib.rs",
        old_text="#[cfg(test)]\nmod tests {",
        new_text=(
            "/// Parses a port number.\n#[must_use]\npub fn port_number(text: &str) -> u16 {\n"
            "    text.parse().unwrap()\n}\n\n#[cfg(test)]\nmod tests {"
        ),
    )
    ran = gated(
        runner, crate, [turn("", unwrap), turn("Done.")], cargo_target_dir, max_gate_retries=0
    )
    [gate] = ran.of("gate")
    assert gate["failed"] == ["rustpro"] and "unwrap-in-production" in gate["report"]
    assert ran.result.exit_code == 1


def test_cargo_output_is_trimmed_and_fmt_writes_through_the_journal(
    runner: Runner, crate: Path, cargo_target_dir: Path
) -> None:
    messy = call(
        "edit_file",
        path="src/lib.rs",
        old_text="pub fn add(left: u32, right: u32) -> u32 {",
        new_text="pub fn add(left:u32,right:u32)->u32{",
    )
    ran = runner.run(
        crate,
        [
            turn("", messy, call("cargo", command="fmt", check=True)),
            turn("", call("cargo", command="fmt"), call("cargo", command="clippy")),
            turn("Formatted."),
        ],
        full=FullModeOptions(target_dir=cargo_target_dir, progress=False),
    )
    check, fmt, clippy = (r["content"] for r in ran.results("cargo"))
    assert check.startswith("cargo fmt: failed") and "Diff in" in check
    assert fmt.startswith("cargo fmt: ok") and "formatted 1 file(s): src/lib.rs" in fmt
    assert "pub fn add(left: u32, right: u32) -> u32 {" in (crate / "src" / "lib.rs").read_text()
    assert clippy.startswith("cargo clippy: ok") and "Checking" not in clippy
    assert str(cargo_target_dir) not in check + fmt + clippy
    assert [c["access"] for c in ran.of("tool_call") if c["name"] == "cargo"] == [
        "serial",
        "write",
        "serial",
    ]


def test_the_demo_script_shows_a_refused_gate_then_a_pass(
    runner: Runner, tmp_path: Path, cargo_target_dir: Path
) -> None:
    crate = crate_copy(tmp_path / "fix-unwrap", DEMO_CRATE)
    ran = gated(
        runner,
        crate,
        [],
        cargo_target_dir,
        model=f"scripted:{DEMO_SCRIPT}",
    )
    assert (ran.result.exit_code, ran.result.outcome) == (0, "passed")
    assert [g["verdict"] for g in ran.of("gate")] == ["fail", "pass"]
    assert ran.of("gate")[0]["failed"] == ["tests"]
    plans = ran.of("plan")
    assert all(step["status"] == "done" for step in plans[-1]["steps"])
    assert "unwrap()" not in (crate / "src" / "lib.rs").read_text().split("#[cfg(test)]")[0]
    # The reads of the first turn ran side by side.
    assert {c["name"] for c in ran.of("tool_call") if c["parallel"]} == {
        "read_file",
        "profile",
        "audit",
    }
