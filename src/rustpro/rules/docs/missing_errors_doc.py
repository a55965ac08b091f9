"""missing-errors-doc."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import returns_result
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
    # A function whose signature never spells `Result` cannot return one: the engine skips it.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item", "function_signature_item"),
            needs=(b"Result",),
            needs_before_body=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        # All three questions are free of side effects, so the one that turns most functions
        # away goes first: nine in ten are not public API, and `missing-docs` has usually
        # asked already (the answer is kept per item); nearly all of them return `Result`.
        gate = ctx.public_gate(function)
        if gate is None or not returns_result(function, ctx.source):
            return
        if _documents_errors(items.doc_text(function)):
            return
        name = function.child_by_field_name("name")
        ctx.report(
            self,
            name or function,
            f"`{ctx.text(name)}` returns a `Result` but its docs have no `# Errors`",
            "add an `# Errors` section that says when and why it fails",
            gate=gate,
        )


def _documents_errors(docs: str | None) -> bool:
    """Whether the docs have an `# Errors` heading (or `# Error`, a common spelling of it)."""
    # A heading is a line that starts with `#`: most docs hold none, and need no line split.
    if docs is None or "#" not in docs:
        return False
    return items.has_doc_section(docs, "Errors") or items.has_doc_section(docs, "Error")
