"""sequential-await-in-loop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FactGate, FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.bindings import find_binding
from rustpro.rules.concurrency import (
    async_body,
    enclosing_impl_type,
    method_name,
    method_receiver,
    path_segments,
    same_body,
)
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# Fact: a crate-local `async fn` whose body awaits nothing (value: `name` and `Type::name`).
# Awaiting it in a loop costs no round trip, so running the calls concurrently gains nothing.
AWAITLESS_FN_FACT = "async.awaitless-fn"

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
# Verbs that say a callee changes state. The order of such calls is part of what they do (a
# `delete` that appends a record at `last index + 1`, an `update` that must land after the
# `insert`), so running them concurrently may corrupt data rather than speed it up. Rust names
# start with their verb (`delete_entry`, `insert_user`); the words that are also common nouns
# (`post`, `record`, `store`, `set`) count only there, the others anywhere (`get_or_insert`).
_WRITE_VERBS = frozenset(
    {
        "add",
        "mark",
        "notify",
        "post",
        "put",
        "record",
        "register",
        "reset",
        "set",
        "store",
        "subscribe",
        "watch",
    }
)
_WRITE_WORDS = frozenset(
    {
        "append",
        "apply",
        "create",
        "decrement",
        "delete",
        "emit",
        "increment",
        "insert",
        "modify",
        "patch",
        "publish",
        "push",
        "remove",
        "rename",
        "replace",
        "save",
        "send",
        "submit",
        "truncate",
        "update",
        "upload",
        "upsert",
        "write",
    }
)
# Words of a name (variable or type) for one database connection or transaction: it runs one
# statement at a time, so calls that all go through it cannot overlap whatever the loop does.
_CONNECTION_WORDS = frozenset({"conn", "connection", "transaction", "txn"})
_CONNECTION_TYPE_SUFFIXES = ("Conn", "Connection", "Transaction")
# Macros that expand to plain synchronous code: an async fn body holding only these (and no
# `.await`) awaits nothing. Any other macro may hide an `.await` in its expansion.
_SYNC_MACROS = frozenset(
    {
        "anyhow",
        "assert",
        "assert_eq",
        "assert_ne",
        "bail",
        "concat",
        "dbg",
        "debug",
        "debug_assert",
        "debug_assert_eq",
        "debug_assert_ne",
        "ensure",
        "eprint",
        "eprintln",
        "error",
        "eyre",
        "format",
        "format_args",
        "info",
        "json",
        "matches",
        "panic",
        "print",
        "println",
        "stringify",
        "todo",
        "trace",
        "unimplemented",
        "unreachable",
        "vec",
        "warn",
        "write",
        "writeln",
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
_BODY_QUERY = """
    (await_expression) @await
    [(break_expression) (return_expression)] @exit
    [(assignment_expression) (compound_assignment_expr)] @assign
    (call_expression
      function: (field_expression field: (field_identifier) @method)
      arguments: (arguments) @args
      (#any-of? @method "push" "push_back" "push_front" "insert" "extend" "append")) @collect
    """
_IDENTIFIERS = "(identifier) @id"
_MUTABLE_BORROWS = "(reference_expression (mutable_specifier)) @borrow"
_AWAITS_OR_MACROS = "[(await_expression) (macro_invocation)] @node"


@dataclass(slots=True)
class _LoopBody:
    """What a loop's body does that decides whether its awaits could run together."""

    awaits: list[Node] = field(default_factory=list)
    collects: list[Node] = field(default_factory=list)
    exits_or_assigns: bool = False  # or awaits a side effect: iterations may be ordered


@dataclass(frozen=True, slots=True)
class _Callee:
    """The awaited call: its name, how the message shows it, and its crate-local fact key."""

    name: str  # `get` for `client.get(..)`, `load` for `repo::load(..)`
    shown: str  # `.get(..)`, `repo::load(..)`
    fact_key: str  # `get`, or `Repo::load` for a call through a type path


class SequentialAwaitInLoop(FileRule):
    """Flags a `for` loop that awaits independent reads one at a time and collects the results.

    ## What it does
    In async code, finds a `for` loop whose body awaits a call that uses the loop variable and
    pushes (or inserts) the awaited result into a collection, when no iteration can depend on
    the previous one: the body assigns no variable, has no `break` or `return`, and the
    awaited call does not read the collection being filled.

    It stays quiet when the calls could not, or should not, overlap:
    - the call changes state: a callee name with a word such as `delete`, `insert`, `push`,
      `save`, `update`, `write`, `send`, `watch` (the order of writes is part of their
      meaning; running them concurrently can corrupt data);
    - the call borrows state mutably (`&mut x`, or a variable that is a `&mut` reference,
      such as a `pool: &mut DbPool` parameter), so the borrow checker serialises the calls;
    - every call goes through one database connection or transaction (a variable or
      parameter type named `conn`, `connection`, `*Connection`, `*Transaction`), which runs
      one statement at a time;
    - the callee is a crate-local `async fn` that awaits nothing: there is no round trip to
      overlap;
    - the callee is a method of the item itself (`item.to_json(..)`): that converts or
      renders each item, and any I/O it does goes through something hidden behind the item,
      not a client the loop could share;
    - streams, sinks, locks, channels and timers (`send`, `write_all`, `recv`, `next`,
      `lock`, `sleep`, ...), and `while let Some(x) = rx.recv().await` consumers.

    ## Why is this bad?
    Each iteration waits for the previous request to finish, so N independent requests take
    N round trips instead of about one. This is the most common accidental slowdown in async
    Rust; the fix is usually a one-line change to concurrent execution, or one batched request
    when the API offers it.

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
        let profile = fetch_profile(id).await;
        profile.to_uppercase()
    }

    async fn fetch_profile(id: u64) -> String {
        id.to_string()
    }
    ```

    ## Use instead
    ```rust
    pub async fn load_all(ids: Vec<u64>) -> Vec<String> {
        futures::future::join_all(ids.into_iter().map(load)).await
    }

    async fn load(id: u64) -> String {
        let profile = fetch_profile(id).await;
        profile.to_uppercase()
    }

    async fn fetch_profile(id: u64) -> String {
        id.to_string()
    }
    ```
    or `JoinSet`, `FuturesUnordered`, or `stream::iter(ids).map(load).buffer_unordered(8)` to
    cap the concurrency. When each call is a query, one batched query (`WHERE id IN (..)`)
    beats both.

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
        # Every async fn, to record the crate-local ones that await nothing.
        Pattern(nodes("function_item"), needs=(b"async",), needs_before_body=True),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if "pattern" not in captures:
            _record_if_awaitless(captures["match"][0], ctx)
            return
        loop = captures["match"][0]
        body_of_future = async_body(loop)
        if body_of_future is None:
            return
        loop_vars = _identifiers(captures["pattern"][0])
        body = _survey(captures["body"][0], body_of_future)
        if not loop_vars or body.exits_or_assigns or not body.collects:
            return
        for awaited in body.awaits:
            callee = _independent_collected(awaited, loop_vars, body.collects)
            if callee is None:
                continue
            line, _ = ctx.lines.position(awaited.start_byte)
            ctx.report(
                self,
                loop,
                f"this loop awaits `{callee.shown}` once per item, one after another"
                f" (line {line}), and collects the results",
                "if the calls are independent, run them concurrently with `join_all`,"
                " `JoinSet`, `FuturesUnordered` or `buffer_unordered`, or fetch all items"
                " in one batched request",
                end=captures["iterable"][0],
                related=(ctx.location(awaited, "awaited here, one item at a time"),),
                gate=FactGate(AWAITLESS_FN_FACT, callee.fact_key, absent=True),
            )
            return


# ----- crate-local async fns that await nothing ---------------------------------------------
def _record_if_awaitless(function: Node, ctx: FileContext) -> None:
    body = function.child_by_field_name("body")
    name = function.child_by_field_name("name")
    if body is None or name is None or not items.is_async_fn(function):
        return
    if not _awaits_nothing(body, ctx):
        return
    fn_name = ctx.text(name)
    ctx.add_fact(AWAITLESS_FN_FACT, fn_name)
    owner = enclosing_impl_type(function)
    if owner:
        ctx.add_fact(AWAITLESS_FN_FACT, f"{owner}::{fn_name}")


def _awaits_nothing(body: Node, ctx: FileContext) -> bool:
    """No `.await` in the body, nor a macro that might expand to one."""
    if ctx.source.find(b"await", body.start_byte, body.end_byte) >= 0:
        return False  # an await (or the word in a comment: then we err towards reporting)
    for _, captures in QueryCursor(compile_query(_AWAITS_OR_MACROS)).matches(body):
        node = captures["node"][0]
        if node.type == "await_expression":
            return False
        if items.macro_name(node).rsplit("::", 1)[-1] not in _SYNC_MACROS:
            return False
    return True


# ----- the loop body ------------------------------------------------------------------------
def _survey(block: Node, body_of_future: Node) -> _LoopBody:
    survey = _LoopBody()
    for _, captures in QueryCursor(compile_query(_BODY_QUERY)).matches(block):
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
    return {
        items.text(c["id"][0])
        for _, c in QueryCursor(compile_query(_IDENTIFIERS)).matches(node)
        if "id" in c
    }


def _awaited_call(awaited: Node) -> Node | None:
    inner = awaited.named_children[0] if awaited.named_child_count else None
    return inner if inner is not None and inner.type == "call_expression" else None


def _callee(call: Node) -> _Callee | None:
    name = method_name(call)
    if name:
        return _Callee(name, f".{name}(..)", name)
    segments = path_segments(call.child_by_field_name("function"))
    if not segments:
        return None
    name = segments[-1]
    owner = segments[-2] if len(segments) >= 2 else ""
    if owner == "Self":
        owner = enclosing_impl_type(call)
    # `Repo::load` names an associated fn of a type; `repo::load` a free fn of a module.
    fact_key = f"{owner}::{name}" if owner[:1].isupper() else name
    return _Callee(name, f"{'::'.join(segments)}(..)", fact_key)


def _independent_collected(
    awaited: Node, loop_vars: set[str], collects: list[Node]
) -> _Callee | None:
    """The callee, when the awaited call is per-item work that could run concurrently."""
    call = _awaited_call(awaited)
    if call is None:
        return None
    callee = _callee(call)
    if callee is None or callee.name in _ORDERED_CALLS or _changes_state(callee.name):
        return None
    used = _identifiers(call)
    if not used & loop_vars:
        return None  # not per-item work (a channel read, a timer, ...)
    if _is_method_of_item(call, loop_vars):
        return None
    if _lends_mutably(call) or _through_one_connection(call):
        return None
    collect = _collecting_call(awaited, collects)
    if collect is None:
        return None
    collection = method_receiver(collect)
    # An awaited call that reads the collection being filled depends on earlier iterations.
    if collection is not None and _identifiers(collection) & used:
        return None
    return callee


def _is_method_of_item(call: Node, loop_vars: set[str]) -> bool:
    """`item.to_json(..)`, `item.field.render(..)`: a method of the loop's own item.

    That converts or renders each item; whatever I/O it may do is hidden behind the item
    (a global, a shared connection), not a client or pool the loop could use concurrently.
    """
    receiver = method_receiver(call)
    while receiver is not None and receiver.type == "field_expression":
        receiver = receiver.child_by_field_name("value")
    if receiver is not None:
        receiver = _strip_references(receiver)
    return (
        receiver is not None
        and receiver.type == "identifier"
        and (items.text(receiver) in loop_vars)
    )


def _changes_state(name: str) -> bool:
    words = name.lower().split("_")
    return words[0] in _WRITE_VERBS or any(word in _WRITE_WORDS for word in words)


def _result_of(awaited: Node) -> Node:
    """The expression that carries the awaited value: through `?`, `.unwrap()`, parentheses."""
    node = awaited
    while (parent := items.parent(node)) is not None:
        if parent.type in ("try_expression", "parenthesized_expression"):
            node = parent
            continue
        if parent.type == "field_expression" and parent.child_by_field_name("value") == node:
            call = items.parent(parent)
            if call is not None and method_name(call) in _RESULT_ADAPTERS:
                node = call
                continue
        break
    return node


def _collecting_call(awaited: Node, collects: list[Node]) -> Node | None:
    """The `push`/`insert` call that receives the awaited value, directly or through a `let`."""
    result = _result_of(awaited)
    parent = items.parent(result)
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


# ----- what the call goes through -------------------------------------------------------------
def _passed_values(call: Node) -> list[Node]:
    """The receiver of a method call and every argument, without `&`, `*` and parentheses."""
    values: list[Node] = []
    receiver = method_receiver(call)
    if receiver is not None:
        values.append(receiver)
    arguments = call.child_by_field_name("arguments")
    if arguments is not None:
        values.extend(arguments.named_children)
    return [_strip_references(value) for value in values]


def _strip_references(node: Node) -> Node:
    while node.type in ("reference_expression", "unary_expression", "parenthesized_expression"):
        inner = node.named_children[-1] if node.named_children else None
        if inner is None:
            break
        node = inner
    return node


def _lends_mutably(call: Node) -> bool:
    """`&mut state` in the call, or a variable that is itself a `&mut` reference."""
    arguments = call.child_by_field_name("arguments")
    if arguments is not None and any(
        QueryCursor(compile_query(_MUTABLE_BORROWS)).matches(arguments)
    ):
        return True
    function = items.enclosing(call, ("function_item",))
    if function is None:
        return False
    for value in _passed_values(call):
        if value.type != "identifier":
            continue
        binding = find_binding(value, items.text(value), function)
        if binding is None:
            continue
        if binding.type is not None and _is_mut_reference(binding.type):
            return True
        if binding.value is not None and _is_mut_reference(binding.value):
            return True
    return False


def _is_mut_reference(node: Node) -> bool:
    # `&mut T` as a type (reference_type) or an expression (reference_expression).
    if node.type not in ("reference_type", "reference_expression"):
        return False
    return any(child.type == "mutable_specifier" for child in node.children)


def _through_one_connection(call: Node) -> bool:
    """The call goes through one database connection or transaction, shared by every item."""
    function = items.enclosing(call, ("function_item",))
    for value in _passed_values(call):
        if value.type == "field_expression":
            value = value.child_by_field_name("field") or value
        if value.type not in ("identifier", "field_identifier"):
            continue
        name = items.text(value)
        words = name.lower().split("_")
        if "pool" in words:
            continue  # `connection_pool` hands out a connection per call
        if any(word in _CONNECTION_WORDS for word in words):
            return True
        if value.type != "identifier" or function is None:
            continue
        binding = find_binding(value, name, function)
        declared = items.type_name(binding.type) if binding is not None else ""
        if declared.endswith(_CONNECTION_TYPE_SUFFIXES):
            return True
    return False


def _is_statement(expression: Node) -> bool:
    parent = items.parent(expression)
    return parent is not None and parent.type == "expression_statement"
