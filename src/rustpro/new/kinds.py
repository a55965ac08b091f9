"""The project kinds `rustpro new` can create, and the Rust versions they need.

Both come from data files beside the templates (`templates/kinds.toml`,
`templates/dependencies.toml`), so changing a description or a dependency's version touches
no code.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from rustpro.errors import UsageError

EDITIONS = ("2021", "2024")
DEFAULT_EDITION = "2024"

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


class RustVersion(NamedTuple):
    """A Rust release as `rust-version` states it: `1.85` or `1.85.1`."""

    major: int
    minor: int
    patch: int = 0

    def __str__(self) -> str:
        base = f"{self.major}.{self.minor}"
        return f"{base}.{self.patch}" if self.patch else base


def parse_rust_version(text: str, what: str = "--msrv") -> RustVersion:
    """`1.85` or `1.85.1` as a `RustVersion`; anything else is a usage error naming `what`."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"{what} {text!r}: expected a Rust version such as 1.85 or 1.85.1")
    major, minor, patch = (int(part) if part else 0 for part in match.groups())
    version = RustVersion(major, minor, patch)
    if major != 1:
        raise UsageError(f"{what} {text}: Rust versions are 1.x")
    return version


# The first Rust that knows each edition.
EDITION_RUST_VERSION = {"2021": RustVersion(1, 56), "2024": RustVersion(1, 85)}
# `resolver = "3"` (MSRV-aware dependency resolution) needs cargo 1.84.
RESOLVER_3 = RustVersion(1, 84)


@dataclass(frozen=True, slots=True)
class Dependency:
    """A crate a template depends on: the version it asks for and the Rust that needs."""

    name: str
    version: str
    rust_version: RustVersion


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of project: its description, what it demonstrates and what it needs."""

    name: str
    summary: str
    patterns: tuple[str, ...]
    # What the template's own code needs, before its dependencies (kinds.toml).
    code_rust_version: RustVersion
    lockfile: bool
    uses_unsafe: bool


@dataclass(frozen=True, slots=True)
class Requirement:
    """Why a project needs at least a Rust version: an edition, the code, or a dependency."""

    rust_version: RustVersion
    reason: str  # "tokio 1.54.1", "edition 2024", "the template's code"


def _data(name: str) -> dict[str, Any]:
    text = resources.files("rustpro").joinpath("templates", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def all_kinds() -> dict[str, Kind]:
    """Every kind, by name, in the order `--list` shows them."""
    return {
        name: Kind(
            name=name,
            summary=entry["summary"],
            patterns=tuple(entry["patterns"]),
            code_rust_version=parse_rust_version(entry["rust-version"], f"kinds.toml: {name}"),
            lockfile=bool(entry["lockfile"]),
            uses_unsafe=bool(entry["unsafe"]),
        )
        for name, entry in _data("kinds.toml").items()
    }


@cache
def dependencies() -> dict[str, Dependency]:
    """Every dependency the templates may use, by crate name."""
    return {
        name: Dependency(
            name=name,
            version=entry["version"],
            rust_version=parse_rust_version(entry["rust-version"], f"dependencies.toml: {name}"),
        )
        for name, entry in _data("dependencies.toml").items()
    }


def kind_named(name: str) -> Kind:
    """The kind called `name`; an unknown name is a usage error listing the kinds."""
    kinds = all_kinds()
    if name not in kinds:
        raise UsageError(f"unknown kind `{name}`: choose one of {', '.join(kinds)}")
    return kinds[name]


def requirements(kind: Kind, edition: str, used: set[str]) -> list[Requirement]:
    """What sets the project's lowest possible `rust-version`, highest first: its edition,
    the template's code, and each dependency in `used` (crate names)."""
    deps = dependencies()
    found = [
        Requirement(EDITION_RUST_VERSION[edition], f"edition {edition}"),
        Requirement(kind.code_rust_version, f"the {kind.name} template's code"),
        *(
            Requirement(deps[name].rust_version, f"{name} {deps[name].version}")
            for name in sorted(used)
        ),
    ]
    return sorted(found, key=lambda req: req.rust_version, reverse=True)


def choose_rust_version(
    kind: Kind, edition: str, used: set[str], msrv: RustVersion | None
) -> RustVersion:
    """The project's `rust-version`: `msrv` when given and high enough, else the lowest the
    edition, the code and the dependencies allow. An `msrv` below that is a usage error that
    names what needs more."""
    needs = requirements(kind, edition, used)
    lowest = needs[0].rust_version
    if msrv is None:
        return lowest
    short = [req for req in needs if req.rust_version > msrv]
    if short:
        reasons = ", ".join(f"{req.reason} needs Rust {req.rust_version}" for req in short)
        raise UsageError(
            f"--msrv {msrv} is below what the {kind.name} template needs: {reasons}; "
            f"use --msrv {lowest} or later"
        )
    return msrv
