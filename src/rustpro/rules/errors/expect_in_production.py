"""expect-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors import panic_sites
from rustpro.rules.errors.panic_sites import Verdict
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, macro_arg_methods, method_calls
from rustpro.syntax import items

# `Option::expect` / `Result::expect` take a `&str`: arguments of these kinds can be one.
_MESSAGE_KINDS = frozenset(
    {
        "string_literal",
        "raw_string_literal",
        "reference_expression",
        "identifier",
        "field_expression",
    }
)
_STRING_TOKENS = frozenset({"string_literal", "raw_string_literal"})
# Macros that expand to a `&str` or `String`; `T![,]` and other macros are some other value,
# so `p.expect(T![,])` is a parser's method, not `Option::expect`.
_MESSAGE_MACROS = frozenset({"format", "concat", "stringify", "env", "include_str", "formatcp"})


class ExpectInProduction(FileRule):
    """Flags `.expect(..)` and `.expect_err(..)` in production code, loudest where input fails.

    ## What it does
    Finds `.expect("message")` calls in library and binary sources, including calls written
    inside macro arguments such as `format!("{}", x.expect("x"))`. Test code, examples,
    benches, build scripts, `assert!`-family macros, `macro_rules!` bodies (templates that
    may only be used in tests) and the tokens of `quote!` (code a proc macro emits) are
    left alone, and so are calls whose argument cannot be a
    message (`parser.expect(Token::Comma)`, `p.expect(T![,])`, `self.expect(b'{')`): those
    are some other type's method.

    Each call is weighed like `.unwrap()` (see `unwrap-in-production` for the shapes):
    a **warning** for a failure of runtime data or I/O the caller could have been told about
    (a parse, decode or file operation in a function that returns `Result`/`Option` or on
    a parameter of a function other modules call; an awaited call such as
    `user.save(&db).await.expect("Error saving")`); a **note in the opt-in `pedantic` group**
    (reported with `--select pedantic` or this rule by name) for the rest, and always when
    the message or a comment at the call states an invariant ("should never fail",
    "checked above", "always set by `new`", "this is a bug", "can only be None in a
    destructor", "`&mut [u8]` write cannot error"); **not reported** for `const`/`static`
    initialisers, values built from literals, `to_str()` of a path made from text, panics
    the function documents (a `# Panics` section or prose that says it panics; for a failure
    of runtime input, only when the section names the operation or its operand: "Panics if
    we are unable to bind to the provided address" over `TcpListener::bind(addr)`), the
    `Index` and `poll` contracts (also a message such as "polled after completion"), and
    calls a guard proves. "must", "only" and "expected" alone do not make an invariant:
    "invalid header, expected base64" describes bad input.

    ## Why is this bad?
    `expect` is `unwrap` with a better message: it still turns a `None` or an `Err` into a
    panic. For a broken invariant that is the right call, which is why those are only notes
    of the opt-in `pedantic` group. When
    the failure comes from input, a file or the network, the caller should get an error.

    ## Example
    ```rust
    pub fn port(text: &str) -> u16 {
        text.parse().expect("port must be a number")
    }
    ```

    ## Use instead
    ```rust
    pub fn port(text: &str) -> Result<u16, std::num::ParseIntError> {
        text.parse()
    }
    ```

    ## References
    - clippy: `expect_used`
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "expect-in-production"
    clippy_twins = ("expect_used",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # `function: (_ ..)`: the gate finds only calls of a field_expression, and naming
        # the kind would cost tree-sitter ~1.5 ms of pattern analysis in every run.
        Pattern(
            method_calls("expect", "expect_err"),
            """
            (call_expression
              function: (_ value: (_) @receiver field: (field_identifier) @method)
              arguments: (arguments) @args
              (#any-of? @method "expect" "expect_err")) @match
            """,
        ),
        Pattern(
            macro_arg_methods("expect", "expect_err"),
            """
            ((token_tree _ @receiver . "." . (identifier) @method . (token_tree) @args)
              (#any-of? @method "expect" "expect_err")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        method = captures["method"][0]
        args = captures["args"][0]
        if captures["receiver"][0].type == "self":
            return  # `self.expect(..)`: a method of the type being written, e.g. a parser
        value: Node | None = None
        if args.type == "token_tree":  # inside another macro's arguments
            if not _message_tokens(args):
                return
            site = method
            operation = panic_sites.token_operation(method)
            message = next((c for c in args.named_children if not c.is_extra), None)
        else:
            message = _message_argument(args)
            if message is None:
                return
            site = captures["match"][0]
            value = captures["receiver"][0]
            operation = panic_sites.operation_of(value)
        scope = panic_sites.scope_of(ctx, site)
        if scope.assertion or scope.template:
            return  # a test's assertion, or a macro template that may run only in tests
        judgement = panic_sites.judge_unwrap(
            ctx, site, operation, panic_sites.message_text(message), method=method, value=value
        )
        if judgement.verdict is Verdict.ACCEPTED:
            return
        name = ctx.text(method)
        reason = f" ({judgement.reason})" if judgement.reason else ""
        ctx.report(
            self,
            method,
            f"`.{name}(..)` panics on `None`/`Err` in production code{reason}",
            "propagate with `?` or handle the error; keep `expect` only for broken invariants",
            end=args,
            # Invariant sites are notes of the opt-in tier: shown with `--select pedantic`
            # or this rule by name, not by default.
            severity=panic_sites.tier_severity(judgement),
            group=panic_sites.tier_group(judgement),
        )


def _message_argument(args: Node) -> Node | None:
    """The argument of a call when it is one expression that can be a `&str` message."""
    values = [c for c in args.named_children if c.type not in ("line_comment", "block_comment")]
    if len(values) != 1:
        return None
    value = values[0]
    if value.type == "call_expression":  # `msg.as_str()`, not `Token::new(..)`
        function = value.child_by_field_name("function")
        return value if function is not None and function.type == "field_expression" else None
    if value.type == "macro_invocation":
        return value if _message_macro(items.macro_name(value)) else None
    return value if value.type in _MESSAGE_KINDS else None


def _message_macro(name: str) -> bool:
    return name.rsplit("::", 1)[-1] in _MESSAGE_MACROS


def _message_tokens(args: Node) -> bool:
    """True when a macro token tree `( .. )` after `.expect` can hold a `&str` message."""
    tokens = [c for c in args.children if c.type not in ("(", ")", "[", "]", "{", "}")]
    if not tokens:
        return False
    first = tokens[0]
    if first.type in _STRING_TOKENS or first.type == "&":
        return True
    if first.type == "identifier":
        # `msg` alone, or a message macro call such as `format!(..)`
        if len(tokens) == 1:
            return True
        return tokens[1].type == "!" and _message_macro(items.text(first))
    return False
