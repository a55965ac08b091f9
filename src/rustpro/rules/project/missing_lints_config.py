"""missing-lints-config."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import package_line

_LINT_LEVELS = frozenset({"warn", "deny", "forbid"})


class MissingLintsConfig(CrateRule):
    """Flags a package that configures no lints anywhere.

    ## What it does
    Fires when the package's Cargo.toml has no `[lints]` table (`[lints] workspace = true`
    counts) and no library or binary root (`src/lib.rs`, `src/main.rs`, `src/bin/*.rs`)
    carries a crate-level `#![warn(..)]`, `#![deny(..)]` or `#![forbid(..)]` (also inside
    `#![cfg_attr(.., deny(..))]`). The finding points at the `[package]` header.
    `#![allow(..)]` alone is not lint configuration. A package in a workspace with
    `[workspace.lints]` is reported when it does not opt in with `[lints] workspace = true`,
    the root package included: Cargo applies the workspace table only to packages that do.

    ## Why is this bad?
    The default lint levels let `unsafe_code`, missing docs, `unwrap` in libraries and many
    clippy findings through silently. A `[lints]` table makes the project's standard explicit,
    shared by every target and enforced the same way in every checkout and in CI.

    ## Example
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"
    ```

    ## Use instead
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"

    [lints.rust]
    unsafe_code = "forbid"

    [lints.clippy]
    unwrap_used = "warn"
    ```

    ## References
    - The Cargo Book, "The `[lints]` section"
    - The rustc book, "Lint Levels"
    """

    name = "missing-lints-config"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        manifest = crate.manifest
        if "lints" in manifest.data:
            return []
        if _root_sets_lint_levels(crate):
            return []
        if crate.layout.inherited.lints:
            message = "the workspace defines `[workspace.lints]`, but this package does not opt in"
            hint = "add `[lints]` with `workspace = true` to this Cargo.toml"
        else:
            message = "no `[lints]` table and no crate-level `#![warn/deny/forbid(..)]` attributes"
            hint = (
                "add a `[lints.rust]` / `[lints.clippy]` table (or `[workspace.lints]` and "
                "`[lints] workspace = true` in each member)"
            )
        return [crate.finding(self, message, hint, line=package_line(manifest))]


def _root_sets_lint_levels(crate: CrateView) -> bool:
    for target in crate.layout.targets:
        if target.kind not in ("lib", "bin"):
            continue
        result = crate.file_result(target.root)
        if result is None:
            continue
        for path, args in result.structure.inner_attributes:
            if path in _LINT_LEVELS:
                return True
            if path == "cfg_attr" and any(f"{level}(" in args for level in _LINT_LEVELS):
                return True
    return False
