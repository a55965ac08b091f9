"""The per-file pass: read once, parse once, run one combined query, dispatch matches.

This is what worker processes run. Its result (`FileResult`) is plain data so it can be
pickled back to the parent and cached by content hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import tree_sitter
from tree_sitter import Node

from rustpro.engine import gates, structure
from rustpro.engine.context import Candidate, FileContext
from rustpro.engine.gates import GateRoute, Subscription, WholeFileRoute
from rustpro.engine.structure import FileStructure
from rustpro.model import Role
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.registry import file_rules
from rustpro.syntax.parser import parse
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


def prepare() -> None:
    """Load every rule and compile the file queries now, in this process.

    Worker processes forked afterwards inherit both; otherwise each worker pays for them
    again (about half a second of CPU per worker).
    """
    gates.plan(production=True)
    gates.plan(production=False)


def analyze_source(source: bytes, relpath: str, role: Role) -> FileResult:
    """Parse `source` and run every file rule on it."""
    tree = parse(source)
    lines = LineIndex(source)
    result = FileResult(relpath=relpath, role=role, lines=lines.line_count)
    root = tree.root_node
    if root.has_error:
        result.parse_error_line = _first_error_line(root, lines)
    ctx = FileContext(relpath=relpath, role=role, source=source, tree=tree, lines=lines)
    file_plan = gates.plan(production=role is Role.PRODUCTION)
    routes = file_plan.routes
    test_ranges: list[tuple[int, int]] = []
    file_structure = FileStructure()
    whole_file: list[tuple[tuple[FileRule, ...], dict[str, list[Node]]]] = []
    # Candidates in document order, one entry per node: a token tree holding `.unwrap()` and
    # `.expect()` is one candidate with the subscriptions of both names.
    candidates: dict[tuple[int, int], tuple[Node, GateRoute, list[Subscription]]] = {}
    for pattern_index, captures in tree_sitter.QueryCursor(file_plan.query).matches(root):
        route = routes[pattern_index]
        if route is None:
            structure.record(captures, ctx, file_structure, test_ranges)
        elif type(route) is WholeFileRoute:
            whole_file.append((route.rules, captures))
        else:
            assert isinstance(route, GateRoute)
            node = captures["gate.node"][0]
            if route.named:
                name_node = captures["gate.name"][0]
                subs = route.subscribers(source[name_node.start_byte : name_node.end_byte].decode())
                if not subs:
                    continue
            else:
                subs = route.everyone
            key = (pattern_index, node.id)
            entry = candidates.get(key)
            if entry is None:
                candidates[key] = (node, route, list(subs))
            else:
                entry[2].extend(s for s in subs if s not in entry[2])
    structure.record_suppressions(ctx, file_structure)
    ctx.set_test_ranges(test_ranges)
    runner = _RuleRunner(ctx, result, bool(test_ranges))
    for rules, captures in whole_file:
        runner.deliver(rules, captures)
    for node, route, wanted in candidates.values():
        runner.candidate(node, route, wanted)
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


class _RuleRunner:
    """Hands matches to rules, deciding scope (production, tests) once per anchor."""

    def __init__(self, ctx: FileContext, result: FileResult, has_test_ranges: bool) -> None:
        self.ctx = ctx
        self.result = result
        self.has_test_ranges = has_test_ranges
        self.production_file = ctx.role is Role.PRODUCTION and not ctx.file_test_only
        self.test_file = ctx.role is Role.TEST or ctx.file_test_only

    def _wanted(self, scope: Scope, in_test: bool) -> bool:
        if scope is Scope.PRODUCTION:
            return self.production_file and not in_test
        if scope is Scope.TESTS:
            return self.test_file or in_test
        return True

    def deliver(self, rules: Sequence[FileRule], captures: dict[str, list[Node]]) -> None:
        """One match for each of `rules`."""
        anchor_list = captures.get("match") or next(iter(captures.values()))
        anchor = anchor_list[0]
        # Every rule of one pattern shares the anchor: decide "in a test region" once.
        in_test = self.has_test_ranges and self.ctx.in_test_region(anchor)
        for rule in rules:
            if self._wanted(rule.scope, in_test):
                self._check(rule, captures, anchor)

    def candidate(self, node: Node, route: GateRoute, subs: Sequence[Subscription]) -> None:
        """Run the subscriptions' patterns on one candidate node."""
        in_test = self.has_test_ranges and self.ctx.in_test_region(node)
        direct = [s for s in subs if s.direct]
        for sub in direct:
            if self._wanted(sub.rule.scope, in_test):
                self._check(sub.rule, {"match": [node]}, node)
        if len(direct) == len(subs) or route.sub_query is None:
            return
        # A match inside the candidate is in a test region when the candidate is (regions
        # are whole items), so production-only patterns of a test candidate need not run.
        wanted = [s for s in subs if not s.direct and not (s.production_only and in_test)]
        if not wanted or (not self.production_file and all(s.production_only for s in wanted)):
            return
        owners = route.sub_query.owners
        for pattern_index, captures in route.sub_query.cursor.matches(node):
            sub = owners[pattern_index]
            if sub in wanted:
                self.deliver((sub.rule,), captures)

    def _check(self, rule: FileRule, captures: dict[str, list[Node]], anchor: Node) -> None:
        try:
            rule.check(captures, self.ctx)
        except Exception as err:  # a rule bug must not sink the whole audit
            line = self.ctx.lines.line_of(anchor.start_byte)
            self.result.rule_errors.append(
                f"{self.ctx.relpath}:{line}: rule {rule.name} failed: {err!r}"
            )


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
