"""bool-params."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import is_extern_abi, parameters, parameters_source
from rustpro.syntax import items


class BoolParams(FileRule):
    """Flags public functions that take two or more `bool` parameters.

    ## What it does
    Finds public API functions and methods (including trait method declarations) with two or
    more parameters typed `bool`. `self` does not count. Trait impl methods are skipped (the
    trait dictates their signature), and so are `extern "C"` functions.

    ## Why is this bad?
    At the call site `render(true, false)` says nothing: a reader has to look up which flag is
    which, and swapping two of them still compiles. An enum per flag, or an options struct with
    named fields, makes every call self-describing and lets the compiler catch mix-ups.

    ## Example
    ```rust
    pub fn render(text: &str, bold: bool, underline: bool) -> String {
        let _ = (bold, underline);
        text.to_owned()
    }
    ```

    ## Use instead
    ```rust
    pub enum Weight { Regular, Bold }
    pub enum Line { None, Under }

    pub fn render(text: &str, weight: Weight, line: Line) -> String {
        let _ = (weight, line);
        text.to_owned()
    }
    ```

    ## References
    - clippy: `fn_params_excessive_bools`
    - Rust API Guidelines, C-CUSTOM-TYPE: "Arguments convey meaning through types, not `bool`
      or `Option`"
    """

    name = "bool-params"
    clippy_twins = ("fn_params_excessive_bools",)
    # A function whose signature never spells `bool` takes no `bool` parameter: the engine
    # skips it without reading the body.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item", "function_signature_item"),
            needs=(b"bool",),
            needs_before_body=True,
            public_only=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        if b"bool" not in parameters_source(function, ctx.source):
            return  # most functions: no parameter can be a `bool`
        flags = [p for p in parameters(function) if _is_bool(p.type)]
        if len(flags) < 2 or is_extern_abi(function):
            return
        gate = ctx.public_gate(function)
        if gate is None:
            return
        names = ", ".join(f"`{p.name}`" if p.name else "a pattern" for p in flags)
        ctx.report(
            self,
            function.child_by_field_name("name") or function,
            f"`{items.item_name(function)}` takes {len(flags)} `bool` parameters ({names})",
            "replace the flags with enums or an options struct so call sites say what they mean",
            gate=gate,
        )


def _is_bool(type_node: Node) -> bool:
    return type_node.type == "primitive_type" and items.text(type_node) == "bool"
