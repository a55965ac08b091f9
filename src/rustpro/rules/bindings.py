"""Where a plain local name was bound and whether it is used again: small, local scope questions.

These answer for one identifier at one place by looking at the enclosing blocks' earlier
statements and the function's parameters, never by walking the whole tree. They are
deliberately conservative: when a binding cannot be found for sure, callers should stay quiet.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

LOOP_KINDS = frozenset({"for_expression", "while_expression", "loop_expression"})
# Code that may run zero or many times, or later, relative to the code around it.
_DEFERRED_KINDS = frozenset({"closure_expression", "async_block"})
_IDENTIFIERS = "(identifier) @name"


@dataclass(frozen=True, slots=True)
class Binding:
    """How a name was introduced: by `let` (with its node) or as a parameter (with its type)."""

    node: Node
    is_parameter: bool
    type: Node | None  # the declared type, when written
    value: Node | None  # the `let` initializer
    loops_between: bool  # a loop encloses the use but not the binding
    deferred_between: bool  # a closure or async block encloses the use but not the binding


def find_binding(use: Node, name: str, function: Node) -> Binding | None:
    """The `let` or parameter that binds `name` as seen at `use`, inside `function`.

    None when the name is bound some other way (a pattern in `match`, `if let`, a `for`
    pattern, a closure parameter) or not in this function at all.
    """
    loops = False
    deferred = False
    child = use
    for parent in items.ancestors(use):
        if parent == function:
            break
        if parent.type in LOOP_KINDS and child != parent.child_by_field_name("value"):
            if _pattern_binds(parent.child_by_field_name("pattern"), name):
                return None
            loops = True
        elif parent.type in _DEFERRED_KINDS:
            deferred = True
            if parent.type == "closure_expression" and _pattern_binds(
                parent.child_by_field_name("parameters"), name
            ):
                return None
        if parent.type == "match_arm" and _pattern_binds(
            parent.child_by_field_name("pattern"), name
        ):
            return None
        condition = parent.child_by_field_name("condition")
        if (
            condition is not None
            and child != condition
            and condition.type in ("let_condition", "let_chain")
            and _pattern_binds(condition, name)
        ):
            return None  # `if let` / `while let` rebinds it (or mentions it: stay quiet)
        if parent.type == "block":
            found = _let_before(parent, child, name)
            if found is not None:
                return Binding(
                    found,
                    False,
                    found.child_by_field_name("type"),
                    found.child_by_field_name("value"),
                    loops,
                    deferred,
                )
        child = parent
    else:
        return None
    for param in _parameters(function):
        pattern = param.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "identifier" and items.text(pattern) == name:
            return Binding(param, True, param.child_by_field_name("type"), None, loops, deferred)
    return None


def used_after(function: Node, start_byte: int, name: str) -> bool:
    """True when an identifier `name` occurs in `function` from `start_byte` on."""
    body = function.child_by_field_name("body")
    if body is None or start_byte >= body.end_byte:
        return False
    cursor = QueryCursor(compile_query(_IDENTIFIERS))
    cursor.set_byte_range(start_byte, body.end_byte)
    for node in cursor.captures(body).get("name", []):
        if node.start_byte >= start_byte and items.text(node) == name:
            return True
    return False


def _let_before(block: Node, child: Node, name: str) -> Node | None:
    """The last `let name = ..` among the statements of `block` before `child`."""
    found: Node | None = None
    for statement in block.named_children:
        if statement.start_byte >= child.start_byte:
            break
        if statement.type == "let_declaration":
            pattern = statement.child_by_field_name("pattern")
            if pattern is not None and _pattern_binds(pattern, name):
                # `let (a, v) = ..` binds `v` too, but its type is unknown: only a plain
                # `let v` is a binding we can reason about.
                found = statement if pattern.type == "identifier" else None
    return found


def _pattern_binds(pattern: Node | None, name: str) -> bool:
    if pattern is None:
        return False
    if pattern.type == "identifier":
        return items.text(pattern) == name
    return any(_pattern_binds(child, name) for child in pattern.named_children)


def _parameters(function: Node) -> list[Node]:
    params = function.child_by_field_name("parameters")
    return [c for c in params.named_children if c.type == "parameter"] if params else []
