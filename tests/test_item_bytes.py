"""The byte shortcuts of public gates agree with the syntax tree they stand in for."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from pathlib import Path

import pytest
from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.model import Role
from rustpro.syntax import items
from rustpro.syntax.parser import parse
from rustpro.syntax.positions import LineIndex
from tests.support import FIXTURES

TRICKY = b"""
pub trait Shape { fn area(&self) -> f64; const SIDES: u32; type Unit; }
pub(crate) trait Hidden { fn inner(&self); }
unsafe trait Raw {} // a trait mentioned in a comment: trait
pub struct Subtrait; // `trait` inside a longer name
fn r#trait() {}
mod m { pub trait Inner { fn nested(&self) { fn local() {} } } }
pub(crate) fn crate_only() {}
pub (super) fn spaced() {}
const TEXT: &str = "trait Fake { fn nope(); }";
pub
fn split_over_lines() {}
"""


def _nodes(root: Node) -> Iterator[Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        yield node


def _sources() -> list[bytes]:
    fixtures = sorted((FIXTURES / "rules").glob("*.rs"))
    return [TRICKY, *(Path(path).read_bytes() for path in fixtures)]


def _private_outside_traits(item: Node) -> bool:
    """What `may_be_public` reads from the bytes, asked of the tree: no gate can be needed."""
    container = item.parent
    holder = container.parent if container and container.type == "declaration_list" else None
    in_trait = holder is not None and holder.type == "trait_item"
    return not in_trait and not items.is_plain_pub(item)


@pytest.mark.parametrize("source", _sources())
def test_may_be_public_is_false_only_for_private_items_outside_traits(source: bytes) -> None:
    tree = parse(source)
    ctx = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    for node in _nodes(tree.root_node):
        if node.type in items.ITEM_KINDS and not ctx.may_be_public(node):
            assert _private_outside_traits(node), ctx.text(node)[:60]


@pytest.mark.parametrize("source", _sources())
def test_trait_bounds_cover_every_trait(source: bytes) -> None:
    tree = parse(source)
    if tree.root_node.has_error:
        return  # only error-free trees are read from their bytes
    bounds = items.trait_bounds(tree.root_node, source)
    traits = [node for node in _nodes(tree.root_node) if node.type == "trait_item"]
    for offset in range(len(source)):
        inside = any(t.start_byte <= offset < t.end_byte for t in traits)
        assert (bisect.bisect_right(bounds, offset) % 2 == 1) == inside, offset
