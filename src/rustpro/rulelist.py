"""The rule list `rustpro rules` prints: filtered by checkpoint and severity, as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence

from rustpro.docsgen import summary
from rustpro.model import Checkpoint, Severity
from rustpro.rules.base import BaseRule
from rustpro.rules.registry import all_rules


def select_rules(
    checkpoints: Collection[Checkpoint] = (),
    severities: Collection[Severity] = (),
    groups: Collection[str] = (),
) -> list[type[BaseRule]]:
    """Implemented rules in checkpoint order then name, keeping only the given checkpoints,
    severities and rule groups (each filter empty: all)."""
    order = {checkpoint: index for index, checkpoint in enumerate(Checkpoint)}
    chosen = [
        rule
        for rule in all_rules()
        if (not checkpoints or rule.spec.checkpoint in checkpoints)
        and (not severities or rule.spec.severity in severities)
        and (not groups or rule.spec.group in groups)
    ]
    return sorted(chosen, key=lambda r: (order[r.spec.checkpoint], r.name))


def render_rule_table(rules: Sequence[type[BaseRule]]) -> str:
    """Aligned columns: name, checkpoint, severity, group, one-line summary."""
    if not rules:
        return "no rules match\n"
    width = max(len(r.name) for r in rules)
    lines = [
        f"{r.name:<{width}}  {r.spec.checkpoint.value:<8}  {r.spec.severity.value:<7}  "
        f"{r.spec.group:<11}  {summary(r)}"
        for r in rules
    ]
    return "\n".join(lines) + "\n"


def render_rule_json(rules: Sequence[type[BaseRule]]) -> str:
    """A JSON array of {name, checkpoint, severity, summary, fires_on, clippy_twins, group,
    audience, roles}."""
    rows = [
        {
            "name": r.name,
            "checkpoint": r.spec.checkpoint.value,
            "severity": r.spec.severity.value,
            "summary": summary(r),
            "fires_on": r.spec.fires_on,
            "clippy_twins": list(r.clippy_twins),
            "group": r.spec.group,
            "audience": r.spec.audience,
            "roles": sorted(role.value for role in r.spec.roles),
        }
        for r in rules
    ]
    return json.dumps(rows, indent=2) + "\n"
