"""boxed-error-in-lib-api."""

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
    dyn_error_box,
    return_type,
    returns_own_input,
    std_result_error,
)
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, nodes, signatures_returning


class BoxedErrorInLibApi(FileRule):
    """Flags public library functions that return `Result<_, Box<dyn Error>>`.

    ## What it does
    Finds functions, methods and trait methods that are public API of the library and whose
    declared return type is `Result<T, Box<dyn Error>>`, with any extra bounds
    (`Box<dyn std::error::Error + Send + Sync + 'static>`). Binaries are left alone: for
    `main` and application code a boxed error is a fine choice. So is a function that only
    hands a boxed error it was given back to the caller (`fn try_from_error(err: Box<dyn
    Error>) -> Result<Status, Box<dyn Error>>` returning `Err(err)` when no status fits): the
    type is the caller's, not one the function chose.
    `#[deprecated]` functions, and methods of a deprecated `impl`, `trait` or type (declared
    in any file of the crate), are left alone too: a new error type would change the
    signature of an API kept only for old callers, who are already told to move on.

    ## Why is this bad?
    A boxed trait object erases the error's type: callers cannot `match` on what went wrong
    without downcasting to types they have to guess, and the set of possible failures is no
    longer part of the function's signature. Without `Send + Sync` the error cannot even
    cross threads or `.await` points in a multi-threaded runtime.

    ## Example
    ```rust
    pub fn load(path: &str) -> Result<String, Box<dyn std::error::Error>> {
        Ok(std::fs::read_to_string(path)?)
    }
    ```

    ## Use instead
    ```rust
    #[derive(Debug)]
    pub enum LoadError {
        Io(std::io::Error),
    }

    impl std::fmt::Display for LoadError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                LoadError::Io(err) => write!(f, "cannot read: {err}"),
            }
        }
    }

    impl std::error::Error for LoadError {}

    pub fn load(path: &str) -> Result<String, LoadError> {
        std::fs::read_to_string(path).map_err(LoadError::Io)
    }
    ```

    ## References
    - Rust API Guidelines, C-GOOD-ERR: "Error types are meaningful and well-behaved"
    - The Rust Book, "Returning Errors with `Box<dyn Error>`" (fine for binaries)
    """

    name = "boxed-error-in-lib-api"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item"),
            matcher=signatures_returning("Box", "generic_type"),
            needs=(b"Box",),
            needs_before_body=True,
            public_only=True,
        ),
        Pattern(
            nodes("function_signature_item"),
            matcher=signatures_returning("Box", "generic_type"),
            needs=(b"Box",),
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
        if error is None or not dyn_error_box(error) or returns_own_input(function, dyn_error_box):
            return
        public = ctx.public_gate(function)
        if public is None or frozen_function(function):
            return  # not API, or a deprecated one kept as it is for old callers
        gate = gate_unless_deprecated_type(function, public)
        name = ctx.text(captures["name"][0])
        ctx.report(
            self,
            captures["name"][0],
            f"public fn `{name}` returns a boxed `dyn Error`, hiding which errors can happen",
            "return a concrete error type (an enum callers can match on)",
            gate=gate,
        )
