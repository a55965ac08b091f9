"""detached-spawn."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.bindings import find_binding, used_after
from rustpro.rules.concurrency import (
    enclosing_impl_type,
    method_name,
    method_receiver,
    path_segments,
    resolved_callee,
)
from rustpro.rules.patterns import Pattern, function_calls
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# Spawn functions whose JoinHandle detaches the task when dropped.
_SPAWNS = frozenset(
    {
        ("tokio", "spawn"),
        ("tokio", "task", "spawn"),
        ("tokio", "task", "spawn_local"),
        ("async_std", "task", "spawn"),
        ("async_std", "task", "spawn_local"),
    }
)


# A channel end, by the names Rust code gives them: `tx`, `rx`, `done_tx`, `reply_sender`.
_CHANNEL_END_WORDS = frozenset({"tx", "rx", "sender", "receiver"})
_CHANNEL_END_TYPES = re.compile(r"(Sender|Receiver)$")
# Comment words that say the task is detached on purpose.
_DELIBERATE = re.compile(
    # `detach(ed)` as a word, not the rule's own name (`detached-spawn` in a suppression).
    r"best[- ]effort|fire[- ]and[- ]forget|\bdetach(?:ed|ing|es)?\b(?!-)"
    r"|(?:no need|(?:do not|don't) need) to (?:wait|await|join)",
    re.IGNORECASE,
)
_IDENTIFIERS = "(identifier) @id"
_METHOD_RECEIVERS = "(call_expression function: (field_expression value: (identifier) @receiver))"
_CALLS = "(call_expression) @call"
_TYPE_NAMES = "(type_identifier) @name"
# Patterns that bind names inside the spawned future (its own locals, not captures).
_BINDING_PATTERNS = """
    (let_declaration pattern: (_) @bound)
    (let_condition pattern: (_) @bound)
    (for_expression pattern: (_) @bound)
    (match_arm pattern: (_) @bound)
    (closure_parameters) @bound
    """
_PAIR_LETS = "(let_declaration pattern: (tuple_pattern) @pair value: (_) @value) @let"
# A method call written inside macro arguments, where it is tokens, not a call expression:
# `tokio::select! { s = listener.accept() => .. }`, `pin!(server.acceptor.accept())`.
_MACRO_METHOD_CALLS = '(token_tree "." . (identifier) @name . (token_tree)) @tokens'
# Calls that wait for the next item a server loop hands out (a message, a request).
_RECEIVES = frozenset({"recv", "recv_async", "next", "try_next", "read_message", "read_frame"})
# Name words of a function that serves one connection: `serve_connection`, `handle_conn`.
_CONNECTION_WORDS = frozenset({"connection", "conn"})


class DetachedSpawn(FileRule):
    """Flags a spawned task whose `JoinHandle` is thrown away and whose end nobody observes.

    ## What it does
    Finds `tokio::spawn(..)`, `tokio::task::spawn(..)` / `spawn_local(..)` (also written
    `task::spawn` or `spawn` after a `use` of the tokio path) used as a statement or bound to
    `let _ =`. A handle that is stored, returned, pushed into a collection, handed to a
    `JoinSet`/`TaskTracker` or awaited is fine.

    A task whose outcome is observed some other way is not detached, and is left alone:
    - it holds one end of a channel (`tx`, `done_rx`, a `Sender`/`Receiver`): it feeds a
      stream the caller returns, reports on a `oneshot` someone awaits, or drains a queue
      whose senders see it stop;
    - it drives one half of a pair whose other half the code keeps
      (`let (client, connection) = connect(..).await?; spawn(connection)`, hyper's
      `handshake`, `let (tx, rx) = channel(..)`);
    - it is a server whose handle was taken first (`let handle = server.handle();
      spawn(server); handle`);
    - it stops itself when its owner goes away (`weak.upgrade()`);
    - it waits for an OS signal (`ctrl_c()`, `signal(..)`, `shutdown_signal()`): a signal
      handler runs until the process ends;
    - it serves one connection of a server loop: the loop accepts it (`listener.accept()`,
      also inside `select!` or `pin!(..)`), or receives the message that announces it and
      the task serves it (`handle_connection(id)`, `serve_connection(io, svc)`);
    - a comment right above says it is detached on purpose ("best-effort",
      "fire-and-forget", "detached").

    ## Why is this bad?
    A dropped `JoinHandle` detaches the task: its panic or error is never seen, nothing waits
    for it at shutdown (so its work is cut off mid-way when the runtime stops), and nothing
    can cancel it. Fire-and-forget tasks are where "it sometimes loses data" bugs live.

    ## Example
    ```rust
    pub async fn notify(user: u64) {
        tokio::spawn(async move { send_email(user).await });
    }

    async fn send_email(_user: u64) {}
    ```

    ## Use instead
    ```rust
    pub async fn notify(tasks: &mut tokio::task::JoinSet<()>, user: u64) {
        tasks.spawn(async move { send_email(user).await });
    }

    async fn send_email(_user: u64) {}
    ```
    or keep the `JoinHandle` and await it (or abort it) when the work must finish.

    ## References
    - tokio docs, `tokio::task::JoinHandle` ("dropping a handle detaches the task")
    - tokio docs, `tokio::task::JoinSet`; tokio-util `TaskTracker`
    """

    name = "detached-spawn"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # A spawn whose handle is dropped at once: a statement of its own, or `let _ = ..`
        # (checked in `check`: the call's parent).
        Pattern(
            function_calls("spawn", "spawn_local"),
            """
            (call_expression
              function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
              (#any-of? @name "spawn" "spawn_local")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        if not _handle_dropped(call):
            return
        path = resolved_callee(call, ctx)
        if path is None or path not in _SPAWNS or _forwards_to_runtime(call):
            return
        if _observed_otherwise(call, ctx):
            return
        ctx.report(
            self,
            call.child_by_field_name("function") or call,
            f"the `JoinHandle` of `{'::'.join(path)}` is dropped at once: the task is detached",
            "keep the handle (await or abort it), or spawn into a `JoinSet` / `TaskTracker`",
        )


def _observed_otherwise(spawn: Node, ctx: FileContext) -> bool:
    """True when the spawned task's end is seen through something other than its handle."""
    arguments = spawn.child_by_field_name("arguments")
    future = arguments.named_children[0] if arguments and arguments.named_children else None
    function = items.enclosing(spawn, ("function_item",))
    if future is None or function is None:
        return False
    calls = [c["call"][0] for _, c in QueryCursor(compile_query(_CALLS)).matches(future)]
    if _stops_with_owner(calls) or _waits_for_signal(calls):
        return True
    if _documented_as_detached(spawn, ctx) or _serves_accepted_connection(spawn):
        return True
    captured = _captured_names(future)
    return (
        _holds_channel_end(future, captured, function, ctx)
        or _other_half_kept(spawn, future, captured, function)
        or _handle_taken_first(spawn, future, function)
    )


def _stops_with_owner(calls: list[Node]) -> bool:
    # `while let Some(state) = weak.upgrade() { .. }`: the task ends with its owner.
    return any(method_name(call) == "upgrade" for call in calls)


def _waits_for_signal(calls: list[Node]) -> bool:
    for call in calls:
        segments = path_segments(call.child_by_field_name("function"))
        if segments is None:
            continue
        if segments[-1] == "ctrl_c" or "signal" in segments[-1].split("_"):
            return True
        if "signal" in segments[:-1]:  # `tokio::signal::unix::signal(..)`, `signal::ctrl_c`
            return True
    return False


def _documented_as_detached(spawn: Node, ctx: FileContext) -> bool:
    """A comment above the spawn statement (or the `let`s that prepare it) says so."""
    statement = items.parent(spawn)
    if statement is None:
        return False
    comments: list[str] = []
    node = statement.prev_named_sibling
    while node is not None and node.type in ("line_comment", "block_comment", "let_declaration"):
        if node.type != "let_declaration":
            comments.append(ctx.text(node))
        node = node.prev_named_sibling
    return any(_DELIBERATE.search(comment) for comment in comments)


def _serves_accepted_connection(spawn: Node) -> bool:
    """One task per connection of a server loop: `loop { let (io, _) =
    listener.accept().await?; spawn(handle(io)); }`, the accept also written in a macro
    (`select! { s = listener.accept() => .. }`), or a loop that receives the message
    announcing a connection and spawns the task that serves it
    (`Some(Message::Connection(id)) => spawn(this.handle_connection(id))`)."""
    for parent in items.ancestors(spawn):
        if parent.type in ("function_item", "closure_expression", "async_block"):
            return False
        if parent.type in ("loop_expression", "while_expression", "for_expression"):
            called = _called_before(parent, spawn)
            if "accept" in called:
                return True
            if called & _RECEIVES and _serves_connection(spawn):
                return True
    return False


def _called_before(loop: Node, spawn: Node) -> set[str]:
    """The method names called in `loop` before `spawn`, in code or in macro arguments."""
    names: set[str] = set()
    cursor = QueryCursor(compile_query(_CALLS))
    cursor.set_byte_range(loop.start_byte, spawn.start_byte)
    for _, captures in cursor.matches(loop):
        call = captures["call"][0]
        if call.start_byte < spawn.start_byte:
            names.add(method_name(call))
    tokens = QueryCursor(compile_query(_MACRO_METHOD_CALLS))
    tokens.set_byte_range(loop.start_byte, spawn.start_byte)
    for _, captures in tokens.matches(loop):
        name = captures["name"][0]
        if name.start_byte < spawn.start_byte:
            names.add(items.text(name))
    return names


def _serves_connection(spawn: Node) -> bool:
    """The spawned future calls a function or method named for serving a connection."""
    arguments = spawn.child_by_field_name("arguments")
    if arguments is None:
        return False
    for _, captures in QueryCursor(compile_query(_CALLS)).matches(arguments):
        call = captures["call"][0]
        segments = path_segments(call.child_by_field_name("function"))
        name = segments[-1] if segments else method_name(call)
        if _CONNECTION_WORDS & set(name.lower().split("_")):
            return True
    return False


def _captured_names(future: Node) -> dict[str, Node]:
    """Names the future uses but does not bind itself, each with its first use.

    Identifiers inside macro arguments (`pin!(..)`, `select! {..}`) count too: the
    future captures them all the same.
    """
    used: dict[str, Node] = {}
    for _, captures in QueryCursor(compile_query(_IDENTIFIERS)).matches(future):
        node = captures["id"][0]
        used.setdefault(items.text(node), node)
    for _, captures in QueryCursor(compile_query(_BINDING_PATTERNS)).matches(future):
        for pattern in captures["bound"]:
            for _, inner in QueryCursor(compile_query(_IDENTIFIERS)).matches(pattern):
                used.pop(items.text(inner["id"][0]), None)
    return used


def _holds_channel_end(
    future: Node, captured: dict[str, Node], function: Node, ctx: FileContext
) -> bool:
    """The task holds a channel end: one it sends or receives on, or is handed, by its name
    (`tx`, `done_rx`, `reply_sender`), or any captured variable declared as one."""
    named: list[Node] = [
        c["receiver"][0] for _, c in QueryCursor(compile_query(_METHOD_RECEIVERS)).matches(future)
    ]
    if future.type == "call_expression":  # `spawn(forward(request, reply_tx))`
        arguments = future.child_by_field_name("arguments")
        named += [
            a for a in (arguments.named_children if arguments else []) if a.type == "identifier"
        ]
    for end in named:
        name = items.text(end)
        if name in captured and _CHANNEL_END_WORDS & set(name.lower().split("_")):
            return True
    return any(_declared_channel_end(use, name, function, ctx) for name, use in captured.items())


def _declared_channel_end(use: Node, name: str, function: Node, ctx: FileContext) -> bool:
    """`tx: mpsc::Sender<T>`, or `let report = self.results_sender.clone()` and kin."""
    binding = find_binding(use, name, function)
    if binding is None:
        return False
    if binding.type is not None:
        return _names_channel_end_type(binding.type)
    value = binding.value
    while value is not None and value.type == "call_expression" and method_name(value) == "clone":
        value = method_receiver(value)
    if value is None or value.type != "field_expression":
        return False
    holder = value.child_by_field_name("value")
    field = items.text(value.child_by_field_name("field"))
    if _CHANNEL_END_WORDS & set(field.lower().split("_")):
        return True
    if holder is None or holder.type != "self":
        return False
    declared = _field_type(ctx, enclosing_impl_type(function), field)
    return declared is not None and _names_channel_end_type(declared)


def _names_channel_end_type(type_node: Node) -> bool:
    # Any type name in it: `Option<watch::Receiver<()>>`, `UnboundedSender<Event>`.
    return any(
        _CHANNEL_END_TYPES.search(items.text(c["name"][0]))
        for _, c in QueryCursor(compile_query(_TYPE_NAMES)).matches(type_node)
    )


def _field_type(ctx: FileContext, struct_name: str, field: str) -> Node | None:
    """The declared type of `struct_name.field`, when the struct is declared in this file."""
    if not struct_name:
        return None
    for item in ctx.tree.root_node.named_children:
        if item.type != "struct_item" or items.item_name(item) != struct_name:
            continue
        body = item.child_by_field_name("body")
        for declaration in body.named_children if body is not None else ():
            if declaration.type == "field_declaration" and (
                items.text(declaration.child_by_field_name("name")) == field
            ):
                return declaration.child_by_field_name("type")
    return None


def _other_half_kept(spawn: Node, future: Node, captured: dict[str, Node], function: Node) -> bool:
    """`let (a, b) = pair(..)`: only the task holds `a`, and the code keeps using `b`."""
    body = function.child_by_field_name("body")
    if body is None:
        return False
    cursor = QueryCursor(compile_query(_PAIR_LETS))
    cursor.set_byte_range(body.start_byte, spawn.start_byte)
    for _, captures in cursor.matches(body):
        declaration = captures["let"][0]
        if declaration.end_byte > spawn.start_byte:
            continue
        halves = _pair_names(captures["pair"][0])
        if halves is None:
            continue
        first, second = halves
        for held, kept in ((first, second), (second, first)):
            # The task owns its half (moved in, used nowhere else): it drives that half for
            # whoever holds the other, like a connection driver or a channel's producer.
            if (
                held in captured
                and not _used_outside(held, declaration, future)
                and _used_outside(kept, declaration, future)
            ):
                return True
    return False


def _pair_names(pattern: Node) -> tuple[str, str] | None:
    names: list[str] = []
    for element in pattern.named_children:
        if element.type == "mut_pattern":
            element = element.named_children[-1] if element.named_children else element
        if element.type != "identifier":
            return None
        names.append(items.text(element))
    return (names[0], names[1]) if len(names) == 2 else None


def _used_outside(name: str, declaration: Node, future: Node) -> bool:
    """`name` occurs after the `let` in its block, outside the spawned future."""
    scope = items.parent(declaration)
    if scope is None:
        return False
    cursor = QueryCursor(compile_query(_IDENTIFIERS))
    cursor.set_byte_range(declaration.end_byte, scope.end_byte)
    for _, captures in cursor.matches(scope):
        node = captures["id"][0]
        if node.start_byte < declaration.end_byte or items.text(node) != name:
            continue
        if not future.start_byte <= node.start_byte < future.end_byte:
            return True
    return False


def _handle_taken_first(spawn: Node, future: Node, function: Node) -> bool:
    """`let handle = server.handle(); spawn(server); handle`: the handle controls the task."""
    if future.type != "identifier":
        return False
    spawned = items.text(future)
    statement = items.parent(spawn)
    node = statement.prev_named_sibling if statement is not None else None
    while node is not None:
        if node.type == "let_declaration":
            value = node.child_by_field_name("value")
            pattern = node.child_by_field_name("pattern")
            receiver = method_receiver(value) if value is not None else None
            if (
                receiver is not None
                and items.text(receiver) == spawned
                and pattern is not None
                and pattern.type == "identifier"
                and used_after(function, spawn.end_byte, items.text(pattern))
            ):
                return True
        node = node.prev_named_sibling
    return False


def _handle_dropped(call: Node) -> bool:
    """The call is a statement of its own (`spawn(..);`) or the value of `let _ = ..`."""
    parent = items.parent(call)
    if parent is None:
        return False
    if parent.type == "expression_statement":
        return True
    if parent.type != "let_declaration" or parent.child_by_field_name("value") != call:
        return False
    pattern = parent.child_by_field_name("pattern")
    return pattern is not None and pattern.type == "_"


def _forwards_to_runtime(spawn: Node) -> bool:
    """True for an executor adapter: a trait method that hands its own future parameter to
    the runtime (`fn execute(&self, fut: F) { tokio::spawn(fut); }`). The trait's signature
    leaves no way to keep the handle, and detaching is the method's whole job."""
    function = items.enclosing(spawn, ("function_item", "closure_expression"))
    if function is None or function.type != "function_item":
        return False
    if function.child_by_field_name("return_type") is not None:
        return False
    impl = items.enclosing(function, ("impl_item",))
    if impl is None or impl.child_by_field_name("trait") is None:
        return False
    arguments = spawn.child_by_field_name("arguments")
    first = (
        arguments.named_children[0] if arguments is not None and arguments.named_children else None
    )
    while first is not None and first.type == "call_expression":
        receiver = method_receiver(first)
        if receiver is None:
            break
        first = receiver  # `fut.in_current_span()` still forwards `fut`
    if first is None or first.type != "identifier":
        return False
    return items.text(first) in _parameter_names(function)


def _parameter_names(function: Node) -> set[str]:
    parameters = function.child_by_field_name("parameters")
    names: set[str] = set()
    for parameter in parameters.named_children if parameters is not None else ():
        pattern = parameter.child_by_field_name("pattern")
        if pattern is not None and pattern.type == "identifier":
            names.add(items.text(pattern))
    return names
