"""missing-panics-doc."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors import panic_sites
from rustpro.rules.errors.panic_sites import Verdict
from rustpro.rules.patterns import (
    Pattern,
    macro_arg_methods,
    macro_calls,
    macro_paths_matching,
    method_calls,
    method_calls_with_arguments,
    token_method_calls,
)
from rustpro.syntax import items

# `debug_assert*` vanish from release builds and `unreachable!`/`todo!` mark states the author
# claims cannot happen, so only these count as documented-worthy panics (as in clippy).
_PANIC_MACROS = frozenset({"panic", "assert", "assert_eq", "assert_ne"})
_STD_PREFIXES = ("", "std::", "core::")
# Panics no caller can bring about: docs would not help anyone avoid them.
_NOT_CALLERS_DOING = frozenset(
    {panic_sites.LOCK_POISONING, panic_sites.INVARIANT, panic_sites.INVARIANT_COMMENT}
)


class MissingPanicsDoc(FileRule):
    """Flags public functions that can panic but whose docs have no `# Panics` section.

    ## What it does
    Finds public API functions and methods whose own body calls `.unwrap()`, `.expect(..)`,
    `panic!`, `assert!`, `assert_eq!` or `assert_ne!`, and whose docs do not say when they
    panic: neither a `# Panics` heading nor prose that says so ("**Panics** if `n` is 0",
    "Panics if `index` is out of bounds.", "This function panics when ..", "It panics if ..",
    "Calling `f(true)` without the feature will panic"; a trait impl member's docs are its
    trait method's, when the trait is declared in the same file).
    Only the function's own body counts: calls inside closures, async blocks and
    nested functions run only if something calls or awaits them, so they are not attributed
    to the outer function. `debug_assert!` (gone in release builds) and `unreachable!` are
    not counted, and trait impl members are skipped.

    Panics no caller can bring about are not counted either, since documenting them would
    not help anyone avoid them: `unwrap`/`expect` on values built from literals, on a write
    into a `String` or `Vec<u8>` (which cannot fail), or proven by a guard in the same
    function (the shapes of `unwrap-in-production`), lock poisoning, and
    `expect`/`panic!` whose message or neighbouring comment states an invariant
    (`expect("`inner` can only be None in a destructor")`). So are invariants of the
    function's own state: an `unwrap` or `expect` that the panic rules rate a note (a lookup,
    a getter, an iterator step) on a value no parameter feeds (`let node = build(name);
    node.child().unwrap()` reads back what the function built), the catch-all arm of a
    `match` on such a value (`match self.kind() { .., _ => panic!(..) }`), and anything
    under `if cfg!(debug_assertions)`. An `assert!` (or `assert_eq!`/`assert_ne!`) counts when
    its condition names a parameter (`assert!(limit > 0)`, `assert!(index <= len)`): a
    precondition the caller must meet. One on values the function computed itself
    (`assert_ne!(index1, index2)`), on types (`assert!(size_of::<A>() == ..)`) or on `self`'s
    internal state is an invariant of the code, as the panic rules judge an `unwrap` that no
    parameter feeds.

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
        # Matched in Python: the query pattern cost tree-sitter milliseconds of analysis in
        # every run (`method_calls_with_arguments` names it).
        Pattern(
            method_calls("unwrap", "expect"),
            matcher=method_calls_with_arguments("unwrap", "expect"),
        ),
        # `.name(..)` in macro arguments, matched in Python: the query pattern costs
        # tree-sitter ~2.5 ms of analysis in every run.
        Pattern(
            macro_arg_methods("unwrap", "expect"),
            matcher=token_method_calls("unwrap", "expect"),
        ),
        Pattern(
            macro_calls("panic", "assert", "assert_eq", "assert_ne"),
            matcher=macro_paths_matching(
                "macro", "^((std|core)::)?(panic|assert|assert_eq|assert_ne)$"
            ),
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        site = captures["match"][0]
        what = _panic_site(captures)
        if what is None:
            return
        scope = panic_sites.scope_of(ctx, site)
        function = scope.function
        if function is None or scope.closure is not None or scope.template:
            return  # closures and async blocks run when called or awaited, not here
        # Whether a function deserves a finding does not depend on the site: it is judged
        # once, at its first panic site (the one a finding names), and later sites add nothing.
        judged = ctx.scratch(self)
        if function.start_byte in judged:
            return
        # All three questions are free of side effects, so they are asked cheapest first:
        # most functions are not public API, an answer often known already (other rules ask
        # it); docs are read once per function; judging a site reads the code around it.
        # A function that is no public API or documents its panics never gets a finding,
        # whichever of its sites is judged.
        gate = ctx.public_gate(function)
        if gate is None or panic_sites.function_facts(ctx, function).documents_panics:
            judged.add(function.start_byte)
            return  # a `# Panics` section, or prose such as "**Panics** if `n` is 0"
        if not _documentable(ctx, captures, site):
            return
        judged.add(function.start_byte)
        name_node = function.child_by_field_name("name")
        # Where the panic rules report the same site (`.unwrap` at its method name): the
        # engine folds this finding into theirs when both stand (`engine.merge`).
        where = captures.get("method", captures.get("macro", [site]))[0]
        line = ctx.lines.line_of(where.start_byte)
        ctx.report(
            self,
            name_node or function,
            f"`{ctx.text(name_node)}` can panic ({what} on line {line}) "
            "but its docs have no `# Panics`",
            "add a `# Panics` section that says when it panics, or return an error instead",
            gate=gate,
            related=(ctx.location(where, "it panics here"),),
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


def _documentable(ctx: FileContext, captures: dict[str, list[Node]], site: Node) -> bool:
    """False for panics no caller can bring about, which docs would not help them avoid.

    Those are the panics the panic rules accept (built from literals, proven by a guard, a
    trait's contract), lock poisoning, `expect`/`panic!` whose message states an invariant,
    `unwrap`/`expect` that the panic rules rate a note (an invariant) on values that none of
    the function's parameters feed, the catch-all arm of a `match` on such a value, and
    anything under `if cfg!(debug_assertions)`. An `assert!` counts when its condition names
    a parameter: it states a precondition the caller must meet.
    """
    if panic_sites.debug_only(ctx, site):
        return False  # `if cfg!(debug_assertions) { assert!(..) }` is a debug assertion
    if "macro" in captures:
        macro = items.text(captures["macro"][0]).replace(" ", "").rsplit("::", 1)[-1]
        if macro != "panic":
            # A precondition on what the caller passes; not the function's own invariant.
            return panic_sites.asserts_on_parameter(ctx, site)
        judgement = panic_sites.judge_panic(ctx, site, macro, _panic_message(site))
        subject = panic_sites.catch_all_subject(site)
        if subject is not None and not panic_sites.mentions_parameter(ctx, site, subject):
            return False  # `match self.kind() { .., _ => panic!(..) }`: the value's own state
    else:
        args = captures["args"][0]
        value: Node | None = None
        if args.type == "token_tree":
            operation = panic_sites.token_operation(captures["method"][0])
            message_node = next((c for c in args.named_children if not c.is_extra), None)
        else:
            function = site.child_by_field_name("function")
            value = function.child_by_field_name("value") if function is not None else None
            operation = panic_sites.operation_of(value)
            message_node = args.named_children[0] if args.named_child_count else None
        message = panic_sites.message_text(message_node)
        judgement = panic_sites.judge_unwrap(
            ctx, site, operation, message, method=captures["method"][0], value=value
        )
        if judgement.verdict is Verdict.NOTE and not panic_sites.uses_parameter(
            ctx, site, operation
        ):
            return False  # an invariant of the function's own state, not the caller's input
    if judgement.verdict is Verdict.ACCEPTED:
        return False
    return judgement.reason not in _NOT_CALLERS_DOING


def _panic_message(invocation: Node) -> str:
    tokens = next((c for c in invocation.named_children if c.type == "token_tree"), None)
    first = next((c for c in tokens.named_children if not c.is_extra), None) if tokens else None
    return panic_sites.message_text(first)
