"""The per-file pass: read once, parse once, run one combined query, dispatch matches.

This is what worker processes run. Its result (`FileResult`) is plain data so it can be
pickled back to the parent and cached by content hash.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import tree_sitter
from tree_sitter import Node

from rustpro.engine import structure
from rustpro.engine.context import Candidate, FileContext
from rustpro.engine.structure import FileStructure
from rustpro.model import Role
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.registry import file_rules
from rustpro.syntax.parser import compile_query, parse
from rustpro.syntax.positions import LineIndex


@dataclass(slots=True)
class FileResult:
    """Everything the crate pass needs from one file."""

    relpath: str
    role: Role
    lines: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    facts: dict[str, list[str]] = field(default_factory=dict)
    structure: FileStructure = field(default_factory=FileStructure)
    file_test_only: bool = False
    parse_error_line: int | None = None  # first line with a syntax error, if any
    skipped: str | None = None  # why the file was not analysed (unreadable, not UTF-8, ...)
    rule_errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _CombinedQuery:
    query: tree_sitter.Query
    # Per pattern index: the rules that asked for the pattern, or None for the engine's own.
    owners: tuple[tuple[FileRule, ...] | None, ...]


def _patterns(text: str) -> list[str]:
    """The top-level patterns of a query text, each as written."""
    query = compile_query(text)
    data = text.encode()
    return [
        data[query.start_byte_for_pattern(i) : query.end_byte_for_pattern(i)].decode()
        for i in range(query.pattern_count)
    ]


def _split_patterns(rules: Sequence[FileRule]) -> list[tuple[FileRule, list[str]]]:
    """Each rule with the top-level patterns of its query, each as written.

    The rules' queries are compiled as one text, a fraction of the cost of compiling each
    apart; only when that fails is each compiled alone, to name the rule at fault.
    """
    texts = [rule.full_query() for rule in rules]
    joined = "\n".join(texts)
    data = joined.encode()
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text.encode()) + 1
    try:
        query = compile_query(joined)
    except tree_sitter.QueryError:
        query = None
    found: list[tuple[FileRule, list[str]]] = [(rule, []) for rule in rules]
    if query is not None:
        for i in range(query.pattern_count):
            start, end = query.start_byte_for_pattern(i), query.end_byte_for_pattern(i)
            index = bisect.bisect_right(starts, start) - 1
            # A rule's last pattern ends where the next one starts: clip it to its rule.
            end = min(end, starts[index] + len(texts[index].encode()))
            found[index][1].append(data[start:end].decode())
    if query is None or any(not patterns for _, patterns in found):
        for rule, text in zip(rules, texts, strict=True):
            try:
                compile_query(text)
            except tree_sitter.QueryError as err:
                raise TypeError(f"{type(rule).__qualname__}: bad query: {err}") from err
        raise RuntimeError("the rules' queries compile one by one but not together")
    return found


def _pattern_key(pattern: str) -> str:
    # Lines stripped, not all whitespace collapsed: a query string literal stays as written.
    return "\n".join(line.strip() for line in pattern.splitlines() if line.strip())


@functools.cache
def _rule_patterns() -> tuple[tuple[FileRule, tuple[str, ...]], ...]:
    # Rule queries are checked here, at first use, not when each rule class is defined:
    # compiling ~70 small queries apart cost a third of a second at every start.
    return tuple((rule, tuple(patterns)) for rule, patterns in _split_patterns(file_rules()))


@functools.cache
def _combined(production: bool = True) -> _CombinedQuery:
    # One query holds the engine's patterns and every rule's, so each file is searched once.
    # Rules often want the same pattern (`[(function_item) (function_signature_item)] @match`):
    # it is compiled once and each of its matches goes to every rule that asked for it, which
    # saves the query cursor's work and a Python round trip per duplicate match.
    pieces: list[str] = [structure.STRUCTURE_QUERY]
    owners: list[tuple[FileRule, ...] | None] = [None] * compile_query(
        structure.STRUCTURE_QUERY
    ).pattern_count
    by_key: dict[str, list[FileRule]] = {}
    for rule, patterns in _rule_patterns():
        # Tests, examples, benches and build scripts never see production rules: leaving
        # their patterns out of that query saves the cursor's work on every such file.
        if not production and rule.scope is Scope.PRODUCTION:
            continue
        for pattern in patterns:
            key = _pattern_key(pattern)
            if key not in by_key:
                by_key[key] = []
                pieces.append(pattern)
            if rule not in by_key[key]:
                by_key[key].append(rule)
    owners.extend(tuple(rules) for rules in by_key.values())
    query = compile_query("\n".join(pieces))
    if query.pattern_count != len(owners):  # pragma: no cover - guards the index mapping
        raise RuntimeError("combined query pattern count does not match its parts")
    return _CombinedQuery(query, tuple(owners))


def prepare() -> None:
    """Load every rule and compile the combined query now, in this process.

    Worker processes forked afterwards inherit both; otherwise each worker pays for them
    again (about half a second of CPU per worker).
    """
    _combined(production=True)
    _combined(production=False)


def analyze_source(source: bytes, relpath: str, role: Role) -> FileResult:
    """Parse `source` and run every file rule on it."""
    tree = parse(source)
    lines = LineIndex(source)
    result = FileResult(relpath=relpath, role=role, lines=lines.line_count)
    root = tree.root_node
    if root.has_error:
        result.parse_error_line = _first_error_line(root, lines)
    ctx = FileContext(relpath=relpath, role=role, source=source, tree=tree, lines=lines)
    combined = _combined(production=role is Role.PRODUCTION)
    matches = tree_sitter.QueryCursor(combined.query).matches(root)
    owners = combined.owners
    test_ranges: list[tuple[int, int]] = []
    file_structure = FileStructure()
    rule_matches: list[tuple[tuple[FileRule, ...], dict[str, list[Node]]]] = []
    for pattern_index, captures in matches:
        owner = owners[pattern_index]
        if owner is None:
            structure.record(captures, ctx, file_structure, test_ranges)
        else:
            rule_matches.append((owner, captures))
    structure.record_suppressions(ctx, file_structure)
    ctx.set_test_ranges(test_ranges)
    production_file = role is Role.PRODUCTION and not ctx.file_test_only
    test_file = role is Role.TEST or ctx.file_test_only
    has_test_ranges = bool(test_ranges)
    for owner, captures in rule_matches:
        anchor_list = captures.get("match") or next(iter(captures.values()))
        anchor = anchor_list[0]
        # Every rule of one pattern shares the anchor: decide "in a test region" once.
        in_test = has_test_ranges and ctx.in_test_region(anchor)
        for rule in owner:
            scope = rule.scope
            if scope is Scope.PRODUCTION:
                if not production_file or in_test:
                    continue
            elif scope is Scope.TESTS and not (test_file or in_test):
                continue
            try:
                rule.check(captures, ctx)
            except Exception as err:  # a rule bug must not sink the whole audit
                line = lines.line_of(anchor.start_byte)
                result.rule_errors.append(f"{relpath}:{line}: rule {rule.name} failed: {err!r}")
    for rule in file_rules():
        if type(rule).finish is not FileRule.finish:
            try:
                rule.finish(ctx)
            except Exception as err:
                result.rule_errors.append(f"{relpath}: rule {rule.name} failed: {err!r}")
    result.candidates = ctx.candidates
    result.facts = ctx.facts
    result.structure = file_structure
    result.file_test_only = ctx.file_test_only
    return result


def _first_error_line(root: Node, lines: LineIndex) -> int:
    # Descend towards the first ERROR/MISSING node; tree-sitter marks ancestors `has_error`.
    node = root
    while True:
        child = next(
            (c for c in node.children if c.has_error or c.is_missing or c.type == "ERROR"), None
        )
        if child is None or child.type == "ERROR" or child.is_missing:
            target = child or node
            return lines.line_of(target.start_byte)
        node = child
