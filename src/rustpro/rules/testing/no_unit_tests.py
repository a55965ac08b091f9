"""no-unit-tests."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule, FileRule, Scope
from rustpro.rules.manifest_anchor import package_line

# Test forms the engine's `#[test]` count does not see: test-framework attributes and
# property-test macros whose `#[test]` functions sit inside an unparsed token tree.
_OTHER_TESTS_FACT = "testing.other-test-forms"


class NoUnitTests(FileRule, CrateRule):
    """Flags a crate with no tests at all.

    ## What it does
    Fires once per crate when none of its sources (library, binaries, `tests/`, test modules)
    holds a `#[test]` function. `#[tokio::test]`-style attributes, `#[rstest]`,
    `#[test_case(..)]`, `#[quickcheck]`, `#[proptest]`, `#[wasm_bindgen_test]` and
    `proptest! { .. }` / `quickcheck! { .. }` blocks count as tests. Doc tests do not. The
    finding points at the `[package]` header of the crate's Cargo.toml.

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
    query: ClassVar[str] = r"""
    (attribute_item (attribute (identifier) @test.attr
      (#any-of? @test.attr
        "rstest" "test_case" "quickcheck" "proptest" "wasm_bindgen_test"))) @match
    (macro_invocation macro: [(identifier) (scoped_identifier)] @test.macro
      (#match? @test.macro "(^|::)(proptest|quickcheck)$")) @match
    """

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if _OTHER_TESTS_FACT not in ctx.facts:
            ctx.add_fact(_OTHER_TESTS_FACT, "yes")

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.production_files():
            return []
        if any(r.structure.test_fns for r in crate.results) or crate.facts(_OTHER_TESTS_FACT):
            return []
        return [
            crate.finding(
                self,
                f"crate `{crate.name}` has no tests: no `#[test]` function in any of its sources",
                "add a `#[cfg(test)] mod tests` with `#[test]` functions next to the code "
                "they check",
                line=package_line(crate.manifest),
            )
        ]
