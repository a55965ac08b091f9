"""Every gated pattern of a rule set is compiled into one shared query (`gates.PatternPool`):
rooted at a candidate, each subscription gets exactly the matches its own query would give.
The pool is the lazy, shared form of compiling each pattern apart; these tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tree_sitter import Node

from rustpro.engine import gates
from rustpro.rules.patterns import Pattern
from rustpro.syntax.parser import compile_query, parse, rooted_cursor
from tests.support import FIXTURES, all_nodes

SOURCES = sorted((FIXTURES / "rules").glob("*.rs"))


def _plan_subscriptions(production: bool) -> list[tuple[gates.Subscription, Pattern]]:
    # Python matchers (`Pattern.matcher`) are compared with their patterns elsewhere
    # (`test_query_rewrites`).
    return [
        (sub, p)
        for sub, p in gates._subscriptions(production, None)
        if not sub.direct and p.matcher is None
    ]


QUERIED = [
    sub_pattern for production in (True, False) for sub_pattern in _plan_subscriptions(production)
]


def _shape(captures: dict[str, list[Node]]) -> list[tuple[str, list[int]]]:
    return sorted((name, [node.id for node in nodes]) for name, nodes in captures.items())


def _pool_matches(sub: gates.Subscription, pattern: Pattern) -> Callable[[Node], list[object]]:
    """The matches the engine hands `sub` at a node: its own cursor's, or its route's share of
    the pool query's."""
    own = sub.own
    if own is not None:
        return lambda node: [_shape(found) for found in own.matches(node)]
    pool = gates._pool(None)
    owners = gates.LazySubQuery(pool, [(sub, pattern.query.strip())]).get().owners
    return lambda node: [
        _shape(found)
        for index, found in pool.cursor().matches(node)
        for owner in owners[index]
        if owner is sub
    ]


def test_the_pool_holds_every_pattern_once() -> None:
    texts = {gates.pattern_key(p.query.strip()) for _, p in QUERIED}
    pool = gates._pool(None)
    assert len(pool._texts) == len(texts)
    assert pool.pattern_count() == sum(compile_query(text).pattern_count for text in pool._texts)


def test_two_rules_writing_one_pattern_share_it() -> None:
    # Not needed for correctness, but the pool's point: the same text is compiled once.
    keys = [gates.pattern_key(p.query.strip()) for _, p in _plan_subscriptions(True)]
    assert len(set(keys)) < len(keys)


@pytest.mark.parametrize("source", SOURCES, ids=[path.name for path in SOURCES])
def test_the_pool_matches_as_each_pattern_alone_would(source: Path) -> None:
    tree = parse(source.read_bytes())
    nodes = all_nodes(tree)
    for sub, pattern in QUERIED:
        alone = rooted_cursor(compile_query(pattern.query.strip()))
        pooled = _pool_matches(sub, pattern)
        for node in nodes:
            expected = [_shape(found) for _, found in alone.matches(node)]
            assert pooled(node) == expected
