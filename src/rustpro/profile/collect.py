"""The profile's fact collector: one combined query over a file's tree, counted into tallies.

The profile runs no rules; it asks its own questions of the same parsed trees. Every pattern
of `patterns.PATTERNS` runs in one query (in C, once per file) and each match is folded into
the tally of the area it sits in: production code, tests (including `#[cfg(test)]` items
inside production files), benches, examples or the build script.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import tree_sitter
from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.engine.structure import record_includes, record_macro_mods
from rustpro.model import Role
from rustpro.profile.benches import collect_bench_calls
from rustpro.profile.patterns import PATTERNS, msrv_key, on_test_attribute
from rustpro.profile.scan import ROLE_AREAS, FileScan, Handler
from rustpro.profile.tally import PRODUCTION, TESTS, FileFacts, Tally
from rustpro.syntax import ancestry
from rustpro.syntax.parser import compile_query, parse
from rustpro.syntax.positions import LineIndex


@dataclass(frozen=True, slots=True)
class _CombinedQuery:
    """The questions' patterns compiled as one query, with each pattern's handler."""

    query: tree_sitter.Query
    handlers: tuple[Handler, ...]


@functools.cache
def _combined() -> _CombinedQuery:
    handlers: list[Handler] = []
    for text, handler in PATTERNS:
        handlers.extend([handler] * compile_query(text).pattern_count)
    query = compile_query("\n".join(text for text, _ in PATTERNS))
    if query.pattern_count != len(handlers):  # pragma: no cover - guards the index mapping
        raise RuntimeError("profile query pattern count does not match its parts")
    return _CombinedQuery(query, tuple(handlers))


def collect(source: bytes, relpath: str, role: Role) -> FileFacts:
    """Parse `source` once and count every profile fact in it."""
    tree = parse(source)
    lines = LineIndex(source)
    facts = FileFacts(relpath=relpath, role=role.value, lines=lines.line_count)
    root = tree.root_node
    if root.has_error:
        facts.parse_error_line = _first_error_line(root, lines)
    context = FileContext(relpath=relpath, role=role, source=source, tree=tree, lines=lines)
    scan = FileScan(
        facts=facts,
        source=source,
        lines=lines,
        base_area=ROLE_AREAS[role],
        places=context.places,
        ancestry=context.ancestry,
    )
    # Handlers climb with `items.ancestors`: from the file's ancestry, not a descent per step.
    with ancestry.active(context.ancestry):
        _scan_matches(scan, root)
        record_macro_mods(context, facts.structure)
        record_includes(context, facts.structure)
    _count_doc_tests(scan)
    facts.test_lines = _covered_lines(scan)
    if role is Role.BENCH:
        collect_bench_calls(scan, root)
    if scan.file_test_only:
        move_to_tests(facts)
    return facts


def _scan_matches(scan: FileScan, root: Node) -> None:
    combined = _combined()
    matches = tree_sitter.QueryCursor(combined.query).matches(root)
    # Test regions first: every other fact needs to know which area it falls in.
    rest: list[tuple[Handler, dict[str, list[Node]]]] = []
    for index, captures in matches:
        handler = combined.handlers[index]
        if handler is on_test_attribute:
            handler(scan, captures)
        else:
            rest.append((handler, captures))
    for handler, captures in rest:
        handler(scan, captures)


def gate_msrv_facts(facts: FileFacts) -> None:
    """A file compiled only under a custom cfg: its MSRV facts do not raise the MSRV."""
    production = facts.areas.get(PRODUCTION)
    if production is None:
        return
    gated = Tally()
    for key in [k for k in production.counts if k.startswith("msrv:")]:
        new_key = "msrv-gated:" + key.split(":", 1)[1]
        gated.counts[new_key] = production.counts.pop(key)
        gated.samples[new_key] = production.samples.pop(key, [])
    production.merge(gated)


def feature_gate_msrv_facts(facts: FileFacts, features: tuple[str, ...]) -> None:
    """A file compiled only as `features` say (`#[cfg(feature = "x")] mod name;`, written
    as `patterns.feature_signs` writes them): so are its MSRV facts."""
    production = facts.areas.get(PRODUCTION)
    if production is None:
        return
    gated = Tally()
    for key in [k for k in production.counts if k.startswith(("msrv:", "msrv-feature:"))]:
        needed, feature = set(features), key.split(":", 1)[1]
        if key.startswith("msrv-feature:"):
            own, feature = feature.split(":", 1)
            needed.update(own.split(","))
        new_key = msrv_key(feature, needed)
        gated.counts[new_key] = gated.counts.get(new_key, 0) + production.counts.pop(key)
        gated.samples.setdefault(new_key, []).extend(production.samples.pop(key, []))
    production.merge(gated)


def move_to_tests(facts: FileFacts) -> None:
    """Reclassify a whole file as test code (`#![cfg(test)]`, `#[cfg(test)] mod x;`)."""
    production = facts.areas.pop(PRODUCTION, None)
    if production is not None:
        facts.area(TESTS).merge(production)
    facts.defined_fns.clear()
    facts.test_lines = facts.lines


def _covered_lines(scan: FileScan) -> int:
    covered = 0
    end = -1
    for lo, hi in sorted(scan.test_ranges):
        first, last = scan.lines.line_of(lo), scan.lines.line_of(max(hi - 1, lo))
        first = max(first, end + 1)
        if last >= first:
            covered += last - first + 1
            end = last
    return covered


def _count_doc_tests(scan: FileScan) -> None:
    # Fences alternate open/close within a file's doc comments; the opening fence's info
    # string decides whether rustdoc runs the block.
    opening = True
    tally = scan.facts.area(PRODUCTION)
    for start, comment in sorted(scan.fences):
        if opening:
            info = comment.lstrip("/!").strip()[3:].strip().lower()
            key = "doctest:runnable" if _rustdoc_runs(info) else "doctest:not-run"
            tally.add(key, scan.facts.relpath, scan.lines.line_of(start))
        opening = not opening


_RUSTDOC_ATTRIBUTES = frozenset(
    {"rust", "should_panic", "no_run", "compile_fail", "edition2015", "edition2018",
     "edition2021", "edition2024", "standalone_crate", "test_harness"}
)  # fmt: skip


def _rustdoc_runs(info: str) -> bool:
    tokens = [t for t in re.split(r"[\s,]+", info) if t]
    if "ignore" in tokens or any(t.startswith("ignore-") for t in tokens):
        return False
    return all(t in _RUSTDOC_ATTRIBUTES or t.startswith("{") for t in tokens)


def _first_error_line(root: Node, lines: LineIndex) -> int:
    node = root
    while True:
        child = next(
            (c for c in node.children if c.has_error or c.is_missing or c.type == "ERROR"), None
        )
        if child is None or child.type == "ERROR" or child.is_missing:
            return lines.line_of((child or node).start_byte)
        node = child
