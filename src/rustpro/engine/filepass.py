"""The per-file pass: parse once, find the gates' candidates by their words, dispatch them.

This is what worker processes run. Its result (`FileResult`) is plain data so it can be
pickled back to the parent and cached by content hash.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import tree_sitter
from tree_sitter import Node

from rustpro.engine import gates, structure
from rustpro.engine.context import Candidate, FileContext
from rustpro.engine.finder import Hit, RegionEnd
from rustpro.engine.gates import GateRoute, RuleNames, Subscription, WholeFileRoute
from rustpro.engine.structure import FileStructure
from rustpro.fingerprint import AnchoredSpan, anchor_places
from rustpro.model import Role
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.generated_code import is_generated_file, is_generated_path
from rustpro.rules.patterns import Channel
from rustpro.rules.registry import file_rules, file_rules_named
from rustpro.syntax import ancestry
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
    # The places of the candidates' findings as fingerprints name them, recorded while the
    # tree is at hand (`fingerprint.anchor_places`) when the run asked for them; None when it
    # did not. A finding without one (a crate rule's, a file holding a carriage return) is
    # placed by reading its file again.
    anchors: list[AnchoredSpan] | None = None


def prepare(rules: RuleNames = None) -> None:
    """Load every rule and compile the file queries of `rules` now, in this process.

    Worker processes forked afterwards inherit both; otherwise each worker pays for them
    again (about half a second of CPU per worker). A single process compiles each query
    when a candidate first needs it instead.
    """
    gates.compile_all(gates.plan(True, rules))
    gates.compile_all(gates.plan(False, rules))


def analyze_source(
    source: bytes, relpath: str, role: Role, rules: RuleNames = None, anchors: bool = True
) -> FileResult:
    """Parse `source` and run the file rules named in `rules` on it (None: every one);
    `anchors`: record the places of the findings for their fingerprints too."""
    tree = parse(source)
    lines = LineIndex(source)
    result = FileResult(relpath=relpath, role=role, lines=lines.line_count)
    root = tree.root_node
    if root.has_error:
        result.parse_error_line = _first_error_line(root, lines)
    ctx = FileContext(relpath=relpath, role=role, source=source, tree=tree, lines=lines)
    # Rules climb with `items.ancestors`: while this file is analysed it reads the parents
    # the word finder met, instead of a descent from the root per step.
    token = ancestry.activate(ctx.ancestry)
    try:
        return _analyze(ctx, result, _rules_for(source, rules), anchors)
    finally:
        # The ancestry's folds point back at it: a cycle, which the pass's paused cycle
        # collector would leave holding the file's tree and every node met until the wave
        # ends (openssl's pass grew by 27 MB, 7,500 page faults, for 1.6 MB of source).
        # Dropped here, the file's memory is freed, and reused by the next.
        ctx.ancestry.release()
        ancestry.deactivate(token)


def _rules_for(source: bytes, rules: RuleNames) -> RuleNames:
    """The rules to run on a file: a file that may hold a suppression comment runs every rule,
    because the report counts the findings a comment silences whatever their rule."""
    return None if rules is None or structure.SUPPRESSION_MARK in source else rules


def _analyze(
    ctx: FileContext, result: FileResult, rules: RuleNames, anchors: bool = True
) -> FileResult:
    relpath, role, source, root = ctx.relpath, ctx.role, ctx.source, ctx.tree.root_node
    file_plan = gates.plan(role is Role.PRODUCTION, rules)
    test_ranges: list[tuple[int, int]] = []
    file_structure = result.structure  # the empty one `FileResult` made: filled here
    whole_file: list[tuple[tuple[tuple[FileRule, int], ...], dict[str, list[Node]]]] = []
    # Candidates in document order, each node once per gate.
    candidates: list[tuple[Node, GateRoute, tuple[Subscription, ...]]] = []
    if file_plan.root_route is not None:
        candidates.append((root, file_plan.root_route, file_plan.root_route.everyone))
    # The gates' candidates (found by words, and by the file query for what words cannot
    # find), in document order; the engine records its own kinds from them before rules run.
    hits, trees = file_plan.words.find(root, source, ctx.ancestry, _region_ends(ctx))
    if file_plan.query is not None:
        hits += _run_file_query(file_plan, ctx, whole_file)
    for node, target, name in _in_document_order(hits):
        if target is None:  # the file's own inner docs
            file_structure.has_inner_docs = True
            continue
        # Not `typing.cast`: a Python call per hit, thousands per file.
        route: GateRoute = target  # type: ignore[assignment]
        if route.engine or name in route.engine_names:
            structure.record_node(node, ctx, file_structure, test_ranges)
        subs = route.subscribers(name) if route.named else route.everyone
        if subs:
            candidates.append((node, route, subs))
    for token_tree, target, names in trees:  # macro arguments holding wanted names
        route = cast(GateRoute, target)
        wanted: tuple[Subscription, ...] = ()
        for name in names:
            wanted += tuple(s for s in route.by_name.get(name, ()) if s not in wanted)
        candidates.append((token_tree, route, wanted))
    structure.record_macro_mods(ctx, file_structure)
    structure.record_includes(ctx, file_structure)
    # Generated files are nobody's to fix: the engine records their module structure (the
    # module tree runs through them) and no rule looks at them.
    if is_generated_path(relpath) or is_generated_file(root):
        file_structure.generated = True
        return result
    structure.record_suppressions(ctx, file_structure)
    structure.record_test_support_functions(ctx, test_ranges)
    ctx.set_test_ranges(test_ranges)
    runner = _RuleRunner(ctx, result, bool(test_ranges))
    for owners, captures in whole_file:
        runner.deliver(owners, captures)
    for node, route, wanted in candidates:
        runner.candidate(node, route, wanted)
    # The text searches' candidates come last, so a search whose every rule is done with
    # the file by then (`Pattern.until_fact`) is not run at all.
    for search in file_plan.texts:
        if search.settled(ctx.facts):
            continue
        for node, route, wanted in search.candidates(root, source):
            runner.candidate(node, route, wanted)
    for rule in _finishing_rules(rules):
        try:
            rule.finish(ctx)
        except Exception as err:
            result.rule_errors.append(f"{relpath}: rule {rule.name} failed: {err!r}")
    result.candidates = ctx.candidates
    if anchors:
        # A file holding a carriage return is read again by reports (`anchor_places`).
        findings = [c.finding for c in ctx.candidates] if b"\r" not in source else []
        result.anchors = anchor_places(relpath, source, ctx.tree, findings)
    result.facts = ctx.facts
    result.file_test_only = ctx.file_test_only
    return result


_TESTS = gates.TESTS


def _region_ends(ctx: FileContext) -> RegionEnd:
    """The word finder's `region_end` for this file: the test regions the engine records
    (`structure.record_node`) from the gates' attributes and `mod` items."""

    def region_end(node: Node, target: object, name: bytes) -> int:
        if type(target) is not GateRoute or not (target.engine or name in target.engine_names):
            return -1
        return structure.test_region_end(node, ctx)

    return region_end


def _in_document_order(hits: list[Hit]) -> list[Hit]:
    """`hits` sorted by their nodes' start bytes, stably: `hits.sort(key=..)` with the start
    bytes read inline rather than by a key function (a Python call per hit), and no sort at
    all when the hits already come in order (a file without a file query mostly does)."""
    starts = [hit[0].start_byte for hit in hits]
    if starts == sorted(starts):  # compared in C, element by element
        return hits
    return [hits[index] for index in sorted(range(len(hits)), key=starts.__getitem__)]


def _run_file_query(
    file_plan: gates.Plan,
    ctx: FileContext,
    whole_file: list[tuple[tuple[tuple[FileRule, int], ...], dict[str, list[Node]]]],
) -> list[Hit]:
    """The gates and whole-file patterns that words cannot find: one query over the tree.

    Gate matches come back as hits like the word finder's (the name's bytes, or none);
    whole-file matches go to `whole_file`.
    """
    assert file_plan.query is not None
    routes = file_plan.routes
    source = ctx.source
    hits: list[Hit] = []
    for pattern_index, captures in tree_sitter.QueryCursor(file_plan.query).matches(
        ctx.tree.root_node
    ):
        route = routes[pattern_index]
        if type(route) is GateRoute:
            named = captures.get("gate.name")
            name = source[named[0].start_byte : named[0].end_byte] if named else b""
            hits.append((captures["gate.node"][0], route, name))
        else:
            assert isinstance(route, WholeFileRoute)
            whole_file.append((route.rules, captures))
    return hits


@functools.cache
def _finishing_rules(rules: RuleNames = None) -> tuple[FileRule, ...]:
    """The rules (of `rules`) that collect over a file and judge it in `finish`, found once."""
    chosen = file_rules() if rules is None else file_rules_named(rules)
    return tuple(rule for rule in chosen if type(rule).finish is not FileRule.finish)


# `_relevant_by_scope` answers, per kind of file (which scopes see code outside test
# regions) and then by (subscriptions, in a test region, may hold test regions): the same
# few hundred tuples of subscriptions come back in every file of a process.
_RELEVANT_BY_SCOPE: dict[
    tuple[bool, ...],
    dict[tuple[tuple[Subscription, ...], bool, bool], tuple[tuple[Subscription, ...], bool]],
] = {}


def _relevant_by_scope(
    subs: tuple[Subscription, ...], wanted: tuple[bool, ...], in_test: bool, may_hold_tests: bool
) -> tuple[tuple[Subscription, ...], bool]:
    """The subscriptions of `subs` whose scope lets them see a candidate in (or outside) a
    test region (`wanted`, indexed like `gates.SCOPES`), and whether one has a file pre-test.
    """
    relevant = tuple(
        sub
        for sub in subs
        # A match inside the candidate is in a test region when the candidate is
        # (regions are whole items), so a scope that skips the candidate skips them
        # too; only a test-only pattern on an item outside tests may still match
        # inside. Calls, macro calls, attributes and token trees hold no items, so no
        # test region starts inside them; other candidates (functions, impls) may.
        if wanted[sub.scope]
        or not (sub.direct or in_test or sub.scope != _TESTS or not may_hold_tests)
    )
    return relevant, any(sub.file_needs for sub in relevant)


_Scopes = tuple[
    tuple[bool, ...],
    tuple[bool, ...],
    dict[tuple[tuple[Subscription, ...], bool, bool], tuple[tuple[Subscription, ...], bool]],
]
# `_scopes_seen` by (production file, test file): the same few answers in every file.
# Worked out per file they cost a tenth of a small file's pass (an enum's hash is a Python
# call), so the key is two booleans rather than the role.
_SCOPES_SEEN: dict[tuple[bool, bool], _Scopes] = {}


def _scopes_seen(role: Role, file_test_only: bool) -> _Scopes:
    """Which scopes see code outside and inside test regions of a file of `role` (indexed
    like `gates.SCOPES`), and the `_relevant_by_scope` answers kept for such files."""
    kind = (role is Role.PRODUCTION and not file_test_only, role is Role.TEST or file_test_only)
    known = _SCOPES_SEEN.get(kind)
    if known is None:
        known = _SCOPES_SEEN[kind] = _work_out_scopes(*kind)
    return known


def _work_out_scopes(production_file: bool, test_file: bool) -> _Scopes:
    outside = {Scope.PRODUCTION: production_file, Scope.TESTS: test_file, Scope.ALL: True}
    inside = {Scope.PRODUCTION: False, Scope.TESTS: True, Scope.ALL: True}
    seen_outside = tuple(outside[scope] for scope in gates.SCOPES)
    seen_inside = tuple(inside[scope] for scope in gates.SCOPES)
    return seen_outside, seen_inside, _RELEVANT_BY_SCOPE.setdefault(seen_outside, {})


class _RuleRunner:
    """Hands matches to rules, deciding scope (production, tests) once per anchor."""

    def __init__(self, ctx: FileContext, result: FileResult, has_test_ranges: bool) -> None:
        self.ctx = ctx
        self.result = result
        self.has_test_ranges = has_test_ranges
        self.file_holds: dict[tuple[bytes, ...], bool] = {}
        # `_relevant` answers that depend on this file's bytes, by the scope-relevant tuple.
        self.relevant_here: dict[int, tuple[Subscription, ...]] = {}
        self.outside, self.inside, self.by_scope = _scopes_seen(ctx.role, ctx.file_test_only)

    def deliver(
        self, rules: Sequence[tuple[FileRule, int]], captures: dict[str, list[Node]]
    ) -> None:
        """One match for each of `rules`."""
        anchor_list = captures.get("match") or next(iter(captures.values()))
        anchor = anchor_list[0]
        # Every rule of one pattern shares the anchor: decide "in a test region" once.
        in_test = self.has_test_ranges and self.ctx.in_test_region(anchor)
        wanted = self.inside if in_test else self.outside
        for rule, scope in rules:
            if wanted[scope]:
                self._check(rule, captures, anchor)

    def candidate(self, node: Node, route: GateRoute, subs: tuple[Subscription, ...]) -> None:
        """Run the subscriptions' patterns on one candidate node."""
        in_test = self.has_test_ranges and self.ctx.in_test_region(node)
        # `_relevant`'s first question written out: most candidates stop at this look-up.
        known = self.by_scope.get((subs, in_test, route.channel is Channel.KIND))
        if known is None or known[1]:
            subs = self._relevant(subs, in_test, route.channel is Channel.KIND)
        else:
            subs = known[0]
        if not subs:
            return
        source = self.ctx.source
        start = end = head_end = -1  # read from the node only when a byte pre-test needs them
        public = -1  # whether the candidate may be public API, asked when a sub needs it
        facts = self.ctx.facts
        captures: dict[str, list[Node]] | None = None
        queried: list[Subscription] = []
        for sub in subs:
            if sub.until_fact and sub.until_fact in facts:
                continue  # the rule is done with this file
            if sub.public_only:
                if public < 0:
                    public = self.ctx.may_be_public(node)
                if not public:
                    continue
            if sub.needs:
                if start < 0:
                    start, end = node.start_byte, node.end_byte
                stop = end
                if sub.needs_before_body:
                    if head_end < 0:
                        body = node.child_by_field_name("body")
                        head_end = body.start_byte if body is not None else end
                    stop = head_end
                for needle in sub.needs:
                    if source.find(needle, start, stop) >= 0:
                        break
                else:
                    continue
            if not sub.direct:
                queried.append(sub)
                continue
            if captures is None:
                captures = {"match": [node]}
            try:  # `_check` written out: this is the engine's most frequent call
                sub.rule.check(captures, self.ctx)
            except Exception as err:  # a rule bug must not sink the whole audit
                self._failed(sub.rule, node, err)
        together = False
        for sub in queried:
            if sub.own is None:
                together = True
                continue
            for found in sub.own.matches(node):
                self.deliver(((sub.rule, sub.scope),), found)
        if not together or route.sub_query is None:
            return
        sub_query = route.sub_query.get()
        owners = sub_query.owners
        # The pool's query holds other routes' patterns too: each match goes to this route's
        # subscriptions that own its pattern and were queried (several when their rules
        # wrote the same pattern: each gets its own copy, as from a pattern of its own).
        for pattern_index, found in sub_query.cursor.matches(node):
            first = True
            for sub in owners[pattern_index]:
                if sub in queried:
                    captures = found if first else {k: list(v) for k, v in found.items()}
                    first = False
                    self.deliver(((sub.rule, sub.scope),), captures)

    def _relevant(
        self, subs: tuple[Subscription, ...], in_test: bool, may_hold_tests: bool
    ) -> tuple[Subscription, ...]:
        """The subscriptions of `subs` whose scope and file pre-test let them see a candidate
        in (or outside) a test region.

        What the scopes let through depends on the kind of file alone, so it is worked out
        once per process for each `subs`; only subscriptions with a file pre-test are then
        asked about this file (once per file).
        """
        key = (subs, in_test, may_hold_tests)
        known = self.by_scope.get(key)
        if known is None:
            known = self.by_scope[key] = _relevant_by_scope(
                subs, self.inside if in_test else self.outside, in_test, may_hold_tests
            )
        relevant, file_tested = known
        if not file_tested:
            return relevant
        here = self.relevant_here.get(id(relevant))
        if here is None:
            here = self.relevant_here[id(relevant)] = tuple(
                sub for sub in relevant if not sub.file_needs or self._file_holds(sub.file_needs)
            )
        return here

    def _file_holds(self, needles: tuple[bytes, ...]) -> bool:
        """Whether the file holds one of `needles` (asked once per file and tuple)."""
        found = self.file_holds.get(needles)
        if found is None:
            source = self.ctx.source
            found = self.file_holds[needles] = any(needle in source for needle in needles)
        return found

    def _check(self, rule: FileRule, captures: dict[str, list[Node]], anchor: Node) -> None:
        try:
            rule.check(captures, self.ctx)
        except Exception as err:  # a rule bug must not sink the whole audit
            self._failed(rule, anchor, err)

    def _failed(self, rule: FileRule, anchor: Node, err: Exception) -> None:
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
