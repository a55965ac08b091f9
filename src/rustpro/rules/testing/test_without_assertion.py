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
(call_expression function: (generic_function function: [(identifier) (scoped_identifier)])) @types
(let_declaration pattern: "_" type: (_)) @types
(function_item type_parameters: (type_parameters)) @types
(token_tree "." . (identifier) @method . (token_tree))
(token_tree (identifier) @word . (token_tree))
(token_tree "?" @try)
"""

# Tests whose names say they only check that code runs: "does not panic", "smoke", "compiles".
_RUNS_ONLY_NAME = re.compile(r"smoke|panic|crash|compile", re.IGNORECASE)

# Panicking constructs recorded as "this function asserts" wherever they sit; in production
# code only assert-family macros and `panic!` count (an incidental `unwrap` is not a check).
_HELPER_MACROS = (
    r"(^|:)([a-z_]*assert[a-z0-9_]*|panic|unreachable|ensure|bail|check[a-z0-9_]*"
    r"|verify[a-z0-9_]*|expect_[a-z0-9_]*)$"
)
_HELPER_WORDS = r"^([a-z_]*assert[a-z0-9_]*|panic|unreachable|unwrap|expect|unwrap_err|expect_err)$"


@dataclass(slots=True)
class _Evidence:
    """What a test body does: whether it checks anything, and the helpers it relies on."""

    checks: bool = False
    helpers: set[str] = field(default_factory=set)


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
    (attribute_item (attribute [(identifier) (scoped_identifier)] @test.path
      (#match? @test.path "^(test|[A-Za-z_][A-Za-z0-9_:]*::test)$"))) @match
    ((macro_invocation macro: [(identifier) (scoped_identifier)] @helper.macro) @match
      (#match? @helper.macro "{_HELPER_MACROS}"))
    (call_expression function: (field_expression field: (field_identifier) @helper.method
      (#any-of? @helper.method "unwrap" "expect" "unwrap_err" "expect_err"))) @match
    ((token_tree (identifier) @helper.word) @match (#match? @helper.word "{_HELPER_WORDS}"))
    (macro_definition name: (identifier) @macro.name) @match
    """

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if "test.path" in captures:
            self._check_test(captures["match"][0], ctx)
        elif "macro.name" in captures:
            self._record_macro(captures["match"][0], captures["macro.name"][0], ctx)
        else:
            self._record_helper(captures, ctx)

    # ----- tests ---------------------------------------------------------------------------
    def _check_test(self, attribute: Node, ctx: FileContext) -> None:
        function = _attributed_item(attribute)
        if function is None or function.type != "function_item":
            return
        if any(items.attribute_path(a) == "should_panic" for a in items.attributes_of(function)):
            return
        name = function.child_by_field_name("name")
        body = function.child_by_field_name("body")
        if name is None or body is None or _RUNS_ONLY_NAME.search(ctx.text(name)):
            return
        evidence = _evidence(body)
        if evidence.checks or _returns_checked_value(function, body):
            return
        test_name = ctx.text(name)
        ctx.report(
            self,
            name,
            f"test `{test_name}` asserts nothing: it passes whenever the code does not panic",
            "assert on the result (`assert_eq!`, `assert!(matches!(..))`) or return `Result` "
            "and use `?`",
            gate=_helpers_gate(evidence.helpers),
        )

    # ----- helpers -------------------------------------------------------------------------
    def _record_helper(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        function = items.enclosing(node, ("function_item", "macro_definition"))
        if function is None or function.type != "function_item":
            return
        if not ctx.is_test_code(node) and not _production_checker(function, captures):
            return
        _record_asserting(ctx, ctx.text(function.child_by_field_name("name")))

    def _record_macro(self, definition: Node, name: Node, ctx: FileContext) -> None:
        # `macro_rules! check_parse { .. assert_eq!(..) .. }`: invoking it asserts.
        for word in _token_words(definition):
            if is_asserting_macro(word) or is_panicking_method(word):
                _record_asserting(ctx, ctx.text(name))
                return


def _production_checker(function: Node, captures: dict[str, list[Node]]) -> bool:
    """True for a private function outside test code that asserts on purpose.

    Helpers of `#[cfg(test)] mod tests;` files look like production code to a file pass; a
    private function with `assert!` or `panic!` is taken for such a helper. `unwrap` and
    `debug_assert!` in production code are incidental, and so are checks in public API.
    """
    if "helper.macro" not in captures or items.visibility(function):
        return False
    return not last_segment(items.text(captures["helper.macro"][0])).startswith("debug_")


def _record_asserting(ctx: FileContext, name: str) -> None:
    if not name:
        return
    key = asserting_fact_key(name)
    if key not in ctx.facts:
        ctx.add_fact(key, ASSERTING_VALUE)


def _attributed_item(attribute: Node) -> Node | None:
    sibling = attribute.next_named_sibling
    while sibling is not None and sibling.type in (
        "attribute_item",
        "line_comment",
        "block_comment",
    ):
        sibling = sibling.next_named_sibling
    return sibling


def _evidence(body: Node) -> _Evidence:
    """Search a test body for checks, and collect the helpers it calls when it has none."""
    found = _Evidence()
    cursor = tree_sitter.QueryCursor(compile_query(_EVIDENCE_QUERY))
    for _, captures in cursor.matches(body):
        if "try" in captures or "types" in captures:
            found.checks = True
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
    """The identifiers of a `macro_rules!` body that are followed by `!` or `(`."""
    cursor = tree_sitter.QueryCursor(compile_query(_MACRO_WORDS_QUERY))
    return [items.text(node) for node in cursor.captures(definition).get("word", [])]


_MACRO_WORDS_QUERY = r"""
(token_tree (identifier) @word . (token_tree))
"""
