"""test-without-assertion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

import tree_sitter
from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext, Gate
from rustpro.rules.base import FileRule, Scope
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
(call_expression function: (generic_function function: [(identifier) (scoped_identifier)])
  arguments: (arguments) @turbofish)
(let_declaration pattern: "_" type: (_)) @types
(function_item type_parameters: (type_parameters)) @types
(function_item parameters: (parameters (parameter type: (abstract_type)))) @types
(token_tree "." . (identifier) @method . (token_tree))
(token_tree (identifier) @word . (token_tree))
(token_tree "?" @try)
"""

# Tests whose names say they only check that code runs: "does not panic", "smoke", "compiles".
_RUNS_ONLY_NAME = re.compile(r"smoke|panic|crash|compile", re.IGNORECASE)

# Assert-family macros and `panic!` in production code: a private function using them may be a
# test helper in a `#[cfg(test)] mod tests;` file (an incidental `unwrap` is not a check).
_HELPER_MACROS = (
    r"(^|:)([a-z_]*assert[a-z0-9_]*|panic|unreachable|ensure|bail|check[a-z0-9_]*"
    r"|verify[a-z0-9_]*|expect_[a-z0-9_]*)$"
)


@dataclass(slots=True)
class _Evidence:
    """What a function body does: whether it checks anything, and the helpers it calls."""

    checks: bool = False
    helpers: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _TestCodeFunction:
    """A function in test code, waiting for the file's helpers to be known."""

    name: Node
    node: Node
    is_test: bool
    evidence: _Evidence


class TestWithoutAssertion(FileRule):
    """Flags `#[test]` functions that check nothing.

    ## What it does
    Finds `#[test]`, `#[tokio::test]` and other `#[..::test]` functions whose body has no
    assertion: no assert-family macro (any macro whose name contains `assert`, such as
    `assert_eq!`, `prop_assert!`, `insta::assert_snapshot!`), no `?`, no
    `unwrap`/`expect`, no `panic!`, no `.assert*()` method (assert_cmd, expect-test), and no
    `#[should_panic]`. Calls written inside macro arguments count too.

    A test that only calls helpers is judged by the helpers: it counts as asserting when it
    calls a function or macro whose name starts with `assert`, `check`, `verify` or `expect`,
    or a function or macro defined in the crate whose body asserts (one level deep; in
    production code only assert-family macros and `panic!` make a function a checker).
    Compile-time checks count as assertions: a call with explicit type arguments
    (`assert_send::<T>()`), a generic `fn` declared in the body, or `let _: T = value;`. A test
    returning `Result` whose last expression is anything but `Ok(())` asserts through its
    return value. Tests named for what they rule out (`*_does_not_panic`, `smoke_*`,
    `*_compiles`, `no_crash`) are left alone. Helpers from other crates of a workspace cannot be
    seen; name them `check_*` or `assert_*` if they assert.

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
    query: ClassVar[str] = rf"""
    (function_item name: (identifier) @fn.name body: (block) @fn.body) @match
    ((macro_invocation macro: [(identifier) (scoped_identifier)] @helper.macro) @match
      (#match? @helper.macro "{_HELPER_MACROS}"))
    (macro_definition name: (identifier) @macro.name) @match
    """

    def __init__(self) -> None:
        # Functions of the file being analysed; helpers can only be judged once all are seen.
        self._file: FileContext | None = None
        self._functions: list[_TestCodeFunction] = []

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if "fn.name" in captures:
            if ctx.is_test_code(node):
                self._collect(node, captures["fn.name"][0], captures["fn.body"][0], ctx)
        elif "macro.name" in captures:
            self._record_macro(node, captures["macro.name"][0], ctx)
        elif not ctx.is_test_code(node):
            self._record_production_checker(node, captures["helper.macro"][0], ctx)

    def finish(self, ctx: FileContext) -> None:
        if self._file is not ctx:
            return
        functions, self._functions, self._file = self._functions, [], None
        asserting = _asserting_names(functions)
        for name in sorted(asserting):
            _record_asserting(ctx, name)
        for function in functions:
            if function.is_test and ctx.text(function.name) not in asserting:
                self._report(function, ctx)

    # ----- collecting ----------------------------------------------------------------------
    def _collect(self, function: Node, name: Node, body: Node, ctx: FileContext) -> None:
        if self._file is not ctx:
            self._file, self._functions = ctx, []
        attributes = items.attributes_of(function)
        is_test = any(items.is_test_attribute(a) for a in attributes)
        if is_test and _exempt(attributes, ctx.text(name), body):
            is_test = False
        evidence = _evidence(body, in_test=is_test)
        if is_test and not evidence.checks and _returns_checked_value(function, body):
            evidence.checks = True
        self._functions.append(_TestCodeFunction(name, function, is_test, evidence))

    def _report(self, function: _TestCodeFunction, ctx: FileContext) -> None:
        test_name = ctx.text(function.name)
        ctx.report(
            self,
            function.name,
            f"test `{test_name}` asserts nothing: it passes whenever the code does not panic",
            "assert on the result (`assert_eq!`, `assert!(matches!(..))`) or return `Result` "
            "and use `?`",
            gate=_helpers_gate(function.evidence.helpers),
        )

    def _record_production_checker(self, node: Node, macro: Node, ctx: FileContext) -> None:
        # Helpers of `#[cfg(test)] mod tests;` files look like production code to a file
        # pass; a private function with `assert!` or `panic!` is taken for such a helper.
        # `debug_assert!` and checks in public functions are the code's own invariants.
        if last_segment(ctx.text(macro)).startswith("debug_"):
            return
        function = items.enclosing(node, ("function_item", "macro_definition"))
        if function is None or function.type != "function_item" or items.visibility(function):
            return
        _record_asserting(ctx, ctx.text(function.child_by_field_name("name")))

    def _record_macro(self, definition: Node, name: Node, ctx: FileContext) -> None:
        # `macro_rules! check_parse { .. assert_eq!(..) .. }`: invoking it asserts.
        for word in _token_words(definition):
            if is_asserting_macro(word) or is_panicking_method(word):
                _record_asserting(ctx, ctx.text(name))
                return


def _asserting_names(functions: list[_TestCodeFunction]) -> set[str]:
    """Names of the file's test-code functions that assert, directly or through helpers."""
    asserting = {items.text(f.name) for f in functions if f.evidence.checks}
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


def _exempt(attributes: list[Node], name: str, body: Node) -> bool:
    """Tests that are not expected to assert.

    `#[should_panic]` tests assert by panicking; names like `*_does_not_panic` or `smoke`
    say the test only checks that the code runs; an empty `#[ignore]`d test is a placeholder
    for a configuration that cannot run here (nightly-only, say).
    """
    paths = [items.attribute_path(a) for a in attributes]
    if "should_panic" in paths or _RUNS_ONLY_NAME.search(name):
        return True
    ignored = "ignore" in paths or any(
        items.attribute_path(a) == "cfg_attr" and "ignore" in items.attribute_arguments(a)
        for a in attributes
    )
    return ignored and not any(not c.type.endswith("comment") for c in body.named_children)


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
        elif "turbofish" in captures:
            # `assert_impl::<T>()`: a bound checked at compile time, not a call for its value.
            found.checks = in_test and captures["turbofish"][0].named_child_count == 0
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
            # `trybuild::TestCases` asserts when it is dropped.
            found.checks = is_checking_helper(name) or "TestCases" in path
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
