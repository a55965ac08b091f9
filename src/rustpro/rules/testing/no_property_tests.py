"""no-property-tests."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import package_line
from rustpro.rules.project.dependency_names import real_package

# Property-based testing and structured fuzzing crates.
PROPERTY_TEST_CRATES = frozenset(
    {
        "proptest",
        "proptest-derive",
        "test-strategy",
        "quickcheck",
        "quickcheck_macros",
        "arbitrary",
        "bolero",
        "arbtest",
    }
)


class NoPropertyTests(CrateRule):
    """Flags a crate without a property-testing dependency.

    ## What it does
    Fires once per crate that declares none of proptest, proptest-derive, test-strategy,
    quickcheck, quickcheck_macros, arbitrary, bolero or arbtest in any dependency table
    (normal, dev, build or target-specific; renamed dependencies are recognised by their
    `package`). The finding points at the `[package]` header of the crate's Cargo.toml.

    ## Why is this bad?
    Example-based tests check the inputs their author thought of. Property tests generate
    thousands of inputs, shrink a failure to a minimal case, and find the edge cases (empty
    input, overflow, odd Unicode) that examples miss, especially in parsers and encoders.

    ## Example
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"

    [dev-dependencies]
    pretty_assertions = "1"
    ```

    ## Use instead
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"

    [dev-dependencies]
    proptest = "1"
    ```

    ## References
    - proptest book: <https://proptest-rs.github.io/proptest/>
    - quickcheck: <https://docs.rs/quickcheck>
    """

    name = "no-property-tests"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.production_files():
            return []
        inherited = crate.layout.inherited
        dependencies = crate.manifest.dependencies()
        if any(real_package(dep, inherited) in PROPERTY_TEST_CRATES for dep in dependencies):
            return []
        return [
            crate.finding(
                self,
                f"crate `{crate.name}` has no property tests (no proptest, quickcheck, "
                "arbitrary or bolero dependency)",
                "add `proptest` as a dev-dependency and state invariants that hold for all "
                "inputs (round-trips, ordering, no panics)",
                line=package_line(crate.manifest),
            )
        ]
