"""no-unit-tests."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from rustpro.discovery.roles import PackageRole
from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule, FileRule, Scope
from rustpro.rules.manifest_anchor import package_line
from rustpro.rules.patterns import (
    PATH_KINDS,
    Captures,
    Pattern,
    attributes,
    macro_arg_idents,
    macro_calls,
    macro_paths_matching,
    predicate_text,
    text_matches,
)
from rustpro.syntax import items

# Recorded once per file that holds a test: a `#[test]`-like function (not `#[bench]`), a
# test-framework attribute, or a property-test macro whose `#[test]`s sit in a token tree.
_HAS_TESTS_FACT = "testing.has-tests"


# The rule's attribute patterns, matched in Python (`_test_attributes`): query patterns cost
# tree-sitter milliseconds of analysis in every run.
_TEST_PATH = re.compile(r"^(test|[A-Za-z_][A-Za-z0-9_:]*::test)$")
_TEST_ATTRIBUTES = frozenset(
    {b"rstest", b"test_case", b"quickcheck", b"proptest", b"wasm_bindgen_test"}
)


def _test_attributes(item: Node) -> list[Captures]:
    """The matches of the patterns
    `(attribute_item (attribute [(identifier) (scoped_identifier)] @test.path (#match?
    @test.path "^(test|[A-Za-z_][A-Za-z0-9_:]*::test)$"))) @match` and `(attribute_item
    (attribute (identifier) @test.attr (#any-of? @test.attr "rstest" ..))) @match` rooted at
    an attribute item: each child of its attribute (the path, or an `= value`) that fits."""
    found: list[Captures] = []
    for attribute in item.children:
        if attribute.type != "attribute":
            continue
        for child in attribute.children:
            kind = child.type
            if kind not in PATH_KINDS:
                continue
            if _TEST_PATH.search(predicate_text(child)) is not None:
                found.append({"test.path": [child], "match": [item]})
            elif kind == "identifier" and child.text in _TEST_ATTRIBUTES:
                found.append({"test.attr": [child], "match": [item]})
    return found


class NoUnitTests(FileRule, CrateRule):
    """Flags a crate with no tests at all.

    ## What it does
    Fires once per published library or application when nothing tests it: none of its
    sources (library, binaries, `tests/`, test modules) holds a `#[test]` function, no
    doc comment shows an asserting example (a doctest), and no sibling package that depends
    on it has tests (a workspace's `tests/integration` package, the facade crate that tests
    a proc-macro crate). An application whose workspace libraries (the ones it depends on)
    have tests is a thin binary over tested code and is left alone too.
    `#[tokio::test]`-style attributes, `#[rstest]`, `#[test_case(..)]`,
    `#[quickcheck]`, `#[proptest]`, `#[wasm_bindgen_test]`, `proptest! { .. }` /
    `quickcheck! { .. }` blocks, `#[test]` functions written by a `macro_rules!` macro and
    `[[test]]` targets with `harness = false` count as tests; `#[bench]` functions do not.
    The finding points at the `[package]` header of the crate's Cargo.toml.

    ## Why is this bad?
    Without tests every change is a guess: refactors, dependency upgrades and bug fixes can
    break behaviour silently, and nothing documents what the code is meant to do.

    ## Example
    ```rust
    pub fn double(x: i32) -> i32 {
        x * 2
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
    - The Rust Book, "Test Organization"
    - Rust API Guidelines (documentation and testing)
    """

    name = "no-unit-tests"
    scope: ClassVar[Scope] = Scope.ALL
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            attributes(
                "test", "rstest", "test_case", "quickcheck", "proptest", "wasm_bindgen_test"
            ),
            matcher=_test_attributes,
            until_fact=_HAS_TESTS_FACT,
        ),
        Pattern(
            macro_calls("proptest", "quickcheck"),
            matcher=macro_paths_matching("test.macro", "(^|::)(proptest|quickcheck)$"),
            until_fact=_HAS_TESTS_FACT,
        ),
        # `#[test]` written inside a macro's tokens (a `macro_rules!` that stamps out tests).
        Pattern(macro_arg_idents("test"), until_fact=_HAS_TESTS_FACT),
        # A doc comment line that asserts: part of a doctest.
        Pattern(
            text_matches(rb"//[/!][^\n]*\bassert", "line_comment", line_needs=b"assert"),
            until_fact=_HAS_TESTS_FACT,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if node.type == "token_tree" and not _is_test_attribute_tokens(node):
            return
        if node.type == "line_comment" and node.child_by_field_name("doc") is None:
            return
        if _HAS_TESTS_FACT not in ctx.facts:
            ctx.add_fact(_HAS_TESTS_FACT, "yes")

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.production_files():
            return []
        if crate.facts(_HAS_TESTS_FACT) or _has_custom_harness_tests(crate):
            return []
        if any(is_tested(sibling) for sibling in _dependents(crate)):
            return []
        if crate.layout.role.role is PackageRole.APPLICATION and any(
            is_tested(library) for library in _libraries_of(crate)
        ):
            return []  # a thin binary over tested workspace libraries
        return [
            crate.finding(
                self,
                f"crate `{crate.name}` has no tests: no `#[test]` function in any of its sources",
                "add a `#[cfg(test)] mod tests` with `#[test]` functions next to the code "
                "they check",
                line=package_line(crate.manifest),
            )
        ]


def _has_custom_harness_tests(crate: CrateView) -> bool:
    """`[[test]] harness = false`: a test target with its own `main` (libtest-mimic, ..)."""
    tables = crate.manifest.data.get("test", [])
    return isinstance(tables, list) and any(
        isinstance(table, dict) and table.get("harness") is False for table in tables
    )


def is_tested(crate: CrateView) -> bool:
    """Whether the package has tests of its own (test functions, doctests, test targets)."""
    return bool(
        crate.facts(_HAS_TESTS_FACT)
        or crate.layout.targets_of("test")
        or _has_custom_harness_tests(crate)
    )


def _dependents(crate: CrateView) -> list[CrateView]:
    return crate.workspace.dependents(crate.name) if crate.workspace is not None else []


def _libraries_of(crate: CrateView) -> list[CrateView]:
    return crate.workspace.dependencies_of(crate.name) if crate.workspace is not None else []


def _is_test_attribute_tokens(tokens: Node) -> bool:
    """`[test]` or `[tokio::test(..)]` right after a `#` in a macro's tokens."""
    before = tokens.prev_sibling
    if before is None or before.type != "#":
        return False
    words = [c for c in tokens.children if c.type not in ("[", "]")]
    if words and words[-1].type == "token_tree":  # `[tokio::test(flavor = ..)]`
        words = words[:-1]
    return bool(words) and words[-1].type == "identifier" and items.text(words[-1]) == "test"
