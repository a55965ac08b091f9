"""Package names `rustpro new` accepts: Cargo's rules, what `cargo new` refuses, and what
would keep the project from passing its own gates, each refusal with a name that works."""

from __future__ import annotations

import re
from collections.abc import Collection

from rustpro.errors import CrateNameError

# Rust's keywords, strict and reserved (cargo's `restricted_names::is_keyword`, plus `gen`,
# reserved by edition 2024): a package of that name has no usable crate name.
KEYWORDS = frozenset(
    {
        *("Self", "abstract", "as", "async", "await", "become", "box", "break", "const"),
        *("continue", "crate", "do", "dyn", "else", "enum", "extern", "false", "final"),
        *("fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod"),
        *("move", "mut", "override", "priv", "pub", "ref", "return", "self", "static"),
        *("struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized"),
        *("use", "virtual", "where", "while", "yield"),
    }
)
# Directories cargo creates in target/: a binary of that name collides with them.
ARTIFACT_DIRS = frozenset({"deps", "examples", "build", "incremental"})
# Crates of the standard distribution: a package named like one shadows it.
STANDARD_CRATES = frozenset({"alloc", "core", "proc_macro", "proc-macro", "std", "test"})
# Device names Windows reserves: such a directory cannot be checked out there.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
# crates.io's limit.
MAX_LENGTH = 64

_VALID = re.compile(r"[a-z][a-z0-9_-]*")
_FALLBACK = "my-project"


def crate_ident(name: str) -> str:
    """The name as Rust code spells the crate (`my-app` -> `my_app`)."""
    return name.replace("-", "_")


def problem_with(name: str, dependencies: Collection[str] = ()) -> str | None:
    """Why `name` cannot be the package's name, or None when it can. `dependencies` are the
    crates the project depends on: a package cannot share a crate name with one of them."""
    if not name:
        return "the name is empty"
    if not name.isascii():
        return "Rust crate names are ASCII only"
    if name != name.lower():
        return "package names are lowercase (rustc warns about a crate name that is not snake case)"
    if name[0].isdigit():
        return "a package name cannot start with a digit"
    if not _VALID.fullmatch(name):
        return "a package name starts with a letter and holds only letters, digits, `-` and `_`"
    if len(name) > MAX_LENGTH:
        return f"crates.io takes names of at most {MAX_LENGTH} characters"
    if crate_ident(name) in KEYWORDS or name in KEYWORDS:
        return "it is a Rust keyword"
    if name in STANDARD_CRATES or crate_ident(name) in STANDARD_CRATES:
        return "it is the name of a crate of Rust's standard distribution"
    if name in ARTIFACT_DIRS:
        return "it collides with a directory cargo creates in target/"
    if name in WINDOWS_RESERVED:
        return "Windows reserves it as a device name"
    used = {crate_ident(dep) for dep in dependencies}
    if crate_ident(name) in used:
        return "the template depends on a crate of that name"
    return None


def suggest(name: str, dependencies: Collection[str] = ()) -> str:
    """A name close to `name` that `problem_with` accepts."""
    text = name.strip().lower()
    text = re.sub(r"[^a-z0-9_-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-_")
    text = text.lstrip("0123456789-_") or _FALLBACK
    text = text[:MAX_LENGTH].rstrip("-_")
    if problem_with(text, dependencies) is not None:
        text = f"my-{text}"[:MAX_LENGTH].rstrip("-_")
    return text if problem_with(text, dependencies) is None else _FALLBACK


def check_name(name: str, dependencies: Collection[str] = ()) -> None:
    """Raise `CrateNameError` (with a suggestion) unless `name` is a good package name."""
    problem = problem_with(name, dependencies)
    if problem is not None:
        raise CrateNameError(name, problem, suggest(name, dependencies))
