"""missing-rust-version."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import key_or_package_line


class MissingRustVersion(CrateRule):
    """Flags a package that declares no minimum supported Rust version.

    ## What it does
    Fires when neither the package's `[package]` nor its workspace's `[workspace.package]`
    sets `rust-version`. A member that writes `rust-version.workspace = true` while the
    workspace sets none is reported at that line; otherwise the finding points at the
    `[package]` header.

    ## Why is this bad?
    Without `rust-version`, users on an older toolchain get a wall of confusing compile errors
    instead of one clear message, Cargo's MSRV-aware resolver cannot pick compatible
    dependency versions, and nobody knows which toolchain CI must keep green.

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
    rust-version = "1.74"
    ```

    ## References
    - The Cargo Book, "The `rust-version` field"
    - `cargo-msrv`: <https://github.com/foresterre/cargo-msrv>
    """

    name = "missing-rust-version"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if crate.layout.rust_version is not None:
            return []
        if crate.layout.inherited.values.get("rust-version") is not None:
            return []  # the workspace states one; the member simply does not opt in
        return [
            crate.finding(
                self,
                "no `rust-version` (MSRV) in the package or its workspace",
                'declare `rust-version = "1.xx"` in [package] or [workspace.package]; '
                "`cargo msrv find` can tell the lowest version that builds",
                line=key_or_package_line(crate.manifest, "rust-version"),
            )
        ]
