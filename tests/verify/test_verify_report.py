"""The verify report's formats over a fixed report: the JSON contract of docs/verify-json.md
(tests/schemas/verify-v1.schema.json) and a text snapshot. Refresh the snapshot with
RUSTPRO_UPDATE_SNAPSHOTS=1 and review the diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]

from rustpro.verify.render import render_json, render_markdown, render_text
from rustpro.verify.result import (
    CHECKS,
    Check,
    Problem,
    StartPoint,
    Status,
    TallyOfTests,
    VerifyReport,
)

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "verify-v1.schema.json"
SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "verify.txt"


def fixed_report() -> VerifyReport:
    checks = [
        Check(
            "builds",
            Status.PASS,
            "compiles (cargo clippy --all-targets)",
            evidence=["compiles: yes (clippy, 1.3 s)"],
        ),
        Check(
            "tests",
            Status.FAIL,
            "1 passed, 1 failed, 0 ignored (2 test binaries)",
            [
                Problem(
                    "src/lib.rs",
                    21,
                    "test `tests::adds_small_numbers` failed: assertion `left == right` failed",
                    "rerun with `cargo test -- --exact tests::adds_small_numbers`; fix the code "
                    "(or the test's setup), never the assertion",
                    "cargo-test::failed",
                )
            ],
        ),
        Check(
            "clippy",
            Status.PASS,
            "nothing new (0 in all; compared by fingerprint with 0 at the start)",
        ),
        Check(
            "rustpro",
            Status.FAIL,
            "1 new warning(s) or error(s) (1 in all; compared by fingerprint with 0 at the start)",
            [
                Problem(
                    "src/lib.rs",
                    12,
                    "warning unwrap-in-production: `.unwrap()` panics on `None`/`Err` in "
                    "production code",
                    "propagate with `?` or handle the error",
                    "unwrap-in-production",
                )
            ],
        ),
        Check(
            "weakening",
            Status.PASS,
            "no test weakened (2 test(s) now, 2 at the start)",
            [],
            [
                Problem(
                    "src/lib.rs",
                    26,
                    "expected value changed: `Some(80)` -> `Some(81)`",
                    "listed because --allow-test-edits was given",
                    "value-changed: tests::parses_ports",
                )
            ],
        ),
        Check(
            "fmt",
            Status.NOTE,
            "1 changed file(s) not formatted (a note: --require fmt fails it)",
            [],
            [
                Problem(
                    "src/lib.rs",
                    3,
                    "rustfmt would reformat this file",
                    "run `cargo fmt`",
                    "rustfmt::diff",
                )
            ],
        ),
    ]
    return VerifyReport(
        root="/work/crate",
        start=StartPoint("git", "HEAD (1a2b3c4d5e)", ref="HEAD", commit="1a2b3c4d5e" * 4),
        checks=checks,
        changed_files=["src/lib.rs"],
        tests=TallyOfTests(1, 1, 0, 2, 2),
        warnings=[],
        seconds=4.25,
    )


def test_json_follows_the_schema() -> None:
    schema = json.loads(SCHEMA.read_text())
    data = json.loads(render_json(fixed_report()))
    jsonschema.validate(data, schema)
    assert [c["id"] for c in data["checks"]] == [check_id for check_id, _ in CHECKS]
    assert data["verdict"] == "fail" and data["exit_code"] == 1


def test_a_passing_report_follows_the_schema_too() -> None:
    report = fixed_report()
    report.checks = [
        Check(c.id, Status.SKIPPED if c.id == "fmt" else Status.PASS, "ok") for c in report.checks
    ]
    report.tests = None
    data = json.loads(render_json(report))
    jsonschema.validate(data, json.loads(SCHEMA.read_text()))
    assert (data["verdict"], data["exit_code"]) == ("pass", 0)


def test_the_text_report_starts_with_the_verdict_then_the_failures() -> None:
    text = render_text(fixed_report())
    lines = text.splitlines()
    assert lines[0].startswith(
        "rustpro verify: FAIL: 2 of 6 checks failed (tests pass, no new rustpro findings"
    )
    assert lines[2].startswith("FAIL  tests pass")
    if os.environ.get("RUSTPRO_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert text == SNAPSHOT.read_text()


def test_markdown_has_a_row_per_check() -> None:
    text = render_markdown(fixed_report())
    assert text.startswith("## rustpro verify: FAIL")
    assert (
        sum(1 for line in text.splitlines() if line.startswith("| ") and "status" not in line) == 6
    )
    assert "- `src/lib.rs:12`: warning unwrap-in-production" in text
