"""unbounded-channel."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import method_name, method_receiver, path_segments, resolved_callee
from rustpro.rules.patterns import Captures, Pattern, function_calls
from rustpro.syntax import items

_UNBOUNDED = frozenset(
    {
        ("crossbeam_channel", "unbounded"),
        ("crossbeam", "channel", "unbounded"),
        ("flume", "unbounded"),
        ("async_channel", "unbounded"),
    }
)
# `static`s are named in SCREAMING_SNAKE_CASE (rustc's `non_upper_case_globals`).
_GLOBAL_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Methods that put a value into a global cell: `CELL.set(tx)`, `CELL.get_or_init(|| tx)`.
_CELL_STORES = frozenset({"set", "get_or_init", "get_or_try_init", "call_once", "replace"})


_UNBOUNDED_NAMES = frozenset({b"unbounded_channel", b"unbounded"})


def _unbounded_calls(call: Node) -> list[Captures]:
    """The matches of the patterns
    `(call_expression function: [(identifier) @name (_ name: (identifier) @name)]
    (#any-of? @name "unbounded_channel" "unbounded")) @match` and `(call_expression
    function: (_ function: [(identifier) @name (_ name: (identifier) @name)]) (#any-of? ..))
    @match` rooted at a call."""
    function = call.child_by_field_name("function")
    if function is None or not function.is_named:
        return []
    name = _callee_name(function)
    if name is None:
        inner = function.child_by_field_name("function")
        name = _callee_name(inner) if inner is not None and inner.is_named else None
    if name is None or name.text not in _UNBOUNDED_NAMES:
        return []
    return [{"name": [name], "match": [call]}]


def _callee_name(function: Node) -> Node | None:
    """`[(identifier) @name (_ name: (identifier) @name)]` of a named node, else None."""
    if function.type == "identifier":
        return function
    name = function.child_by_field_name("name")
    return name if name is not None and name.type == "identifier" else None


class UnboundedChannel(FileRule):
    """Flags a process-wide channel created without a capacity.

    ## What it does
    Finds calls to tokio's `mpsc::unbounded_channel()`, `crossbeam_channel::unbounded()`,
    `flume::unbounded()` and `async_channel::unbounded()` (also when the constructor or its
    module was brought in with `use`) whose channel is global: created in a `static`'s
    initializer (`static QUEUE: LazyLock<..> = LazyLock::new(|| unbounded_channel())`), or
    with an end stored into a `static` cell (`SENDER.set(tx)`, `SENDER.get_or_init(..)`).
    Any code in the program can then queue into it, typically every request handler.

    Unbounded channels with a known set of producers are left alone: an actor's mailbox, a
    worker pool's job queue, a per-request reply stream, a test script. Whether those can
    overflow depends on how fast their producers run, which the code does not show; most
    are deliberate (a synchronous `send` from sync code, for one). Bounded constructors
    (`mpsc::channel(n)`, `bounded(n)`) are fine.

    ## Why is this bad?
    An unbounded channel has no backpressure: when the consumer falls behind, messages pile
    up in memory until the process is killed, and the producer never learns it should slow
    down. A global queue fed from request handling is where that happens: the producers are
    as many as the clients. A bound turns that overload into a visible wait or a `try_send`
    error.

    ## Example
    ```rust
    use std::sync::LazyLock;
    use tokio::sync::mpsc;

    pub struct Outbox {
        pub sender: mpsc::UnboundedSender<String>,
    }

    pub static OUTBOX: LazyLock<Outbox> = LazyLock::new(|| {
        let (sender, receiver) = mpsc::unbounded_channel();
        drop(receiver);
        Outbox { sender }
    });
    ```

    ## Use instead
    ```rust
    use std::sync::LazyLock;
    use tokio::sync::mpsc;

    pub struct Outbox {
        pub sender: mpsc::Sender<String>,
    }

    pub static OUTBOX: LazyLock<Outbox> = LazyLock::new(|| {
        let (sender, receiver) = mpsc::channel(1024);
        drop(receiver);
        Outbox { sender }
    });
    ```
    or, better, own the channel in the application state and pass its sender where needed.

    ## References
    - tokio docs, `tokio::sync::mpsc` ("bounded channels provide backpressure")
    - crossbeam-channel docs, `bounded` and `unbounded`
    """

    name = "unbounded-channel"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # Matched in Python (`_unbounded_calls`): the query patterns cost tree-sitter
        # milliseconds of analysis in every run.
        Pattern(function_calls("unbounded_channel", "unbounded"), matcher=_unbounded_calls),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        path = resolved_callee(call, ctx)
        if path is None or not _is_unbounded_constructor(path):
            return
        holder = _global_holder(call)
        if holder is None:
            return
        ctx.report(
            self,
            call,
            f"`{'::'.join(path)}()` creates a channel without backpressure, held by `{holder}`:"
            " any code in the program can queue into it faster than it is drained",
            "use a bounded channel sized for the expected backlog, and let producers wait or"
            " shed load when it is full",
        )


def _is_unbounded_constructor(path: tuple[str, ...]) -> bool:
    if path in _UNBOUNDED:
        return True
    # Only tokio spells it `unbounded_channel`; its `mpsc` module may be re-exported.
    return len(path) >= 2 and path[-1] == "unbounded_channel" and path[-2] == "mpsc"


def _global_holder(constructor: Node) -> str | None:
    """The `static` that holds the channel (or one of its ends), if one does."""
    for parent in items.ancestors(constructor):
        if parent.type == "static_item":
            return items.item_name(parent)
        if parent.type == "call_expression" and method_name(parent) in _CELL_STORES:
            cell = _global_cell(parent)
            if cell is not None:
                return cell  # `SENDER.get_or_init(|| unbounded_channel().0)`
        if parent.type == "function_item":
            return _end_stored_in_global(constructor, parent)
    return None


def _global_cell(call: Node) -> str | None:
    """`CELL` for `CELL.set(..)` or `crate::CELL.get_or_init(..)`."""
    receiver = method_receiver(call)
    segments = path_segments(receiver)
    if segments is None or not _GLOBAL_NAME.match(segments[-1]):
        return None
    return "::".join(segments)


def _end_stored_in_global(constructor: Node, function: Node) -> str | None:
    """`let (tx, rx) = unbounded(); .. GLOBAL.set(tx)`: an end goes into a global cell."""
    declaration = items.parent(constructor)
    if declaration is None or declaration.type != "let_declaration":
        return None
    pattern = declaration.child_by_field_name("pattern")
    if pattern is None:
        return None
    ends = {items.text(node) for node in descendants(pattern, "identifier")}
    body = function.child_by_field_name("body")
    if body is None or not ends:
        return None
    for store in descendants(body, "call_expression", declaration.end_byte):
        if method_name(store) not in _CELL_STORES:
            continue
        cell = _global_cell(store)
        arguments = store.child_by_field_name("arguments")
        if cell is None or arguments is None:
            continue
        passed = {items.text(node) for node in descendants(arguments, "identifier")}
        if passed & ends:
            return cell
    return None


def descendants(node: Node, kind: str, start: int = 0) -> list[Node]:
    """The named nodes of `kind` in `node`'s subtree (itself included) that start at byte
    `start` or later, in document order: what the query `(kind) @x` run over `node` finds
    (a walk, `items.subtree`: this rule asks rarely)."""
    return [
        found
        for found in items.subtree(node, start)
        if found.type == kind and found.is_named and found.start_byte >= start
    ]
