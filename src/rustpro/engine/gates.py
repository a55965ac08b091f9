"""The file pass's plan: how each file's candidates are found, and where each goes.

Each channel of `rustpro.rules.patterns` has a *gate* (every method call named `unwrap`,
`lock`, ...; every `function_item`; ...): the word finder (`finder.WordFinder`) finds its
candidates by the words that begin or name them, and what no word can find (a node kind
without a keyword, a rule's whole-file query) falls back to one tree-sitter query per file.
A rule's gated pattern then runs only on its candidates, rooted there: a few microseconds
each, instead of the cost of one more pattern on every node of every file.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import tree_sitter
from tree_sitter import Node

from rustpro.engine import finder, structure
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.patterns import Channel, Matcher, On, Pattern
from rustpro.rules.registry import file_rules, file_rules_named
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query, rooted_cursor

# The gate pattern of each channel; `@gate.node` is the candidate, `@gate.name` its name.
_NAME_FILTER = "{filter}"
_GATE_PATTERNS: dict[Channel, str] = {
    Channel.METHOD_CALL: (
        "(call_expression function: (field_expression field: (field_identifier) @gate.name)"
        " {filter}) @gate.node"
    ),
    Channel.FUNCTION_CALL: (
        "(call_expression function: [(identifier) @gate.name"
        " (scoped_identifier name: (identifier) @gate.name)"
        " (generic_function function: [(identifier) @gate.name"
        " (scoped_identifier name: (identifier) @gate.name)])] {filter}) @gate.node"
    ),
    Channel.QUALIFIED_CALL: (
        "(call_expression function: (scoped_identifier path: [(identifier) @gate.name"
        " (scoped_identifier name: (identifier) @gate.name)]) {filter}) @gate.node"
    ),
    Channel.MACRO_CALL: (
        "(macro_invocation macro: [(identifier) @gate.name"
        " (scoped_identifier name: (identifier) @gate.name)] {filter}) @gate.node"
    ),
    Channel.ATTRIBUTE: (
        "(attribute_item (attribute [(identifier) @gate.name"
        " (scoped_identifier name: (identifier) @gate.name)] {filter})) @gate.node"
    ),
}


# Macro arguments are unparsed token trees: the word finder finds the names in them, and only
# the token trees holding one run the channel's patterns.
_TOKEN_SHAPES = {
    Channel.MACRO_ARG_METHOD: finder.TokenShape.METHOD,
    Channel.MACRO_ARG_MACRO: finder.TokenShape.MACRO,
    Channel.MACRO_ARG_IDENT: finder.TokenShape.IDENT,
}


SCOPES = (Scope.PRODUCTION, Scope.TESTS, Scope.ALL)
TESTS = SCOPES.index(Scope.TESTS)


def scope_index(rule: FileRule) -> int:
    """The rule's scope as an index into `SCOPES`."""
    return SCOPES.index(rule.scope)


@dataclass(frozen=True, slots=True, eq=False)
class Subscription:
    """One rule's gated pattern."""

    rule: FileRule
    on: On
    direct: bool  # no query: the candidate itself is the match
    # The rule's scope as an index into `SCOPES`: read for every candidate, and an int is
    # cheaper to look up than an enum member (whose hash is Python code).
    scope: int
    needs: tuple[bytes, ...]  # the pattern's byte pre-test: one of these must occur
    needs_before_body: bool  # ... before the candidate's body
    file_needs: tuple[bytes, ...]  # ... and one of these in the file
    public_only: bool = False  # only a candidate that may be public API can be reported
    until_fact: str = ""  # `Pattern.until_fact`
    # A pattern with a byte pre-test runs on its own (rooted at the candidate), so that the
    # candidates it rules out do not pay for it, and so does a Python matcher; the others
    # run together (`SubQuery`).
    own: OwnCursor | MatcherCursor | None = None


class PatternPool:
    """Every gated pattern of a rule set, compiled as ONE query when a candidate first needs one.

    Each `tree_sitter.Query` costs about 1.7 ms however small (tree-sitter scans the grammar's
    whole parse table for it) before it analyses its patterns: compiling each route's and each
    rule's own patterns apart cost a crate a dozen such scans. Rooted at a candidate
    (`max_start_depth` 0), tree-sitter tries only the patterns whose top node kind is the
    candidate's (and the few with a wildcard or alternation on top), so sharing the query
    costs a candidate little; each user keeps the matches of its own pattern indexes. The
    production and test plans of a rule set share the pool (the test plan's patterns are a
    subset). Texts written alike (two rules asking the same pattern) are compiled once.
    """

    __slots__ = ("_cursor", "_positions", "_rules", "_spans", "_texts")

    def __init__(self, texts: Iterable[tuple[FileRule, str]]) -> None:
        self._texts: list[str] = []  # the distinct texts, in order
        self._rules: list[FileRule] = []  # the first rule of each text, to name a bad one
        self._positions: dict[str, int] = {}  # by `pattern_key`: the text's position
        for rule, text in texts:
            key = pattern_key(text)
            if key not in self._positions:
                self._positions[key] = len(self._texts)
                self._texts.append(text)
                self._rules.append(rule)
        self._cursor: tree_sitter.QueryCursor | None = None
        self._spans: list[tuple[int, int]] = []  # per text: its pattern indexes [first, stop)

    def position(self, text: str) -> int:
        """Where `text` (one of the texts the pool was made of) is in the pool."""
        return self._positions[pattern_key(text)]

    def cursor(self) -> tree_sitter.QueryCursor:
        """The rooted cursor of the pool's query (compiled on first use; raises `TypeError`
        naming the rule for a bad pattern)."""
        cursor = self._cursor
        if cursor is None:
            query = self._compile()
            cursor = self._cursor = rooted_cursor(query)
        return cursor

    def span(self, position: int) -> tuple[int, int]:
        """The pattern indexes [first, stop) of the text at `position` (compiles the pool)."""
        self.cursor()
        return self._spans[position]

    def pattern_count(self) -> int:
        """How many patterns the pool's query has (compiles the pool)."""
        self.cursor()
        return self._spans[-1][1] if self._spans else 0

    def _compile(self) -> tree_sitter.Query:
        split = _split_texts(self._texts, self._rules)
        first = 0
        for patterns in split:
            self._spans.append((first, first + len(patterns)))
            first += len(patterns)
        query = compile_query("\n".join(self._texts))
        if query.pattern_count != first:  # pragma: no cover - guards the index mapping
            raise RuntimeError("the pattern pool's pattern count does not match its parts")
        return query


class OwnCursor:
    """A subscription's own rooted patterns, in its plan's `PatternPool`.

    Run apart from its route's other patterns so that the candidates its byte pre-test
    rules out do not pay for it.
    """

    __slots__ = ("_pool", "_position")

    def __init__(self, pool: PatternPool, position: int) -> None:
        self._pool = pool
        self._position = position

    def compile(self) -> None:
        """Compile the pool now (before worker processes are forked)."""
        self._pool.cursor()

    def matches(self, node: Node) -> list[dict[str, list[Node]]]:
        """The captures of each match of this subscription's pattern rooted at `node`."""
        first, stop = self._pool.span(self._position)
        found = self._pool.cursor().matches(node)
        return [captures for index, captures in found if first <= index < stop]


class MatcherCursor:
    """A subscription's Python matcher (`Pattern.matcher`), used like an `OwnCursor`."""

    __slots__ = ("_matcher",)

    def __init__(self, matcher: Matcher) -> None:
        self._matcher = matcher

    def compile(self) -> None:
        """Nothing to compile."""

    def matches(self, node: Node) -> list[dict[str, list[Node]]]:
        """The captures of each match of the matcher rooted at `node`."""
        return self._matcher(node)


@dataclass(frozen=True, slots=True, eq=False)
class SubQuery:
    """The gated patterns of one channel (or node kind), as part of a `PatternPool`.

    Each runs rooted at a candidate (`max_start_depth` 0); `owners` maps each pattern index of
    the pool's query to the subscriptions of this route it belongs to (none: another's).
    """

    owners: tuple[tuple[Subscription, ...], ...]
    cursor: tree_sitter.QueryCursor  # starts matches only at the node it is run on


class LazySubQuery:
    """A route's `SubQuery`, worked out when a candidate first needs it."""

    __slots__ = ("_group", "_pool", "_sub_query")

    def __init__(self, pool: PatternPool, group: list[tuple[Subscription, str]]) -> None:
        self._pool = pool
        self._group = [(sub, pool.position(text)) for sub, text in group]
        self._sub_query: SubQuery | None = None

    def get(self) -> SubQuery:
        """The sub-query (compiles the pool on first use)."""
        sub_query = self._sub_query
        if sub_query is None:
            sub_query = self._sub_query = self._work_out()
        return sub_query

    def _work_out(self) -> SubQuery:
        cursor = self._pool.cursor()
        owners: dict[int, list[Subscription]] = {}
        for sub, position in self._group:
            first, stop = self._pool.span(position)
            for index in range(first, stop):
                owners.setdefault(index, []).append(sub)
        count = self._pool.pattern_count()
        return SubQuery(tuple(tuple(owners.get(i, ())) for i in range(count)), cursor)


@dataclass(frozen=True, slots=True, eq=False)
class GateRoute:
    """Where the candidates of one gate pattern go."""

    channel: Channel
    named: bool  # the gate captures `@gate.name`
    everyone: tuple[Subscription, ...]  # subscriptions that want every candidate
    engine: bool  # the engine records every candidate of this kind (`structure.record_node`)
    engine_names: frozenset[bytes]  # ... or those with these names
    # By the name's source bytes: everyone plus the subscriptions that asked for the name.
    by_name: dict[bytes, tuple[Subscription, ...]]
    filters: tuple[Subscription, ...]  # subscriptions with a `matching` regex
    sub_query: LazySubQuery | None
    # `subscribers` of the names met so far, when `filters` make them costly to work out.
    known: dict[bytes, tuple[Subscription, ...]] = field(default_factory=dict)

    def subscribers(self, name: bytes) -> tuple[Subscription, ...]:
        """The subscriptions a candidate called `name` is for."""
        if not self.filters:
            return self.by_name.get(name, self.everyone)
        found = self.known.get(name)
        if found is None:
            found = self.by_name.get(name, self.everyone)
            text = name.decode(errors="replace")
            found += tuple(s for s in self.filters if s.on.wants(text) and s not in found)
            self.known[name] = found
        return found


@dataclass(frozen=True, slots=True, eq=False)
class TextSearch:
    """The nodes of one kind found at the hits of one regular expression."""

    regex: re.Pattern[bytes]
    kind: str
    route: GateRoute
    line_needs: bytes = b""  # `On.line_needs`
    # Every subscription's file pre-test, when each has one: in a file that holds none of
    # a subscription's bytes nobody sees the candidates, so the regex is not run.
    file_needs: tuple[tuple[bytes, ...], ...] | None = None
    # Every subscription's `until_fact`, when each has one (else empty).
    until_facts: tuple[str, ...] = ()
    # The bytes every match begins with (`items.literal_prefix`), b"" when unsure.
    literal: bytes = b""

    def settled(self, facts: dict[str, list[str]]) -> bool:
        """Whether every subscription is done with the file (`Pattern.until_fact`): its
        candidates would change nothing, so the search need not run."""
        return bool(self.until_facts) and all(fact in facts for fact in self.until_facts)

    def candidates(
        self, root: Node, source: bytes
    ) -> list[tuple[Node, GateRoute, tuple[Subscription, ...]]]:
        """Each distinct node of the kind at or just above a hit."""
        if self.file_needs is not None and not any(
            needle in source for needles in self.file_needs for needle in needles
        ):
            return []
        if self.line_needs and self.line_needs not in source:
            return []  # no line spells it: `hits_in_lines` would search none
        return [
            (node, self.route, self.route.everyone)
            for node in items.nodes_at(
                root,
                source,
                self.regex,
                self.kind,
                line_needs=self.line_needs,
                literal=self.literal,
            )
        ]


@dataclass(frozen=True, slots=True, eq=False)
class WholeFileRoute:
    """The rules that asked for one whole-file pattern, each with its scope index."""

    rules: tuple[tuple[FileRule, int], ...]


Route = GateRoute | WholeFileRoute


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    """The file query and where each of its pattern indices goes."""

    query: tree_sitter.Query | None  # None: every gate is found by words
    routes: tuple[Route, ...]
    # The file's root is always the one `source_file`: handed over without a gate pattern.
    root_route: GateRoute | None
    texts: tuple[TextSearch, ...]
    words: finder.WordFinder  # the gates found by words rather than by the query


def rule_patterns_of(rule: FileRule) -> list[str]:
    """The top-level patterns of a rule's whole-file query, each as written."""
    text = rule.full_query()
    if not text:
        return []
    query = compile_query(text)
    data = text.encode()
    return [
        data[query.start_byte_for_pattern(i) : query.end_byte_for_pattern(i)].decode()
        for i in range(query.pattern_count)
    ]


def split_patterns(rules: Sequence[FileRule]) -> list[tuple[FileRule, list[str]]]:
    """Each rule with the top-level patterns of its whole-file query, each as written.

    The rules' queries are compiled as one text, a fraction of the cost of compiling each
    apart; only when that fails is each compiled alone, to name the rule at fault.
    """
    with_query = [rule for rule in rules if rule.full_query()]
    texts = [rule.full_query() for rule in with_query]
    split = dict(zip((id(r) for r in with_query), _split_texts(texts, with_query), strict=True))
    return [(rule, split.get(id(rule), [])) for rule in rules]


def _split_texts(texts: list[str], rules: Sequence[FileRule]) -> list[list[str]]:
    """The top-level patterns of each text, compiled as one query."""
    if not texts:
        return []
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
    found: list[list[str]] = [[] for _ in texts]
    if query is not None:
        for i in range(query.pattern_count):
            start, end = query.start_byte_for_pattern(i), query.end_byte_for_pattern(i)
            index = bisect.bisect_right(starts, start) - 1
            # A text's last pattern ends where the next one starts: clip it to its text.
            end = min(end, starts[index] + len(texts[index].encode()))
            found[index].append(data[start:end].decode())
    if query is None or any(not patterns for patterns in found):
        for rule, text in zip(rules, texts, strict=True):
            try:
                compile_query(text)
            except tree_sitter.QueryError as err:
                raise TypeError(f"{type(rule).__qualname__}: bad query: {err}") from err
        raise RuntimeError("the rules' queries compile one by one but not together")
    return found


def pattern_key(pattern: str) -> str:
    """A pattern's text with blank lines and indentation dropped, to spot duplicates."""
    # Lines stripped, not all whitespace collapsed: a query string literal stays as written.
    return "\n".join(line.strip() for line in pattern.splitlines() if line.strip())


def _file_rules(rules: RuleNames) -> tuple[FileRule, ...]:
    """The file rules of `rules` (None: every one), their modules imported alone."""
    return file_rules() if rules is None else file_rules_named(rules)


@functools.cache
def rule_patterns(rules: RuleNames = None) -> tuple[tuple[FileRule, tuple[str, ...]], ...]:
    """Every file rule (of `rules`) with its whole-file patterns."""
    # Rule queries are checked here, at first use, not when each rule class is defined:
    # compiling ~70 small queries apart cost a third of a second at every start.
    return tuple((rule, tuple(patterns)) for rule, patterns in split_patterns(_file_rules(rules)))


def _subscriptions(production: bool, rules: RuleNames) -> list[tuple[Subscription, Pattern]]:
    pool = _pool(rules)
    found: list[tuple[Subscription, Pattern]] = []
    for rule in _file_rules(rules):
        # Tests, examples, benches and build scripts never see production rules: leaving
        # their patterns out of that plan saves the gate work on every such file.
        if not production and rule.scope is Scope.PRODUCTION:
            continue
        for pattern in rule.gated_patterns():
            text = pattern.query.strip()
            own: OwnCursor | MatcherCursor | None = None
            if pattern.matcher is not None:
                own = MatcherCursor(pattern.matcher)
            elif text and pattern.needs:
                # A pattern with a byte pre-test runs on its own (`OwnCursor`).
                own = OwnCursor(pool, pool.position(text))
            sub = Subscription(
                rule,
                pattern.on,
                not text and pattern.matcher is None,
                scope_index(rule),
                pattern.needs,
                pattern.needs_before_body,
                pattern.file_needs,
                pattern.public_only,
                pattern.until_fact,
                own,
            )
            found.append((sub, pattern))
    return found


@functools.cache
def _pool(rules: RuleNames) -> PatternPool:
    """The gated patterns of every file rule of `rules`, whatever its scope (both plans')."""
    return PatternPool(
        (rule, text)
        for rule in _file_rules(rules)
        for text in (pattern.query.strip() for pattern in rule.gated_patterns())
        if text
    )


def _sub_query(group: list[tuple[Subscription, Pattern]], rules: RuleNames) -> LazySubQuery | None:
    with_query = [(sub, p.query.strip()) for sub, p in group if not sub.direct and sub.own is None]
    return LazySubQuery(_pool(rules), with_query) if with_query else None


def _gate_route(
    channel: Channel,
    group: list[tuple[Subscription, Pattern]],
    rules: RuleNames,
    *,
    engine: bool = False,
    engine_names: Iterable[str] = (),
) -> GateRoute:
    everyone = tuple(s for s, _ in group if not s.on.names and s.on.matching is None)
    filters = tuple(s for s, _ in group if s.on.matching is not None)
    by_name: dict[bytes, list[Subscription]] = {
        name.encode(): list(everyone) for name in engine_names
    }
    for sub, _ in group:
        if sub in everyone:
            continue
        for name in sorted(sub.on.names):
            by_name.setdefault(name.encode(), list(everyone)).append(sub)
    return GateRoute(
        channel=channel,
        named=channel not in (Channel.KIND, Channel.TEXT),
        everyone=everyone,
        engine=engine,
        engine_names=frozenset(name.encode() for name in engine_names),
        by_name={name: tuple(subs) for name, subs in by_name.items()},
        filters=filters,
        sub_query=_sub_query(group, rules),
    )


def _gate_text(channel: Channel, route: GateRoute) -> str:
    if route.everyone or route.filters:
        name_filter = ""  # some rule wants candidates of any name: Python filters
    else:
        names = " ".join(f'"{name.decode()}"' for name in sorted(route.by_name))
        name_filter = f"(#any-of? @gate.name {names})"
    return _GATE_PATTERNS[channel].replace(_NAME_FILTER, name_filter)


def _validate(sub: Subscription, pattern: Pattern) -> None:
    if pattern.matcher is not None and pattern.query.strip():
        raise TypeError(f"{type(sub.rule).__qualname__}: a pattern has a query or a matcher")
    on = sub.on
    if on.channel is Channel.KIND and not on.kinds:
        raise TypeError(f"{type(sub.rule).__qualname__}: nodes() needs at least one kind")
    if on.channel is Channel.TEXT and (not on.text or len(on.kinds) != 1):
        raise TypeError(f"{type(sub.rule).__qualname__}: text_matches() needs a regex and a kind")
    named_only = on.channel not in (Channel.KIND, Channel.MACRO_CALL, Channel.TEXT)
    if named_only and not on.names:
        raise TypeError(
            f"{type(sub.rule).__qualname__}: {on.channel.value} patterns must name names"
        )


def _text_searches(
    groups: dict[tuple[Channel, str], list[tuple[Subscription, Pattern]]],
    rules: RuleNames,
) -> tuple[TextSearch, ...]:
    """One search per distinct (regex, kind) of the text channel (taken from `groups`)."""
    by_search: dict[tuple[bytes, str, bytes], list[tuple[Subscription, Pattern]]] = {}
    for key in [k for k in groups if k[0] is Channel.TEXT]:
        for sub, gated in groups.pop(key):
            by_search.setdefault((sub.on.text, key[1], sub.on.line_needs), []).append((sub, gated))
    searches: list[TextSearch] = []
    for (regex, kind, line_needs), group in by_search.items():
        route = _gate_route(Channel.TEXT, group, rules)
        subs = route.everyone
        every_tested = bool(subs) and all(s.file_needs for s in subs)
        file_needs = tuple(s.file_needs for s in subs) if every_tested else None
        until = tuple(s.until_fact for s in subs)
        until_facts = until if subs and all(until) else ()
        compiled = re.compile(regex)
        literal = items.literal_prefix(regex) if not compiled.flags & re.IGNORECASE else b""
        searches.append(
            TextSearch(compiled, kind, route, line_needs, file_needs, until_facts, literal)
        )
    return tuple(searches)


def _token_tree_names(
    groups: dict[tuple[Channel, str], list[tuple[Subscription, Pattern]]],
    words: finder.WordFinder,
    rules: RuleNames,
) -> None:
    """Hand the names of every macro-argument channel to `words` (taken from `groups`)."""
    for channel, shape in _TOKEN_SHAPES.items():
        group = groups.pop((channel, ""), None)
        if group is None:
            continue
        route = _gate_route(channel, group, rules)
        for name in sorted(route.by_name):
            words.want_in_token_trees(name.decode(), shape, route)


# The names of the file rules a plan runs (`engine.ruleset`); None: every rule.
RuleNames = frozenset[str] | None


def plan(production: bool = True, rules: RuleNames = None) -> Plan:
    """The query plan for production files (`True`) or for tests, examples and build scripts,
    running `rules` (None: every file rule)."""
    # One cache key per plan however it is asked for (`plan()`, `plan(production=True)`).
    return _plan(production, rules)


@functools.cache
def _plan(production: bool, rules: RuleNames) -> Plan:
    pieces: list[str] = []
    routes: list[Route] = []
    # Whole-file patterns: one compiled pattern per distinct text, fanned out to its rules.
    by_key: dict[str, list[FileRule]] = {}
    for rule, patterns in rule_patterns(rules):
        if not production and rule.scope is Scope.PRODUCTION:
            continue
        for pattern in patterns:
            key = pattern_key(pattern)
            if key not in by_key:
                by_key[key] = []
                pieces.append(pattern)
            if rule not in by_key[key]:
                by_key[key].append(rule)
    routes.extend(
        WholeFileRoute(tuple((rule, scope_index(rule)) for rule in rules))
        for rules in by_key.values()
    )
    # Gates: one per channel, one per node kind. The engine's own kinds come first: its
    # records (test regions, modules) must be known before rules run.
    groups: dict[tuple[Channel, str], list[tuple[Subscription, Pattern]]] = {
        (Channel.KIND, kind): [] for kind in structure.ENGINE_KINDS
    }
    groups[(Channel.ATTRIBUTE, "")] = []
    for sub, gated in _subscriptions(production, rules):
        _validate(sub, gated)
        by_kind = sub.on.channel in (Channel.KIND, Channel.TEXT)
        keys: Iterable[str] = sub.on.kinds if by_kind else ("",)
        for kind in keys:
            groups.setdefault((sub.on.channel, kind), []).append((sub, gated))
    words = finder.WordFinder()
    _token_tree_names(groups, words, rules)
    texts = _text_searches(groups, rules)
    words.want_file_docs()  # the engine's own: `FileStructure.has_inner_docs`
    root_route: GateRoute | None = None
    for (channel, kind), group in groups.items():
        if kind == "source_file":
            root_route = _gate_route(channel, group, rules)
            continue
        route = _gate_route(
            channel,
            group,
            rules,
            engine=kind in structure.ENGINE_KINDS,
            engine_names=structure.ENGINE_ATTRIBUTES if channel is Channel.ATTRIBUTE else (),
        )
        if _found_by_words(words, channel, kind, route):
            continue
        pieces.append(f"({kind}) @gate.node" if kind else _gate_text(channel, route))
        routes.append(route)
    # The engine's test regions come from its attributes and `mod` items: what nobody wants
    # inside them is skipped there (`WordFinder.find`).
    words.want_test_regions((*structure.ENGINE_ATTRIBUTES, "mod"))
    words.skip_in_test_regions(_ignored_in_tests)
    words.seal()
    query = compile_query("\n".join(pieces)) if pieces else None
    if query is not None and query.pattern_count != len(routes):  # pragma: no cover
        raise RuntimeError("the file query's pattern count does not match its parts")
    return Plan(query, tuple(routes), root_route, texts, words)


def _ignored_in_tests(target: object, name: bytes) -> bool:
    """Whether a candidate of `target` (a route) named `name` does nothing inside a test
    region: the engine does not record it and every subscription that could get it is a
    production rule's, which `_RuleRunner` drops there."""
    if type(target) is not GateRoute or target.engine or name in target.engine_names:
        return False
    subscriptions = (
        *target.everyone,
        *target.filters,
        *target.by_name.get(name, ()),
        *target.subscribers(name),
    )
    production = SCOPES.index(Scope.PRODUCTION)
    return all(sub.scope == production for sub in subscriptions)


def compile_all(file_plan: Plan) -> None:
    """Compile every query of the plan now, not when a candidate first needs it: before
    worker processes are forked (they inherit them), and to check every rule's patterns."""
    routes = [r for r in file_plan.routes if isinstance(r, GateRoute)]
    routes += [search.route for search in file_plan.texts]
    routes += [t for t in file_plan.words.targets() if isinstance(t, GateRoute)]
    if file_plan.root_route is not None:
        routes.append(file_plan.root_route)
    for route in routes:
        if route.sub_query is not None:
            route.sub_query.get()
        for sub in (*route.everyone, *route.filters, *sum(route.by_name.values(), ())):
            if sub.own is not None:
                sub.own.compile()


# How the word finder checks the token of a name, per named channel.
_NAME_CHECKS: dict[Channel, finder.Verify] = {
    Channel.METHOD_CALL: finder.method_call,
    Channel.FUNCTION_CALL: finder.function_call,
    Channel.QUALIFIED_CALL: finder.qualified_call,
    Channel.MACRO_CALL: finder.macro_call,
    Channel.ATTRIBUTE: finder.attribute,
}


def _found_by_words(
    words: finder.WordFinder, channel: Channel, kind: str, route: GateRoute
) -> bool:
    """Hand the gate to the word finder when it can find every candidate; False if not."""
    if channel is Channel.KIND:
        if not words.finds_kind(kind):
            return False
        words.want_kind(kind, route)
        return True
    if route.everyone or route.filters:  # candidates of any name
        if channel is not Channel.MACRO_CALL:
            return False
        words.want_every_macro_call(route, lambda name: bool(route.subscribers(name)))
        return True
    check = _NAME_CHECKS.get(channel)
    if check is None:
        return False
    for name in route.by_name:
        words.want_name(name.decode(), check, route)
    return True
