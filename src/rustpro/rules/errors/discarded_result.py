"""discarded-result."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.signatures import (
    foreign_result,
    is_result_type,
    return_type,
    std_result_error,
    type_path,
)
from rustpro.rules.errors.write_targets import (
    IO_WRITE_METHODS,
    WRITE_MACROS,
    WriteTarget,
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

# Setting up a handle: when it fails, the code after it runs on a handle configured otherwise
# than it assumes (a socket without its timeout blocks forever, a key file stays readable), in
# any function, whether or not it could propagate the error.
_SETUP_CALLS = frozenset(
    {"set_read_timeout", "set_write_timeout", "set_nonblocking", "set_permissions"}
)
# Removing a file or directory is cleanup: its usual failure (already gone) is the state
# wanted, and a leftover is no reason to fail; `let _ = fs::remove_file(..)` is that idiom.
_CLEANUP_FUNCTIONS = frozenset({"remove_file", "remove_dir", "remove_dir_all"})
_FS_FUNCTIONS = STD_FS_FUNCTIONS - _CLEANUP_FUNCTIONS
# std I/O methods that return `Result`, with their argument counts: reading and writing
# (`io::Read`, `io::Write`, `io::Seek`) and setting up files and sockets.
_KNOWN_METHODS = {
    "write_all": 1,
    "write_fmt": 1,
    "read_exact": 1,
    "read_to_end": 1,
    "read_to_string": 1,
    "read_line": 1,
    "flush": 0,
    "seek": 1,
    "rewind": 0,
    "sync_all": 0,
    "sync_data": 0,
    "set_len": 1,
    "set_permissions": 1,
    "set_modified": 1,
    "set_times": 1,
    "set_read_timeout": 1,
    "set_write_timeout": 1,
    "set_nonblocking": 1,
    "set_nodelay": 1,
    "set_ttl": 1,
    "set_broadcast": 1,
}
# Methods of std types whose result is often dropped on purpose: most return something other
# than a `Result` (`let _ = map.insert(k, v);`), and a channel's `send` fails only when the
# receiving side is gone, handing the value back (`changed`: no sender is left), which for the
# caller is an answer ("nobody listens any more"), not a failure: `let _ = tx.send(..)` is the
# idiom for "deliver if anyone still listens". A crate's own method of the same name returning
# `Result` must not make every such call look like a discarded error; `self.insert(..)` and
# `self.send(..)` still are one.
_STD_METHOD_NAMES = frozenset(
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
        "send",
        "try_send",
        "blocking_send",
        "send_timeout",
        "unbounded_send",
        "changed",
    }
)
# Calls whose `Err` is an answer rather than a failure, whoever defines them: a lost race
# (`compare_exchange`, `fetch_update`), a position (`binary_search`), a caught panic.
_ANSWER_METHODS = frozenset(
    {
        "compare_exchange",
        "compare_exchange_weak",
        "fetch_update",
        "binary_search",
        "binary_search_by",
        "binary_search_by_key",
        "catch_unwind",
    }
)
# The process's own terminal: a failed write there has nowhere better to be reported.
_STD_STREAMS = frozenset({"stdout", "stderr"})
# A comment that says why the result does not matter, as the rule's help asks for.
_JUSTIFIED = re.compile(
    r"\bignor|best[- ]effort|\bnot (?:fatal|critical|important)\b|\bharmless\b"
    r"|\b(?:do not|don'?t|does not|doesn'?t|no one|nobody|nothing to)\s+(?:care|matter)"
    r"|\b(?:errors?|failures?) (?:is|are) (?:not|never|fine|ok|expected)\b"
    r"|\b(?:deliberate|intentional)|\bon purpose\b",
    re.IGNORECASE,
)
# Names of crate-local fns returning `fmt::Result`: they fail only when the `fmt::Write` they
# are handed does, which a `String` never does.
_FMT_RESULT = "discarded-result:fn-fmt-result"
# Methods that look ahead in a parser's input without consuming it (syn's `ParseStream`).
_PEEKS = frozenset({"peek", "peek2", "peek3"})
_INFALLIBLE_WRITE = "discarded-result:infallible-write"  # types whose `write_str` cannot fail
_WRITE_IMPL = "discarded-result:write-impl"  # types with an `impl ..Write for T` of the crate


class DiscardedResult(FileRule):
    """Flags `let _ = ..;` that throws away a `Result` the function could have propagated.

    ## What it does
    Finds `let _ = <call>;` and `_ = <call>;` (also with `.await`) inside a function that
    returns a `Result` itself, where the call is known to return a `Result`: `std::fs`
    functions, `io::copy`, I/O methods such as `.write_all(..)`, `.flush()`, `.read_line(..)`,
    `.seek(..)`, `.set_nodelay(..)`, the `write!`/`writeln!` macros, and the crate's own
    functions and methods whose declared return type is a `Result` (`Result<..>`,
    `io::Result<..>`, `fmt::Result`, any path ending in `Result`). There a `?` would have
    passed the error on. Setting up a handle (`.set_read_timeout(..)`,
    `.set_write_timeout(..)`, `.set_nonblocking(..)`, `set_permissions(..)`) is reported in any
    function: when it silently fails, the code after it runs on a handle configured otherwise
    than it assumes.

    Left alone: `let _guard = ..` and `let _x = ..` (they bind a value); discards in functions
    that return no `Result`, or inside a closure or an async block (no `?` reaches the
    function's `Result`; what to do instead is a design call); `Drop::drop`; a discard whose
    comment (just above or at the end of the line) says why it does not matter
    ("best-effort", "ignore", "not fatal"); writes that cannot fail or have nowhere to report
    to: into a `String`, a `Vec<u8>`, a crate type whose `fmt::Write::write_str` always returns
    `Ok(())`, a writer built in the same function over such a buffer (an encoder around
    `&mut buf`), a buffer built in the function while only `fmt::Write` is in scope, or the
    process's own stdout and stderr; removing files and directories (cleanup: already gone is
    the state wanted); a channel's `.send(..)` and `.changed()` (the other side is gone: an
    answer, not a failure); calls whose `Err` is an answer (`compare_exchange`,
    `fetch_update`, `binary_search`, `catch_unwind`); a parser taking optional punctuation
    (`let _ = input.parse::<Token![,]>();`, syn's idiom: `Err` means "no comma here") or a
    token it just saw (`if input.peek(..) { let _ = input.parse..(); }`); a crate function
    returning `fmt::Result` handed a `&mut` `String` of the function's own
    (`_ = request.print(&mut msg)`: formatting into a `String` cannot fail); the crate's
    functions returning `Result<_, ()>` (the error says nothing to handle) or a `Result` that
    is not std's (an associated type `V::Result`, a type parameter named `Result`); and names
    the crate also declares with a non-`Result` return type.

    ## Why is this bad?
    `let _ =` silences the `unused_must_use` warning without handling anything: a failed
    write, a full disk or a timeout that did not take disappears without a trace, in a
    function that could have reported it with one `?`. If ignoring the error is really
    right, that decision deserves a comment, not silence.

    ## Example
    ```rust
    use std::io::Write;

    pub fn save(out: &mut std::fs::File, text: &str) -> std::io::Result<()> {
        let _ = out.write_all(text.as_bytes());
        out.flush()
    }
    ```

    ## Use instead
    ```rust
    use std::io::Write;

    pub fn save(out: &mut std::fs::File, text: &str) -> std::io::Result<()> {
        out.write_all(text.as_bytes())?;
        out.flush()
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
        # `_ = ..;`, the assignment form (Rust 2021) of the same discard; `_ =>` and `_ ==`
        # are no assignments.
        Pattern(
            text_matches(rb"_\s*=[^=>]", "assignment_expression"),
            '(assignment_expression left: (identifier) @left (#eq? @left "_") right: (_) @value)'
            " @match",
        ),
        # Every function, handed over whole: what calling it yields (`_record_function`).
        Pattern(nodes("function_item", "function_signature_item")),
        # Every `impl ..Write for T`: which types the crate writes into, and whether
        # their `write_str` can fail (`_record_write_impl`).
        Pattern(nodes("impl_item"), needs=(b"Write",), needs_before_body=True),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        # Which pattern matched, by its captures and kind: only the discard queries capture
        # a `value`; the other patterns hand their candidate over alone.
        if "value" not in captures:
            item = captures["match"][0]
            if item.type == "impl_item":
                _record_write_impl(item, ctx)
                return
            name = item.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                _record_function(item, name, ctx)
            return
        statement = captures["match"][0]
        if _in_drop(statement):
            return  # `Drop::drop` has no caller to hand an error to
        if _justified(statement, ctx):
            return  # the author already said why the result does not matter
        value = captures["value"][0]
        awaited = value.type == "await_expression"
        call = value.named_children[0] if awaited and value.named_children else value
        if call.type == "macro_invocation":
            self._check_write_macro(statement, call, ctx)
        elif call.type == "call_expression":
            self._check_call(statement, call, awaited, ctx)

    def _check_write_macro(self, statement: Node, macro: Node, ctx: FileContext) -> None:
        name = items.macro_name(macro).rsplit("::", 1)[-1]
        if name not in WRITE_MACROS:
            return
        gates = _write_gates(write_target(macro))
        if gates is not None:
            self._report(statement, f"`{name}!`", ctx, gates)

    def _check_call(self, statement: Node, call: Node, awaited: bool, ctx: FileContext) -> None:
        function = call.child_by_field_name("function")
        if function is not None and function.type == "generic_function":
            if _parses_punctuation(function):
                return  # `let _ = input.parse::<Token![,]>();`: an optional comma, if any
            function = function.child_by_field_name("function")  # `parse::<T>(..)`
        arguments = call.child_by_field_name("arguments")
        argc = len(arguments.named_children) if arguments is not None else 0
        if function is None:
            return
        into_buffer = arguments is not None and _writes_into_buffer(arguments)
        if function.type == "field_expression":
            if _peeked(statement, function):
                return  # `if input.peek(..) { let _ = input.parse..(); }`: it is there
            self._check_method_call(statement, function, argc, awaited, ctx, into_buffer)
        elif function.type == "identifier":
            name = ctx.text(function)
            if name not in _STD_METHOD_NAMES and name not in _ANSWER_METHODS:
                self._report_local(statement, f"`{name}(..)`", name, awaited, ctx, into_buffer)
        elif function.type == "scoped_identifier":
            self._check_path_call(statement, function, awaited, ctx, into_buffer)

    def _check_method_call(
        self,
        statement: Node,
        function: Node,
        argc: int,
        awaited: bool,
        ctx: FileContext,
        into_buffer: bool,
    ) -> None:
        """`receiver.method(..)`: a known std I/O method, or a crate-local one."""
        method = ctx.text(function.child_by_field_name("field"))
        receiver = function.child_by_field_name("value")
        if receiver is None or method in _ANSWER_METHODS:
            return
        shown = f"`.{method}()`" if argc == 0 else f"`.{method}(..)`"
        if _KNOWN_METHODS.get(method) == argc:
            other = _ASYNC_OTHER if awaited else _OTHER
            gates: tuple[FactGate, ...] = (FactGate(other, method, absent=True),)
            if method in IO_WRITE_METHODS:  # `buf.write_all(..)` into a `Vec<u8>` cannot fail
                target_gates = _write_gates(receiver_target(receiver))
                if target_gates is None:
                    return
                gates += target_gates
            self._report(statement, shown, ctx, gates, setup=method in _SETUP_CALLS)
        elif receiver.type == "self" or method not in _STD_METHOD_NAMES:
            self._report_local(statement, shown, method, awaited, ctx, into_buffer)

    def _check_path_call(
        self, statement: Node, function: Node, awaited: bool, ctx: FileContext, into_buffer: bool
    ) -> None:
        """`fs::remove_file(..)`, `io::copy(..)`, or a crate-local `module::function(..)`."""
        path = ctx.text(function).replace(" ", "").split("::")
        shown = f"`{'::'.join(path)}(..)`"
        if path[-1] in _ANSWER_METHODS or (
            len(path) >= 2 and path[-2] == "fs" and path[-1] in _CLEANUP_FUNCTIONS
        ):
            return
        known_std = len(path) >= 2 and (
            (path[-2] == "fs" and path[-1] in _FS_FUNCTIONS)
            or (path[-2] == "io" and path[-1] == "copy")
        )
        if known_std:
            other = _ASYNC_OTHER if awaited else _OTHER
            gates = (FactGate(other, path[-1], absent=True),)
            self._report(statement, shown, ctx, gates, setup=path[-1] in _SETUP_CALLS)
        elif path[0] in ("self", "Self", "crate", "super") or (path[-1] not in _STD_METHOD_NAMES):
            self._report_local(statement, shown, path[-1], awaited, ctx, into_buffer)

    def _report_local(
        self,
        statement: Node,
        shown: str,
        name: str,
        awaited: bool,
        ctx: FileContext,
        into_buffer: bool = False,
    ) -> None:
        """Report a call of a crate-local fn, standing only if that name returns `Result`
        (and, when it is handed a `&mut` buffer, not a `fmt::Result`: formatting into a
        `String` cannot fail)."""
        result, other = (_ASYNC_RESULT, _ASYNC_OTHER) if awaited else (_RESULT, _OTHER)
        gates: tuple[FactGate, ...] = (FactGate(result, name), FactGate(other, name, absent=True))
        if into_buffer:
            gates += (FactGate(_FMT_RESULT, name, absent=True),)
        self._report(statement, shown, ctx, gates)

    def _report(
        self,
        statement: Node,
        shown: str,
        ctx: FileContext,
        gates: tuple[FactGate, ...],
        *,
        setup: bool = False,
    ) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        if not setup and not _can_propagate(statement):
            return  # no `?` to use: what to do instead is a design call, not an oversight
        form = "let _ =" if statement.type == "let_declaration" else "_ ="
        gate: FactGate | AllGates | None = None
        if len(gates) == 1:
            gate = gates[0]
        elif gates:
            gate = AllGates(gates)
        ctx.report(
            self,
            statement,
            f"`{form}` discards the `Result` of {shown}: a failure here goes unnoticed",
            "propagate it with `?` or handle it; if it truly cannot matter, say why in a comment",
            gate=gate,
        )


def _write_gates(target: WriteTarget) -> tuple[FactGate, ...] | None:
    """What must hold for a discarded write into `target` to be reported; None: never.

    A buffer cannot fail; a type of the crate's own can, unless its `write_str` cannot; a
    writer built here over memory only fails through a fallible `Write` impl of the crate's.
    """
    if target.infallible or target.std_stream:
        return None
    name = target.type_name
    if name is None:
        return ()
    never_fails = FactGate(_INFALLIBLE_WRITE, name, absent=True)
    if target.in_memory:
        return (FactGate(_WRITE_IMPL, name), never_fails)
    return (never_fails,)


def _parses_punctuation(function: Node) -> bool:
    """`input.parse::<Token![,]>()` (also `syn::Token![..]`): syn's way to take an optional
    separator. Its `Err` answers "no comma here"; discarding it is the idiom."""
    arguments = function.child_by_field_name("type_arguments")
    return arguments is not None and any(
        argument.type == "macro_invocation"
        and items.macro_name(argument).rsplit("::", 1)[-1] == "Token"
        for argument in arguments.named_children
    )


def _peeked(statement: Node, function: Node) -> bool:
    """True for `r.parse..()` discarded right inside `if r.peek(..) { .. }` (`peek2`,
    `peek3`): the token was just seen, so the parse cannot fail."""
    receiver = function.child_by_field_name("value")
    holder = statement.parent if statement.type == "assignment_expression" else statement
    block = holder.parent if holder is not None else None
    branch = block.parent if block is not None and block.type == "block" else None
    if receiver is None or branch is None or branch.type != "if_expression":
        return False
    condition = branch.child_by_field_name("condition")
    peek = condition.child_by_field_name("function") if condition is not None else None
    if condition is None or condition.type != "call_expression" or peek is None:
        return False
    field = peek.child_by_field_name("field")
    peeked = peek.child_by_field_name("value")
    return (
        peek.type == "field_expression"
        and field is not None
        and items.text(field) in _PEEKS
        and peeked is not None
        and items.text(peeked) == items.text(receiver)
    )


def _writes_into_buffer(arguments: Node) -> bool:
    """True when an argument is `&mut buf` for a `String`/`Vec<u8>` of the function's own."""
    return any(
        argument.type == "reference_expression"
        and any(c.type == "mutable_specifier" for c in argument.children)
        and receiver_target(argument).infallible
        for argument in arguments.named_children
    )


def _can_propagate(statement: Node) -> bool:
    """True when `?` could pass the error on: the function around the statement returns a
    `Result` (with an error that says something), and no closure or async block lies between
    them."""
    for parent in items.ancestors(statement):
        kind = parent.type
        if kind in ("closure_expression", "async_block"):
            return False
        if kind == "function_item":
            returns = return_type(parent)
            return (
                is_result_type(returns)
                and returns is not None
                and not _unit_error(returns)
                and not foreign_result(returns, parent)
            )
    return False


def _in_drop(statement: Node) -> bool:
    """True inside `fn drop` of an `impl Drop for T` (closures in it included)."""
    function = items.enclosing(statement, ("function_item",))
    if function is None or items.item_name(function) != "drop":
        return False
    body = function.parent
    impl = body.parent if body is not None and body.type == "declaration_list" else None
    if impl is None or impl.type != "impl_item":
        return False
    trait = impl.child_by_field_name("trait")
    return trait is not None and items.type_name(trait) == "Drop"


def _justified(statement: Node, ctx: FileContext) -> bool:
    """True when a comment on the statement's line or just above it says why the result
    does not matter (`// best-effort: ..`, `// ignore errors, the peer may be gone`)."""
    holder = statement  # `let _ = ..;`, or the `expression_statement` around `_ = ..;`
    if statement.type == "assignment_expression" and statement.parent is not None:
        holder = statement.parent
    note: list[str] = []
    row = holder.start_point.row
    sibling = holder.prev_sibling
    while sibling is not None and sibling.type in ("line_comment", "block_comment"):
        if sibling.end_point.row < row - 1 or _trails_code(sibling):
            break  # after a blank line, or behind code: that comment is about something else
        note.append(ctx.text(sibling))
        row = sibling.start_point.row
        sibling = sibling.prev_sibling
    after = holder.next_sibling
    same_line = after is not None and after.start_point.row == holder.end_point.row
    if after is not None and after.type == "line_comment" and same_line:
        note.append(ctx.text(after))
    return bool(note) and _JUSTIFIED.search(" ".join(note)) is not None


def _trails_code(comment: Node) -> bool:
    """True for a comment written after code on the same line (`x(); // note`)."""
    before = comment.prev_sibling
    return before is not None and before.end_point.row == comment.start_point.row


def _unit_error(returns: Node) -> bool:
    """`Result<T, ()>`: the error says only "it did not work", like a `bool` (the callee
    reported whatever there was to report); discarding it loses nothing to handle."""
    error = std_result_error(returns)
    return error is not None and error.type == "unit_type"


def _record_write_impl(impl: Node, ctx: FileContext) -> None:
    """Record the `T` of `impl ..Write for T`, and whether its `write_str` cannot fail."""
    trait = impl.child_by_field_name("trait")
    if trait is None or not items.type_name(trait).endswith("Write"):
        return
    type_name = items.type_name(impl.child_by_field_name("type"))
    ctx.add_fact(_WRITE_IMPL, type_name)
    body = impl.child_by_field_name("body")
    for function in body.named_children if body is not None else []:
        if function.type == "function_item" and items.item_name(function) == "write_str":
            block = function.child_by_field_name("body")
            if block is not None and is_infallible_write_impl(block):
                ctx.add_fact(_INFALLIBLE_WRITE, type_name)


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
        and not _unit_error(returns)
        and not foreign_result(returns, function)
    )
    if returns_result and type_path(returns)[-2:] == ("fmt", "Result"):
        ctx.add_fact(_FMT_RESULT, name)
    header_has_async = source.find(b"async", function.start_byte, name_node.start_byte) >= 0
    if header_has_async and items.is_async_fn(function):
        ctx.add_fact(_ASYNC_RESULT if returns_result else _ASYNC_OTHER, name)
        ctx.add_fact(_OTHER, name)  # called without `.await` it yields a future
    else:
        ctx.add_fact(_RESULT if returns_result else _OTHER, name)
