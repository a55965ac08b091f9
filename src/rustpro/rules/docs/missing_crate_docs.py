"""missing-crate-docs."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule


class MissingCrateDocs(CrateRule):
    """Flags a library whose root file has no crate-level docs.

    ## What it does
    Looks at the library root (`src/lib.rs`, or the `[lib] path`) and reports it, at line 1,
    when it has neither `//!` / `/*! */` inner doc comments nor a `#![doc = ..]` attribute (such
    as `#![doc = include_str!("../README.md")]`). A root that opts out with
    `#![allow(missing_docs)]` is left alone. Binary-only crates have no library root.

    Two kinds of library are read through another front page and are left alone too: a
    proc-macro crate whose macros a sibling package of the audit re-exports (`pub use
    foo_macros::derive_foo;` in the facade `foo`, whose docs are where users meet them),
    and a raw FFI binding, a `-sys` package with a `links` key, whose items are the C
    library's and documented by it.

    ## Why is this bad?
    The crate docs are the front page on docs.rs and in `cargo doc`: they are where users learn
    what the crate is for, where to start and what a first program looks like. Without them
    the generated documentation opens on a bare list of items.

    ## Example
    ```rust
    pub fn area(width: f64, height: f64) -> f64 {
        width * height
    }
    ```

    ## Use instead
    ```rust
    //! Rectangle geometry: areas and perimeters.
    //!
    //! Start with [`area`].

    /// The area of a `width` x `height` rectangle.
    pub fn area(width: f64, height: f64) -> f64 {
        width * height
    }
    ```

    ## References
    - rustc lint: `missing_docs` (it covers the crate root too)
    - Rust API Guidelines, C-CRATE-DOC: "Crate level docs are thorough and include examples"
    """

    name = "missing-crate-docs"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        lib = crate.layout.lib
        if lib is None:
            return []
        root = crate.file_result(lib.root)
        if root is None or root.skipped is not None:
            return []
        structure = root.structure
        if structure.has_inner_docs or "missing_docs" in structure.root_allows:
            return []
        if _raw_binding(crate) or (crate.layout.proc_macro and _reexported_by_facade(crate)):
            return []
        return [
            crate.finding(
                self,
                f"library crate `{crate.name}` has no crate-level docs",
                "start the library root with `//!` docs saying what the crate is for",
                path=root.relpath,
                line=1,
            )
        ]


def _raw_binding(crate: CrateView) -> bool:
    """A `-sys` package that links a native library: its docs are the C library's."""
    name = crate.name
    links = (crate.manifest.package or {}).get("links")
    return isinstance(links, str) and (name.endswith("-sys") or name.endswith("_sys"))


def _reexported_by_facade(crate: CrateView) -> bool:
    """Whether a sibling package of the audit depends on this crate and re-exports from it
    (`pub use rstest_macros::fixture;`): users read the macros' docs on the facade."""
    workspace = crate.workspace
    if workspace is None:
        return False
    for sibling in workspace.dependents(crate.name, kinds=("normal",)):
        names = {
            dep.name.replace("-", "_")
            for dep in sibling.manifest.dependencies()
            if dep.package == crate.name and dep.kind == "normal"
        }
        if any(
            reexport.path and reexport.path[0] in names
            for result in sibling.production_files()
            for reexport in result.structure.reexports
        ):
            return True
    return False
