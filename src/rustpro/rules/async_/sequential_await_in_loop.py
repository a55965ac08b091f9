"""sequential-await-in-loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import (
    async_body,
    method_name,
    method_receiver,
    path_segments,
    same_body,
)
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

_COLLECTORS = frozenset({"push", "push_back", "push_front", "insert", "extend", "append"})
# Awaited calls that are sequential by nature: streams, sinks, locks, timers, channels.
_ORDERED_CALLS = frozenset(
    {
        "send",
        "send_all",
        "feed",
        "write",
        "write_all",
        "write_buf",
        "flush",
        "recv",
        "next",
        "try_next",
        "read",
        "read_exact",
        "read_buf",
        "read_line",
        "lock",
        "acquire",
        "acquire_owned",
        "sleep",
        "sleep_until",
        "tick",
        "ready",
        "call",
        "execute",
        "commit",
    }
)
# Method calls on an awaited result that keep it the result (`.await?.unwrap()` and kin).
_RESULT_ADAPTERS = frozenset(
    {
        "unwrap",
        "expect",
        "ok",
        "map_err",
        "context",
        "with_context",
        "unwrap_or",
        "unwrap_or_default",
        "unwrap_or_else",
        "into",
    }
)
_BODY_QUERY = compile_query(
    """
    (await_expression) @await
    [(break_expression) (return_expression)] @exit
    [(assignment_expression) (compound_assignment_expr)] @assign
    (call_expression
      function: (field_expression field: (field_identifier) @method)
      arguments: (arguments) @args
      (#any-of? @method "push" "push_back" "push_front" "insert" "extend" "append")) @collect
    """
)
_IDENTIFIERS = compile_query("(identifier) @id")
_MUTABLE_BORROWS = compile_query("(reference_expression (mutable_specifier)) @borrow")


@dataclass(slots=True)
class _LoopBody:
    awaits: list[Node] = field(default_factory=list)
    collects: list[Node] = field(default_factory=list)
    exits_or_assigns: bool = False  # or awaits a side effect: iterations may be ordered


class SequentialAwaitInLoop(FileRule):
    """Flags a `for` loop that awaits independent calls one at a time and collects the results.

    ## What it does
    In async code, finds a `for` loop whose body awaits a call that uses the loop variable and
    pushes (or inserts) the awaited result into a collection, when no iteration can depend on
    the previous one: the body assigns no variable, has no `break` or `return`, and the
    awaited call does not read the collection being filled. Streams, sinks, locks, channels
    and timers (`send`, `write_all`, `recv`, `next`, `lock`, `sleep`, ...) are sequential by
    nature and are left alone, as are `while let Some(x) = rx.recv().await` consumers.

    ## Why is this bad?
    Each iteration waits for the previous request to finish, so N independent requests take
    N round trips instead of about one. This is the most common accidental slowdown in async
    Rust; the fix is usually a one-line change to concurrent execution.

    ## Example
    ```rust
    pub async fn load_all(ids: Vec<u64>) -> Vec<String> {
        let mut names = Vec::new();
        for id in ids {
            names.push(load(id).await);
        }
        names
    }

    async fn load(id: u64) -> String {
        id.to_string()
    }
    ```

    ## Use instead
    ```rust
    pub async fn load_all(ids: Vec<u64>) -> Vec<String> {
        futures::future::join_all(ids.into_iter().map(load)).await
    }

    async fn load(id: u64) -> String {
        id.to_string()
    }
    ```
    or `JoinSet`, `FuturesUnordered`, or `stream::iter(ids).map(load).buffer_unordered(8)` to
    cap the concurrency.

    ## References
    - futures docs, `join_all`, `FuturesUnordered`, `StreamExt::buffer_unordered`
    - tokio docs, `tokio::task::JoinSet`
    """

    name = "sequential-await-in-loop"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("for_expression"),
            """
            (for_expression pattern: (_) @pattern value: (_) @iterable body: (block) @body) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        loop = captures["match"][0]
        body_of_future = async_body(loop)
        if body_of_future is None:
            return
        loop_vars = _identifiers(captures["pattern"][0])
        body = _survey(captures["body"][0], body_of_future)
        if not loop_vars or body.exits_or_assigns or not body.collects:
            return
        for awaited in body.awaits:
            if _independent_collected(awaited, loop_vars, body.collects):
                line, _ = ctx.lines.position(awaited.start_byte)
                ctx.report(
                    self,
                    loop,
                    f"this loop awaits `{_callee(awaited)}` once per item, one after another"
                    f" (line {line}), and collects the results",
                    "run the calls concurrently with `join_all`, `JoinSet`, `FuturesUnordered`"
                    " or `buffer_unordered`",
                    end=captures["iterable"][0],
                    related=(ctx.location(awaited, "awaited here, one item at a time"),),
                )
                return


def _survey(block: Node, body_of_future: Node) -> _LoopBody:
    survey = _LoopBody()
    for _, captures in QueryCursor(_BODY_QUERY).matches(block):
        if "collect" in captures:
            node = captures["collect"][0]
            if same_body(node, body_of_future):
                survey.collects.append(node)
            continue
        if "await" in captures:
            node = captures["await"][0]
            if same_body(node, body_of_future):
                survey.awaits.append(node)
                # An awaited side effect (`x.apply().await?;`) may need the order kept.
                survey.exits_or_assigns |= _is_statement(_result_of(node))
            continue
        node = (captures.get("exit") or captures["assign"])[0]
        if same_body(node, body_of_future):
            survey.exits_or_assigns = True
    return survey


def _identifiers(node: Node) -> set[str]:
    return {items.text(c["id"][0]) for _, c in QueryCursor(_IDENTIFIERS).matches(node) if "id" in c}


def _awaited_call(awaited: Node) -> Node | None:
    inner = awaited.named_children[0] if awaited.named_child_count else None
    return inner if inner is not None and inner.type == "call_expression" else None


def _callee(awaited: Node) -> str:
    call = _awaited_call(awaited)
    if call is None:
        return "..."
    name = method_name(call)
    if name:
        return f".{name}(..)"
    segments = path_segments(call.child_by_field_name("function"))
    return f"{'::'.join(segments)}(..)" if segments else "..."


def _independent_collected(awaited: Node, loop_vars: set[str], collects: list[Node]) -> bool:
    call = _awaited_call(awaited)
    if call is None:
        return False
    name = method_name(call)
    if not name:
        segments = path_segments(call.child_by_field_name("function"))
        name = segments[-1] if segments else ""
    if name in _ORDERED_CALLS:
        return False
    used = _identifiers(call)
    if not used & loop_vars:
        return False  # not per-item work (a channel read, a timer, ...)
    if _lends_mutably(call):
        return False  # `&mut state` threads state from one iteration to the next
    collect = _collecting_call(awaited, collects)
    if collect is None:
        return False
    collection = method_receiver(collect)
    # An awaited call that reads the collection being filled depends on earlier iterations.
    return collection is None or not (_identifiers(collection) & used)


def _result_of(awaited: Node) -> Node:
    """The expression that carries the awaited value: through `?`, `.unwrap()`, parentheses."""
    node = awaited
    while node.parent is not None:
        parent = node.parent
        if parent.type in ("try_expression", "parenthesized_expression"):
            node = parent
            continue
        if parent.type == "field_expression" and parent.child_by_field_name("value") == node:
            call = parent.parent
            if call is not None and method_name(call) in _RESULT_ADAPTERS:
                node = call
                continue
        break
    return node


def _collecting_call(awaited: Node, collects: list[Node]) -> Node | None:
    """The `push`/`insert` call that receives the awaited value, directly or through a `let`."""
    result = _result_of(awaited)
    parent = result.parent
    if parent is not None and parent.type == "let_declaration":
        pattern = parent.child_by_field_name("pattern")
        if pattern is None or parent.child_by_field_name("value") != result:
            return None
        bound = _identifiers(pattern)
        for collect in collects:
            arguments = collect.child_by_field_name("arguments")
            if (
                collect.start_byte > parent.end_byte
                and arguments is not None
                and bound & _identifiers(arguments)
            ):
                return collect
        return None
    for collect in collects:
        arguments = collect.child_by_field_name("arguments")
        if arguments is not None and _within(result, arguments):
            return collect
    return None


def _within(node: Node, container: Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def _lends_mutably(call: Node) -> bool:
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return False
    return any(True for _ in QueryCursor(_MUTABLE_BORROWS).matches(arguments))


def _is_statement(expression: Node) -> bool:
    parent = expression.parent
    return parent is not None and parent.type == "expression_statement"
