"""Counted facts with a few example places each: what the fact collector hands to questions.

A `Tally` is plain data (it pickles and merges), so facts from many files, or many crates,
add up with `merge`. Every count keeps its first few places as evidence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rustpro.engine.structure import FileStructure

# Enough places to check a claim by hand without flooding the report.
SAMPLES_PER_FACT = 3

# Where code lives; a profile answers most questions about production code only.
PRODUCTION = "production"
TESTS = "tests"
BENCHES = "benches"
EXAMPLES = "examples"
BUILD = "build"
AREAS = (PRODUCTION, TESTS, BENCHES, EXAMPLES, BUILD)


@dataclass(slots=True)
class Tally:
    """Counts by fact key, and up to `SAMPLES_PER_FACT` (path, line) places per key."""

    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    def add(self, key: str, path: str, line: int, amount: int = 1) -> None:
        """Count `amount` of fact `key` seen at `path:line`."""
        self.counts[key] += amount
        places = self.samples.setdefault(key, [])
        if len(places) < SAMPLES_PER_FACT:
            places.append((path, line))

    def merge(self, other: Tally) -> None:
        """Add another tally's counts and keep the first samples of both."""
        self.counts.update(other.counts)
        for key, places in other.samples.items():
            mine = self.samples.setdefault(key, [])
            room = SAMPLES_PER_FACT - len(mine)
            if room > 0:
                mine.extend(places[:room])

    def count(self, key: str) -> int:
        """How often fact `key` was seen (0 when never)."""
        return self.counts.get(key, 0)

    def total(self, prefix: str) -> int:
        """The sum of every count whose key starts with `prefix`."""
        return sum(n for key, n in self.counts.items() if key.startswith(prefix))

    def keys(self, prefix: str) -> list[str]:
        """Keys starting with `prefix`, most frequent first, then by name."""
        found = [key for key in self.counts if key.startswith(prefix) and self.counts[key]]
        return sorted(found, key=lambda key: (-self.counts[key], key))

    def places(self, key: str) -> list[tuple[str, int]]:
        """The sampled places of fact `key`."""
        return list(self.samples.get(key, []))


@dataclass(frozen=True, slots=True)
class NamedPlace:
    """A name seen at a place: a benchmark's callee, a static's reference, a bench id."""

    name: str
    path: str
    line: int


@dataclass(slots=True)
class FileFacts:
    """What the fact collector learned from one file."""

    relpath: str
    role: str
    lines: int = 0
    test_lines: int = 0  # lines inside `#[cfg(test)]` / `#[test]` items
    areas: dict[str, Tally] = field(default_factory=dict)
    defined_fns: set[str] = field(default_factory=set)  # production fn names
    bench_calls: list[NamedPlace] = field(default_factory=list)  # calls inside bench loops
    bench_ids: list[NamedPlace] = field(default_factory=list)  # criterion ids, divan fns
    static_muts: list[NamedPlace] = field(default_factory=list)
    static_refs: list[NamedPlace] = field(default_factory=list)  # `&NAME` / `&mut NAME`
    test_mods: list[str] = field(default_factory=list)  # `#[cfg(test)] mod NAME;`
    cfg_gated_mods: list[str] = field(default_factory=list)  # `#[cfg(custom)] mod NAME;`
    # `#[cfg(feature = "x")] mod NAME;`: the module's name and what it asks of features
    # (`patterns.feature_signs`: `+x` on, `!x` off).
    feature_gated_mods: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    # `mod name;` declarations and `include!`s: the module tree runs through them.
    structure: FileStructure = field(default_factory=FileStructure)
    parse_error_line: int | None = None
    skipped: str | None = None

    def area(self, name: str) -> Tally:
        """The tally of one area, created on first use."""
        if name not in self.areas:
            self.areas[name] = Tally()
        return self.areas[name]
