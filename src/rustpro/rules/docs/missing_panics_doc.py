"""missing-panics-doc."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, macro_arg_methods, macro_calls, method_calls
from rustpro.syntax import items

# `debug_assert*` vanish from release builds and `unreachable!`/`todo!` mark states the author
# claims cannot happen, so only these count as documented-worthy panics (as in clippy).
_PANIC_MACROS = frozenset({"panic", "assert", "assert_eq", "assert_ne"})
_STD_PREFIXES = ("", "std::", "core::")


class MissingPanicsDoc(FileRule):
    """Flags public functions that can panic but whose docs have no `# Panics` section.

    ## What it does
    Finds public API functions and methods whose own body calls `.unwrap()`, `.expect(..)`,
    `panic!`, `assert!`, `assert_eq!` or `assert_ne!`, and whose docs lack a `# Panics`
    heading. Only the function's own body counts: calls inside closures and nested functions
    run only if something calls them, so they are not attributed to the outer function.
    `debug_assert!` (gone in release builds) and `unreachable!` are not counted, and trait impl
    members are skipped.

    ## Why is this bad?
    A panic is an outcome the signature does not show. Callers who cannot see when a function
    panics cannot avoid the condition, and a library that panics on input it never documented
    as invalid takes down its users' programs.

    ## Example
    ```rust
    /// The first byte of `data`.
    pub fn first(data: &[u8]) -> u8 {
        assert!(!data.is_empty(), "no data");
        data[0]
    }
    ```

    ## Use instead
    ```rust
    /// The first byte of `data`.
    ///
    /// # Panics
    /// Panics when `data` is empty.
    pub fn first(data: &[u8]) -> u8 {
        assert!(!data.is_empty(), "no data");
        data[0]
    }
    ```

    ## References
    - clippy: `missing_panics_doc`
    - Rust API Guidelines, C-FAILURE: "Function docs include error, panic, and safety
      considerations"
    """

    name = "missing-panics-doc"
    clippy_twins = ("missing_panics_doc",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            method_calls("unwrap", "expect"),
            """
            (call_expression
              function: (field_expression field: (field_identifier) @method)
              arguments: (arguments) @args
              (#any-of? @method "unwrap" "expect")) @match
            """,
        ),
        Pattern(
            macro_arg_methods("unwrap", "expect"),
            """
            ((token_tree "." . (identifier) @method . (token_tree) @args)
              (#any-of? @method "unwrap" "expect")) @match
            """,
        ),
        Pattern(
            macro_calls("panic", "assert", "assert_eq", "assert_ne"),
            """
            (macro_invocation
              macro: [(identifier) (scoped_identifier)] @macro
              (#match? @macro "^((std|core)::)?(panic|assert|assert_eq|assert_ne)$")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        site = captures["match"][0]
        what = _panic_site(captures)
        if what is None:
            return
        function = _owning_function(site)
        if function is None:
            return
        # Whether a function deserves a finding does not depend on the site: it is judged
        # once, at its first panic site (the one a finding names), and later sites add nothing.
        judged = ctx.scratch(self)
        if function.start_byte in judged:
            return
        judged.add(function.start_byte)
        # Both questions are free of side effects; most functions are not public API, and
        # that answer is often known already (other rules ask it), while docs must be read.
        gate = ctx.public_gate(function)
        if gate is None or items.has_doc_section(items.doc_text(function), "Panics"):
            return
        name_node = function.child_by_field_name("name")
        line = ctx.lines.line_of(site.start_byte)
        ctx.report(
            self,
            name_node or function,
            f"`{ctx.text(name_node)}` can panic ({what} on line {line}) "
            "but its docs have no `# Panics`",
            "add a `# Panics` section that says when it panics, or return an error instead",
            gate=gate,
        )


def _panic_site(captures: dict[str, list[Node]]) -> str | None:
    """How the matched site panics ("`.unwrap()`", "`assert!`"), or None if it does not."""
    if "macro" in captures:
        name = items.text(captures["macro"][0]).replace(" ", "")
        for prefix in _STD_PREFIXES:
            if name.startswith(prefix) and name[len(prefix) :] in _PANIC_MACROS:
                return f"`{name[len(prefix) :]}!`"
        return None
    method = items.text(captures["method"][0])
    args = captures["args"][0]
    if args.type == "arguments":
        count = args.named_child_count
    else:  # inside a macro's token tree: count top-level commas loosely by content
        count = 1 if any(c.is_named for c in args.children) else 0
    wanted = 0 if method == "unwrap" else 1
    if count != wanted:
        return None  # `.unwrap(x)` / `.expect()` belong to some other type
    return f"`.{method}()`"


def _owning_function(site: Node) -> Node | None:
    """The function whose own body holds `site`; None inside closures or outside functions."""
    for parent in items.ancestors(site):
        if parent.type == "closure_expression":
            return None
        if parent.type == "function_item":
            return parent
    return None
