"""`--statistics`: one line per rule with its count, checkpoint and severity, most frequent
first (like `ruff check --statistics`); the JSON report carries the same table as
`summary.by_rule`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rustpro.model import Checkpoint, Finding, Severity


@dataclass(frozen=True, slots=True)
class RuleCount:
    """How often one rule fired, in which checkpoint, and at its most severe."""

    rule: str
    count: int
    checkpoint: Checkpoint
    # The most severe of the rule's findings: a rule whose less certain sites are notes
    # (`--select pedantic`) can report both, and the gate sees the worst.
    severity: Severity

    def to_dict(self) -> dict[str, Any]:
        """The row as `summary.by_rule` spells it."""
        return {
            "rule": self.rule,
            "count": self.count,
            "checkpoint": self.checkpoint.value,
            "severity": self.severity.value,
        }


def rule_statistics(findings: Iterable[Finding]) -> list[RuleCount]:
    """One row per rule, sorted by count (descending), then by rule name."""
    # Counted in C, then folded once per kind: a report may hold tens of thousands.
    counts = Counter((f.rule, f.checkpoint, f.severity) for f in findings)
    totals: dict[str, int] = {}
    checkpoint_of: dict[str, Checkpoint] = {}  # a rule's checkpoint: the first one seen
    worst: dict[str, Severity] = {}
    for (rule, checkpoint, severity), count in counts.items():
        totals[rule] = totals.get(rule, 0) + count
        checkpoint_of.setdefault(rule, checkpoint)
        if rule not in worst or severity.rank > worst[rule].rank:
            worst[rule] = severity
    rows = [
        RuleCount(rule, count, checkpoint_of[rule], worst[rule]) for rule, count in totals.items()
    ]
    rows.sort(key=lambda row: (-row.count, row.rule))
    return rows


def statistics_lines(rows: list[RuleCount]) -> list[str]:
    """The table as aligned plain-text lines: count, rule, checkpoint, severity."""
    if not rows:
        return []
    count_width = len(str(rows[0].count))
    rule_width = max(len(row.rule) for row in rows)
    return [
        f"{row.count:>{count_width}}  {row.rule:<{rule_width}}  "
        f"{row.checkpoint.value:<8}  {row.severity.value}".rstrip()
        for row in rows
    ]


def statistics_block(findings: Iterable[Finding]) -> str:
    """The text report's table in place of its findings, then a blank line ("" when there
    is no finding)."""
    lines = statistics_lines(rule_statistics(findings))
    return "\n".join(lines) + "\n\n" if lines else ""
