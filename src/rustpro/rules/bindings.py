"""Where a plain local name was bound and whether it is used again: small, local scope questions.

These answer for one identifier at one place by looking at the enclosing blocks' earlier
statements and the function's parameters, never by walking the whole tree. They are
deliberately conservative: when a binding cannot be found for sure, callers should stay quiet.
"""

from __future__ import annotations

import bisect
import dataclasses
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from rustpro.syntax import ancestry, items
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
    tree = ancestry.current()
    # During a file pass the answer from each node upward is kept: uses nested thousands of
    # blocks deep each climbed through every block above them (quadratic), reading every
    # block's earlier statements again.
    known: dict[int, Binding | None] = (
        tree.memo(("find_binding", function.id, name)) if tree is not None else {}
    )
    climbed: list[tuple[Node, bool, bool]] = []  # (child, loop here, deferred here)
    child = use
    while True:
        if child.id in known:
            found = known[child.id]
            break
        outcome = _step_up(child, name, function, tree)
        if not isinstance(outcome, _Climb):
            found = outcome
            known[child.id] = found
            break
        climbed.append((child, outcome.loop, outcome.deferred))
        child = outcome.parent
    for below, loop, deferred in reversed(climbed):
        if found is not None and (loop or deferred):
            found = dataclasses.replace(
                found,
                loops_between=found.loops_between or loop,
                deferred_between=found.deferred_between or deferred,
            )
        known[below.id] = found
    return found


@dataclass(frozen=True, slots=True)
class _Climb:
    """No answer at `parent`: go on up from it, noting a loop or deferred code passed."""

    parent: Node
    loop: bool
    deferred: bool


def _step_up(
    child: Node, name: str, function: Node, tree: ancestry.Ancestry | None
) -> Binding | _Climb | None:
    """What the parent of `child` says about `name`: a binding, None (bound some other way,
    or not in `function`), or go on up."""
    parent = items.parent(child)
    if parent is None:
        return None
    if parent == function:
        for param in _parameters(function):
            pattern = param.child_by_field_name("pattern")
            if pattern is not None and pattern.type == "identifier" and items.text(pattern) == name:
                return Binding(param, True, param.child_by_field_name("type"), None, False, False)
        return None
    loop = deferred = False
    if parent.type in LOOP_KINDS and child != parent.child_by_field_name("value"):
        if _pattern_binds(parent.child_by_field_name("pattern"), name):
            return None
        loop = True
    elif parent.type in _DEFERRED_KINDS:
        deferred = True
        if parent.type == "closure_expression" and _pattern_binds(
            parent.child_by_field_name("parameters"), name
        ):
            return None
    if parent.type == "match_arm" and _pattern_binds(parent.child_by_field_name("pattern"), name):
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
        found = _let_before(parent, child, name, tree)
        if found is not None:
            return Binding(
                found,
                False,
                found.child_by_field_name("type"),
                found.child_by_field_name("value"),
                False,
                False,
            )
    return _Climb(parent, loop, deferred)


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


# Per name: where each `let` binding it starts, and the `let` (None when it destructures).
_Lets = dict[str, tuple[list[int], list[Node | None]]]


def _let_before(
    block: Node, child: Node, name: str, tree: ancestry.Ancestry | None = None
) -> Node | None:
    """The last `let name = ..` among the statements of `block` before `child`.

    `let (a, v) = ..` binds `v` too, but its type is unknown: only a plain `let v` is a
    binding we can reason about (a destructuring `let` hides earlier ones: None).
    """
    memo: dict[int, _Lets] = tree.memo("lets") if tree is not None else {}
    lets = memo.get(block.id)
    if lets is None:
        lets = memo[block.id] = _lets_of(block)
    starts, statements = lets.get(name, ((), ()))
    index = bisect.bisect_left(starts, child.start_byte) - 1
    return statements[index] if index >= 0 else None


def _lets_of(block: Node) -> _Lets:
    """Every name the `let`s of `block` bind: where each such `let` starts, and the `let`
    itself when it binds the name plainly (None when it destructures)."""
    lets: _Lets = {}
    for statement in block.named_children:
        if statement.type != "let_declaration":
            continue
        pattern = statement.child_by_field_name("pattern")
        if pattern is None:
            continue
        plain = pattern.type == "identifier"
        for bound in _bound_names(pattern):
            starts, found = lets.setdefault(bound, ([], []))
            starts.append(statement.start_byte)
            found.append(statement if plain else None)
    return lets


def _bound_names(pattern: Node) -> set[str]:
    """The identifiers anywhere in a pattern (what `_pattern_binds` looks for)."""
    names: set[str] = set()
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node.type == "identifier":
            names.add(items.text(node))
        else:
            stack.extend(node.named_children)
    return names


def _pattern_binds(pattern: Node | None, name: str) -> bool:
    if pattern is None:
        return False
    if pattern.type == "identifier":
        return items.text(pattern) == name
    return any(_pattern_binds(child, name) for child in pattern.named_children)


def _parameters(function: Node) -> list[Node]:
    params = function.child_by_field_name("parameters")
    return [c for c in params.named_children if c.type == "parameter"] if params else []
