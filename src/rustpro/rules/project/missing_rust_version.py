"""missing-rust-version."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import key_or_package_line
from rustpro.rules.project.msrv import stated_msrv


class MissingRustVersion(CrateRule):
    """Flags a package that declares no minimum supported Rust version.

    ## What it does
    Fires when neither the package's `[package]` nor its workspace's `[workspace.package]`
    sets `rust-version`. A member that writes `rust-version.workspace = true` while the
    workspace sets none is reported at that line; otherwise the finding points at the
    `[package]` header. A package on edition 2024 is left alone: the edition implies Rust
    1.85, and an older Cargo refuses the manifest with one error naming the `edition2024`
    feature instead of a wall of compile errors, which is what a stated MSRV is for. When
    the project states its MSRV elsewhere (`msrv` in `clippy.toml`, a README line), the help
    names that version.

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
        if _edition(crate.layout.edition) >= _SELF_EXPLAINING_EDITION:
            return []  # the edition implies the toolchain, and cargo reports a too-old one
        elsewhere = stated_msrv(crate)
        if elsewhere is not None:
            help = (
                f"the project states MSRV {elsewhere.text} in {elsewhere.source}; declare "
                f'`rust-version = "{elsewhere.text}"` in [package] so that Cargo reads it too'
            )
        else:
            help = (
                'declare `rust-version = "1.xx"` in [package] or [workspace.package]; '
                "`cargo msrv find` can tell the lowest version that builds"
            )
        return [
            crate.finding(
                self,
                "no `rust-version` (MSRV) in the package or its workspace",
                help,
                line=key_or_package_line(crate.manifest, "rust-version"),
            )
        ]


# From this edition on, the edition alone tells a too-old toolchain what it needs: Cargo
# before 1.85 refuses the manifest with an error naming the `edition2024` feature.
_SELF_EXPLAINING_EDITION = 2024


def _edition(text: str | None) -> int:
    try:
        return int(text) if text is not None else 2015
    except ValueError:
        return 2015
