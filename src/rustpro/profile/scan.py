"""One file being scanned for profile facts: its text, positions, test regions and tallies."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from rustpro.engine.places import ModulePlace
from rustpro.model import Role
from rustpro.profile.tally import BENCHES, BUILD, EXAMPLES, PRODUCTION, TESTS, FileFacts, NamedPlace
from rustpro.syntax import items
from rustpro.syntax.ancestry import Ancestry, NodeFold
from rustpro.syntax.positions import LineIndex

ROLE_AREAS = {
    Role.PRODUCTION: PRODUCTION,
    Role.TEST: TESTS,
    Role.BENCH: BENCHES,
    Role.EXAMPLE: EXAMPLES,
    Role.BUILD_SCRIPT: BUILD,
}


@dataclass(slots=True)
class FileScan:
    """One file being scanned: its text, positions, test regions and the facts so far."""

    facts: FileFacts
    source: bytes
    lines: LineIndex
    base_area: str
    places: NodeFold[ModulePlace]  # where each node sits among the inline modules
    ancestry: Ancestry  # the parents of the tree's nodes, as they are met
    test_ranges: list[tuple[int, int]] = field(default_factory=list)
    fences: list[tuple[int, str]] = field(default_factory=list)  # (byte, comment text)
    file_test_only: bool = False
    # Whether each node compiles only under a custom cfg, worked out as asked (patterns.py).
    custom_cfg_gated: NodeFold[bool] | None = None
    # The features each node's code certainly needs (`#[cfg(feature = "x")]`), as asked.
    feature_gates: NodeFold[frozenset[str]] | None = None
    # `test_ranges` merged and sorted, with their starts, as of `_merged_count` ranges.
    _merged: list[tuple[int, int]] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _merged_count: int = 0

    def area_of(self, node: Node) -> str:
        """The area a node's code belongs to."""
        if self.base_area == PRODUCTION and self.test_ranges:
            if self._merged_count != len(self.test_ranges):
                self._merge_test_ranges()
            # A search, not a scan: a file of many tests asks this for every fact.
            start = node.start_byte
            index = bisect.bisect_right(self._starts, start) - 1
            if index >= 0 and start < self._merged[index][1]:
                return TESTS
        return self.base_area

    def _merge_test_ranges(self) -> None:
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(self.test_ranges):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        self._merged = merged
        self._starts = [lo for lo, _ in merged]
        self._merged_count = len(self.test_ranges)

    def add(self, key: str, node: Node, amount: int = 1) -> None:
        """Count fact `key` at `node`, in the area the node sits in."""
        self.facts.area(self.area_of(node)).add(
            key, self.facts.relpath, self.lines.line_of(node.start_byte), amount
        )

    def line(self, node: Node) -> int:
        """The 1-based line of `node`."""
        return self.lines.line_of(node.start_byte)

    def place(self, name: str, node: Node) -> NamedPlace:
        """`name` seen at `node`."""
        return NamedPlace(name, self.facts.relpath, self.line(node))


Handler = Callable[[FileScan, dict[str, list[Node]]], None]


def first(captures: dict[str, list[Node]], name: str) -> Node:
    """The first node captured as `name`."""
    return captures[name][0]


def first_text(captures: dict[str, list[Node]], name: str) -> str:
    """The text of the first node captured as `name`, without spaces (`std :: x` -> `std::x`)."""
    return items.text(captures[name][0]).replace(" ", "")
