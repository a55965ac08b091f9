"""The rule catalog: every rule name rustpro knows, with its checkpoint and severity.

The catalog is data (`catalog.toml`, mirroring shared/spec/RULES.md) so that a rule class,
a suppression comment or a config file naming an unknown rule is caught in one place.
"""

from __future__ import annotations

import difflib
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

from rustpro.errors import UnknownRuleError
from rustpro.model import Checkpoint, Severity


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A catalog entry: the contract a rule implementation must match."""

    name: str
    checkpoint: Checkpoint
    severity: Severity
    fires_on: str


@functools.cache
def catalog() -> dict[str, RuleSpec]:
    """All catalog entries by rule name, in catalog order."""
    text = resources.files("rustpro").joinpath("catalog.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return {
        name: RuleSpec(
            name=name,
            checkpoint=Checkpoint(entry["checkpoint"]),
            severity=Severity(entry["severity"]),
            fires_on=entry["fires-on"],
        )
        for name, entry in data.items()
    }


def spec(name: str) -> RuleSpec:
    """The catalog entry for `name`; raises `UnknownRuleError` with suggestions."""
    entries = catalog()
    if name in entries:
        return entries[name]
    raise UnknownRuleError(name, suggest(name))


def suggest(name: str) -> list[str]:
    """Up to three known rule names closest to `name`."""
    return difflib.get_close_matches(name, list(catalog()), n=3, cutoff=0.5)
