"""`syntax.ancestry` answers exactly what tree-sitter answers, only without a descent from the
root per question: nodes at byte ranges, parents, ancestors, siblings and folds, checked
against `Node`'s own methods on every fixture file and on random ranges."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Node

from rustpro.syntax import ancestry, items
from rustpro.syntax.ancestry import Ancestry
from rustpro.syntax.parser import parse

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.rs"))
SOURCES = [path.read_bytes() for path in FIXTURES]


def _ids(nodes: Sequence[Node | None]) -> list[int | None]:
    return [node.id if node is not None else None for node in nodes]


def _climb(node: Node) -> list[Node]:
    found = []
    parent = node.parent
    while parent is not None:
        found.append(parent)
        parent = parent.parent
    return found


def test_fixtures_are_there() -> None:
    assert len(SOURCES) > 50


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(SOURCES) - 1),
    ranges=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 12)), min_size=1, max_size=40),
    in_order=st.booleans(),
)
def test_answers_match_tree_sitter(
    index: int, ranges: list[tuple[float, int]], in_order: bool
) -> None:
    source = SOURCES[index]
    root = parse(source).root_node
    tree = Ancestry(root)
    spans = [
        (start, min(len(source), start + length))
        for fraction, length in ranges
        for start in [min(int(fraction * len(source)), max(len(source) - 1, 0))]
    ]
    if in_order:  # the word finder asks in document order; other callers in any order
        spans.sort()
    for start, end in spans:
        if start >= end:
            continue
        node = tree.node_at(start, end)
        assert _ids([node]) == _ids([root.descendant_for_byte_range(start, end)])
        named = tree.named_node_at(start, end)
        assert _ids([named]) == _ids([root.named_descendant_for_byte_range(start, end)])
        assert node is not None
        assert _ids(list(tree.ancestors(node))) == _ids(list(_climb(node)))
        # A node met another way (a query, a child) has the same ancestors.
        for child in node.children[:3]:
            assert _ids([tree.parent(child)]) == _ids([child.parent])
            assert _ids([tree.sibling(child, -1)]) == _ids([child.prev_sibling])
            assert _ids([tree.sibling(child, 1)]) == _ids([child.next_sibling])
            assert _ids([tree.named_sibling(child, 1)]) == _ids([child.next_named_sibling])
            assert _ids([tree.named_sibling(child, -1)]) == _ids([child.prev_named_sibling])


@pytest.mark.parametrize("source", SOURCES[:40], ids=[p.name for p in FIXTURES[:40]])
def test_every_node_has_its_parent(source: bytes) -> None:
    root = parse(source).root_node
    tree = Ancestry(root)
    pending = [root]
    while pending:
        node = pending.pop()
        assert _ids([tree.parent(node)]) == _ids([node.parent])
        assert _ids(list(tree.ancestors(node))) == _ids(_climb(node))
        pending.extend(node.children)


def test_items_helpers_agree_inside_and_outside_a_file_pass() -> None:
    source = SOURCES[0]
    root = parse(source).root_node
    everything: list[Node] = []
    pending = [root]
    while pending:
        node = pending.pop()
        everything.append(node)
        pending.extend(node.children)
    kinds = ("function_item", "impl_item", "mod_item")

    def answers() -> list[object]:
        return [
            (
                _ids(list(items.ancestors(node))),
                _ids([items.enclosing(node, kinds)]),
                _ids([items.parent(node)]),
                _ids([items.previous(node)]),
                _ids(items.attributes_of(node)),
            )
            for node in everything
        ]

    outside = answers()
    with ancestry.active(Ancestry(root)):
        inside = answers()
    assert inside == outside


def _modules(around: tuple[str, ...], node: Node) -> tuple[str, ...]:
    return (*around, items.item_name(node)) if node.type == "mod_item" else around


def test_fold_is_the_climb_from_the_root() -> None:
    source = b"mod a { mod b { fn f() { mod c { fn g() {} } } } }\n"
    root = parse(source).root_node
    names: ancestry.NodeFold[tuple[str, ...]] = ancestry.NodeFold(Ancestry(root), (), _modules)
    g = root.named_descendant_for_byte_range(source.index(b"g()"), source.index(b"g()") + 1)
    assert g is not None
    assert names.at(g) == ("a", "b", "c")
    assert names.around(g) == ("a", "b", "c")
    outer = root.named_child(0)
    assert outer is not None
    assert names.at(outer) == ("a",)
    assert names.around(outer) == ()


def test_nodes_of_another_tree_get_their_own_parents() -> None:
    first = parse(b"fn f() { let x = 1; }\n").root_node
    second = parse(b"mod m { struct S; }\n").root_node
    stranger = second.named_descendant_for_byte_range(13, 14)
    assert stranger is not None
    with ancestry.active(Ancestry(first)):
        assert _ids(list(items.ancestors(stranger))) == _ids(_climb(stranger))


_EMPTY_AND_ERRORS = [
    b'#[cfg(feature = "x")]\n#[inline]\n// c\nfn f() {}\nstruct S;\n',
    b"fn f() { let x = ; }\n#[test] fn\n",  # errors and missing (empty) nodes
    b'impl S { #[cfg(test)] fn a() {} /* c */ #[doc = "x"] fn b() {} }\n#[attr]',
]


@pytest.mark.parametrize("cursor_asks", [0, 1, 16])
@pytest.mark.parametrize("source", [*SOURCES, *_EMPTY_AND_ERRORS])
def test_next_named_by_cursor_equals_the_listed_children(
    source: bytes, cursor_asks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`next_named` (a cursor while a parent is asked about a few times, its listed children
    after) answers as tree-sitter's `next_named_sibling`, for every node in any order."""
    monkeypatch.setattr(ancestry, "_CURSOR_ASKS", cursor_asks)
    root = parse(source).root_node
    nodes = []
    pending = [root]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.children)
    tree = Ancestry(root)
    for node in nodes:
        assert _ids([tree.next_named(node)]) == _ids([node.next_named_sibling])


def test_next_named_asks_a_cursor_before_listing_children() -> None:
    root = parse(_EMPTY_AND_ERRORS[0]).root_node
    tree = Ancestry(root)
    first = root.named_children[0]
    assert _ids([tree.next_named(first)]) == _ids([root.named_children[1]])
    assert root.id not in tree._children  # found by the cursor: nothing listed
