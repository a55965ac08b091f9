"""Inline suppressions: `// rustpro: allow(rule) -- reason` silences findings it covers."""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from rustpro.engine.structure import SuppressionComment
from rustpro.model import Finding


def apply_suppressions(
    findings: Iterable[Finding], comments: dict[str, list[SuppressionComment]]
) -> tuple[list[Finding], int]:
    """The findings no comment silences, and how many were silenced."""
    covered = _covered_lines(comments)
    kept: list[Finding] = []
    silenced = 0
    for finding in findings:
        spans = covered.get((finding.path, finding.rule))
        if spans is not None and _within(spans, finding.line):
            silenced += 1
        else:
            kept.append(finding)
    return kept, silenced


# Per (path, rule): the line spans its comments cover, merged and sorted, with their starts.
_Spans = tuple[list[int], list[int]]


def _covered_lines(comments: dict[str, list[SuppressionComment]]) -> dict[tuple[str, str], _Spans]:
    """The lines each rule is silenced on, per file: searched per finding, where asking every
    comment of the file for every finding grew with their product."""
    spans: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for path, in_file in comments.items():
        for comment in in_file:
            if not comment.well_formed:
                continue
            for rule in comment.rules:
                spans.setdefault((path, rule), []).append((comment.first_line, comment.last_line))
    merged: dict[tuple[str, str], _Spans] = {}
    for key, found in spans.items():
        starts: list[int] = []
        ends: list[int] = []
        for first, last in sorted(found):
            if ends and first <= ends[-1] + 1:
                ends[-1] = max(ends[-1], last)
            else:
                starts.append(first)
                ends.append(last)
        merged[key] = (starts, ends)
    return merged


def _within(spans: _Spans, line: int) -> bool:
    starts, ends = spans
    index = bisect.bisect_right(starts, line) - 1
    return index >= 0 and line <= ends[index]
