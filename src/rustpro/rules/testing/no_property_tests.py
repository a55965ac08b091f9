"""no-property-tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rustpro.discovery.manifest import Manifest, read_manifest
from rustpro.discovery.roles import PackageRole
from rustpro.engine.crateview import WorkspaceView
from rustpro.errors import ManifestError
from rustpro.model import Finding
from rustpro.rules.base import WorkspaceRule
from rustpro.rules.manifest_anchor import root_line
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


class NoPropertyTests(WorkspaceRule):
    """Flags a workspace whose libraries have no property tests and no fuzz targets.

    ## What it does
    Fires once per audited workspace (or single package) with a published library when no
    package declares proptest, proptest-derive, test-strategy, quickcheck,
    quickcheck_macros, arbitrary, bolero or arbtest in any dependency table (normal, dev,
    build or target-specific; renamed dependencies are recognised by their `package`) and
    no cargo-fuzz target exists (a `fuzz/` package with `libfuzzer-sys`, or a fuzz package
    in the workspace). Property testing is a practice of the project, not of one crate, so
    it is reported at the root manifest, once. Applications, internal, test, example and
    tool packages alone never trigger it.

    A package unpacked from a published `.crate` (with `Cargo.toml.orig`) cannot show its
    fuzz targets: cargo-fuzz makes `fuzz/` a package of its own, and `cargo package` never
    ships one. The finding on such a package says so (the repository may fuzz what the
    package cannot show). The rule stays silent when a written `[workspace]` names packages
    of the project that the audit does not hold: "no property tests anywhere" cannot be told
    from part of the project.

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
    - Rust Fuzz Book: <https://rust-fuzz.github.io/book/>
    """

    name = "no-property-tests"

    def check_workspace(self, workspace: WorkspaceView) -> Iterable[Finding]:
        libraries = [c for c in workspace.with_role(self.spec.roles) if c.production_files()]
        if not libraries:
            return []
        if workspace.missing_packages():
            return []  # packages of the project that the audit does not hold
        for crate in workspace.crates:
            inherited = crate.layout.inherited
            if any(
                real_package(dep, inherited) in PROPERTY_TEST_CRATES
                for dep in crate.manifest.dependencies()
            ):
                return []
            if crate.layout.role.role is PackageRole.TOOL and _is_fuzz_package(crate.manifest):
                return []
        if any(_has_fuzz_directory(c.layout.root) for c in workspace.crates) or (
            _has_fuzz_directory(workspace.root)
        ):
            return []
        names = ", ".join(f"`{c.name}`" for c in libraries[:3])
        more = f" and {len(libraries) - 3} more" if len(libraries) > 3 else ""
        unseen = next((c.unseen.fuzz for c in workspace.crates if c.unseen.fuzz), None)
        caveat = f" ({unseen}: check the repository)" if unseen else ""
        return [
            workspace.finding(
                self,
                f"no property tests or fuzz targets for the libraries of this project "
                f"({names}{more}): no proptest, quickcheck, arbitrary or bolero dependency"
                f"{caveat}",
                "add `proptest` as a dev-dependency and state invariants that hold for all "
                "inputs (round-trips, ordering, no panics)",
                line=root_line(workspace.manifest),
            )
        ]


_FUZZ_CRATES = frozenset({"libfuzzer-sys", "afl", "honggfuzz"})


def _is_fuzz_package(manifest: Manifest) -> bool:
    if manifest.section("package", "metadata").get("cargo-fuzz") is True:
        return True
    return any(dep.package in _FUZZ_CRATES for dep in manifest.dependencies())


def _has_fuzz_directory(root: Path) -> bool:
    """A cargo-fuzz package next to a crate (`fuzz/Cargo.toml`), workspace member or not."""
    manifest_path = root / "fuzz" / "Cargo.toml"
    if not manifest_path.is_file():
        return False
    try:
        return _is_fuzz_package(read_manifest(manifest_path))
    except ManifestError:
        return False
