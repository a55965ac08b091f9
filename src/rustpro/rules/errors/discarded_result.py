"""discarded-result."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.signatures import is_result_type, return_type
from rustpro.rules.errors.write_targets import (
    is_infallible_write_impl,
    receiver_target,
    write_target,
)
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, nodes, text_matches
from rustpro.rules.support import STD_FS_FUNCTIONS
from rustpro.syntax import items

# Facts: names of crate-local fns by what calling them yields (awaited, for async fns).
_RESULT = "discarded-result:fn-result"
_OTHER = "discarded-result:fn-other"
_ASYNC_RESULT = "discarded-result:async-fn-result"
_ASYNC_OTHER = "discarded-result:async-fn-other"

_FS_FUNCTIONS = STD_FS_FUNCTIONS
# std I/O and channel methods that return `Result`, with their argument counts.
_KNOWN_METHODS = {
    "write_all": 1,
    "write_fmt": 1,
    "read_exact": 1,
    "read_to_end": 1,
    "read_to_string": 1,
    "read_line": 1,
    "flush": 0,
    "sync_all": 0,
    "sync_data": 0,
    "set_len": 1,
    "send": 1,
}
_WRITE_MACROS = frozenset({"write", "writeln"})
_WRITE_METHODS = frozenset({"write_all", "write_fmt", "flush"})
# Methods of std types that return something other than a `Result` and are often dropped on
# purpose (`let _ = map.insert(k, v);`), or whose `Err` is an answer rather than a failure
# (`compare_exchange`, `fetch_update`, `binary_search`): a crate's own method of the same name
# returning `Result` must not make every such call look like a discarded error.
_STD_NON_RESULT_METHODS = frozenset(
    {
        "insert",
        "remove",
        "take",
        "replace",
        "pop",
        "pop_front",
        "pop_back",
        "push",
        "get",
        "get_mut",
        "set",
        "swap",
        "entry",
        "next",
        "extend",
        "drain",
        "retain",
        "clear",
        "store",
        "fetch_add",
        "fetch_sub",
        "load",
        "spawn",
        "join",
        "cancel",
        "abort",
        "into_raw",
        "from_raw",
        "compare_exchange",
        "compare_exchange_weak",
        "fetch_update",
        "binary_search",
        "binary_search_by",
        "binary_search_by_key",
        "catch_unwind",
    }
)
_INFALLIBLE_WRITE = "discarded-result:infallible-write"  # types whose `write_str` cannot fail


class DiscardedResult(FileRule):
    """Flags `let _ = ..;` that throws away a `Result` the call is known to return.

    ## What it does
    Finds `let _ = <call>;` (also with `.await`) where the call is known to return a
    `Result`: `std::fs` functions, `io::copy`, I/O methods such as `.write_all(..)`,
    `.flush()`, `.read_line(..)`, channel `.send(..)`, the `write!`/`writeln!` macros, and the
    crate's own functions and methods whose declared return type is a `Result` (`Result<..>`,
    `io::Result<..>`, `fmt::Result`, any path ending in `Result`). `let _guard = ..` and
    `let _x = ..` bind a value and are left alone, and so are: writes into in-memory buffers
    that cannot fail (a `String`, a `Vec<u8>`, a crate type whose `fmt::Write::write_str`
    always returns `Ok(())`), names the crate also declares with a non-`Result` return type,
    and calls whose `Err` is an answer rather than a failure (`compare_exchange`,
    `catch_unwind`).

    ## Why is this bad?
    `let _ =` silences the `unused_must_use` warning without handling anything: a failed
    write, a full disk or a closed channel disappears without a trace. If ignoring the error
    is really right, that decision deserves a comment and a log line, not silence.

    ## Example
    ```rust
    use std::io::Write;

    pub fn save(out: &mut std::fs::File, text: &str) {
        let _ = out.write_all(text.as_bytes());
    }
    ```

    ## Use instead
    ```rust
    use std::io::Write;

    pub fn save(out: &mut std::fs::File, text: &str) -> std::io::Result<()> {
        out.write_all(text.as_bytes())
    }
    ```

    ## References
    - clippy: `let_underscore_must_use`, `let_underscore_untyped`
    - rustc: `unused_must_use`
    - The Rust Book, "Recoverable Errors with Result"
    """

    name = "discarded-result"
    clippy_twins = ("let_underscore_must_use",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # `let _ = ..`, found by its bytes: a gate on every `let` would cost more.
        Pattern(
            text_matches(rb"let\s+_\s*[=:]", "let_declaration"),
            '(let_declaration pattern: "_" value: (_) @value) @match',
        ),
        # Every function, handed over whole: what calling it yields (`_record_function`).
        Pattern(nodes("function_item", "function_signature_item")),
        Pattern(
            nodes("impl_item"),
            """
            (impl_item
              trait: (_) @write_trait (#match? @write_trait "Write$")
              type: (_) @write_type
              body: (declaration_list
                (function_item
                  name: (identifier) @write_fn (#eq? @write_fn "write_str")
                  body: (block) @write_body))) @match
            """,
            needs=(b"write_str",),
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        # Which pattern matched, by its captures: the `let` and `impl` queries capture more
        # than the candidate (`match`) the function pattern hands over alone.
        if "value" not in captures:
            if "write_body" in captures:
                if is_infallible_write_impl(captures["write_body"][0]):
                    ctx.add_fact(_INFALLIBLE_WRITE, items.type_name(captures["write_type"][0]))
                return
            function = captures["match"][0]
            name = function.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                _record_function(function, name, ctx)
            return
        value = captures["value"][0]
        awaited = value.type == "await_expression"
        call = value.named_children[0] if awaited and value.named_children else value
        if call.type == "macro_invocation":
            self._check_write_macro(call, ctx)
        elif call.type == "call_expression":
            self._check_call(call, awaited, ctx)

    def _check_write_macro(self, macro: Node, ctx: FileContext) -> None:
        name = items.macro_name(macro).rsplit("::", 1)[-1]
        if name not in _WRITE_MACROS:
            return
        target = write_target(macro)
        if target.infallible:
            return
        gate = None
        if target.type_name is not None:  # a crate's own buffer type may never fail
            gate = FactGate(_INFALLIBLE_WRITE, target.type_name, absent=True)
        self._report(macro, f"`{name}!`", ctx, gate)

    def _check_call(self, call: Node, awaited: bool, ctx: FileContext) -> None:
        function = call.child_by_field_name("function")
        if function is not None and function.type == "generic_function":
            function = function.child_by_field_name("function")  # `parse::<T>(..)`
        arguments = call.child_by_field_name("arguments")
        argc = len(arguments.named_children) if arguments is not None else 0
        if function is None:
            return
        if function.type == "field_expression":
            self._check_method_call(call, function, argc, awaited, ctx)
        elif function.type == "identifier":
            name = ctx.text(function)
            if name not in _STD_NON_RESULT_METHODS:
                self._report_local(call, f"`{name}(..)`", name, awaited, ctx)
        elif function.type == "scoped_identifier":
            self._check_path_call(call, function, awaited, ctx)

    def _check_method_call(
        self, call: Node, function: Node, argc: int, awaited: bool, ctx: FileContext
    ) -> None:
        """`receiver.method(..)`: a known std I/O or channel method, or a crate-local one."""
        method = ctx.text(function.child_by_field_name("field"))
        receiver = function.child_by_field_name("value")
        if receiver is None:
            return
        shown = f"`.{method}()`" if argc == 0 else f"`.{method}(..)`"
        if _KNOWN_METHODS.get(method) == argc:
            if method in _WRITE_METHODS and receiver_target(receiver).infallible:
                return  # `buf.write_all(..)` into a `Vec<u8>` cannot fail
            other = _ASYNC_OTHER if awaited else _OTHER
            self._report(call, shown, ctx, FactGate(other, method, absent=True))
        elif receiver.type == "self" or method not in _STD_NON_RESULT_METHODS:
            self._report_local(call, shown, method, awaited, ctx)

    def _check_path_call(self, call: Node, function: Node, awaited: bool, ctx: FileContext) -> None:
        """`fs::remove_file(..)`, `io::copy(..)`, or a crate-local `module::function(..)`."""
        path = ctx.text(function).replace(" ", "").split("::")
        shown = f"`{'::'.join(path)}(..)`"
        known_std = len(path) >= 2 and (
            (path[-2] == "fs" and path[-1] in _FS_FUNCTIONS)
            or (path[-2] == "io" and path[-1] == "copy")
        )
        if known_std:
            other = _ASYNC_OTHER if awaited else _OTHER
            self._report(call, shown, ctx, FactGate(other, path[-1], absent=True))
        elif path[0] in ("self", "Self", "crate", "super") or (
            path[-1] not in _STD_NON_RESULT_METHODS
        ):
            self._report_local(call, shown, path[-1], awaited, ctx)

    def _report_local(
        self, call: Node, shown: str, name: str, awaited: bool, ctx: FileContext
    ) -> None:
        """Report a call of a crate-local fn, standing only if that name returns `Result`."""
        result, other = (_ASYNC_RESULT, _ASYNC_OTHER) if awaited else (_RESULT, _OTHER)
        gate = AllGates((FactGate(result, name), FactGate(other, name, absent=True)))
        self._report(call, shown, ctx, gate)

    def _report(
        self, call: Node, shown: str, ctx: FileContext, gate: FactGate | AllGates | None
    ) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        statement = call.parent
        while statement is not None and statement.type != "let_declaration":
            statement = statement.parent
        ctx.report(
            self,
            statement or call,
            f"`let _ =` discards the `Result` of {shown}: a failure here goes unnoticed",
            "propagate it with `?`, handle it, or log it; if it truly cannot matter, say why",
            gate=gate,
        )


def _record_function(function: Node, name_node: Node, ctx: FileContext) -> None:
    """Record whether calling fn `name` yields a `Result` (after `.await` for async fns)."""
    source = ctx.source
    name = ctx.text(name_node)
    # First looks at the bytes: a return type that does not spell `Result` cannot end in it,
    # and `async` can only be written before the name.
    returns = return_type(function)
    returns_result = (
        returns is not None
        and source.find(b"Result", returns.start_byte, returns.end_byte) >= 0
        and is_result_type(returns)
    )
    header_has_async = source.find(b"async", function.start_byte, name_node.start_byte) >= 0
    if header_has_async and items.is_async_fn(function):
        ctx.add_fact(_ASYNC_RESULT if returns_result else _ASYNC_OTHER, name)
        ctx.add_fact(_OTHER, name)  # called without `.await` it yields a future
    else:
        ctx.add_fact(_RESULT if returns_result else _OTHER, name)
