"""unwrap-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.model import Severity
from rustpro.rules.base import FileRule
from rustpro.rules.errors import panic_sites
from rustpro.rules.errors.panic_sites import Verdict
from rustpro.rules.patterns import Pattern, macro_arg_methods, method_calls


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
        if args.type == "token_tree":  # inside another macro's arguments
            site = method
            operation = panic_sites.token_operation(method)
        else:
            site = captures["match"][0]
            function = site.child_by_field_name("function")
            value = function.child_by_field_name("value") if function is not None else None
            operation = panic_sites.operation_of(value)
        scope = panic_sites.scope_of(ctx, site)
        if scope.assertion or scope.template:
            return  # a test's assertion, or a macro template that may run only in tests
        judgement = panic_sites.judge_unwrap(ctx, site, operation, method=method)
        if judgement.verdict is Verdict.ACCEPTED:
            return
        name = ctx.text(method)
        reason = f" ({judgement.reason})" if judgement.reason else ""
        ctx.report(
            self,
            method,
            f"`.{name}()` panics on `None`/`Err` in production code{reason}",
            "propagate with `?` or handle the error",
            end=args,
            severity=Severity.WARNING if judgement.verdict is Verdict.WARNING else Severity.NOTE,
        )
