"""The rule catalog: every rule name rustpro knows, with its checkpoint, severity, audience
and group.

The catalog is data (`catalog.toml`, mirroring shared/spec/RULES.md) so that a rule class,
a suppression comment or a config file naming an unknown rule is caught in one place, and so
that which packages a rule applies to (its audience) and whether it runs by default (its
group) are decided in one place for every rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rustpro._codecache import parsed_toml
from rustpro.discovery.roles import (
    EVERY_ROLE,
    PRODUCT_ROLES,
    PUBLISHED_LIBRARY,
    PackageRole,
)
from rustpro.errors import UnknownRuleError
from rustpro.model import Checkpoint, Severity
from rustpro.packaged_data import read_text

# Which package roles each audience covers (see `rustpro.discovery.roles`).
AUDIENCES: dict[str, frozenset[PackageRole]] = {
    "public-api": PUBLISHED_LIBRARY,
    # Published libraries' API, but not test libraries', whose panics are their purpose.
    "library-api": frozenset({PackageRole.LIBRARY}),
    "published": PUBLISHED_LIBRARY | {PackageRole.APPLICATION},
    "production": PRODUCT_ROLES,
    # Everything the project ships or maintains as code of its own (project hygiene).
    "maintained": PRODUCT_ROLES | {PackageRole.TEST_LIBRARY},
    "all-code": EVERY_ROLE,
}
DEFAULT_GROUP = "default"
# Opt-in groups, like clippy's: selected by name (`--select pedantic`).
GROUPS = (DEFAULT_GROUP, "pedantic", "restriction")
GROUP_MEANINGS = {
    DEFAULT_GROUP: "runs unless told otherwise: measured precise on real crates",
    "pedantic": "opt-in: often right, but noisy on real code; select it for a stricter review",
    "restriction": "opt-in: forbids things that are fine in most code; for teams that want it",
}


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A catalog entry: the contract a rule implementation must match."""

    name: str
    checkpoint: Checkpoint
    severity: Severity
    fires_on: str
    audience: str = "maintained"
    group: str = DEFAULT_GROUP
    # clippy or rustc reports the same problem (the class names which lints): in full mode
    # the rule always runs, and knowing this from the catalog spares importing every rule.
    tool_twin: bool = False

    @property
    def roles(self) -> frozenset[PackageRole]:
        """The package roles this rule applies to."""
        return AUDIENCES[self.audience]


@functools.cache
def catalog() -> dict[str, RuleSpec]:
    """All catalog entries by rule name, in catalog order."""
    data = parsed_toml(read_text("catalog.toml"))  # kept between runs (`rustpro._codecache`)
    entries: dict[str, RuleSpec] = {}
    for name, entry in data.items():
        audience = entry.get("audience", "maintained")
        group = entry.get("group", DEFAULT_GROUP)
        if audience not in AUDIENCES or group not in GROUPS:
            raise ValueError(f"catalog entry `{name}`: unknown audience or group")
        entries[name] = RuleSpec(
            name=name,
            checkpoint=Checkpoint(entry["checkpoint"]),
            severity=Severity(entry["severity"]),
            fires_on=entry["fires-on"],
            audience=audience,
            group=group,
            tool_twin=entry.get("tool-twin", False) is True,
        )
    return entries


def rules_in_group(group: str) -> frozenset[str]:
    """The names of the catalog rules in `group`."""
    return frozenset(name for name, entry in catalog().items() if entry.group == group)


def spec(name: str) -> RuleSpec:
    """The catalog entry for `name`; raises `UnknownRuleError` with suggestions."""
    entries = catalog()
    if name in entries:
        return entries[name]
    raise UnknownRuleError(name, suggest(name))


def suggest(name: str) -> list[str]:
    """Up to three known rule names closest to `name`."""
    return closest(name, catalog())


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` of `candidates` that `name` may have meant, best first: names that begin
    with `name` as a word (`unwrap` -> `unwrap-in-production`, `clippy::unwrap_used`), then
    close spellings (`unwrap-in-prod`), then names that have `name` as a later word."""
    from difflib import get_close_matches  # only for error messages

    pool = list(candidates)
    wanted = name.replace("-", "_")
    word = re.compile(rf"(?:^|[-_:]){re.escape(wanted)}(?:$|[-_:])")
    worded = [c for c in pool if len(name) >= 3 and word.search(c.replace("-", "_"))]
    # A tool's prefix (`clippy::`) is not part of the name a user has in mind.
    leading = [c for c in worded if c.rpartition("::")[2].replace("-", "_").startswith(wanted)]
    ranked = [
        *sorted(leading, key=lambda c: (len(c), c)),
        *get_close_matches(name, pool, n=n, cutoff=0.5),
        *sorted(worded, key=lambda c: (len(c), c)),
    ]
    return list(dict.fromkeys(ranked))[:n]
