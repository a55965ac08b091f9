"""test-without-assertion."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import ClassVar

import tree_sitter
from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext, Gate
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.patterns import Pattern, macro_calls, nodes, qualified_calls
from rustpro.rules.testing.assertions import (
    ASSERTING_VALUE,
    asserting_fact_key,
    is_asserting_macro,
    is_checking_helper,
    is_panicking_method,
    last_segment,
)
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# What a test body is searched for; run on one body at a time, in C.
_EVIDENCE_QUERY = r"""
(macro_invocation macro: [(identifier) (scoped_identifier)] @macro)
(try_expression) @try
(call_expression function: (field_expression field: (field_identifier) @method))
(call_expression
  function: (generic_function function: (field_expression field: (field_identifier) @method)))
(call_expression function: (identifier) @call)
(call_expression function: (scoped_identifier name: (identifier) @call) @path)
(call_expression
  function: (generic_function
    function: [(identifier) @call (scoped_identifier name: (identifier) @call)])
  arguments: (arguments) @turbofish)
(let_declaration pattern: "_" type: (_)) @types
(function_item type_parameters: (type_parameters)) @types
(function_item parameters: (parameters (parameter type: (abstract_type)))) @types
(function_item parameters: (parameters (parameter type: (bounded_type (abstract_type))))) @types
(impl_item) @types
(trait_item) @types
(struct_item) @types
(enum_item) @types
(token_tree "." . (identifier) @method . (token_tree))
(token_tree (identifier) @word . (token_tree))
(token_tree "?" @try)
[(line_comment) (block_comment)] @comment
"""

# Tests whose name or comment says that running without a panic, hang or crash *is* the check:
# `does_not_panic`, `smoke`, `compiles`, regression tests for an issue.
_RUNS_ONLY_WORDS = (
    "issue",
    "regression",
    "repro",
    "smoke",
    "panic",
    "crash",
    "hang",
    "deadlock",
    "recurs",
    "overflow",
    "underflow",
    "leak",
    "compile",
)
_RUNS_ONLY_COMMENT = re.compile(
    r"\b(" + "|".join(_RUNS_ONLY_WORDS) + r")|does ?n[o']t|should ?n[o']t|#\d+", re.IGNORECASE
)
# `src/testing.rs`, `src/tests/mod.rs`, `src/test_util.rs`: test support compiled through
# `#[cfg(test)] mod ..;`, which a file pass cannot see; its functions are judged as helpers.
_TEST_SUPPORT_PART = re.compile(r"^(tests?|testing|test_\w+|\w+_tests?)$")
# Model checkers that explore interleavings and panic on a violation.
_MODEL_CHECKERS = ("loom::", "shuttle::")

# Assert-family macros in production code: the function using them may be a test helper in a
# `#[cfg(test)] mod tests;` file (an incidental `unwrap` or `panic!` is not a check).
_HELPER_MACROS = r"(^|:)([a-z_]*assert[a-z0-9_]*|check[a-z0-9_]*|verify[a-z0-9_]*)$"
_HELPER_CALLS = r"^(loom|shuttle)::"


@dataclass(slots=True)
class _Evidence:
    """What a function body does: whether it checks anything, and the helpers it calls."""

    checks: bool = False
    helpers: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Checker:
    """A test-code function or a macro, waiting for the file's other helpers to be known."""

    name: Node
    is_test: bool
    evidence: _Evidence


class TestWithoutAssertion(FileRule):
    """Flags `#[test]` functions that check nothing.

    ## What it does
    Finds `#[test]`, `#[tokio::test]` and other `#[..::test]` functions whose body has no
    assertion: no assert-family macro (any macro whose name contains `assert`, such as
    `assert_eq!`, `prop_assert!`, `insta::assert_snapshot!`, or starts with `check`, `verify`
    or `expect`), no `?`, no `unwrap`/`expect`, no `panic!`/`unreachable!`, no `.*assert*()`
    method (assert_cmd, expect-test, clap's `debug_assert`), no mockall `.expect_*()`, no
    trybuild or loom harness, and no `#[should_panic]`. Calls inside macro arguments count.

    A test that only calls helpers is judged by the helpers. It asserts when it calls a
    function or macro whose name starts with `assert`, `check`, `verify` or `expect`, or one
    defined in test code of the crate whose body asserts; helpers of helpers are followed
    (within a file, and one step into other files of the crate), and macros that expand to
    asserting macros count. Files named for test support (`src/testing.rs`, `src/tests/..`,
    `src/test_util.rs`) are judged like test code, since a file alone cannot see the
    `#[cfg(test)] mod testing;` that includes them. In other production code a function using
    an assert-family macro or `loom::model` counts as such a helper; `debug_assert!`, `unwrap`
    and `panic!` there do not.
    Helpers from other crates of a workspace cannot be seen: name them `check_*` or `assert_*`.

    Compile-time checks count as assertions: `assert_send::<T>()` with no arguments, a generic
    or `impl Trait`-taking `fn`, an `impl`, `trait`, `struct` or `enum` declared in the body
    (derive and trait-resolution tests), and `let _: T = value;`. A test returning `Result`
    whose last expression is not `Ok(())` asserts through its return value. Left alone on
    purpose: tests whose name or comment says that finishing *is* the check
    (`does_not_panic`, `no_deadlock`, `smoke`, `compiles`, `issue_123`, "regression test for
    #123", "does not recurse", also in a comment inside the body), and empty `#[ignore]`d
    placeholders. `#[bench]` functions are not tests.

    ## Why is this bad?
    A test without an assertion passes whenever the code does not panic: it raises coverage
    numbers while checking nothing, and it keeps passing when the result becomes wrong.

    ## Example
    ```rust
    pub fn double(x: i32) -> i32 {
        x * 2
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn doubles() {
            let _ = super::double(2);
        }
    }
    ```

    ## Use instead
    ```rust
    pub fn double(x: i32) -> i32 {
        x * 2
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn doubles() {
            assert_eq!(super::double(2), 4);
        }
    }
    ```

    ## References
    - The Rust Book, "How to Write Tests"
    - clippy has no twin; `cargo-mutants` finds the same weakness by mutating the code
    """

    name = "test-without-assertion"
    scope: ClassVar[Scope] = Scope.ALL  # helpers in production code may assert for tests
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item"),
            "(function_item name: (identifier) @fn.name body: (block) @fn.body) @match",
        ),
        Pattern(
            macro_calls(matching=_HELPER_MACROS),
            rf"""
            ((macro_invocation macro: [(identifier) (scoped_identifier)] @helper.macro) @match
              (#match? @helper.macro "{_HELPER_MACROS}"))
            """,
        ),
        Pattern(
            qualified_calls("loom", "shuttle"),
            rf"""
            ((call_expression function: (scoped_identifier) @helper.call) @match
              (#match? @helper.call "{_HELPER_CALLS}"))
            """,
        ),
        Pattern(
            nodes("macro_definition"), "(macro_definition name: (identifier) @macro.name) @match"
        ),
    )

    def __init__(self) -> None:
        # Functions of the file being analysed; helpers can only be judged once all are seen.
        self._file: FileContext | None = None
        self._checkers: list[_Checker] = []

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if "fn.name" in captures:
            if ctx.is_test_code(node) or _is_test_support_file(ctx.relpath):
                self._collect(node, captures["fn.name"][0], captures["fn.body"][0], ctx)
        elif "macro.name" in captures:
            self._collect_macro(node, captures["macro.name"][0], ctx)
        elif not ctx.is_test_code(node):
            self._record_production_checker(node, captures, ctx)

    def finish(self, ctx: FileContext) -> None:
        if self._file is not ctx:
            return
        checkers, self._checkers, self._file = self._checkers, [], None
        asserting = _asserting_names(checkers, ctx)
        for name in sorted(asserting):
            _record_asserting(ctx, name)
        local = {ctx.text(c.name): c.evidence.helpers for c in checkers}
        for checker in checkers:
            if checker.is_test and ctx.text(checker.name) not in asserting:
                self._report(checker, _reachable_helpers(checker, local), ctx)

    # ----- collecting ----------------------------------------------------------------------
    def _pending(self, ctx: FileContext) -> list[_Checker]:
        if self._file is not ctx:  # a new file: whatever an earlier file left is stale
            self._file, self._checkers = ctx, []
        return self._checkers

    def _collect(self, function: Node, name: Node, body: Node, ctx: FileContext) -> None:
        attributes = items.attributes_of(function)
        is_test = any(_is_test_attribute(a) for a in attributes)
        if is_test and _exempt(attributes, ctx.text(name), function, body):
            is_test = False
        evidence = _evidence(body, in_test=is_test)
        if is_test and not evidence.checks and _returns_checked_value(function, body):
            evidence.checks = True
        self._pending(ctx).append(_Checker(name, is_test, evidence))

    def _collect_macro(self, definition: Node, name: Node, ctx: FileContext) -> None:
        # `macro_rules! check_parse { .. assert_eq!(..) .. }`: invoking it asserts; a macro
        # that expands to another macro is judged with the file's other helpers.
        evidence = _Evidence()
        for word in _token_words(definition):
            if is_asserting_macro(word) or is_panicking_method(word):
                evidence.checks = True
                break
            evidence.helpers.add(word)
        self._pending(ctx).append(_Checker(name, False, evidence))

    def _report(self, function: _Checker, helpers: set[str], ctx: FileContext) -> None:
        test_name = ctx.text(function.name)
        ctx.report(
            self,
            function.name,
            f"test `{test_name}` asserts nothing: it passes whenever the code does not panic",
            "assert on the result (`assert_eq!`, `assert!(matches!(..))`) or return `Result` "
            "and use `?`",
            gate=_helpers_gate(helpers),
        )

    def _record_production_checker(
        self, node: Node, captures: dict[str, list[Node]], ctx: FileContext
    ) -> None:
        # Helpers of `#[cfg(test)] mod tests;` files look like production code to a file
        # pass; a function with `assert!` or `loom::model` is taken for such a helper (at
        # worst a test calling it goes unreported). `debug_assert!` is the code's invariant.
        macro = captures.get("helper.macro")
        if macro and last_segment(ctx.text(macro[0])).startswith("debug_"):
            return
        function = items.enclosing(node, ("function_item", "macro_definition"))
        if function is None or function.type != "function_item":
            return
        _record_asserting(ctx, ctx.text(function.child_by_field_name("name")))


def _asserting_names(functions: list[_Checker], ctx: FileContext) -> set[str]:
    """Names of the file's test-code functions that assert, directly or through helpers.

    Helpers already known to assert (the file's macros, production-code checkers) seed it.
    """
    asserting = {items.text(f.name) for f in functions if f.evidence.checks}
    asserting.update(
        helper
        for f in functions
        for helper in f.evidence.helpers
        if asserting_fact_key(helper) in ctx.facts
    )
    pending = [f for f in functions if not f.evidence.checks and f.evidence.helpers]
    changed = True
    while changed:  # helpers of helpers: each round resolves one more level
        changed = False
        for function in pending:
            name = items.text(function.name)
            if name not in asserting and function.evidence.helpers & asserting:
                asserting.add(name)
                changed = True
    return asserting


@functools.cache
def _is_test_support_file(relpath: str) -> bool:
    """True for files whose path says they hold test support (`src/testing.rs`, `tests/`)."""
    parts = relpath.removesuffix(".rs").split("/")
    return any(_TEST_SUPPORT_PART.match(part) for part in parts)


def _reachable_helpers(test: _Checker, local: dict[str, set[str]]) -> set[str]:
    """The test's helpers, and through the file's own helpers, theirs: any may assert elsewhere.

    `decode_big5(..)` calls `decode(..)` from another file; the finding must wait for the
    crate to say whether `decode` asserts.
    """
    reached = set(test.evidence.helpers)
    stack = list(reached)
    while stack:
        for name in local.get(stack.pop(), ()):
            if name not in reached:
                reached.add(name)
                stack.append(name)
    return reached


def _is_test_attribute(attribute: Node) -> bool:
    """`#[test]`, `#[tokio::test]`, `#[std::prelude::v1::test]`; not `#[bench]`."""
    path = items.attribute_path(attribute)
    return path == "test" or path.endswith("::test")


def _exempt(attributes: list[Node], name: str, function: Node, body: Node) -> bool:
    """Tests that are not expected to assert.

    `#[should_panic]` tests assert by panicking. A name or a comment above the test that
    speaks of what must not happen (`does_not_panic`, `no_deadlock`, "does not recurse"), of a
    smoke test, of compiling, or of an issue it reproduces says that running to the end *is*
    the check. An empty `#[ignore]`d test is a placeholder for a configuration that cannot
    run here (nightly-only, say).
    """
    paths = [items.attribute_path(a) for a in attributes]
    if "should_panic" in paths:
        return True
    if any(part.startswith(_RUNS_ONLY_WORDS) for part in name.lower().split("_")):
        return True
    if _RUNS_ONLY_COMMENT.search(_comments_above(function)):
        return True
    ignored = "ignore" in paths or any(
        items.attribute_path(a) == "cfg_attr" and "ignore" in items.attribute_arguments(a)
        for a in attributes
    )
    return ignored and not any(not c.type.endswith("comment") for c in body.named_children)


def _comments_above(function: Node) -> str:
    """The comments (doc comments too) among the attributes right above `function`."""
    texts: list[str] = []
    sibling = function.prev_sibling
    while sibling is not None and sibling.type in (
        "attribute_item",
        "line_comment",
        "block_comment",
    ):
        if sibling.type != "attribute_item":
            texts.append(items.text(sibling))
        sibling = sibling.prev_sibling
    return "\n".join(texts)


def _record_asserting(ctx: FileContext, name: str) -> None:
    if not name:
        return
    key = asserting_fact_key(name)
    if key not in ctx.facts:
        ctx.add_fact(key, ASSERTING_VALUE)


def _evidence(body: Node, *, in_test: bool) -> _Evidence:
    """Search a function body for checks, and collect the helpers it calls.

    In a test, `?` and compile-time checks count; in a helper they do not, since an `Err` the
    helper returns or a bound it states says nothing about what the calling test checks.
    """
    found = _Evidence()
    cursor = tree_sitter.QueryCursor(compile_query(_EVIDENCE_QUERY))
    for _, captures in cursor.matches(body):
        if "try" in captures or "types" in captures:
            found.checks = in_test
        elif "comment" in captures:
            # "// validate we do not underflow": the author says finishing is the check.
            found.checks = in_test and bool(
                _RUNS_ONLY_COMMENT.search(items.text(captures["comment"][0]))
            )
        elif "turbofish" in captures and captures["turbofish"][0].named_child_count == 0:
            # `assert_impl::<T>()`: a bound checked at compile time, not a call for its value.
            found.checks = in_test
        elif "macro" in captures:
            name = items.text(captures["macro"][0])
            found.checks = is_asserting_macro(name)
            found.helpers.add(last_segment(name))
        elif "method" in captures:
            name = items.text(captures["method"][0])
            found.checks = is_panicking_method(name) or name == "compile_fail"
            found.helpers.add(name)
        elif "call" in captures:
            name = items.text(captures["call"][0])
            path = items.text(captures["path"][0]) if "path" in captures else name
            # `trybuild::TestCases` asserts when it is dropped; loom panics on a violation.
            found.checks = (
                is_checking_helper(name) or "TestCases" in path or path.startswith(_MODEL_CHECKERS)
            )
            found.helpers.add(name)
        elif "word" in captures:
            name = items.text(captures["word"][0])
            found.checks = is_asserting_macro(name) or is_checking_helper(name)
            found.helpers.add(name)
        if found.checks:
            return found
    return found


def _returns_checked_value(function: Node, body: Node) -> bool:
    """True for a test returning `Result` (or any value) whose tail is not just `Ok(())`."""
    returned = function.child_by_field_name("return_type")
    if returned is None or returned.type == "unit_type":
        return False
    tail = body.named_children[-1] if body.named_children else None
    if tail is None or tail.type.endswith(("statement", "declaration", "_item", "comment")):
        return False
    return items.text(tail).replace(" ", "") != "Ok(())"


def _helpers_gate(helpers: set[str]) -> Gate | None:
    """The finding stands only if none of the called helpers is known to assert."""
    gates = tuple(
        FactGate(asserting_fact_key(name), ASSERTING_VALUE, absent=True) for name in sorted(helpers)
    )
    if not gates:
        return None
    return gates[0] if len(gates) == 1 else AllGates(gates)


def _token_words(definition: Node) -> list[str]:
    """The identifiers of a `macro_rules!` body that are followed by `(..)`, `[..]` or `!`."""
    cursor = tree_sitter.QueryCursor(compile_query(_MACRO_WORDS_QUERY))
    return [items.text(node) for node in cursor.captures(definition).get("word", [])]


_MACRO_WORDS_QUERY = r"""
(token_tree (identifier) @word . (token_tree))
(token_repetition (identifier) @word . (token_tree))
"""
