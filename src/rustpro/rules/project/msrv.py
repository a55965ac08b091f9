"""The minimum supported Rust version a project states, wherever it states it.

Cargo reads `rust-version`; projects that predate the key (Rust 1.56) or never adopted it
state their MSRV elsewhere: `msrv = ".."` in `clippy.toml`, which clippy's lints obey, or a
line of the README ("The minimum supported Rust version (MSRV) is 1.35.0"). Rules that
advise on editions and the MSRV read all three, so that they never advise what the
project's stated support policy rules out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rustpro import tomlparse
from rustpro.engine.crateview import CrateView

Version = tuple[int, int]

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)")
# "MSRV is 1.35", "minimum supported Rust version (MSRV): 1.63.0", "Minimum Rust version: 1.70"
_README_MSRV = re.compile(
    r"(?i:\bMSRV\b|minimum\s+supported\s+rust\s+version|minimum\s+rust\s+version"
    r"|rust\s+version\s+requirements?)[^\n0-9]{0,40}?\b1\.(\d{1,3})\b"
)
_CLIPPY_FILES = ("clippy.toml", ".clippy.toml")
_READMES = ("README.md", "README", "README.markdown", "readme.md")
# The first Rust release of each edition.
EDITION_SINCE: dict[int, Version] = {2015: (1, 0), 2018: (1, 31), 2021: (1, 56), 2024: (1, 85)}


@dataclass(frozen=True, slots=True)
class StatedMsrv:
    """A minimum Rust version and where the project states it."""

    version: Version
    source: str  # "rust-version", "clippy.toml", "the README"

    @property
    def text(self) -> str:
        """The version as people write it: `1.47`."""
        return f"{self.version[0]}.{self.version[1]}"


def parse_version(text: str | None) -> Version | None:
    """(major, minor) of a version such as `1.47.0`, None when it is not one."""
    if text is None:
        return None
    match = _VERSION.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


def newest_edition(msrv: Version) -> int:
    """The newest edition a toolchain of version `msrv` can build."""
    return max(edition for edition, since in EDITION_SINCE.items() if since <= msrv)


def stated_msrv(crate: CrateView) -> StatedMsrv | None:
    """The MSRV the package states: `rust-version` (its own or the workspace's), else the
    `msrv` of a clippy configuration, else a README line; None when it states none."""
    declared = parse_version(crate.layout.rust_version)
    if declared is not None:
        return StatedMsrv(declared, "rust-version")
    directories = [crate.layout.root]
    if crate.workspace is not None and crate.workspace.root != crate.layout.root:
        directories.append(crate.workspace.root)
    for directory in directories:
        found = _clippy_msrv(directory)
        if found is not None:
            return StatedMsrv(found, "clippy.toml")
    for directory in directories:
        found = _readme_msrv(directory)
        if found is not None:
            return StatedMsrv(found, "the README")
    return None


def _clippy_msrv(directory: Path) -> Version | None:
    for name in _CLIPPY_FILES:
        path = directory / name
        try:
            data = tomlparse.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomlparse.TOMLDecodeError):
            continue
        value = data.get("msrv", data.get("minimum-supported-rust-version"))
        found = parse_version(str(value)) if value is not None else None
        if found is not None:
            return found
    return None


def _readme_msrv(directory: Path) -> Version | None:
    for name in _READMES:
        try:
            text = (directory / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = _README_MSRV.search(text)
        if match is not None:
            return (1, int(match.group(1)))
    return None
