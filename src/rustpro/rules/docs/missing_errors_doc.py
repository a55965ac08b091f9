"""missing-errors-doc."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.model import Bundle
from rustpro.rules.base import FileRule
from rustpro.rules.errors.signatures import (
    foreign_result,
    return_type,
    std_result_error,
    type_path,
)
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import returns_result
from rustpro.syntax import items

_COMMENTS = frozenset({"line_comment", "block_comment"})
# This many public functions of one impl, trait or module without `# Errors` are one finding:
# the reviewer says "this type documents no errors" once (syscall wrappers, FFI bindings).
CONTAINER_MINIMUM = 8
# Headings that introduce the errors section.
_HEADINGS = ("Errors", "Error", "Failure", "Failures")
# A fenced code block (an unclosed one runs to the end, as rustdoc reads it): examples are no
# description of the function's failures, however many `Err(..)` and `?` they hold.
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1|\Z)", re.DOTALL | re.MULTILINE)
# Prose that says when the function fails, without a heading, or hands its contract to another
# item that does. Each alternative names the function's own failure, not one it merely
# mentions ("an attempt to read that fails with `WouldBlock`" says nothing about when this
# function fails).
_FAILURE_PROSE = re.compile(
    "|".join(
        (
            # `Err`, `Err(..)`: "returns `Err` if ..", "`Err(RecvError::Closed)` is returned"
            r"\bErr\b",
            # "Fails outside ..", at the start of a sentence
            r"(?:^|[.!?:;]\s+)Fails\b",
            # "will fail", "may fail", "cannot fail", "building the endpoint will fail"
            r"\b(?i:will|may|might|can|could|would|should|must|to|never|cannot|can't|won't"
            r"|will not|does not|doesn't)\s+(?:\w+\s+)?(?i:fail)\b",
            # "fails if ..", "fail when ..", but not "(an attempt) that fails with .."
            r"(?<!that )(?<!which )\b(?i:fails?)\s+(?i:if|when|unless|whenever|on|for|outside"
            r"|before|after|with|because|in case)\b",
            # "If this fails, ..", "the call fails"
            r"\b(?:this|it|the call|this call|the function|this function|the method"
            r"|this method)\s+fails\b",
            # "on failure", "in case of an error"
            r"\b(?i:on|upon|in case of|in the event of)\s+(?:an?\s+)?(?i:failure|error)\b",
            # "returns an error", "returns a [`SendError`]", "return the `WouldBlock` error"
            r"\b(?i:returns?|returned|returning|yields?|produces?|gives?)\s+(?:back\s+)?"
            r"(?:an?\s+|the\s+)?(?:\S+\s+){0,3}?\S*(?i:errors?)\b",
            # "An error is returned", "If some `DecodeError` occurs, it will be returned"
            r"(?i:errors?)\b[^.]{0,40}?\b(?i:is|are|will be|gets?)\s+returned",
            # "Errors if ..", "This errors in case ..", "or an error if .."
            r"(?:(?:^|[.!?:;]\s+)Errors?|\b(?:[Tt]his|[Ii]t|function|method|call)\s+errors"
            r"|\b(?:an?|the)\s+error)\s+(?i:if|when|unless|on|with|in case|out)\b",
            # "Succeeds only if the two halves belong together"
            r"\b(?i:succeeds only|only succeeds)\s+(?i:if|when)\b",
            # The contract of another item, errors included: "This is an async version of
            # [`std::fs::read_dir`]", "Equivalent to [`std::fs::write`]", "identical to
            # [`Self::spawn`] except ..", "equivalent to `ready(Interest::READABLE)`"
            r"\b(?i:equivalent(?:\s+of|\s+to)?|(?:async|blocking|non-blocking)\s+version\s+of"
            r"|(?:the\s+)?same\s+as|identical\s+to)\s+(?:the\s+)?(?:\[`|`)",
            # "if an error occurs"
            r"\b(?i:an?|the|any)\s+(?:\w+\s+)?\S*(?i:errors?)\s+(?i:occurs?|happens?"
            r"|is\s+encountered|is\s+raised)",
            # A value handed back on a condition, the error of `try_map`-like functions: "The
            # original guard is returned if the closure returns `None`", "the value is given
            # back when the channel is full" (not "is returned if successful": that is the Ok)
            r"\b(?:is|are)\s+(?:returned|given\s+back|handed\s+back)(?:\s+back)?\s+"
            r"(?i:if|when|unless|instead|otherwise)\b(?!\s+(?i:successful|it\s+succeeds))",
            # Errors by reference to another item: "The same restrictions (panics, errors)
            # apply as with [`add_signal`]", "errors are those of [`File::open`]", "for the
            # errors, see [`connect`]"
            r"\b(?i:errors?|failures?)\b[^.]{0,80}?\b(?i:as\s+(?:with|for|in|by|of)|see"
            r"|those\s+of|like)\s+(?:the\s+)?(?:\[`|`|\[[A-Za-z])",
        )
    ),
    re.MULTILINE,
)
# An example line that shows the function itself failing: `assert_eq!(oper.send(&s, 10),
# Err(SendError(10)))`, `assert!(parse("").is_err())`, `f(x).unwrap_err()`. The function's
# name is put in at `{name}`.
_FAILING_CALL = r"\b{name}\s*(?:::<[^>]*>)?\(.*(?:\bErr\(|\.is_err\(\)|\.(?:unwrap|expect)_err\()"
_ASSERTS_FAILURE = re.compile(r"\bassert(?:_eq|_matches)?!|\.(?:unwrap|expect)_err\(")


class MissingErrorsDoc(FileRule):
    """Flags public functions returning `Result` whose docs never say when they fail.

    ## What it does
    Finds public API functions, methods of public types and trait methods whose declared return
    type is a `Result` (`Result<T, E>`, `io::Result<T>`, a crate's own `Result` alias) and whose
    docs neither have an `# Errors` heading (`# Error` and `# Failures` are accepted too) nor
    state in prose when the function fails: "Returns an error if ..", "Fails outside ..",
    "`Err(WouldBlock)` is returned when ..", "or building the endpoint will fail", "Succeeds
    only if ..", "The original guard is returned if the closure returns `None`". Docs that
    hand the contract to another item ("This is an async version of [`std::fs::read_dir`]",
    "Equivalent to [`std::fs::write`]", "The same restrictions (panics, errors) apply as with
    [`add_signal`]") count as well. Code examples count only where they assert that a call of
    the function itself fails (`assert_eq!(s.send(1), Err(SendError(1)))`): other `Err(..)`
    and `?` in them say nothing about the function's own failures. Undocumented functions
    are reported too: they lack the section as well (with `missing-docs` selected, as part of
    its finding).

    A type that documents no errors is one finding: when an impl, trait or module has 8 or
    more public functions without the section and documents the errors of at most a third of
    its `Result`-returning functions (syscall or FFI wrappers, typically), one finding at the
    first names the container and lists the others as related locations. A container that
    mostly documents its errors gets a finding per function it missed. Trait impl members
    are skipped (the trait documents them), and so are methods returning
    `Result<T, Self::Error>` (the implementor chooses the error type and when it happens),
    thin wrappers whose whole body calls the same-named method of a field
    (`self.inner.local_addr()`: the errors are the field's), and functions whose `Result` is
    not std's: an associated type (`C::Result` of a consumer, `Self::Result`) or a type
    parameter named `Result` (`trait Reducer<Result>`), which may be any value.

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
            public_only=True,
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
        if foreign_result(return_type(function), function):
            return  # `C::Result`, `Reducer<Result>`: a type named `Result`, not std's
        if _implementor_defines_errors(function) or _forwards_to_field(function):
            return
        if _documents_errors(items.doc_text(function), items.item_name(function)):
            return
        name = function.child_by_field_name("name")
        ctx.report(
            self,
            name or function,
            f"`{ctx.text(name)}` returns a `Result` but its docs have no `# Errors`",
            "add an `# Errors` section that says when and why it fails",
            gate=gate,
            bundle=_container_bundle(function, ctx.text(name), ctx),
        )


def _container_bundle(function: Node, name: str, ctx: FileContext) -> Bundle | None:
    """The impl, trait or module the function is one of, as a group of the rule's findings,
    when the container mostly documents no errors: `CONTAINER_MINIMUM` or more such
    functions are one finding, "this type documents no errors". A container that documents
    the errors of more than a third of its functions keeps a finding per function: each one
    it missed is a gap of its own."""
    container = function.parent
    if container is None:
        return None
    documented, silent = _error_docs_census(container, ctx)
    if documented * 2 > silent:
        return None
    holder = container.parent if container.type == "declaration_list" else None
    if holder is None:
        where = "this module"
    elif holder.type == "impl_item":
        where = f"`{items.type_name(holder.child_by_field_name('type'))}`"
    elif holder.type in ("trait_item", "mod_item"):
        where = f"`{items.item_name(holder)}`"
    else:
        return None
    return Bundle(
        key=f"errors@{container.start_byte}",
        minimum=CONTAINER_MINIMUM,
        message=(
            f"{{count}} public functions of {where} return a `Result` and their docs have no "
            "`# Errors`"
        ),
        help=(
            "say once, on the type or module, what their errors are (often the operating "
            "system's or the C library's error for the call) and add an `# Errors` section "
            "to the functions whose failures are their own"
        ),
        member=f"`{name}`",
    )


def _error_docs_census(container: Node, ctx: FileContext) -> tuple[int, int]:
    """How many functions of `container` that may be public and spell `Result` in their
    return type document their errors, and how many do not (worked out once per container)."""
    answers = ctx.memo("missing-errors-doc.census")
    key = (container.start_byte, container.end_byte)
    found = answers.get(key)
    if found is None:
        documented = silent = 0
        for child in container.named_children:
            if (
                child.type in ("function_item", "function_signature_item")
                and ctx.may_be_public(child)
                and _spells_result(child, ctx)
            ):
                if _documents_errors(items.doc_text(child), items.item_name(child)):
                    documented += 1
                else:
                    silent += 1
        found = answers[key] = (documented, silent)
    return found


def _spells_result(function: Node, ctx: FileContext) -> bool:
    returned = function.child_by_field_name("return_type")
    return returned is not None and "Result" in ctx.text(returned)


def _implementor_defines_errors(function: Node) -> bool:
    """`Result<T, Self::Error>`: the error type is the implementor's choice (a codec's
    `encode`), and so is when it is returned; the trait cannot say."""
    path = type_path(std_result_error(return_type(function)))
    return len(path) >= 2 and path[0] == "Self"


def _forwards_to_field(function: Node) -> bool:
    """A wrapper whose whole body calls the same-named method of one of its fields:
    `fn local_addr(&self) -> io::Result<SocketAddr> { self.inner.local_addr() }`. Its errors
    are the field's, documented with the field's type."""
    body = function.child_by_field_name("body")
    if body is None:
        return False
    statements = [c for c in body.named_children if c.type not in _COMMENTS]
    if len(statements) != 1:
        return False
    call = statements[0]
    if call.type == "await_expression" and call.named_children:
        call = call.named_children[0]
    method = call.child_by_field_name("function") if call.type == "call_expression" else None
    if method is None or method.type != "field_expression":
        return False
    name = method.child_by_field_name("field")
    if name is None or items.text(name) != items.item_name(function):
        return False
    receiver = method.child_by_field_name("value")
    if receiver is None or receiver.type != "field_expression":
        return False  # `self.inner.x()`, not `self.x()` or `other.x()`
    while receiver is not None and receiver.type == "field_expression":
        receiver = receiver.child_by_field_name("value")  # `self.inner`, `self.0.io`
    return receiver is not None and receiver.type == "self"


def _documents_errors(docs: str | None, name: str = "") -> bool:
    """Whether the docs say when the function fails: under an `# Errors` heading (also
    `# Error`, `# Failures`), in prose outside code examples ("Returns an error if ..",
    "Fails outside ..", "`Err(WouldBlock)` is returned when .."), or in an example that
    asserts a call of the function `name` fails (`assert_eq!(s.send(1), Err(SendError(1)))`)."""
    if docs is None:
        return False
    # A heading is a line that starts with `#`: most docs hold none, and need no line split.
    if "#" in docs and any(items.has_doc_section(docs, heading) for heading in _HEADINGS):
        return True
    if _FAILURE_PROSE.search(_FENCE.sub("", docs)) is not None:
        return True
    return bool(name) and _example_shows_failure(docs, name)


def _example_shows_failure(docs: str, name: str) -> bool:
    """Whether a code example of the docs asserts that a call of `name` fails: an example
    that shows the failing case documents when it happens. Other `Err(..)` and `?` in
    examples say nothing about this function's own failures."""
    if "```" not in docs and "~~~" not in docs:
        return False
    failing = re.compile(_FAILING_CALL.replace("{name}", re.escape(name.removeprefix("r#"))))
    for block in _FENCE.finditer(docs):
        for line in block.group(0).splitlines():
            if _ASSERTS_FAILURE.search(line) and failing.search(line):
                return True
    return False
