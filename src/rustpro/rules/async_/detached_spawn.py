"""detached-spawn."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import method_receiver, resolved_callee
from rustpro.rules.patterns import Pattern, function_calls
from rustpro.syntax import items

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


class DetachedSpawn(FileRule):
    """Flags a spawned task whose `JoinHandle` is thrown away at once.

    ## What it does
    Finds `tokio::spawn(..)`, `tokio::task::spawn(..)` / `spawn_local(..)` (also written
    `task::spawn` or `spawn` after a `use` of the tokio path) used as a statement or bound to
    `let _ =`. A handle that is stored, returned, pushed into a collection, handed to a
    `JoinSet`/`TaskTracker` or awaited is fine.

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
        ctx.report(
            self,
            call.child_by_field_name("function") or call,
            f"the `JoinHandle` of `{'::'.join(path)}` is dropped at once: the task is detached",
            "keep the handle (await or abort it), or spawn into a `JoinSet` / `TaskTracker`",
        )


def _handle_dropped(call: Node) -> bool:
    """The call is a statement of its own (`spawn(..);`) or the value of `let _ = ..`."""
    parent = call.parent
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
