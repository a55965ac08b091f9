"""Merging a tool finding into rustpro's own finding for the same problem at the same place.

clippy's `unwrap_used` and rustpro's `unwrap-in-production` flag the same `.unwrap()`; the
report shows it once, under rustpro's rule (which suppressions and configuration name), with
the tool's rule in `also_reported_by`. The two spans rarely agree to the column (clippy marks
the whole call, rustpro the method), so a pair is made of findings in the same file whose line
ranges meet, nearest first.

rustpro asks clippy for its twins' lints (its `-W` profile) to confirm its own findings, not to
overrule them: a clippy twin with no rustpro finding at its place is a site rustpro judged
acceptable (a literal, a guard, a documented panic) or outside the rule's audience (test
code, an example package), and is left out, so `--static` and full mode give one verdict.
Lints the project enables itself (`[lints.clippy]`) are its own policy and always stand.
"""

from __future__ import annotations

import functools
from dataclasses import replace

from rustpro.model import Finding
from rustpro.rules.registry import all_rules
from rustpro.toolrules import in_group


@functools.cache
def twin_table() -> dict[str, frozenset[str]]:
    """Tool rule -> the rustpro rules that report the same problem, from each rule class's
    declared `clippy_twins` / `rustc_twins` (the same table that makes `#[allow(clippy::x)]`
    silence rustpro's twin)."""
    table: dict[str, set[str]] = {}
    for rule in all_rules():
        for lint in rule.clippy_twins:
            table.setdefault(f"clippy::{lint}", set()).add(rule.name)
        for lint in rule.rustc_twins:
            table.setdefault(f"rustc::{lint}", set()).add(rule.name)
    return {tool: frozenset(names) for tool, names in table.items()}


def merge_twins(
    static: list[Finding], tool: list[Finding], project_lints: frozenset[str] = frozenset()
) -> list[Finding]:
    """`static` and `tool` findings as one list, each twin pair merged into the static one.

    A clippy finding of a twin lint with no static finding to merge into is dropped, unless
    the project enables that lint itself (`project_lints`, clippy names such as
    `clippy::unwrap_used`)."""
    merged = list(static)
    twins = twin_table()
    # Index static findings by (rustpro rule, path) so each tool finding looks at few.
    slots: dict[tuple[str, str], list[int]] = {}
    for index, finding in enumerate(merged):
        slots.setdefault((finding.rule, finding.path), []).append(index)
    paired: set[tuple[int, str]] = set()
    unmatched: list[Finding] = []
    for finding in tool:
        candidates = [
            index
            for twin_rule in sorted(twins.get(finding.rule, ()))
            for index in slots.get((twin_rule, finding.path), [])
        ]
        free = [i for i in candidates if (i, finding.rule) not in paired]
        match = _nearest(finding, [i for i in free if _lines_meet(merged[i], finding)], merged)
        if match is None:
            if not overruled_twin(finding, twins, project_lints):
                unmatched.append(finding)
            continue
        paired.add((match, finding.rule))
        merged[match] = _absorb(merged[match], finding)
    return merged + unmatched


def _lines_meet(a: Finding, b: Finding) -> bool:
    return a.line <= b.end_line and b.line <= a.end_line


def _nearest(finding: Finding, indexes: list[int], findings: list[Finding]) -> int | None:
    if not indexes:
        return None
    return min(
        indexes,
        key=lambda i: (
            abs(findings[i].line - finding.line),
            abs(findings[i].column - finding.column),
        ),
    )


def _absorb(own: Finding, twin: Finding) -> Finding:
    """rustpro's finding, naming the twin's rule. Its severity stays rustpro's: the same
    code must get the same verdict from `--static` and full mode (clippy's level is only
    rustpro's `-W` flag or the project's lint table speaking)."""
    names = own.also_reported_by
    if twin.rule not in names:
        names = (*names, twin.rule)
    return replace(own, also_reported_by=names)


def overruled_twin(
    finding: Finding, twins: dict[str, frozenset[str]], project_lints: frozenset[str]
) -> bool:
    """A clippy finding of a twin lint the project does not enable itself: rustpro's own
    rule judges it (merged into that rule's finding, or dropped where the rule accepts the
    site; see the module docs)."""
    if finding.source != "clippy" or finding.rule not in twins:
        return False
    # The project's own lint, by name or through a clippy group it enables (`pedantic`).
    return finding.rule not in project_lints and not any(
        in_group(finding.rule, lint) for lint in project_lints
    )
