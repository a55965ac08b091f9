"""unwrap-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, macro_arg_methods, method_calls
from rustpro.rules.support import in_assert_macro

_METHODS = ("unwrap", "unwrap_err")


class UnwrapInProduction(FileRule):
    """Flags `.unwrap()` and `.unwrap_err()` in production code.

    ## What it does
    Finds calls to `.unwrap()` / `.unwrap_err()` in library and binary sources, including
    calls written inside macro arguments such as `format!("{}", x.unwrap())`. Test code,
    examples, benches, build scripts and `assert!`-family macros are left alone.

    ## Why is this bad?
    `unwrap` turns every `None` or `Err` into a panic with a message that says nothing about
    what went wrong. In a library it takes the choice away from the caller; in a service it
    takes down a worker on bad input.

    ## Example
    ```rust
    pub fn port(text: &str) -> u16 {
        text.parse().unwrap()
    }
    ```

    ## Use instead
    ```rust
    pub fn port(text: &str) -> Result<u16, std::num::ParseIntError> {
        text.parse()
    }
    ```

    ## References
    - clippy: `unwrap_used`
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "unwrap-in-production"
    clippy_twins = ("unwrap_used",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            method_calls("unwrap", "unwrap_err"),
            """
            (call_expression
              function: (field_expression field: (field_identifier) @method)
              arguments: (arguments) @args
              (#any-of? @method "unwrap" "unwrap_err")) @match
            """,
        ),
        Pattern(
            macro_arg_methods("unwrap", "unwrap_err"),
            """
            ((token_tree "." . (identifier) @method . (token_tree) @args)
              (#any-of? @method "unwrap" "unwrap_err")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        method = captures["method"][0]
        args = captures["args"][0]
        if args.named_child_count:  # `.unwrap(x)` is some other type's method
            return
        if (
            method.parent is not None
            and method.parent.type == "token_tree"
            and in_assert_macro(method)
        ):
            return
        name = ctx.text(method)
        ctx.report(
            self,
            method,
            f"`.{name}()` panics on `None`/`Err` in production code",
            "propagate with `?` or handle the error",
            end=args,
        )
