"""What a file rule sees of one file, and what it hands back: candidate findings and facts.

Some findings depend on the whole crate (is this item public API? does this function return a
`Result`?). A file pass cannot know, so such findings carry a *gate* that the crate pass
resolves. File passes run in worker processes, so everything recorded here must pickle.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from tree_sitter import Node, Tree

from rustpro.engine.places import FILE_TOP, ModulePlace, module_places
from rustpro.model import Bundle, Finding, Location, Role, Severity
from rustpro.rules.base import BaseRule
from rustpro.syntax import items
from rustpro.syntax.ancestry import Ancestry, NodeFold
from rustpro.syntax.positions import LineIndex


@dataclass(frozen=True, slots=True)
class PublicGate:
    """The finding stands only if this item is public API of the library.

    `chain` is the inline-module path from the file's module to the item's container;
    `chain_pub` says whether every one of those modules is plainly `pub`. `owner` is the type
    or trait name for associated items, which are public when their owner is.
    """

    chain: tuple[str, ...]
    name: str
    chain_pub: bool
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class FactGate:
    """The finding stands only if some file of the crate recorded fact `key` with `value`.

    With `absent=True` it stands only if no file did (e.g. "no `impl Error for X` anywhere").
    """

    key: str
    value: str
    absent: bool = False


@dataclass(frozen=True, slots=True)
class AllGates:
    """The finding stands only if every one of `gates` stands (e.g. public API *and* a fact)."""

    gates: tuple[PublicGate | FactGate, ...]


Gate = PublicGate | FactGate | AllGates


@dataclass(frozen=True, slots=True)
class Candidate:
    """A finding from a file pass, with the gate (if any) the crate pass must resolve."""

    finding: Finding
    gate: Gate | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline `// rustpro: allow(rule, ..) -- reason` comment."""

    line: int  # the line the comment is on
    rules: tuple[str, ...]
    reason: str
    trailing: bool  # written after code on the same line: applies to that line only
    column: int


@dataclass(slots=True)
class FileContext:
    """One parsed file and the results rules record about it."""

    relpath: str
    role: Role
    source: bytes
    tree: Tree
    lines: LineIndex
    test_ranges: list[tuple[int, int]] = field(default_factory=list)
    file_test_only: bool = False
    file_allows: set[str] = field(default_factory=set)  # `#![allow(clippy::x)]` at file level
    candidates: list[Candidate] = field(default_factory=list)
    facts: dict[str, list[str]] = field(default_factory=dict)
    _test_starts: list[int] = field(default_factory=list)
    _file_doc_hidden: bool | None = None  # `#![doc(hidden)]` at the top, once read
    _error_free: bool | None = None  # no ERROR or MISSING node in the tree, once read
    _trait_bounds: list[int] | None = None  # where traits start and end, once found
    # Public gates by (start, end, kind) of the item: several rules ask about one item.
    _gates: dict[tuple[int, int, int], PublicGate | None] = field(default_factory=dict)
    # The parents of the tree's nodes as the file pass meets them (`syntax.ancestry`).
    ancestry: Ancestry = field(init=False)
    # Where each node sits among the file's inline modules, worked out once per node.
    places: NodeFold[ModulePlace] = field(init=False)
    # Lints allowed or expected by the attributes around each node (`_allowed_by_clippy`).
    _lints_around: NodeFold[frozenset[str]] | None = None
    _mentions: dict[str, bool] = field(default_factory=dict)  # see `mentions`
    # Per-rule memory for this file only (`scratch(rule)`), e.g. what a rule already reported.
    _scratch: dict[str, set[int]] = field(default_factory=dict)
    # Memos for this file only (`memo(owner)`): answers several sites or rules share, such as
    # which function a node belongs to, worked out once per node instead of once per site.
    _memos: dict[str, dict[Any, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ancestry = Ancestry(self.tree.root_node)
        self.places = module_places(self.ancestry)

    def set_test_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Record the byte ranges of test-only code (merged, sorted)."""
        if not ranges and not self.test_ranges:
            # Most files hold no test region: nothing to merge, and no gate was asked for
            # under other ranges (the file pass sets them once, before any rule runs).
            self._gates.clear()
            return
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self.test_ranges = merged
        self._test_starts = [start for start, _ in merged]
        self._gates.clear()  # a gate asked for before the ranges were known may be wrong

    def in_test_region(self, node: Node) -> bool:
        """True when the node lies inside a `#[cfg(test)]` item or a `#[test]` function."""
        if not self._test_starts:
            return False
        start = node.start_byte
        index = bisect.bisect_right(self._test_starts, start) - 1
        return index >= 0 and start < self.test_ranges[index][1]

    def is_test_code(self, node: Node) -> bool:
        """Test code: a test-role file, a `#![cfg(test)]` file, or a test-only region."""
        return self.role is Role.TEST or self.file_test_only or self.in_test_region(node)

    def is_production(self, node: Node) -> bool:
        """Production code as the catalog defines it (library and binary sources, not tests)."""
        return (
            self.role is Role.PRODUCTION
            and not self.file_test_only
            and not (self.in_test_region(node))
        )

    def scratch(self, rule: BaseRule) -> set[int]:
        """A set the rule may fill while this file is analysed (gone with the file)."""
        found = self._scratch.get(rule.name)
        if found is None:
            found = self._scratch[rule.name] = set()
        return found

    def memo(self, owner: str) -> dict[Any, Any]:
        """A dict that helpers named `owner` may fill while this file is analysed.

        Unlike `scratch`, it is keyed by the helper rather than by a rule, so rules that ask
        the same question (where is this panic site?) share the answers.
        """
        found = self._memos.get(owner)
        if found is None:
            found = self._memos[owner] = {}
        return found

    def text(self, node: Node | None) -> str:
        """The source text of a node."""
        if node is None:
            return ""
        # Slicing the file's bytes is cheaper than `node.text`, which copies them through C.
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def mentions(self, word: str) -> bool:
        """Whether `word` occurs anywhere in the file's bytes (asked once per file and word).

        A cheap proof of absence: a lint name such as `missing_docs` that the file never
        spells cannot be allowed by any attribute in it.
        """
        found = self._mentions.get(word)
        if found is None:
            found = self._mentions[word] = word.encode() in self.source
        return found

    def add_fact(self, key: str, value: str) -> None:
        """Record a fact for crate rules (`crate.facts(key)`) and `FactGate`s."""
        self.facts.setdefault(key, []).append(value)

    def report(
        self,
        rule: BaseRule,
        node: Node,
        message: str,
        help: str | None = None,
        *,
        end: Node | None = None,
        gate: Gate | None = None,
        related: tuple[Location, ...] = (),
        severity: Severity | None = None,
        group: str = "",
        bundle: Bundle | None = None,
    ) -> None:
        """Record a finding of `rule` spanning `node` (through `end`, when given).

        A rule whose findings differ in how sure they are may give one a lower `severity`
        than the catalog's and an opt-in `group` (`pedantic`): `unwrap-in-production` does
        so for panics that rest on the program's own invariants. A finding that is one of
        many of a kind in one place names its `bundle` (see `rustpro.model.Bundle`); the
        bundle's help gets the rule's pointer like `help` does.
        """
        if self._allowed_by_clippy(rule, node):
            return
        last = end if end is not None else node
        # Two positions rather than `lines.span`: the `Span` would be unpacked at once.
        line, column = self.lines.position(node.start_byte)
        end_line, end_column = self.lines.position(last.end_byte)
        message = _bounded(message)
        hint = _bounded(f"{help}; {rule.help_suffix}" if help else rule.help_suffix)
        if bundle is not None:
            bundle = replace(bundle, help=f"{bundle.help}; {rule.help_suffix}")
        finding = Finding(
            rule=rule.name,
            checkpoint=rule.checkpoint,
            severity=severity or rule.severity,
            path=self.relpath,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
            help=hint,
            related=related,
            group=group,
            bundle=bundle,
        )
        self.candidates.append(Candidate(finding, gate))

    def location(self, node: Node, message: str = "") -> Location:
        """A related location at `node`, for multi-site findings."""
        line, column = self.lines.position(node.start_byte)
        return Location(self.relpath, line, column, message)

    def error_free(self) -> bool:
        """Whether the tree has no ERROR or MISSING node (asked once per file).

        Questions answered from the bytes (`may_be_public`) rely on the grammar's shapes,
        which only an error-free tree is sure to keep.
        """
        if self._error_free is None:
            self._error_free = not self.tree.root_node.has_error
        return self._error_free

    def may_be_public(self, item: Node) -> bool:
        """False when the bytes alone prove `public_gate(item)` is None; True otherwise.

        A cheap first question for rules that look at many items: an item that does not
        start with `pub` is not plainly `pub`, and outside a trait it needs to be. Only
        `ITEM_KINDS` in error-free trees are judged (their visibility comes first).
        """
        if item.kind_id not in items.ITEM_KIND_IDS or not self.error_free():
            return True
        start = item.start_byte
        if self.source.startswith(b"pub", start):
            return True
        if self._trait_bounds is None:
            self._trait_bounds = items.trait_bounds(self.tree.root_node, self.source)
        return bisect.bisect_right(self._trait_bounds, start) % 2 == 1  # inside a trait

    def public_gate(self, item: Node) -> PublicGate | None:
        """The gate that makes a finding on `item` stand only when the item is public API.

        None when the item can never be public API: not plainly `pub`, `#[doc(hidden)]`,
        test-only, inside a function body or a trait impl.
        """
        key = (item.start_byte, item.end_byte, item.kind_id)
        if key not in self._gates:
            self._gates[key] = self._public_gate(item)
        return self._gates[key]

    def _public_gate(self, item: Node) -> PublicGate | None:
        # Every `return None` below is independent of the others, so the cheap questions that
        # turn most items away (visibility from the bytes, test code) come before reading any
        # attribute.
        if not self.may_be_public(item) or self.is_test_code(item):
            return None
        container = self.ancestry.parent(item)
        holder = None  # the impl or trait whose body holds `item`
        if container is not None and container.type == "declaration_list":
            holder = self.ancestry.parent(container)
        holder_kind = holder.type if holder is not None else ""
        # Trait items share the trait's visibility; everything else must be plainly `pub`.
        if holder_kind != "trait_item" and not items.is_plain_pub(item):
            return None
        if holder is not None and holder_kind == "impl_item" and _is_trait_impl(holder):
            return None  # trait impl items are documented by the trait
        # `#[doc(hidden)]` spells `hidden`: in a file that never does, no attribute is read.
        if self.mentions("hidden") and any(
            items.is_doc_hidden(a) for a in items.attributes_of(item)
        ):
            return None
        if self._file_doc_hidden is None:
            self._file_doc_hidden = self.mentions("hidden") and items.file_doc_hidden(
                self.tree.root_node
            )
        if self._file_doc_hidden:
            return None
        reach = (FILE_TOP if container is None else self.places.at(container)).public_reach
        if reach is None:
            return None
        chain, chain_pub = reach
        owner: str | None = None
        if holder is not None and holder_kind == "impl_item":
            owner = items.type_name(holder.child_by_field_name("type"))
        elif holder is not None and holder_kind == "trait_item":
            owner = items.item_name(holder)
        return PublicGate(chain, items.item_name(item), chain_pub, owner)

    def _allowed_by_clippy(self, rule: BaseRule, node: Node) -> bool:
        twins = rule.clippy_twins
        if not twins:
            return False
        wanted = {f"clippy::{twin}" for twin in twins}
        if wanted & self.file_allows:
            return True
        # Lint names are read token by token from the source: unspelled, none can match.
        if not any(self.mentions(twin) for twin in twins):
            return False
        if self._lints_around is None:
            self._lints_around = NodeFold(self.ancestry, frozenset(), _with_allowed_lints)
        return bool(wanted & self._lints_around.around(node))


# Messages quote code (a receiver, a callee); a quote of a hostile expression (a chain of
# thousands of calls) would make every finding as long as the file.
_MAX_MESSAGE = 400


def _bounded(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


# What can carry `#[allow(..)]` / `#[expect(..)]` for the code inside it.
_LINT_HOLDERS = items.ITEM_KINDS | {"expression_statement", "let_declaration"}


def _with_allowed_lints(around: frozenset[str], node: Node) -> frozenset[str]:
    """The lints allowed inside `node`: those allowed around it, and on it."""
    if node.type not in _LINT_HOLDERS:
        return around
    own = items.allowed_lints(node)
    return around.union(own) if own else around


def _is_trait_impl(impl: Node) -> bool:
    return impl.child_by_field_name("trait") is not None
