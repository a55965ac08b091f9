"""string-error."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.deprecation import (
    DEPRECATED_ATTRIBUTES,
    frozen_function,
    gate_unless_deprecated_type,
    record_deprecated_type,
)
from rustpro.rules.errors.signatures import (
    return_type,
    returns_own_input,
    std_result_error,
    type_path,
)
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, nodes, signatures_returning

_STRING_PATHS = frozenset({("String",), ("std", "string", "String"), ("alloc", "string", "String")})


class StringError(FileRule):
    """Flags public functions that return `Result<_, String>` or `Result<_, &str>`.

    ## What it does
    Finds functions, methods and trait methods that are public API of the library and whose
    declared return type is `Result<T, String>` or `Result<T, &str>` (any lifetime).
    A function that only ever hands back one of its own `String`/`&str` parameters as the
    error (`fn new(name: &str) -> Result<Name, &str> { .. Err(name) }`: every `Err(..)`
    wraps such a parameter, and no `?`, `map_err` or `ok_or` makes other errors) is left
    alone: it returns ownership of the caller's input, not a message.
    `#[deprecated]` functions, and methods of a deprecated `impl`, `trait` or type (declared
    in any file of the crate), are left alone too: a new error type would change the
    signature of an API kept only for old callers, who are already told to move on.

    ## Why is this bad?
    A string is an error a program cannot act on: callers can only print it or compare text,
    which breaks when the wording changes. It does not implement `std::error::Error`, so it
    does not compose with `?` into other error types, has no `source()`, and `&'static str`
    cannot even say which input failed.

    ## Example
    ```rust
    pub fn parse_port(text: &str) -> Result<u16, String> {
        text.parse().map_err(|_| format!("bad port: {text}"))
    }
    ```

    ## Use instead
    ```rust
    #[derive(Debug)]
    pub struct BadPort(pub String);

    impl std::fmt::Display for BadPort {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "bad port: {}", self.0)
        }
    }

    impl std::error::Error for BadPort {}

    pub fn parse_port(text: &str) -> Result<u16, BadPort> {
        text.parse().map_err(|_| BadPort(text.to_owned()))
    }
    ```

    ## References
    - Rust API Guidelines, C-GOOD-ERR: "Error types are meaningful and well-behaved"
    - clippy: `result_unit_err` (the same problem with `()` as the error)
    """

    name = "string-error"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item"),
            matcher=signatures_returning("(String|str)", "generic_type"),
            needs=(b"String", b"str"),
            needs_before_body=True,
            public_only=True,
        ),
        Pattern(
            nodes("function_signature_item"),
            matcher=signatures_returning("(String|str)", "generic_type"),
            needs=(b"String", b"str"),
            needs_before_body=True,
            public_only=True,
        ),
        DEPRECATED_ATTRIBUTES,
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        if function.type == "attribute_item":
            record_deprecated_type(function, ctx)
            return
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        error = std_result_error(return_type(function))
        if error is None or not _is_string(error) or returns_own_input(function, _is_string):
            return
        public = ctx.public_gate(function)
        if public is None or frozen_function(function):
            return  # not API, or a deprecated one kept as it is for old callers
        gate = gate_unless_deprecated_type(function, public)
        ctx.report(
            self,
            captures["name"][0],
            f"public fn `{ctx.text(captures['name'][0])}` returns `{ctx.text(error)}` as its error",
            "return an error type (an enum or struct implementing `std::error::Error`)",
            gate=gate,
        )


def _is_string(error: Node | None) -> bool:
    """True for `String` (any std path) and `&str` (any lifetime)."""
    if error is None:
        return False
    if type_path(error) in _STRING_PATHS:
        return True
    if error.type != "reference_type":
        return False
    referent = error.child_by_field_name("type")
    return referent is not None and referent.type == "primitive_type" and referent.text == b"str"
