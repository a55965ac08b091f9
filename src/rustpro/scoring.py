"""Checkpoint scores: pass/fail, and a 0-100 score that falls with findings per 1000 lines.

A checkpoint fails when it has an error or a warning. Its score halves with every
`HALVING_DENSITY` weighted points per thousand lines; a failing checkpoint scores 99 at most,
so "fail" never sits next to a perfect score (one warning in a large crate rounds to 100).
A checkpoint none of whose rules is selected is not run: it is reported as skipped and left
out of the overall score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from rustpro.model import Checkpoint, CheckpointResult, Finding, Severity

# Weights per finding; a note is a nudge, an error almost surely a bug.
WEIGHTS = {Severity.ERROR: 10.0, Severity.WARNING: 3.0, Severity.NOTE: 0.5}
# Each this many weighted points per thousand lines halves the score.
HALVING_DENSITY = 10.0
# The best score of a checkpoint that fails.
FAILING_CAP = 99
NOT_RUN = "none of its rules is selected"


def score_checkpoints(
    findings: Iterable[Finding], lines: int, not_run: Iterable[Checkpoint] = ()
) -> dict[Checkpoint, CheckpointResult]:
    """One result per checkpoint, in checkpoint order; checkpoints in `not_run` that have
    no finding are skipped with the reason."""
    results = {cp: CheckpointResult(cp) for cp in Checkpoint}
    weight = dict.fromkeys(Checkpoint, 0.0)
    for finding in findings:
        result = results[finding.checkpoint]
        result.findings += 1
        weight[finding.checkpoint] += WEIGHTS[finding.severity]
        if finding.severity is not Severity.NOTE:
            result.status = "fail"
    for checkpoint, result in results.items():
        result.score = checkpoint_score(weight[checkpoint], lines, failed=result.status == "fail")
    for checkpoint in not_run:
        result = results[checkpoint]
        if result.findings == 0:
            result.status, result.reason = "skipped", NOT_RUN
    return results


def checkpoint_score(weight: float, lines: int, *, failed: bool) -> int:
    """The 0-100 score of a checkpoint whose findings weigh `weight` (`WEIGHTS`) over
    `lines` lines of code; `failed`: it has an error or a warning."""
    kloc = max(lines / 1000.0, 1.0)
    factor: float = 0.5 ** (weight / kloc / HALVING_DENSITY)
    score = round(100 * factor)
    return min(score, FAILING_CAP) if failed else score


def idle_checkpoints(
    keeps: Callable[[Finding], bool], reportable: Iterable[tuple[str, Checkpoint, str]]
) -> list[Checkpoint]:
    """The checkpoints for which `keeps` (the configuration's selection) keeps none of the
    rules that could report into them. `reportable` lists each rule as `(rule, checkpoint,
    source)`: rustpro's catalog, and in full mode the tools' rules."""
    active: set[Checkpoint] = set()
    for rule, checkpoint, source in reportable:
        if checkpoint not in active and keeps(Finding.probe(rule, checkpoint, source=source)):
            active.add(checkpoint)
    return [checkpoint for checkpoint in Checkpoint if checkpoint not in active]


def overall_score(results: Mapping[Checkpoint, CheckpointResult]) -> int:
    """The minimum of the scored checkpoints: one broken checkpoint is a broken crate."""
    scored = [r.score for r in results.values() if r.status != "skipped"]
    return min(scored) if scored else 100
