"""unbounded-channel."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import resolved_callee
from rustpro.rules.patterns import Pattern, function_calls

_UNBOUNDED = frozenset(
    {
        ("crossbeam_channel", "unbounded"),
        ("crossbeam", "channel", "unbounded"),
        ("flume", "unbounded"),
        ("async_channel", "unbounded"),
    }
)


class UnboundedChannel(FileRule):
    """Flags channels created without a capacity.

    ## What it does
    Finds calls to tokio's `mpsc::unbounded_channel()`, `crossbeam_channel::unbounded()`,
    `flume::unbounded()` and `async_channel::unbounded()`, also when the constructor or its
    module was brought in with `use`. Bounded constructors (`mpsc::channel(n)`,
    `bounded(n)`) are fine.

    ## Why is this bad?
    An unbounded channel has no backpressure: when the consumer falls behind, messages pile
    up in memory until the process is killed, and the producer never learns it should slow
    down. A bound turns that overload into a visible wait or a `try_send` error.

    ## Example
    ```rust
    use tokio::sync::mpsc;

    pub fn events() -> (mpsc::UnboundedSender<String>, mpsc::UnboundedReceiver<String>) {
        mpsc::unbounded_channel()
    }
    ```

    ## Use instead
    ```rust
    use tokio::sync::mpsc;

    pub fn events() -> (mpsc::Sender<String>, mpsc::Receiver<String>) {
        mpsc::channel(1024)
    }
    ```

    ## References
    - tokio docs, `tokio::sync::mpsc` ("bounded channels provide backpressure")
    - crossbeam-channel docs, `bounded` and `unbounded`
    """

    name = "unbounded-channel"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            function_calls("unbounded_channel", "unbounded"),
            """
            (call_expression
              function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
              (#any-of? @name "unbounded_channel" "unbounded")) @match
            (call_expression
              function: (generic_function
                function: [(identifier) @name (scoped_identifier name: (identifier) @name)])
              (#any-of? @name "unbounded_channel" "unbounded")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        call = captures["match"][0]
        path = resolved_callee(call, ctx)
        if path is None or not _is_unbounded_constructor(path):
            return
        ctx.report(
            self,
            call,
            f"`{'::'.join(path)}()` creates a channel without backpressure",
            "use a bounded channel sized for the expected backlog",
        )


def _is_unbounded_constructor(path: tuple[str, ...]) -> bool:
    if path in _UNBOUNDED:
        return True
    # Only tokio spells it `unbounded_channel`; its `mpsc` module may be re-exported.
    return len(path) >= 2 and path[-1] == "unbounded_channel" and path[-2] == "mpsc"
