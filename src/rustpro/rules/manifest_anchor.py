"""Where crate-wide findings point in Cargo.toml when no single key is to blame."""

from __future__ import annotations

from rustpro.discovery.manifest import Manifest


def package_line(manifest: Manifest) -> int:
    """The 1-based line of the `[package]` header (1 when it cannot be found).

    Crate-wide findings (no tests, no lints table, ...) anchor here so that they sit at the
    same, stable place in every report and baseline.
    """
    return manifest.table_line("package") or 1


def key_or_package_line(manifest: Manifest, key: str) -> int:
    """The line of `key` in `[package]` (also `key.workspace = true`), else the header line."""
    return manifest.key_line("package", key) or package_line(manifest)


def root_line(manifest: Manifest) -> int:
    """The line workspace-wide findings point at in the root manifest: its `[package]`
    header, else its `[workspace]` header (1 when neither can be found)."""
    return manifest.table_line("package") or manifest.table_line("workspace") or 1
