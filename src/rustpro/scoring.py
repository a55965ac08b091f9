"""Checkpoint scores: pass/fail, and a 0-100 score that falls with findings per 1000 lines."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.model import Checkpoint, CheckpointResult, Finding, Severity

# Weights per finding; a note is a nudge, an error almost surely a bug.
WEIGHTS = {Severity.ERROR: 10.0, Severity.WARNING: 3.0, Severity.NOTE: 0.5}
# Each this many weighted points per thousand lines halves the score.
HALVING_DENSITY = 10.0


def score_checkpoints(
    findings: Iterable[Finding], lines: int
) -> dict[Checkpoint, CheckpointResult]:
    """One result per checkpoint, in checkpoint order."""
    results = {cp: CheckpointResult(cp) for cp in Checkpoint}
    weight = dict.fromkeys(Checkpoint, 0.0)
    for finding in findings:
        result = results[finding.checkpoint]
        result.findings += 1
        weight[finding.checkpoint] += WEIGHTS[finding.severity]
        if finding.severity is not Severity.NOTE:
            result.status = "fail"
    kloc = max(lines / 1000.0, 1.0)
    for checkpoint, result in results.items():
        density = weight[checkpoint] / kloc
        result.score = round(100 * 0.5 ** (density / HALVING_DENSITY))
    return results


def overall_score(results: dict[Checkpoint, CheckpointResult]) -> int:
    """The minimum of the scored checkpoints: one broken checkpoint is a broken crate."""
    scored = [r.score for r in results.values() if r.status != "skipped"]
    return min(scored) if scored else 100
