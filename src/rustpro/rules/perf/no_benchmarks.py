"""no-benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule

# Benchmark harnesses: depending on one (as a dev-dependency) means benchmarks exist somewhere.
_HARNESSES = frozenset({"criterion", "divan", "iai", "iai-callgrind", "codspeed-criterion-compat"})


class NoBenchmarks(CrateRule):
    """Flags a library crate with no benchmarks.

    ## What it does
    Reports a library crate (at the `[package]` line of its Cargo.toml) that has no bench
    target (`benches/*.rs` or a `[[bench]]` table) and no benchmark harness among its
    dev-dependencies (`criterion`, `divan`, `iai`, `iai-callgrind`). Binary-only crates,
    proc-macro crates and members of a workspace whose `[workspace.dependencies]` declares a
    harness (the benchmarks then live in a sibling crate) are left alone.

    ## Why is this bad?
    Without a benchmark, performance is anecdote: a change that halves throughput passes review
    and CI unnoticed, and an optimisation cannot show that it helped. A few benchmarks of the
    hot paths make regressions visible and give profiling a fixed starting point.

    ## Example
    ```toml
    [package]
    name = "example"
    version = "0.1.0"
    edition = "2021"
    ```

    ## Use instead
    ```toml
    [package]
    name = "example"
    version = "0.1.0"
    edition = "2021"

    [dev-dependencies]
    criterion = "0.5"

    [[bench]]
    name = "parse"
    harness = false
    ```

    ## References
    - The Cargo Book, "cargo bench" and "Benchmarks" target configuration
    - The Rust Performance Book, "Benchmarking"
    - criterion.rs and divan user guides
    """

    name = "no-benchmarks"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.is_library or crate.layout.proc_macro or crate.manifest.package is None:
            return []
        if crate.layout.targets_of("bench"):
            return []
        if any(
            dep.kind == "dev" and (dep.package in _HARNESSES or dep.name in _HARNESSES)
            for dep in crate.manifest.dependencies()
        ):
            return []
        if _workspace_has_harness(crate.layout.inherited.dependencies):
            return []  # benchmarks live in a sibling crate (`benches/` member, `clap_bench`)
        return [
            crate.finding(
                self,
                f"library crate `{crate.name}` has no benchmarks",
                "add a `benches/` target (criterion or divan) for the hot paths",
                line=crate.manifest.table_line("package"),
            )
        ]


def _workspace_has_harness(dependencies: dict[str, Any]) -> bool:
    """True when `[workspace.dependencies]` declares a benchmark harness for some member."""
    for name, spec in dependencies.items():
        package = spec.get("package", name) if isinstance(spec, dict) else name
        if name in _HARNESSES or package in _HARNESSES:
            return True
    return False
