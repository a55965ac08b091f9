"""Where a node sits (its parent, its ancestors), at a cost that does not grow with depth.

tree-sitter 0.26 keeps no parent pointers: `Node.parent` descends from the root to find the
parent, so one step up costs as much as the node is deep, a climb to the root costs the depth
squared, and a question every candidate asks of its ancestors costs the cube of the nesting
(8,000 nested `mod m {` took 14 s; 2,000 chained `.unwrap()` took minutes). So a file pass
keeps one `Ancestry` per tree:

- it finds the smallest node at a byte range (`node_at`) starting from the deepest node of
  its path (the nodes it last met, each holding the next) that holds the range: questions
  asked in about document order walk the tree about once, where a descent from the root per
  question costs questions x depth. The word finder finds every candidate this way;
- a parent it does not know yet is found by a descent from the deepest node of that path
  that holds the node, and every parent on the way is remembered: `parent` and `ancestors`
  then cost a look-up per step. `items.ancestors` reads the ancestry a file pass made
  `active`;
- `NodeFold` computes a value per node from its parent's value (which inline module is this
  in, which lints are allowed here), once per node.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from typing import Any, Generic, TypeVar

from tree_sitter import Node

T = TypeVar("T")


# A node of `Ancestry`'s path, with its start and end bytes.
_OnPath = tuple[Node, int, int]


# How many times `Ancestry.next_named` steps a cursor over one parent's children before
# listing them: a few lookups cost less than the listing, many would cost more.
_CURSOR_ASKS = 16


class _NotFound:
    """`_next_named_by_cursor`'s answer when the cursor did not land on the node."""


_NOT_FOUND = _NotFound()


def _next_named_by_cursor(parent: Node, node: Node) -> Node | _NotFound | None:
    """The first named sibling after `node` among `parent`'s children, found with a cursor;
    `_NOT_FOUND` when the cursor does not land on `node` itself (an empty node, which byte
    offsets cannot place): the caller then lists the children."""
    cursor = parent.walk()
    # The first child that ends after `node` starts: `node`, as siblings do not overlap.
    if cursor.goto_first_child_for_byte(node.start_byte) is None:
        return _NOT_FOUND
    landed = cursor.node
    if landed is None or landed.id != node.id:
        return _NOT_FOUND
    while cursor.goto_next_sibling():
        sibling = cursor.node
        if sibling is not None and sibling.is_named:
            return sibling
    return None


class Ancestry:
    """The parents of one tree's nodes, found along paths from the root and remembered."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self._root_id = root.id
        self._parents: dict[int, Node] = {}
        # The nodes last met, from the root down, each holding the next (a parent, or an
        # ancestor further up): where the next search starts. Each with its byte range,
        # read once: every search compares the nodes at the path's end with its range, and
        # a `Node`'s byte offsets are built anew on each read.
        self._path: list[_OnPath] = [(root, root.start_byte, root.end_byte)]
        # The children of parents whose children were walked, and each child's index.
        self._children: dict[int, tuple[list[Node], dict[int, int]]] = {}
        # How often `next_named` asked a cursor about each parent whose children are not listed.
        self._cursor_asks: dict[int, int] = {}
        self._folds: dict[object, NodeFold[Any]] = {}
        self._memos: dict[object, dict[Any, Any]] = {}

    # `node_at` and `named_node_at` start from the deepest node of the path that holds
    # `[start, end)` (named, for a named search): every node holding the range lies on the
    # one path from the root down to the range's smallest node (siblings do not overlap), so
    # a search from any of them finds the answer a search from the root does; a named search
    # cannot start at an anonymous token. The climb back up the path is written out in
    # both: they are the word finder's most frequent calls.

    def node_at(self, start: int, end: int) -> Node | None:
        """`root.descendant_for_byte_range(start, end)` for a non-empty range."""
        path = self._path
        while len(path) > 1:
            top, top_start, top_end = path[-1]
            if top_start <= start and end <= top_end:
                break
            path.pop()
        else:
            top = path[0][0]
        found = top.descendant_for_byte_range(start, end)
        if found is not None and found.id != top.id:
            # The ancestors in between are found if ever asked for.
            path.append((found, found.start_byte, found.end_byte))
        return found

    def named_node_at(self, start: int, end: int) -> Node | None:
        """`root.named_descendant_for_byte_range(start, end)` for a non-empty range."""
        path = self._path
        while len(path) > 1:
            top, top_start, top_end = path[-1]
            if top_start <= start and end <= top_end and top.is_named:
                break
            path.pop()
        else:
            top = path[0][0]
        found = top.named_descendant_for_byte_range(start, end)
        if found is not None and found.id != top.id:
            path.append((found, found.start_byte, found.end_byte))
        return found

    def parent(self, node: Node) -> Node | None:
        """`node.parent`, remembered."""
        found = self._parents.get(node.id)
        if found is not None or node.id == self._root_id:
            return found
        start, end = node.start_byte, node.end_byte
        if start == end:  # an empty node: byte ranges cannot place it, tree-sitter can
            return self._parent_of_empty(node)
        path = self._path
        # Back to the deepest node of the path that is surely an ancestor: one with strictly
        # more bytes (a node with the very same bytes may lie below `node`: an expression
        # statement and its call), then down to `node`, learning every parent on the way.
        while len(path) > 1:
            _, top_start, top_end = path[-1]
            if top_start <= start and end <= top_end and top_end - top_start > end - start:
                break
            path.pop()
        self._descend(path[-1][0], node)
        found = self._parents.get(node.id)
        return found if found is not None else node.parent  # not under the root

    def ancestors(self, node: Node) -> Iterator[Node]:
        """The parents of `node`, nearest first."""
        parent = self.parent(node)
        while parent is not None:
            yield parent
            parent = self.parent(parent)

    def sibling(self, node: Node, offset: int) -> Node | None:
        """The sibling `offset` places after `node` (before it when negative), or None.

        `Node.prev_sibling` and `next_sibling` find the parent (a descent from the root) and
        count the children up to the node, so a walk over many siblings (thousands of
        comments above an item, thousands of items in a file) costs their number squared.
        The children of a parent are listed once instead.
        """
        parent = self.parent(node)
        if parent is None:
            return None
        known = self._children.get(parent.id)
        if known is None:
            children = parent.children
            index_of: dict[int, int] = {}
            parents = self._parents
            # One pass, each child's id read once: a parent may have thousands of children.
            for position, child in enumerate(children):
                child_id = child.id
                index_of[child_id] = position
                parents[child_id] = parent
            known = self._children[parent.id] = (children, index_of)
        children, index_of = known
        index = index_of.get(node.id)
        if index is None:
            return None
        wanted = index + offset
        return children[wanted] if 0 <= wanted < len(children) else None

    def named_sibling(self, node: Node, step: int) -> Node | None:
        """The nearest named sibling after `node` (`step` 1) or before it (`step` -1)."""
        sibling = self.sibling(node, step)
        while sibling is not None and not sibling.is_named:
            sibling = self.sibling(sibling, step)
        return sibling

    def next_named(self, node: Node) -> Node | None:
        """`named_sibling(node, 1)`, without listing the parent's children when it can.

        Listing a parent's children builds a `Node` and two dict entries per child: most of
        what finding the item under one attribute cost (a file's root may hold hundreds of
        items). A cursor on the parent steps over the children in C instead, building only
        the nodes it lands on; that step costs the number of children before `node`, so a
        parent asked about more than `_CURSOR_ASKS` times is listed after all (asked about
        every child, the cursor would cost their number squared).
        """
        parent = self.parent(node)
        if parent is None:
            return None
        parent_id = parent.id
        if parent_id not in self._children:
            asked = self._cursor_asks.get(parent_id, 0)
            if asked < _CURSOR_ASKS:
                self._cursor_asks[parent_id] = asked + 1
                found = _next_named_by_cursor(parent, node)
                if not isinstance(found, _NotFound):
                    if found is not None:
                        self._parents[found.id] = parent
                    return found
        return self.named_sibling(node, 1)

    def memo(self, key: object) -> dict[Any, Any]:
        """A dict kept with this tree for the helper that asks with `key`: answers about
        nodes that callers ask again and again (a binding seen from a block, a block's
        `let`s), worked out once per file."""
        found = self._memos.get(key)
        if found is None:
            found = self._memos[key] = {}
        return found

    def fold(self, step: Callable[[T, Node], T], start: T) -> NodeFold[T]:
        """The one `NodeFold(self, start, step)` of this tree, made on first use: helpers that
        ask the same question of many nodes share its answers."""
        found = self._folds.get(step)
        if found is None:
            found = self._folds[step] = NodeFold(self, start, step)
        return found

    def release(self) -> None:
        """Forget everything learnt (the tree's pass is over): the folds and memos, whose
        folds point back at this ancestry, and the nodes met, which hold the tree."""
        self._folds.clear()
        self._memos.clear()
        self._parents.clear()
        self._children.clear()
        self._cursor_asks.clear()
        self._path = [self._path[0]]

    def _descend(self, top: Node, node: Node) -> None:
        """Extend the path from `top` (on it, last) down to `node`, learning parents."""
        path, parents = self._path, self._parents
        current = top
        while current.id != node.id:
            child = current.child_with_descendant(node)
            if child is None:
                break
            parents[child.id] = current
            path.append((child, child.start_byte, child.end_byte))
            current = child

    def _parent_of_empty(self, node: Node) -> Node | None:
        found = node.parent
        if found is not None:
            self._parents[node.id] = found
        return found


_ACTIVE: ContextVar[Ancestry | None] = ContextVar("rustpro_active_ancestry", default=None)


@contextlib.contextmanager
def active(ancestry: Ancestry) -> Iterator[Ancestry]:
    """Let `items.ancestors` read `ancestry` while one file is analysed."""
    token = activate(ancestry)
    try:
        yield ancestry
    finally:
        deactivate(token)


def activate(ancestry: Ancestry) -> Token[Ancestry | None]:
    """`active` without a context manager (the file pass: a generator-based one costs as
    much as a small file's whole relevance work); `deactivate` the token it returns."""
    return _ACTIVE.set(ancestry)


def deactivate(token: Token[Ancestry | None]) -> None:
    """End what `activate` began: the ancestry active before it is active again."""
    _ACTIVE.reset(token)


# `current()`: the ancestry of the file being analysed, if a file pass made one `active`.
# The context variable's own `get`, not a function around it: `items.parent`, `previous` and
# their like ask it on every call, thousands of times per file.
current: Callable[[], Ancestry | None] = _ACTIVE.get


def folded(node: Node, step: Callable[[T, Node], T], start: T, *, around: bool = False) -> T:
    """`step` folded from the root down to `node` (to its parent with `around`).

    During a file pass, from the active ancestry's fold for `step` (each node worked out
    once); otherwise by a climb to the root.
    """
    ancestry = _ACTIVE.get()
    if ancestry is not None:
        fold = ancestry.fold(step, start)
        return fold.around(node) if around else fold.at(node)
    chain: list[Node] = []
    current_node = node.parent if around else node
    while current_node is not None:
        chain.append(current_node)
        current_node = current_node.parent
    value = start
    for on_path in reversed(chain):
        value = step(value, on_path)
    return value


class NodeFold(Generic[T]):
    """A value per node, folded from the root down: the value at a node is
    `step(value at its parent, node)`; `start` is the value around the root.

    `step` looks at the node alone (its kind, name, attributes), never at its ancestors:
    they are what the fold is for. Each node's value is worked out once.
    """

    def __init__(self, ancestry: Ancestry, start: T, step: Callable[[T, Node], T]) -> None:
        self._ancestry = ancestry
        self._start = start
        self._step = step
        self._values: dict[int, T] = {}

    def at(self, node: Node) -> T:
        """The value at `node`, its own contribution included."""
        values = self._values
        if node.id in values:
            return values[node.id]
        # Climb to the nearest ancestor whose value is known (the first parent asked of the
        # ancestry learns the whole path, so each step up is a look-up), then fold down.
        pending = [node]
        value = self._start
        parent = self._ancestry.parent(node)
        while parent is not None:
            if parent.id in values:
                value = values[parent.id]
                break
            pending.append(parent)
            parent = self._ancestry.parent(parent)
        step = self._step
        for unknown in reversed(pending):
            value = step(value, unknown)
            values[unknown.id] = value
        return value

    def around(self, node: Node) -> T:
        """The value at `node`'s parent: what surrounds `node`, its own part left out."""
        parent = self._ancestry.parent(node)
        return self._start if parent is None else self.at(parent)
