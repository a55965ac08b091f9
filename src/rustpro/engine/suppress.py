"""Inline suppressions: `// rustpro: allow(rule) -- reason` silences findings it covers."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.structure import SuppressionComment
from rustpro.model import Finding


def apply_suppressions(
    findings: Iterable[Finding], comments: dict[str, list[SuppressionComment]]
) -> tuple[list[Finding], int]:
    """The findings no comment silences, and how many were silenced."""
    kept: list[Finding] = []
    silenced = 0
    for finding in findings:
        if _silenced(finding, comments.get(finding.path, ())):
            silenced += 1
        else:
            kept.append(finding)
    return kept, silenced


def _silenced(finding: Finding, comments: Iterable[SuppressionComment]) -> bool:
    for comment in comments:
        if not comment.well_formed:
            continue
        if comment.first_line <= finding.line <= comment.last_line and (
            finding.rule in comment.rules
        ):
            return True
    return False
