"""How reports state the gates a run was held to and the ones it failed (`rustpro.outcome`
decides; this only words it)."""

from __future__ import annotations

from rustpro.config import AuditConfig
from rustpro.outcome import Verdict


def gate_settings(config: AuditConfig) -> str:
    """`fail-on warning, require memory+errors, min-score 80`: the gates in force."""
    parts = [f"fail-on {config.fail_on}"]
    if config.require:
        parts.append(f"require {'+'.join(config.require)}")
    if config.min_score is not None:
        parts.append(f"min-score {config.min_score}")
    return ", ".join(parts)


def failed_gate_lines(verdict: Verdict) -> list[str]:
    """One line per failed gate: `failed gate: min-score 80: the score is 50`."""
    return [f"failed gate: {gate}" for gate in verdict.failed_gates]
