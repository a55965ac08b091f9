"""One file being scanned for profile facts: its text, positions, test regions and tallies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from rustpro.model import Role
from rustpro.profile.tally import BENCHES, BUILD, EXAMPLES, PRODUCTION, TESTS, FileFacts, NamedPlace
from rustpro.syntax import items
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
    test_ranges: list[tuple[int, int]] = field(default_factory=list)
    fences: list[tuple[int, str]] = field(default_factory=list)  # (byte, comment text)
    file_test_only: bool = False

    def area_of(self, node: Node) -> str:
        """The area a node's code belongs to."""
        if self.base_area == PRODUCTION:
            start = node.start_byte
            if any(lo <= start < hi for lo, hi in self.test_ranges):
                return TESTS
        return self.base_area

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
