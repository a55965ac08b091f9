"""deprecated-dependency."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rustpro.discovery.manifest import Dependency, Manifest
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule
from rustpro.rules.project.dependency_names import real_package


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

# Before Rust 1.70 `std::io::IsTerminal` does not exist; `is-terminal` is the way there.
_ATTY_BEFORE_STD = "`is-terminal`"
_IS_TERMINAL_SINCE = (1, 70)
_MSRV = re.compile(r"^\s*(\d+)\.(\d+)")


class DeprecatedDependency(CrateRule):
    """Flags dependencies that are unmaintained or superseded, and names the replacement.

    ## What it does
    Looks at every dependency table of the package (`[dependencies]`, `[dev-dependencies]`,
    `[build-dependencies]` and their `[target.'cfg(..)'.*]` forms; renamed entries are
    recognised by `package = ".."`, workspace-inherited ones through
    `[workspace.dependencies]`) and fires at the line of each entry naming a crate that is
    deprecated by its authors or marked unmaintained by a RustSec advisory: `failure`,
    `error-chain`, `structopt`, `atty`, `dotenv`, `tempdir`, `memmap`, `async-std`,
    `ansi_term`, `net2`, `proc-macro-error`, `instant`, `difference`, `derivative`, `users`,
    `rustc-serialize`, `json`, `yaml-rust`, `term_size`, `mach`, `stdweb` and `cpuid-bool`.
    `lazy_static` and `once_cell` are reported only when std can replace them: the crate is not
    `no_std`, uses no no_std feature (`spin_no_std`, `race`, `critical-section`, `alloc`), and
    its `rust-version` is 1.80 or newer (or not declared). `atty` is replaced by
    `std::io::IsTerminal` from Rust 1.70, else by `is-terminal`. Local `path` dependencies are
    never reported.

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

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        msrv = _parse_msrv(crate.layout.rust_version)
        no_std = _is_no_std(crate)
        findings: list[Finding] = []
        for dependency in crate.manifest.dependencies():
            if dependency.path is not None and dependency.version is None:
                continue  # a local crate that happens to share the name
            package = real_package(dependency, crate.layout.inherited)
            entry = SUPERSEDED.get(package)
            if entry is None:
                continue
            replacement = _replacement(package, entry, dependency, msrv, no_std)
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


def _replacement(
    package: str,
    entry: Superseded,
    dependency: Dependency,
    msrv: tuple[int, int] | None,
    no_std: bool,
) -> str | None:
    """The replacement to name, or None when this use of the crate is still the right one."""
    if package == "atty":
        too_old = msrv is not None and msrv < _IS_TERMINAL_SINCE
        return _ATTY_BEFORE_STD if too_old else entry.replacement
    if entry.std_since is None:
        return entry.replacement
    if no_std or set(dependency.features) & set(entry.no_std_features):
        return None
    if msrv is not None and msrv < entry.std_since:
        return None
    return entry.replacement


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
