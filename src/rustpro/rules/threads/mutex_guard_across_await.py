"""mutex-guard-across-await."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import (
    GuardBinding,
    async_body,
    between,
    guard_binding,
    imports_plain_locks,
    lock_call,
    node_index,
    same_body,
)
from rustpro.rules.patterns import Pattern, method_calls
from rustpro.syntax.parser import compile_query

_AWAITS = "(await_expression) @await"


def _awaits(root: Node) -> list[Node]:
    return QueryCursor(compile_query(_AWAITS)).captures(root).get("await", [])


class MutexGuardAcrossAwait(FileRule):
    """Flags a blocking lock's guard that is still alive at a later `.await`.

    ## What it does
    In an `async fn`, `async` block or `async` closure, finds a `std::sync` (`.lock().unwrap()`,
    `.read().unwrap()`, `.write().unwrap()`) or `parking_lot` (`.lock()` in a file that imports
    `parking_lot`) guard bound to a variable, and an `.await` in the same body that runs while
    that variable is still alive: before the end of its block and before `drop(guard)`.
    Guards of `tokio::sync` locks (`.lock().await`) are await-safe and are not flagged; a guard
    used as a temporary (`m.lock().unwrap().push(x);`) dies at the `;` and is fine.

    ## Why is this bad?
    The task is suspended while it holds the lock. Any other task that wants the lock blocks
    its executor thread; on a single-threaded runtime, or when the holder is scheduled on the
    blocked thread, the program deadlocks. The future also stops being `Send`, so
    `tokio::spawn` rejects it with a long error far from the cause.

    ## Example
    ```rust
    use std::sync::Mutex;

    pub async fn record(log: &Mutex<Vec<String>>, line: String) {
        let mut entries = log.lock().unwrap();
        entries.push(line);
        flush().await;
    }

    async fn flush() {}
    ```

    ## Use instead
    ```rust
    use std::sync::Mutex;

    pub async fn record(log: &Mutex<Vec<String>>, line: String) {
        {
            let mut entries = log.lock().unwrap();
            entries.push(line);
        } // the guard is dropped here, before the await
        flush().await;
    }

    async fn flush() {}
    ```
    If the lock must be held across the await, use `tokio::sync::Mutex`.

    ## References
    - clippy: `await_holding_lock` (needs a full build)
    - tokio docs, "Which kind of mutex should you use?"
    """

    name = "mutex-guard-across-await"
    clippy_twins = ("await_holding_lock",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # No query: the gate finds exactly these calls, and `check` reads only the call
        # (each query pattern costs milliseconds of tree-sitter analysis per run).
        Pattern(method_calls("lock", "read", "write")),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        lock = lock_call(call, plain_rwlocks=True)
        if lock is None or lock.style == "await":
            return
        if lock.style == "bare" and not imports_plain_locks(call, ctx):
            return
        binding = guard_binding(lock)
        if binding is None:
            return
        body = async_body(binding.declaration)
        if body is None:
            return
        awaited = _first_await_while_held(binding, body)
        if awaited is None:
            return
        line, _ = ctx.lines.position(awaited.start_byte)
        ctx.report(
            self,
            lock.outer,
            f"the guard `{binding.name}` of `{lock.receiver}.{lock.method}()` is still held at"
            f" the `.await` on line {line}",
            "drop the guard (end its block or call `drop`) before awaiting, or use an async"
            " lock such as `tokio::sync::Mutex`",
            related=(ctx.location(awaited, "awaited here while the guard is alive"),),
        )


def _first_await_while_held(binding: GuardBinding, body: Node) -> Node | None:
    awaits = node_index(binding.scope, "awaits", _awaits)
    for awaited in between(awaits, binding.declaration.end_byte, binding.held_until):
        if same_body(awaited, body):
            return awaited
    return None
