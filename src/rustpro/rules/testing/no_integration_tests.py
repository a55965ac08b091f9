"""no-integration-tests."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import package_line
from rustpro.rules.testing.no_unit_tests import is_tested


class NoIntegrationTests(CrateRule):
    """Flags a library crate with no integration tests.

    ## What it does
    Fires once per published library that has no integration-test target (no `tests/*.rs`,
    no `tests/NAME/main.rs`, no `[[test]]` table in Cargo.toml) and that no sibling
    package with tests depends on: a workspace's own test package (`tests/integration`)
    uses the library from outside, exactly as integration tests do. Applications,
    internal, test, example and tool packages are left alone. The finding points at the
    `[package]` header of the crate's Cargo.toml.

    A package unpacked from a published `.crate` (it has `Cargo.toml.orig`, cargo's copy of
    the manifest as written) shows only what was shipped: when the written manifest names
    `[[test]]` targets whose files are missing, or `package.include` / `package.exclude`
    leaves `tests/` out, its integration tests may well exist in the repository, and the
    rule stays silent.

    ## Why is this bad?
    Unit tests see the crate from the inside and can lean on private items. Integration tests
    compile against the public API only, exactly as users do, so they catch a missing
    re-export, an unusable signature or a breaking change before a release does.

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
    ```

    ```rust file=tests/api.rs
    #[test]
    fn doubles_through_the_public_api() {
        assert_eq!(fixture::double(2), 4);
    }
    ```

    ## References
    - The Rust Book, "Test Organization: Integration Tests"
    - The Cargo Book, "Target auto-discovery"
    """

    name = "no-integration-tests"
    reads_facts_of = ("no-unit-tests",)  # `is_tested` asks whether the crate has any test

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.is_library or crate.layout.targets_of("test"):
            return []
        if crate.unseen.tests is not None:
            return []  # a published package that may have left its tests behind
        siblings = crate.workspace.dependents(crate.name) if crate.workspace else []
        if any(is_tested(sibling) for sibling in siblings):
            return []
        return [
            crate.finding(
                self,
                f"library `{crate.name}` has no integration tests (`tests/*.rs`)",
                "add tests under `tests/` that use the crate through its public API",
                line=package_line(crate.manifest),
            )
        ]
