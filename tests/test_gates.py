"""The gates: `--fail-on`, `--require CHECKPOINTS` and `--min-score N` (and their keys in
rustpro.toml), each failing the run on its own with exit 1, decided in `rustpro.outcome`
and named in the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rustpro.model import Checkpoint, Finding, Severity
from rustpro.outcome import Gates, judge
from rustpro.scoring import score_checkpoints
from tests.cli_support import CliRun, assert_one_line_error, isolated_cache, run_cli
from tests.support import make_crate

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")

UNWRAP = "unwrap-in-production"
DIRTY_LIB = (
    "//! Dirty.\n\n/// Parses.\npub fn port(text: &str) -> u16 {\n    text.parse().unwrap()\n}\n"
)
# One warning over a few lines: `errors` fails with 100 * 0.5 ** 0.3 = 81, the others pass.
DIRTY_SCORE = 81


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    return make_crate(tmp_path / "dirty", {"src/lib.rs": DIRTY_LIB})


def _audit(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> CliRun:
    return run_cli(["audit", "--static", "--no-cache", "-j", "1", *flags, str(root)], capsys)


def _finding(severity: Severity, checkpoint: Checkpoint = Checkpoint.ERRORS) -> Finding:
    return Finding(UNWRAP, checkpoint, severity, "src/lib.rs", 1, 1, 1, 2, "m", "h")


# ----- the decision --------------------------------------------------------------------------
def test_each_gate_fails_on_its_own() -> None:
    findings = [_finding(Severity.NOTE), _finding(Severity.WARNING, Checkpoint.MEMORY)]
    checkpoints = score_checkpoints(findings, lines=100)
    assert judge(findings, checkpoints, Gates(fail_on=None)).code == 0
    assert judge(findings, checkpoints, Gates(fail_on=Severity.WARNING)).failed_gates == (
        "fail-on warning: 1 finding at or above warning",
    )
    assert judge(findings, checkpoints, Gates(fail_on=None, require=(Checkpoint.ERRORS,))).passed
    required = judge(findings, checkpoints, Gates(fail_on=None, require=(Checkpoint.MEMORY,)))
    assert required.code == 1
    assert required.failed_gates[0].startswith("require memory: the checkpoint fails")
    score = min(c.score for c in checkpoints.values())
    assert judge(findings, checkpoints, Gates(fail_on=None, min_score=score)).passed
    low = judge(findings, checkpoints, Gates(fail_on=None, min_score=score + 1))
    assert low.failed_gates == (f"min-score {score + 1}: the score is {score}",)


def test_every_failed_gate_is_named() -> None:
    findings = [_finding(Severity.ERROR)]
    checkpoints = score_checkpoints(findings, lines=100)
    gates = Gates(fail_on=Severity.NOTE, require=(Checkpoint.ERRORS,), min_score=100)
    assert [gate.split(":")[0] for gate in judge(findings, checkpoints, gates).failed_gates] == [
        "fail-on note",
        "require errors",
        "min-score 100",
    ]


def test_a_required_checkpoint_that_did_not_run_fails() -> None:
    checkpoints = score_checkpoints([], lines=100, not_run=[Checkpoint.DOCS])
    verdict = judge([], checkpoints, Gates(require=(Checkpoint.DOCS,)))
    assert verdict.failed_gates == (
        "require docs: the checkpoint did not run (none of its rules is selected)",
    )


# ----- the command line ----------------------------------------------------------------------
def test_require_fails_whatever_fail_on_says(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    run = _audit(capsys, dirty, "--fail-on", "none", "--require", "memory,errors")
    assert run.code == 1
    assert "failed gate: require errors: the checkpoint fails" in run.stdout
    assert "fail-on none, require memory+errors" in run.stdout
    assert _audit(capsys, dirty, "--fail-on", "none", "--require", "memory").code == 0


def test_require_of_a_deselected_checkpoint_fails(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    run = _audit(capsys, dirty, "--select", UNWRAP, "--fail-on", "none", "--require", "docs")
    assert run.code == 1
    assert "require docs: the checkpoint did not run" in run.stdout


def test_unknown_checkpoint_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    run = _audit(capsys, dirty, "--require", "error")
    assert run.code == 2
    assert_one_line_error(run)
    assert "unknown checkpoint `error`" in run.stderr
    assert "did you mean errors" in run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("minimum", "code"), [(0, 0), (DIRTY_SCORE, 0), (DIRTY_SCORE + 1, 1), (100, 1)]
)
def test_min_score(
    capsys: pytest.CaptureFixture[str], dirty: Path, minimum: int, code: int
) -> None:
    run = _audit(
        capsys, dirty, "--select", UNWRAP, "--fail-on", "none", "--min-score", str(minimum)
    )
    assert run.code == code, run.stdout
    assert f"score {DIRTY_SCORE}/100" in run.stdout
    if code:
        assert f"failed gate: min-score {minimum}: the score is {DIRTY_SCORE}" in run.stdout


@pytest.mark.parametrize("value", ["101", "-1", "high"])
def test_min_score_out_of_range_exits_2(
    capsys: pytest.CaptureFixture[str], dirty: Path, value: str
) -> None:
    run = _audit(capsys, dirty, "--min-score", value)
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert "--min-score" in run.stderr


def test_json_reports_the_gates(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    run = _audit(
        capsys, dirty, "--format", "json", "--fail-on", "none", "--require", "errors",
        "--min-score", "90",
    )  # fmt: skip
    assert run.code == 1
    summary = json.loads(run.stdout)["summary"]
    assert summary["require"] == ["errors"]
    assert summary["min_score"] == 90
    assert summary["verdict"] == "fail"
    assert [gate.split(":")[0] for gate in summary["failed_gates"]] == [
        "require errors",
        "min-score 90",
    ]


# ----- configuration -------------------------------------------------------------------------
def test_config_keys_and_command_line_overrides(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    (dirty / "rustpro.toml").write_text('fail-on = "none"\nrequire = ["errors"]\nmin-score = 50\n')
    from_file = _audit(capsys, dirty)
    assert from_file.code == 1
    assert "fail-on none, require errors, min-score 50" in from_file.stdout
    assert "failed gate: require errors" in from_file.stdout
    # --require replaces the file's list; --min-score replaces its number.
    assert _audit(capsys, dirty, "--require", "memory").code == 0
    low = _audit(capsys, dirty, "--require", "memory", "--min-score", "95")
    assert low.code == 1
    assert "failed gate: min-score 95" in low.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('require = ["nope"]', "unknown checkpoint `nope`"),
        ('require = "errors"', "`require` must be a list of strings"),
        ("min-score = 101", "`min-score` must be a whole number from 0 to 100"),
        ('min-score = "80"', "`min-score` must be a whole number from 0 to 100"),
        ("min-score = true", "`min-score` must be a whole number from 0 to 100"),
    ],
)
def test_bad_config_values_exit_2(
    capsys: pytest.CaptureFixture[str], dirty: Path, line: str, message: str
) -> None:
    (dirty / "rustpro.toml").write_text(line + "\n")
    run = _audit(capsys, dirty)
    assert run.code == 2
    assert_one_line_error(run)
    assert message in run.stderr
