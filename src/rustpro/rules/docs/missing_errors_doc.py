"""missing-errors-doc."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import return_type_source, returns_result
from rustpro.syntax import items


class MissingErrorsDoc(FileRule):
    """Flags public functions returning `Result` whose docs have no `# Errors` section.

    ## What it does
    Finds public API functions, methods of public types and trait methods whose declared return
    type is a `Result` (`Result<T, E>`, `io::Result<T>`, a crate's own `Result` alias) and whose
    docs lack an `# Errors` heading (`# Error` is accepted too). Undocumented functions are
    reported too: they lack the section as well. Trait impl members are skipped (the trait
    documents them).

    ## Why is this bad?
    The error half of a `Result` is part of the contract. Without an `# Errors` section a caller
    cannot tell which failures to expect, which are worth retrying and which mean a bug on
    their side.

    ## Example
    ```rust
    /// Reads the configuration file.
    pub fn load(path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    ```

    ## Use instead
    ```rust
    /// Reads the configuration file.
    ///
    /// # Errors
    /// Fails when `path` does not exist or is not valid UTF-8.
    pub fn load(path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    ```

    ## References
    - clippy: `missing_errors_doc`
    - Rust API Guidelines, C-FAILURE: "Function docs include error, panic, and safety
      considerations"
    """

    name = "missing-errors-doc"
    clippy_twins = ("missing_errors_doc",)
    # A function whose text never spells `Result` cannot return one: the engine skips it.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(nodes("function_item", "function_signature_item"), needs=(b"Result",)),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        # The head of the return type can only be `Result` if its text spells it.
        if b"Result" not in return_type_source(function, ctx.source):
            return
        if not returns_result(function):
            return
        # Whether the function is public API is cheaper to learn than its docs, and most
        # functions are not; both questions have no side effects, so their order is free.
        gate = ctx.public_gate(function)
        if gate is None:
            return
        docs = items.doc_text(function)
        # `# Error` (singular) is a common spelling of the same section.
        if items.has_doc_section(docs, "Errors") or items.has_doc_section(docs, "Error"):
            return
        ctx.report(
            self,
            function.child_by_field_name("name") or function,
            f"`{items.item_name(function)}` returns a `Result` but its docs have no `# Errors`",
            "add an `# Errors` section that says when and why it fails",
            gate=gate,
        )
