"""What the command line asks to audit: a crate or workspace, or some of its source files.

rustpro audit                      the crate around the current directory (cargo's search)
rustpro audit crates/a             a directory: its Cargo.toml, else the nearest above
rustpro audit --manifest-path M    exactly that Cargo.toml, as cargo takes it
rustpro audit src/a.rs src/b.rs    those files, in the context of the crate around them
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rustpro.discovery.layout import find_manifest
from rustpro.errors import AuditPathError, UsageError


@dataclass(frozen=True, slots=True)
class AuditTarget:
    """Where `discover` starts (a directory or a Cargo.toml) and the files named, if any."""

    path: Path
    files: tuple[Path, ...] = ()


def locate(paths: Sequence[Path], manifest_path: Path | None = None) -> AuditTarget:
    """The audit target of the command line's PATH arguments and `--manifest-path`."""
    if manifest_path is not None:
        _check_manifest_path(manifest_path)
    sources = [path for path in paths if path.suffix == ".rs"]
    others = [path for path in paths if path.suffix != ".rs"]
    if others:
        if len(paths) > 1 or manifest_path is not None:
            raise UsageError(
                "name one crate or workspace (a directory, a Cargo.toml or --manifest-path), "
                "or source files (.rs) of one crate or workspace, not both"
            )
        return AuditTarget(others[0])
    if not sources:
        return AuditTarget(manifest_path or Path("."))
    for source in sources:
        _check_file(source, "")
    if manifest_path is not None:
        return AuditTarget(manifest_path, tuple(sources))
    # The crate (or workspace) around all of them: cargo's search from their common directory.
    directories = [str(source.absolute().parent) for source in sources]
    common = Path(os.path.commonpath(directories))
    if len(sources) > 1:
        try:
            find_manifest(common)
        except AuditPathError:
            raise AuditPathError(
                f"{', '.join(map(str, sources))}: not files of one crate or workspace "
                f"(no Cargo.toml in {common} or above it)",
                common,
            ) from None
    return AuditTarget(common, tuple(sources))


def _check_manifest_path(path: Path) -> None:
    if path.name != "Cargo.toml":
        raise UsageError(f"--manifest-path {path}: must be the path to a Cargo.toml file")
    _check_file(path, "--manifest-path ")


def _check_file(path: Path, flag: str) -> None:
    try:
        if not path.is_file():
            what = "not a file" if path.exists() else "no such file"
            raise AuditPathError(f"{flag}{path}: {what}", path)
    except OSError as err:  # a name too long, a directory that cannot be searched
        raise AuditPathError(f"{flag}{path}: {err.strerror or err}", path) from None
