"""A rule's own patterns (those with a byte pre-test) of different top node kinds share one
compiled query (`gates.OwnCursor`): rooted at a candidate, each gives the matches its own
query would."""

from __future__ import annotations

from pathlib import Path

import pytest
import tree_sitter

from rustpro.engine import gates
from rustpro.syntax.parser import compile_query, parse, rooted_cursor
from tests.support import FIXTURES

SOURCES = sorted((FIXTURES / "rules").glob("*.rs"))
OWN = [
    (sub, pattern)
    for production in (True, False)
    for sub, pattern in gates._subscriptions(production, None)
    if sub.own is not None
]


def _nodes(tree: tree_sitter.Tree) -> list[tree_sitter.Node]:
    found = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        assert node is not None
        found.append(node)
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return found


def _shape(captures: dict[str, list[tree_sitter.Node]]) -> list[tuple[str, list[int]]]:
    return sorted((name, [node.id for node in nodes]) for name, nodes in captures.items())


def test_some_rule_shares_a_query() -> None:
    queries = [sub.own._query for sub, _ in OWN if sub.own is not None]
    assert len(set(map(id, queries))) < len(queries)


@pytest.mark.parametrize("source", SOURCES, ids=[path.name for path in SOURCES])
def test_shared_queries_match_as_their_own_would(source: Path) -> None:
    tree = parse(source.read_bytes())
    nodes = _nodes(tree)
    for sub, pattern in OWN:
        assert sub.own is not None
        alone = rooted_cursor(compile_query(pattern.query.strip()))
        for node in nodes:
            expected = [_shape(found) for _, found in alone.matches(node)]
            assert [_shape(found) for found in sub.own.matches(node)] == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("(function_item name: (_) @name) @match", "function_item"),
        ('(impl_item "unsafe" @keyword) @match', "impl_item"),
        (
            '(use_declaration argument: (_) @use (#match? @use "^(a)\\\\b")) @match',
            "use_declaration",
        ),
        ('((tuple_struct_pattern type: (identifier) @match) (#eq? @match "Err"))', None),
        ("[(a) (b)] @x", None),
        ("(a) @x (b) @y", None),
        ("(a) ; comment", None),
        ('(a (b ")") @c) @d', "a"),
    ],
)
def test_the_top_kind_of_a_pattern(text: str, kind: str | None) -> None:
    assert gates._top_kind(text) == kind
