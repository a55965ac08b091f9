"""deprecated-dependency."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node

from rustpro.discovery.manifest import Dependency, Manifest, package_value
from rustpro.engine.context import FileContext
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule, FileRule, Scope
from rustpro.rules.concurrency import method_name, path_segments
from rustpro.rules.patterns import Pattern, method_calls, qualified_calls, text_matches
from rustpro.rules.project.dependency_names import real_package
from rustpro.syntax import items


@dataclass(frozen=True, slots=True)
class Superseded:
    """A crate that should no longer be used, what replaces it, and why."""

    replacement: str
    reason: str
    # The replacement is in std from this Rust version; the rule stays silent when the
    # crate's MSRV is older, or when the crate is `no_std`.
    std_since: tuple[int, int] | None = None
    # Used for this, the crate is doing something std cannot (no_std, spin locks).
    no_std_features: tuple[str, ...] = ()


# Each entry is deprecated by its authors or marked unmaintained in the RustSec advisory
# database (the id is in `reason`). `serde_yaml` is archived but has no advisory: left out.
SUPERSEDED: dict[str, Superseded] = {
    "lazy_static": Superseded(
        "`std::sync::LazyLock` (Rust 1.80)",
        "superseded by the standard library",
        std_since=(1, 80),
        no_std_features=("spin_no_std",),
    ),
    "once_cell": Superseded(
        "`std::sync::OnceLock` / `std::sync::LazyLock` (Rust 1.80)",
        "superseded by the standard library",
        std_since=(1, 80),
        no_std_features=("race", "critical-section", "alloc"),
    ),
    "atty": Superseded(
        "`std::io::IsTerminal` (Rust 1.70)",
        "unmaintained and unsound (RUSTSEC-2024-0375, RUSTSEC-2021-0145)",
    ),
    "failure": Superseded(
        "`thiserror` (libraries) or `anyhow` (applications)",
        "deprecated (RUSTSEC-2020-0036)",
    ),
    "failure_derive": Superseded("`thiserror`", "deprecated with `failure` (RUSTSEC-2020-0036)"),
    "error-chain": Superseded(
        "`thiserror` (libraries) or `anyhow` (applications)",
        "unmaintained (archived under rust-lang-deprecated)",
    ),
    "structopt": Superseded(
        "`clap` with the `derive` feature", "in maintenance mode (RUSTSEC-2022-0104)"
    ),
    "dotenv": Superseded("`dotenvy`", "unmaintained (RUSTSEC-2021-0141)"),
    "tempdir": Superseded("`tempfile`", "deprecated (RUSTSEC-2018-0017)"),
    "memmap": Superseded("`memmap2`", "unmaintained (RUSTSEC-2020-0077)"),
    "async-std": Superseded("`tokio` or `smol`", "discontinued (RUSTSEC-2025-0052)"),
    "ansi_term": Superseded("`nu-ansi-term` or `anstyle`", "unmaintained (RUSTSEC-2021-0139)"),
    "net2": Superseded("`socket2`", "deprecated (RUSTSEC-2020-0016)"),
    "proc-macro-error": Superseded(
        "`manyhow` or `proc-macro2-diagnostics`", "unmaintained (RUSTSEC-2024-0370)"
    ),
    "instant": Superseded("`web-time`", "unmaintained (RUSTSEC-2024-0384)"),
    "difference": Superseded("`similar` or `dissimilar`", "unmaintained (RUSTSEC-2020-0095)"),
    "derivative": Superseded(
        "`derive_more`, `derive-where` or `educe`", "unmaintained (RUSTSEC-2024-0388)"
    ),
    "users": Superseded("`uzers`", "unmaintained (RUSTSEC-2023-0040)"),
    "rustc-serialize": Superseded("`serde`", "unmaintained (RUSTSEC-2025-0025)"),
    "json": Superseded("`serde_json`", "unmaintained (RUSTSEC-2022-0081)"),
    "yaml-rust": Superseded("`yaml-rust2`", "unmaintained (RUSTSEC-2024-0320)"),
    "term_size": Superseded("`terminal_size`", "unmaintained (RUSTSEC-2020-0163)"),
    "mach": Superseded("`mach2`", "unmaintained (RUSTSEC-2020-0168)"),
    "stdweb": Superseded("`wasm-bindgen` and `web-sys`", "unmaintained (RUSTSEC-2020-0056)"),
    "cpuid-bool": Superseded("`cpufeatures`", "renamed (RUSTSEC-2021-0064)"),
}

# `once_cell` APIs the sources call, recorded per file (value: the API's name).
_ONCE_CELL_API_FACT = "project.once-cell-api"
# What std needs to do what these `once_cell` APIs do: the Rust version from which it is
# stable, or None while std has no stable twin (rustc 1.95 still rejects
# `OnceLock::get_or_try_init` with E0658 `once_cell_try`, `try_insert` with
# `once_cell_try_insert`, `LazyLock::into_inner` with `lazy_cell_into_inner`; the `race`
# module's `OnceBox`/`OnceNonZeroUsize`/`OnceBool` have no std counterpart at all).
_ONCE_CELL_API_STD: dict[str, tuple[int, int] | None] = {
    "get_or_try_init": None,
    "try_insert": None,
    "into_value": None,  # `Lazy::into_value`
    "race": None,  # `once_cell::race::*`
    "wait": (1, 86),  # `sync::OnceCell::wait` -> `OnceLock::wait`
    "force_mut": (1, 94),  # `Lazy::force_mut` -> `LazyLock::force_mut`
    "get_mut": (1, 94),  # `Lazy::get_mut` -> `LazyLock::get_mut`
    "get": (1, 94),  # `Lazy::get` -> `LazyLock::get`
}
# `Lazy`'s own functions take the cell as their first argument: `Lazy::force_mut(&mut x)`.
_LAZY_FUNCTIONS = frozenset({"into_value", "force_mut", "get_mut", "get"})
_ONCE_CELL_METHODS = ("get_or_try_init", "try_insert", "wait")

# Before Rust 1.70 `std::io::IsTerminal` does not exist; `is-terminal` is the way there.
_ATTY_BEFORE_STD = "`is-terminal`"
_IS_TERMINAL_SINCE = (1, 70)
_MSRV = re.compile(r"^\s*(\d+)\.(\d+)")


class DeprecatedDependency(FileRule, CrateRule):
    """Flags dependencies that are unmaintained or superseded, and names the replacement.

    ## What it does
    Looks at the dependency tables of the package (`[dependencies]`,
    `[build-dependencies]` and their `[target.'cfg(..)'.*]` forms; renamed entries are
    recognised by `package = ".."`, workspace-inherited ones through
    `[workspace.dependencies]`) and fires at the line of each entry naming a crate that is
    deprecated by its authors or marked unmaintained by a RustSec advisory: `failure`,
    `error-chain`, `structopt`, `atty`, `dotenv`, `tempdir`, `memmap`, `async-std`,
    `ansi_term`, `net2`, `proc-macro-error`, `instant`, `difference`, `derivative`, `users`,
    `rustc-serialize`, `json`, `yaml-rust`, `term_size`, `mach`, `stdweb` and `cpuid-bool`.
    `lazy_static` and `once_cell` are reported only when std can replace them: the crate is not
    `no_std`, uses no no_std feature (`spin_no_std`, `race`, `critical-section`, `alloc`), and
    its `rust-version` is 1.80 or newer (or not declared; but a published package on edition
    2015 or 2018 with no `rust-version` is taken to support that edition's first toolchain),
    and its sources call no `once_cell`
    API that std lacks: `get_or_try_init`, `try_insert`, `Lazy::into_value` and the `race`
    module have no stable std twin, and `Lazy::get`/`get_mut`/`force_mut` (Rust 1.94) or
    `OnceCell::wait` (Rust 1.86) raise the version std must have. `atty` is replaced by
    `std::io::IsTerminal` from Rust 1.70, else by `is-terminal`. Local `path` dependencies are
    never reported, and neither are dev-dependencies: only the package's own tests, examples
    and benchmarks use them, nothing of them ships to users, and a test suite may keep an
    old runtime on purpose (to check the crate still works under `async-std`, say).

    ## Why is this bad?
    An unmaintained dependency gets no fixes for soundness bugs or security advisories and
    slowly falls behind its ecosystem; `cargo audit` and `cargo deny` will keep warning about
    it. When std covers the need, the dependency is pure build time and supply-chain risk.

    ## Example
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"

    [dependencies]
    structopt = "0.3"
    ```

    ## Use instead
    ```toml
    [package]
    name = "fixture"
    version = "0.1.0"
    edition = "2021"

    [dependencies]
    clap = { version = "4", features = ["derive"] }
    ```

    ## References
    - RustSec advisory database: <https://rustsec.org/categories/unmaintained.html>
    - `std::sync::LazyLock`: <https://doc.rust-lang.org/std/sync/struct.LazyLock.html>
    - `std::io::IsTerminal`: <https://doc.rust-lang.org/std/io/trait.IsTerminal.html>
    """

    name = "deprecated-dependency"
    # Tests and examples count: they call the normal dependencies too.
    scope: ClassVar[Scope] = Scope.ALL
    # Calls of `once_cell` APIs, in files that name the crate (its items are imported by path).
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(method_calls(*_ONCE_CELL_METHODS), file_needs=(b"once_cell",)),
        Pattern(qualified_calls("Lazy"), file_needs=(b"once_cell",)),
        Pattern(text_matches(rb"race\b", "identifier"), file_needs=(b"once_cell",)),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        api = _once_cell_api(captures["match"][0])
        if api is not None and api not in ctx.facts.get(_ONCE_CELL_API_FACT, ()):
            ctx.add_fact(_ONCE_CELL_API_FACT, api)

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        msrv = _msrv(crate)
        no_std = _is_no_std(crate)
        once_cell_apis = {api for _, api in crate.facts(_ONCE_CELL_API_FACT)}
        findings: list[Finding] = []
        for dependency in crate.manifest.dependencies():
            if dependency.path is not None and dependency.version is None:
                continue  # a local crate that happens to share the name
            if dependency.kind == "dev":
                continue  # used by the package's own tests only: nothing of it ships
            package = real_package(dependency, crate.layout.inherited)
            entry = SUPERSEDED.get(package)
            if entry is None:
                continue
            needs = _std_needed(package, entry, once_cell_apis)
            replacement = _replacement(package, entry, dependency, msrv, no_std, needs)
            if replacement is None:
                continue
            named = (
                f"`{dependency.name}` (crate `{package}`)"
                if dependency.name != package
                else f"`{package}`"
            )
            findings.append(
                crate.finding(
                    self,
                    f"{named} is {entry.reason}; use {replacement}",
                    f"replace {named} with {replacement}",
                    line=_dependency_line(crate.manifest, dependency),
                )
            )
        return findings


def _once_cell_api(node: Node) -> str | None:
    """The `once_cell` API a candidate uses (a key of `_ONCE_CELL_API_STD`), if it is one."""
    if node.type == "identifier":  # a `race` path segment
        return "race" if items.text(node) == "race" and _under_once_cell(node) else None
    name = method_name(node)
    if name:
        return name  # `get_or_try_init` / `try_insert` / `wait` in a file naming once_cell
    segments = path_segments(node.child_by_field_name("function"))
    if segments and len(segments) >= 2 and segments[-1] in _LAZY_FUNCTIONS:
        return segments[-1]  # `Lazy::get(&cell)`
    return None


def _under_once_cell(segment: Node) -> bool:
    """True when `segment` follows `once_cell` in a path (`once_cell::race`, also in a `use`
    list: `use once_cell::{race::OnceBox, ..}`)."""
    node = segment
    for parent in items.ancestors(segment):
        if parent.type not in ("scoped_identifier", "scoped_use_list", "use_list"):
            break
        node = parent
    while node.type in ("scoped_identifier", "scoped_use_list"):
        path = node.child_by_field_name("path")
        if path is None:
            break
        node = path
    return items.text(node) == "once_cell"


def _std_needed(
    package: str, entry: Superseded, once_cell_apis: set[str]
) -> tuple[int, int] | None:
    """The Rust version std must have to replace the crate as it is used, None when std
    cannot (yet): an API with no stable twin."""
    needed = entry.std_since
    if package != "once_cell" or needed is None:
        return needed
    for api in once_cell_apis:
        since = _ONCE_CELL_API_STD.get(api, needed)
        if since is None:
            return None
        needed = max(needed, since)
    return needed


def _replacement(
    package: str,
    entry: Superseded,
    dependency: Dependency,
    msrv: tuple[int, int] | None,
    no_std: bool,
    std_needed: tuple[int, int] | None,
) -> str | None:
    """The replacement to name, or None when this use of the crate is still the right one."""
    if package == "atty":
        too_old = msrv is not None and msrv < _IS_TERMINAL_SINCE
        return _ATTY_BEFORE_STD if too_old else entry.replacement
    if entry.std_since is None:
        return entry.replacement
    if std_needed is None or no_std or set(dependency.features) & set(entry.no_std_features):
        return None
    if msrv is not None and msrv < std_needed:
        return None
    if std_needed != entry.std_since:
        return (
            f"{entry.replacement}, from Rust {std_needed[0]}.{std_needed[1]} for the APIs used here"
        )
    return entry.replacement


# The first Rust release of each edition older than 2021. A published package that declares
# no `rust-version` and still sits on one of them has kept old toolchains working for its
# users: its MSRV is taken to be the edition's first release, not the newest Rust.
_OLD_EDITION_RUST = {"2015": (1, 0), "2018": (1, 31)}


def _msrv(crate: CrateView) -> tuple[int, int] | None:
    """The package's minimum Rust version: declared, implied by an old edition, or None."""
    declared = _parse_msrv(crate.layout.rust_version)
    if declared is not None or not _published(crate):
        return declared  # an application builds with whatever toolchain its team uses
    return _OLD_EDITION_RUST.get(crate.layout.edition or "2015")


def _published(crate: CrateView) -> bool:
    """False for `publish = false` (or `publish = []`): no one else builds the package."""
    publish = package_value(crate.manifest, "publish", crate.layout.inherited)
    return publish is None or bool(publish)


def _parse_msrv(text: str | None) -> tuple[int, int] | None:
    """(major, minor) of `rust-version`, None when not declared.

    An unreadable value counts as (0, 0): "some old toolchain", so std replacements are not
    proposed to a crate that may not have them.
    """
    if text is None:
        return None
    match = _MSRV.match(text)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _is_no_std(crate: CrateView) -> bool:
    """True when the library root says `#![no_std]`, also under `#![cfg_attr(.., no_std)]`."""
    lib = crate.layout.lib
    result = crate.file_result(lib.root) if lib is not None else None
    if result is None:
        return False
    return any(
        path == "no_std" or (path == "cfg_attr" and "no_std" in args)
        for path, args in result.structure.inner_attributes
    )


def _dependency_line(manifest: Manifest, dependency: Dependency) -> int:
    """The entry's line; for `[dependencies.NAME]` tables, the header's line."""
    if dependency.line is not None:
        return dependency.line
    suffix = f"dependencies.{dependency.name}"
    for number, line in enumerate(manifest.text.splitlines(), 1):
        stripped = line.strip()
        header = stripped.strip("[]").replace(" ", "").replace('"', "").replace("'", "")
        if stripped.startswith("[") and header.endswith(suffix):
            return number
    return manifest.table_line("package") or 1
