"""edition-outdated."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import key_or_package_line

MINIMUM_EDITION = 2021


class EditionOutdated(CrateRule):
    """Flags a package on an edition older than 2021, or with no edition at all.

    ## What it does
    Reads the package's `edition`, following `edition.workspace = true` to the workspace's
    `[workspace.package]`. Fires at the `edition` line when it is older than 2021, and at the
    `[package]` header when no edition is set (Cargo then builds the crate as Rust 2015).

    ## Why is this bad?
    Old editions keep old rules: 2015 paths, no disjoint closure captures, `array.into_iter()`
    by reference, and lints and language features that newer code, examples and tooling
    assume. Migrating is mostly automatic with `cargo fix --edition`.

    ## Example
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2018"
    ```

    ## Use instead
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"
    ```

    ## References
    - The Rust Edition Guide: <https://doc.rust-lang.org/edition-guide/>
    - The Cargo Book, "The `edition` field"
    """

    name = "edition-outdated"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        manifest = crate.manifest
        declared = (manifest.package or {}).get("edition")
        inherited = isinstance(declared, dict)
        line = key_or_package_line(manifest, "edition")
        edition = crate.layout.edition
        if edition is None:
            message = (
                "`edition.workspace = true`, but the workspace sets no edition: the crate "
                "builds as Rust 2015"
                if inherited
                else "no `edition` in [package]: Cargo builds the crate as Rust 2015"
            )
            return [crate.finding(self, message, _HELP, line=line)]
        try:
            year = int(edition)
        except ValueError:
            return []  # not an edition at all; cargo itself reports that
        if year >= MINIMUM_EDITION:
            return []
        source = " (inherited from the workspace)" if inherited else ""
        return [
            crate.finding(
                self, f"edition {edition}{source} is outdated: use 2021 or later", _HELP, line=line
            )
        ]


_HELP = 'set `edition = "2021"` (or 2024) and run `cargo fix --edition` to migrate'
