"""arc-with-non-sync."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import Aliases, aliases_at, path_segments, resolve
from rustpro.rules.patterns import (
    Captures,
    Pattern,
    only_named_child,
    qualified_calls,
    text_matches,
)
from rustpro.syntax import items

# Single-thread types, by full path: an `Arc` of one of these is neither `Send` nor `Sync`.
_NON_SYNC = {
    ("std", "cell", "RefCell"): "RefCell",
    ("core", "cell", "RefCell"): "RefCell",
    ("std", "cell", "Cell"): "Cell",
    ("core", "cell", "Cell"): "Cell",
    ("std", "rc", "Rc"): "Rc",
    ("alloc", "rc", "Rc"): "Rc",
}


def _generic_of_generic(generic: Node) -> list[Captures]:
    """The matches of the pattern `(generic_type type: (_) @arc type_arguments: (_ .
    (generic_type) @inner_type .) @arguments) @match` rooted at a generic type."""
    arc = generic.child_by_field_name("type")
    arguments = generic.child_by_field_name("type_arguments")
    if arc is None or arguments is None or not arc.is_named or not arguments.is_named:
        return []
    inner = only_named_child(arguments)
    if inner is None or inner.type != "generic_type":
        return []
    return [{"arc": [arc], "inner_type": [inner], "arguments": [arguments], "match": [generic]}]


def _new_of_call(call: Node) -> list[Captures]:
    """The matches of the pattern `(call_expression function: (_ name: (identifier) @new)
    @arc (#eq? @new "new") arguments: (_ . (call_expression) @inner_call .)) @match` rooted
    at a call."""
    function = call.child_by_field_name("function")
    if function is None or not function.is_named:
        return []
    new = function.child_by_field_name("name")
    if new is None or new.type != "identifier" or new.text != b"new":
        return []
    arguments = call.child_by_field_name("arguments")
    inner = only_named_child(arguments) if arguments is not None else None
    if inner is None or inner.type != "call_expression":
        return []
    return [{"new": [new], "arc": [function], "inner_call": [inner], "match": [call]}]


class ArcWithNonSync(FileRule):
    """Flags an `Arc` around `RefCell`, `Cell` or `Rc`.

    ## What it does
    Finds `Arc::new(RefCell::new(..))`, `Arc::new(Cell::new(..))`, `Arc::new(Rc::new(..))` and
    the types `Arc<RefCell<..>>`, `Arc<Cell<..>>`, `Arc<Rc<..>>` (in fields, signatures and
    `let` annotations). `RefCell`, `Cell` and `Rc` must be the std types, resolved through the
    file's `use` declarations, so a crate's own `Cell` type is left alone.

    ## Why is this bad?
    `Arc` exists to share a value across threads, but `Arc<T>` is `Send` and `Sync` only when
    `T` is `Sync`, and these types are not. The `Arc` pays for atomic reference counting and
    still can never leave its thread; the code usually meant `Rc<RefCell<T>>` (one thread)
    or `Arc<Mutex<T>>` (many).

    ## Example
    ```rust
    use std::cell::RefCell;
    use std::sync::Arc;

    pub fn counter() -> Arc<RefCell<u64>> {
        Arc::new(RefCell::new(0))
    }
    ```

    ## Use instead
    ```rust
    use std::sync::{Arc, Mutex};

    pub fn counter() -> Arc<Mutex<u64>> {
        Arc::new(Mutex::new(0))
    }
    ```
    or `Rc<RefCell<u64>>` when the value never leaves its thread.

    ## References
    - clippy: `arc_with_non_send_sync`
    - std docs, `std::sync::Arc` ("Thread Safety")
    """

    name = "arc-with-non-sync"
    clippy_twins = ("arc_with_non_send_sync",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # `Arc<X<..>>` types, found by their bytes: a gate on every generic type would cost
        # more. Matched in Python (`_generic_of_generic`, then `_arc_of_generic`): each query
        # pattern costs tree-sitter milliseconds of analysis in every run.
        Pattern(text_matches(rb"Arc\s*<", "generic_type"), matcher=_generic_of_generic),
        # `Arc::new(X::new(..))`, matched in Python (`_new_of_call`, then `_inner_new`):
        # each query pattern costs tree-sitter milliseconds of analysis in every run.
        Pattern(qualified_calls("Arc"), matcher=_new_of_call),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if "inner_call" in captures:
            inner_path = _inner_new(captures["inner_call"][0])
        else:
            inner_path = _arc_of_generic(captures)
        if inner_path is None:
            return
        aliases = aliases_at(node, ctx)
        arc = _resolved(captures["arc"][0], aliases)
        inner = _resolved(inner_path, aliases)
        if node.type == "call_expression":
            arc, inner = arc[:-1], inner[:-1]  # drop `::new`
            if _annotated_let(node):
                return  # the `let`'s type annotation is reported instead
        if not _is_arc(arc) or inner not in _NON_SYNC:
            return
        wrapped = _NON_SYNC[inner]
        ctx.report(
            self,
            node,
            f"`Arc<{wrapped}<..>>` is neither `Send` nor `Sync`: it can never cross threads",
            f"use `Rc<{wrapped}<..>>` on one thread, or `Arc<Mutex<..>>` / atomics to share",
        )


def _arc_of_generic(captures: dict[str, list[Node]]) -> Node | None:
    """The inner type's path of `Arc<X<..>>`, else None: what the pattern
    `(generic_type type: [(type_identifier) @n (scoped_type_identifier name: (type_identifier)
    @n)] type_arguments: (type_arguments . (generic_type type: [(type_identifier)
    (scoped_type_identifier)] @inner) .) (#eq? @n "Arc"))` would capture as `@inner`."""
    if captures["arguments"][0].type != "type_arguments":
        return None
    arc = captures["arc"][0]
    name = arc.child_by_field_name("name") if arc.type == "scoped_type_identifier" else arc
    if name is None or name.type != "type_identifier" or name.text != b"Arc":
        return None
    inner = captures["inner_type"][0].child_by_field_name("type")
    if inner is None or inner.type not in ("type_identifier", "scoped_type_identifier"):
        return None
    return inner


def _inner_new(call: Node) -> Node | None:
    """The `X::new` path a call `X::new(..)` calls, else None (as the pattern
    `(call_expression function: (scoped_identifier name: (identifier) @n) (#eq? @n "new"))`)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "scoped_identifier":
        return None
    name = function.child_by_field_name("name")
    if name is None or name.type != "identifier" or name.text != b"new":
        return None
    return function


def _resolved(node: Node, aliases: Aliases) -> tuple[str, ...]:
    segments = path_segments(node)
    return resolve(segments, aliases) if segments else ()


def _is_arc(path: tuple[str, ...]) -> bool:
    # std's and alloc's Arc, and the `sync::Arc` re-exports of loom-style shims.
    return len(path) >= 2 and path[-1] == "Arc" and path[-2] == "sync"


def _annotated_let(call: Node) -> bool:
    parent = items.parent(call)
    if parent is None or parent.type != "let_declaration":
        return False
    annotation = parent.child_by_field_name("type")
    return annotation is not None and items.type_name(annotation) == "Arc"
