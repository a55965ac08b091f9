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
        return [
            crate.finding(
                self,
                f"library crate `{crate.name}` has no crate-level docs",
                "start the library root with `//!` docs saying what the crate is for",
                path=root.relpath,
                line=1,
            )
        ]
