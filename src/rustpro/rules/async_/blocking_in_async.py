"""blocking-in-async."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import (
    aliases_at,
    argument_count,
    executing_async_body,
    method_name,
    method_receiver,
    path_segments,
    resolve,
    resolved_callee,
)
from rustpro.rules.patterns import Pattern, function_calls, method_calls, qualified_calls
from rustpro.rules.support import STD_FS_FUNCTIONS

_FS_FUNCTIONS = STD_FS_FUNCTIONS
_FILE_OPENERS = frozenset({"open", "create", "create_new"})
_CONNECTS = frozenset({"connect", "connect_timeout"})
_STDIN_READS = frozenset({"read_line", "read_to_string", "read_to_end", "lines", "bytes"})
_PROCESS_WAITS = frozenset({"output", "status"})
_NAME_SET = sorted(_FS_FUNCTIONS | _FILE_OPENERS | _CONNECTS | {"sleep", "stdin"})
_NAMES = " ".join(f'"{name}"' for name in _NAME_SET)


class BlockingInAsync(FileRule):
    """Flags blocking std calls made directly inside async code.

    ## What it does
    Inside an `async fn`, `async` block or `async` closure (and the iterator closures they run
    inline), finds calls that block the thread: `std::thread::sleep`, `std::fs` functions and
    `File::open`/`create`, `std::net::TcpStream::connect`, reads from `std::io::stdin()`,
    anything under `reqwest::blocking`, and `std::process::Command`'s `.output()` /
    `.status()`. Paths are resolved through the file's `use` declarations, so
    `use std::fs;` then `fs::read(..)` is caught and `use tokio::fs;` is not. Code inside the
    closure given to `spawn_blocking`, `block_in_place` or a thread, and sync helper functions,
    are left alone.

    ## Why is this bad?
    An async runtime runs many tasks on a few threads. A blocking call parks one of those
    threads, so every task scheduled on it stalls: latency spikes under load, timers fire
    late, and a runtime with one worker stops entirely.

    ## Example
    ```rust
    use std::fs;

    pub async fn load(path: &str) -> std::io::Result<String> {
        fs::read_to_string(path)
    }
    ```

    ## Use instead
    ```rust
    pub async fn load(path: String) -> std::io::Result<String> {
        tokio::task::spawn_blocking(move || std::fs::read_to_string(path))
            .await
            .expect("the blocking task panicked")
    }
    ```
    or the runtime's async API (`tokio::fs::read_to_string(path).await`).

    ## References
    - rust-clippy issue #4377, "Lint blocking calls in async contexts"
    - tokio docs, `tokio::task::spawn_blocking`
    """

    name = "blocking-in-async"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            function_calls(*_NAME_SET),
            f"""
            (call_expression
              function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
              (#any-of? @name {_NAMES})) @match
            """,
        ),
        Pattern(
            qualified_calls("blocking", "Client", "ClientBuilder"),
            """
            (call_expression
              function: (scoped_identifier
                path: [(identifier) @head (scoped_identifier name: (identifier) @head)])
              (#any-of? @head "blocking" "Client" "ClientBuilder")) @match
            """,
        ),
        Pattern(
            method_calls("output", "status"),
            """
            (call_expression
              function: (field_expression field: (field_identifier) @method)
              (#any-of? @method "output" "status")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        if _is_awaited(call):
            return
        if "method" in captures:
            what = _blocking_process_wait(call, ctx)
        else:
            what = _blocking_call(call, ctx)
        if what is None or executing_async_body(call) is None:
            return
        ctx.report(
            self,
            call,
            f"`{what}` blocks the executor thread inside async code",
            "use the runtime's async equivalent, or move the call into"
            " `tokio::task::spawn_blocking`",
        )


def _is_awaited(call: Node) -> bool:
    parent = call.parent
    return parent is not None and parent.type == "await_expression"


def _blocking_call(call: Node, ctx: FileContext) -> str | None:
    path = resolved_callee(call, ctx)
    if path is None or len(path) < 2:
        return None
    shown = "::".join(path)
    if path[0] in ("std", "core"):
        path = ("std", *path[1:])
    if path == ("std", "thread", "sleep"):
        return shown
    if path[:2] == ("std", "fs"):
        if len(path) == 3 and path[2] in _FS_FUNCTIONS:
            return shown
        if len(path) == 4 and path[2] == "File" and path[3] in _FILE_OPENERS:
            return shown
    if path[:3] == ("std", "net", "TcpStream") and len(path) == 4 and path[3] in _CONNECTS:
        return shown
    if path[:2] == ("reqwest", "blocking"):
        return shown
    if path == ("std", "io", "stdin") and _reads_stdin(call):
        return f"{shown}().{method_name(_reader_call(call))}"
    return None


def _reader_call(stdin_call: Node) -> Node:
    # `stdin().read_line(..)` or `stdin().lock().lines()`: the call the stdin handle feeds.
    node = stdin_call
    for _ in range(2):
        field = node.parent
        outer = field.parent if field is not None else None
        if field is None or field.type != "field_expression" or outer is None:
            return node
        if outer.type != "call_expression":
            return node
        node = outer
        if method_name(node) != "lock":
            return node
    return node


def _reads_stdin(stdin_call: Node) -> bool:
    return method_name(_reader_call(stdin_call)) in _STDIN_READS


def _blocking_process_wait(call: Node, ctx: FileContext) -> str | None:
    """`Command::new(..)...output()` where `Command` is `std::process::Command`."""
    if method_name(call) not in _PROCESS_WAITS or argument_count(call) != 0:
        return None
    node = method_receiver(call)
    while node is not None and node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            node = function.child_by_field_name("value")
            continue
        segments = path_segments(function)
        if segments is None or segments[-1] != "new":
            return None
        path = resolve(segments, aliases_at(call, ctx))
        if path == ("std", "process", "Command", "new"):
            return f"Command::{method_name(call)}"
        return None
    return None
