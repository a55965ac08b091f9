"""The exit status, decided in one place (black's `Report.return_code`, ruff's convention).

Three gates, each failing the run on its own (exit 1), so that a report can say which:

- `fail-on SEVERITY`: a finding at or above it;
- `require CHECKPOINTS`: one of these checkpoints fails, or did not run at all (a gate that
  checked nothing must not pass: `ignore = ["docs"]` would otherwise quietly defeat
  `require = ["docs"]`);
- `min-score N`: the overall score is below N.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustpro.model import Checkpoint, CheckpointResult, Finding, Severity
from rustpro.scoring import overall_score

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditResult

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(frozen=True, slots=True)
class Gates:
    """What a run must meet to pass."""

    fail_on: Severity | None = Severity.WARNING  # None: no finding fails the run
    require: tuple[Checkpoint, ...] = ()
    min_score: int | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """The run's outcome: the gates it failed, one line each (empty: it passed)."""

    failed_gates: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when no gate failed."""
        return not self.failed_gates

    @property
    def code(self) -> int:
        """The exit status: 0 when every gate passed, else 1."""
        return EXIT_CLEAN if self.passed else EXIT_FINDINGS


def judge(
    findings: Iterable[Finding], checkpoints: Mapping[Checkpoint, CheckpointResult], gates: Gates
) -> Verdict:
    """Which of `gates` the findings and checkpoint results fail."""
    failed: list[str] = []
    reaching = len(failing(findings, gates.fail_on))
    if gates.fail_on is not None and reaching:
        plural = "finding" if reaching == 1 else "findings"
        failed.append(
            f"fail-on {gates.fail_on.value}: {reaching} {plural} at or above {gates.fail_on.value}"
        )
    for checkpoint in gates.require:
        outcome = checkpoints[checkpoint]
        if outcome.status == "fail":
            failed.append(
                f"require {checkpoint.value}: the checkpoint fails "
                f"(score {outcome.score}, {outcome.findings} findings)"
            )
        elif outcome.status == "skipped":
            why = f" ({outcome.reason})" if outcome.reason else ""
            failed.append(f"require {checkpoint.value}: the checkpoint did not run{why}")
    score = overall_score(checkpoints)
    if gates.min_score is not None and score < gates.min_score:
        failed.append(f"min-score {gates.min_score}: the score is {score}")
    return Verdict(tuple(failed))


def verdict(result: AuditResult) -> Verdict:
    """The verdict on a finished audit, against the gates of its configuration."""
    config = result.config
    gates = Gates(
        fail_on=config.fail_threshold,
        require=tuple(Checkpoint(name) for name in config.require),
        min_score=config.min_score,
    )
    return judge(result.findings, result.checkpoints, gates)


def exit_code(findings: Iterable[Finding], fail_threshold: Severity | None) -> int:
    """0 when nothing reaches `fail_threshold`, 1 when something does (None: never fails);
    the `fail-on` gate alone (`verdict` judges every gate)."""
    return judge(findings, {}, Gates(fail_on=fail_threshold)).code


def failing(findings: Iterable[Finding], fail_threshold: Severity | None) -> list[Finding]:
    """The findings at or above the threshold."""
    if fail_threshold is None:
        return []
    return [f for f in findings if f.severity.rank >= fail_threshold.rank]
