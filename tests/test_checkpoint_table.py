"""The checkpoint table says what it checked: a checkpoint none of whose rules is selected is
"not run" (not "pass 100"), and a failing checkpoint never shows a perfect score."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from rustpro.catalog import catalog
from rustpro.config import AuditConfig
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.scoring import NOT_RUN, idle_checkpoints, overall_score, score_checkpoints
from rustpro.toolchain.full import _reportable
from rustpro.toolchain.lints import rule_checkpoint
from tests.cli_support import isolated_cache, run_cli
from tests.support import make_crate

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")

LIB = "//! Docs.\n\n/// Doc.\npub fn f(x: &str) -> u8 {\n    x.parse().unwrap()\n}\n"


def _row(text: str, checkpoint: str) -> list[str]:
    (line,) = [line for line in text.splitlines() if line.startswith(f"{checkpoint} ")]
    return line.split()


def test_checkpoints_whose_rules_are_not_selected_are_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crate = make_crate(tmp_path / "c", {"src/lib.rs": LIB})
    text = run_cli(["audit", "--static", "--select", "errors", str(crate)], capsys).stdout
    assert _row(text, "errors")[3] == "fail"
    for checkpoint in ("memory", "threads", "testing", "docs", "project"):
        row = _row(text, checkpoint)
        assert row[row.index("not") : row.index("not") + 4] == ["not", "run", "-", "0"], row
    assert f"score {_row(text, 'errors')[4]}/100" in text  # only the checkpoint that ran
    report = json.loads(
        run_cli(
            ["audit", "--static", "--format", "json", "--select", "errors", str(crate)], capsys
        ).stdout
    )
    memory = report["checkpoints"]["memory"]
    assert (memory["status"], memory["reason"]) == ("skipped", NOT_RUN)
    assert report["checkpoints"]["errors"]["status"] == "fail"


def test_an_ignored_checkpoint_is_not_run_and_the_others_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crate = make_crate(tmp_path / "c", {"src/lib.rs": LIB})
    text = run_cli(["audit", "--static", "--ignore", "errors", str(crate)], capsys).stdout
    assert _row(text, "errors")[3:5] == ["not", "run"]
    assert _row(text, "memory")[3:5] == ["pass", "100"]


def test_a_failing_checkpoint_never_scores_100() -> None:
    warning = Finding(
        rule="unwrap-in-production",
        checkpoint=Checkpoint.ERRORS,
        severity=Severity.WARNING,
        path="src/lib.rs",
        line=1,
        column=1,
        end_line=1,
        end_column=2,
        message="m",
        help="h",
    )
    # One warning in 200,000 lines rounds to 100.
    results = score_checkpoints([warning], lines=200_000)
    assert (results[Checkpoint.ERRORS].status, results[Checkpoint.ERRORS].score) == ("fail", 99)
    assert overall_score(results) == 99
    note = replace(warning, severity=Severity.NOTE)
    results = score_checkpoints([note], lines=200_000)
    assert (results[Checkpoint.ERRORS].status, results[Checkpoint.ERRORS].score) == ("pass", 100)


def test_full_mode_tool_rules_keep_their_checkpoints_running() -> None:
    catalog_rules = [(spec.name, spec.checkpoint, "rustpro") for spec in catalog().values()]
    reportable = [*catalog_rules, *_reportable()]
    # Only the tests selected: every other checkpoint is not run.
    tests_only = AuditConfig(select=("cargo-test::failed",))
    assert idle_checkpoints(tests_only.keeps, reportable) == [
        c for c in Checkpoint if c is not Checkpoint.TESTING
    ]
    # A clippy lint rustpro does not map still runs the checkpoint it reports into.
    named = "clippy::zombie_processes"
    probes = [*reportable, (named, rule_checkpoint(named), "clippy")]
    assert Checkpoint.PROJECT not in idle_checkpoints(AuditConfig(select=(named,)).keeps, probes)
    # By default every checkpoint runs.
    assert idle_checkpoints(AuditConfig().keeps, reportable) == []
