"""vec-push-without-capacity."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.bindings import find_binding
from rustpro.rules.patterns import Pattern, text_matches
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# Iterator adapters that keep the length of what they wrap known up front.
_SIZE_PRESERVING = frozenset(
    {
        "iter",
        "iter_mut",
        "into_iter",
        "enumerate",
        "rev",
        "map",
        "cloned",
        "copied",
        "keys",
        "values",
        "values_mut",
        "into_keys",
        "into_values",
        "chunks",
        "chunks_exact",
        "windows",
    }
)
# Collections whose length is known before iterating.
_SIZED_TYPES = frozenset(
    {"Vec", "VecDeque", "HashMap", "HashSet", "BTreeMap", "BTreeSet", "BinaryHeap", "IndexMap"}
)
# What can leave a loop body early or skip the push: any of these makes the count unknown.
# An `.await` makes each iteration wait on I/O, next to which a few reallocations are noise.
_BODY_QUERY = """
(identifier) @name
(continue_expression) @exit
(break_expression) @exit
(return_expression) @exit
(try_expression) @exit
(await_expression) @awaits
"""
# Methods that add elements: called after the loop, the vector ends longer than the loop.
_GROWING_METHODS = frozenset(
    {
        "push",
        "extend",
        "extend_from_slice",
        "extend_from_within",
        "append",
        "insert",
        "resize",
        "resize_with",
        "splice",
    }
)
# The first push allocates room for 4 elements of up to 1 KiB (std's minimum non-zero
# capacity): a loop of that few items never reallocates, so there is nothing to save.
_NO_REALLOCATION_LENGTH = 4
_DECIMAL_LITERAL = re.compile(r"([0-9][0-9_]*)(?:[iu](?:8|16|32|64|128|size))?")
_IDENTIFIER_QUERY = "(identifier) @name"


class VecPushWithoutCapacity(FileRule):
    """Flags `Vec::new()` filled by a loop of known length, one push per iteration.

    ## What it does
    Finds `let mut v = Vec::new();` (or `vec![]`) directly followed by a `for` loop over
    something whose length is known up front (a collection, `.iter()`/`.map(..)` of one, a
    range `a..b`) whose body pushes exactly one element onto `v` as a plain statement, with no
    `continue`, `break`, `return` or `?` and no other mention of `v`. Conditional pushes,
    `while`/`loop` loops and iterators such as `.filter(..)`, `.lines()` or `.chars()` are left
    alone, because their element count is not known in advance. So is a vector that keeps
    growing after the loop (a later `push`/`extend`/`append`/`insert`, a push in a second loop,
    or a `&mut v` handed on): the loop's length is not the vector's. Loops over at most four
    literal items (`[a, b]`, `0..4`) are skipped, since the first push already allocates room
    for them, and so are loops that `.await` in every iteration, whose I/O dwarfs a few
    reallocations.

    ## Why is this bad?
    A vector that grows one push at a time reallocates and copies its contents about
    log2(n) times. When the final length is known before the loop, `Vec::with_capacity(n)`
    allocates once, and `iter().map(..).collect()` does the same while saying what is built.

    ## Example
    ```rust
    pub fn squares(values: &[u64]) -> Vec<u64> {
        let mut out = Vec::new();
        for v in values.iter() {
            out.push(v * v);
        }
        out
    }
    ```

    ## Use instead
    ```rust
    pub fn squares(values: &[u64]) -> Vec<u64> {
        values.iter().map(|v| v * v).collect()
    }
    ```

    ## References
    - The Rust Performance Book, "Heap Allocations: Vec growth"
    - std docs: `Vec::with_capacity`
    """

    name = "vec-push-without-capacity"
    # `let mut` declarations, found by their bytes: a gate on every `let` would cost more.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            text_matches(rb"let\s+mut\s", "let_declaration"),
            """
            (let_declaration
              (mutable_specifier)
              pattern: (identifier) @var
              value: (call_expression
                function: (scoped_identifier path: (identifier) @type name: (identifier) @ctor)
                arguments: (arguments) @args)
              (#eq? @type "Vec") (#eq? @ctor "new")) @match
            (let_declaration
              (mutable_specifier)
              pattern: (identifier) @var
              value: (macro_invocation macro: (identifier) @macro (token_tree) @args)
              (#eq? @macro "vec")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        declaration = captures["match"][0]
        if captures["args"][0].named_child_count:
            return  # `vec![x; n]` / `vec![a, b]` already holds elements
        name = items.text(captures["var"][0])
        loop = _next_loop(declaration)
        if loop is None:
            return
        iterable = loop.child_by_field_name("value")
        body = loop.child_by_field_name("body")
        if iterable is None or body is None or not _sized(iterable, loop):
            return
        if _at_most_a_few(iterable):
            return
        if not _pushes_once_per_iteration(body, name) or _grows_after(loop, name):
            return
        ctx.report(
            self,
            declaration,
            f"`{name}` grows by one push per iteration of a loop whose length is known",
            "allocate once with `Vec::with_capacity(..)`, or build it with `.map(..).collect()`",
        )


def _next_loop(declaration: Node) -> Node | None:
    """The `for` loop that is the statement right after `declaration`, if it is one."""
    statement = declaration.next_named_sibling
    while statement is not None and statement.type in ("line_comment", "block_comment"):
        statement = statement.next_named_sibling
    if statement is not None and statement.type == "expression_statement":
        statement = statement.named_children[0] if statement.named_children else None
    return statement if statement is not None and statement.type == "for_expression" else None


def _grows_after(loop: Node, name: str) -> bool:
    """True when code after the loop may add to `name`: then the loop does not size it.

    A growing method called on it (`v.push(..)`, `v.extend(..)`, also in a later loop or
    branch) or a `&mut v` handed to other code counts.
    """
    statement = loop
    if loop.parent is not None and loop.parent.type == "expression_statement":
        statement = loop.parent
    cursor = QueryCursor(compile_query(_IDENTIFIER_QUERY))
    later = statement.next_named_sibling
    while later is not None:
        for identifier in cursor.captures(later).get("name", []):
            if items.text(identifier) == name and _may_grow(identifier):
                return True
        later = later.next_named_sibling
    return False


def _may_grow(identifier: Node) -> bool:
    """True when this use of a vector may add elements to it."""
    parent = identifier.parent
    if parent is None:
        return False
    if parent.type == "reference_expression":
        return any(c.type == "mutable_specifier" for c in parent.children)
    if parent.type != "field_expression" or parent.child_by_field_name("value") != identifier:
        return False
    call = parent.parent
    return (
        call is not None
        and call.type == "call_expression"
        and items.text(parent.child_by_field_name("field")) in _GROWING_METHODS
    )


def _at_most_a_few(iterable: Node) -> bool:
    """True for `[a, b]`, `[x; 3]` or `0..4`: too few items for the vector to reallocate."""
    node = _iterated_base(iterable)
    if node is None:
        return False
    if node.type == "array_expression":
        length = node.child_by_field_name("length")
        if length is None:
            return node.named_child_count <= _NO_REALLOCATION_LENGTH
        repeats = _integer(length)
        return repeats is not None and repeats <= _NO_REALLOCATION_LENGTH
    if node.type == "range_expression" and len(node.named_children) == 2:
        low, high = (_integer(n) for n in node.named_children)
        if low is None or high is None:
            return False
        inclusive = any(c.type == "..=" for c in node.children)
        return high - low + (1 if inclusive else 0) <= _NO_REALLOCATION_LENGTH
    return False


def _iterated_base(iterable: Node) -> Node | None:
    """What `iterable` iterates over once references and `.iter().map(..)` are peeled off."""
    node: Node | None = iterable
    while node is not None:
        if node.type in ("reference_expression", "parenthesized_expression"):
            node = node.child_by_field_name("value") or (
                node.named_children[0] if node.named_children else None
            )
        elif node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or function.type != "field_expression":
                return None
            node = function.child_by_field_name("value")
        else:
            return node
    return None


def _integer(node: Node) -> int | None:
    """The value of a decimal integer literal (`3`, `3usize`, `1_000`), else None."""
    if node.type != "integer_literal":
        return None
    decimal = _DECIMAL_LITERAL.fullmatch(items.text(node))
    return int(decimal.group(1).replace("_", "")) if decimal else None


def _sized(iterable: Node, loop: Node) -> bool:
    """True when iterating `iterable` yields a number of items known before the loop."""
    node: Node | None = iterable
    while node is not None:
        kind = node.type
        if kind in ("reference_expression", "parenthesized_expression"):
            node = node.child_by_field_name("value") or (
                node.named_children[0] if node.named_children else None
            )
        elif kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or function.type != "field_expression":
                return False
            if items.text(function.child_by_field_name("field")) not in _SIZE_PRESERVING:
                return False
            node = function.child_by_field_name("value")
        elif kind == "range_expression":
            return len(node.named_children) == 2  # `a..b`, not `a..`
        elif kind in ("array_expression", "field_expression"):
            return True
        elif kind == "identifier":
            return _sized_variable(node, loop)
        else:
            return False
    return False


def _sized_variable(variable: Node, loop: Node) -> bool:
    """True when `variable` is bound to a known-length collection in this function."""
    function = items.enclosing(loop, ("function_item", "closure_expression"))
    if function is None or function.type != "function_item":
        return False
    binding = find_binding(variable, items.text(variable), function)
    if binding is None:
        return False
    if binding.type is not None:
        declared = binding.type
        if declared.type == "reference_type":
            declared = declared.child_by_field_name("type") or declared
        return declared.type in ("array_type", "slice_type") or (
            items.type_name(declared) in _SIZED_TYPES
        )
    value = binding.value
    if value is None:
        return False
    if value.type == "macro_invocation":
        return items.macro_name(value) == "vec"
    return value.type == "array_expression" or (value.type != "identifier" and _sized(value, loop))


def _pushes_once_per_iteration(body: Node, name: str) -> bool:
    """True when `body` pushes onto `name` exactly once, unconditionally, and nothing else."""
    direct = [_pushed_onto(statement) for statement in body.named_children]
    if direct.count(name) != 1:
        return False
    captures = QueryCursor(compile_query(_BODY_QUERY)).captures(body)
    if captures.get("exit") or captures.get("awaits"):
        return False
    mentions = [n for n in captures.get("name", []) if items.text(n) == name]
    return len(mentions) == 1  # only the receiver of that one push


def _pushed_onto(statement: Node) -> str | None:
    """For a statement `v.push(x);`, the name `v`."""
    if statement.type != "expression_statement" or not statement.named_children:
        return None
    call = statement.named_children[0]
    if call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or function.type != "field_expression" or arguments is None:
        return None
    receiver = function.child_by_field_name("value")
    method = items.text(function.child_by_field_name("field"))
    if method != "push" or receiver is None or receiver.type != "identifier":
        return None
    if arguments.named_child_count != 1:
        return None
    return items.text(receiver)
