"""edition-outdated."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.manifest_anchor import key_or_package_line
from rustpro.rules.project.msrv import StatedMsrv, newest_edition, stated_msrv

MINIMUM_EDITION = 2021


class EditionOutdated(CrateRule):
    """Flags a package on an edition older than 2021, or with no edition at all.

    ## What it does
    Reads the package's `edition`, following `edition.workspace = true` to the workspace's
    `[workspace.package]`. Fires at the `edition` line when it is older than 2021, and at the
    `[package]` header when no edition is set (Cargo then builds the crate as Rust 2015).

    The project's minimum supported Rust version comes first: edition 2021 needs Rust 1.56
    and 2018 needs 1.31. A package whose stated MSRV (`rust-version`, else `msrv` in
    `clippy.toml`, else an "MSRV is 1.xx" line of its README) is older than that is asked
    only for the newest edition its MSRV allows, and left alone when it is on it already
    (a 1.47 MSRV on 2018, a 1.26 MSRV with no `edition` key). Raising the MSRV is a support
    decision with costs for users, not a hygiene fix, so the rule does not suggest it.

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
        msrv = stated_msrv(crate)
        wanted = _wanted_edition(msrv)
        if edition is None:
            year = _DEFAULT_EDITION
        else:
            try:
                year = int(edition)
            except ValueError:
                return []  # not an edition at all; cargo itself reports that
        if year >= wanted:
            return []  # also an MSRV older than Rust 1.31 with no `edition` key at all
        if edition is None:
            message = (
                "`edition.workspace = true`, but the workspace sets no edition: the crate "
                "builds as Rust 2015"
                if inherited
                else "no `edition` in [package]: Cargo builds the crate as Rust 2015"
            )
        else:
            source = " (inherited from the workspace)" if inherited else ""
            message = f"edition {edition}{source} is outdated: use 2021 or later"
        if msrv is not None and wanted < MINIMUM_EDITION:
            # The stated MSRV rules 2021 out: ask for the newest edition it allows.
            message = message.replace("use 2021 or later", f"use {wanted}")
            message += f" (the stated MSRV {msrv.text}, in {msrv.source}, allows {wanted})"
            help = f'set `edition = "{wanted}"` and run `cargo fix --edition` to migrate'
        else:
            help = _HELP
        return [crate.finding(self, message, help, line=line)]


def _wanted_edition(msrv: StatedMsrv | None) -> int:
    """The edition to ask for: 2021, or the newest the stated MSRV allows when older."""
    if msrv is None:
        return MINIMUM_EDITION
    return min(MINIMUM_EDITION, newest_edition(msrv.version))


_DEFAULT_EDITION = 2015  # what Cargo builds a package with no `edition` key as
_HELP = 'set `edition = "2021"` (or 2024) and run `cargo fix --edition` to migrate'
