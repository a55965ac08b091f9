"""no-benchmarks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rustpro.discovery.roles import PackageRole
from rustpro.engine.crateview import CrateView, WorkspaceView
from rustpro.model import Finding
from rustpro.rules.base import WorkspaceRule
from rustpro.rules.manifest_anchor import root_line

# Benchmark harnesses: depending on one (as a dev-dependency) means benchmarks exist somewhere.
_HARNESSES = frozenset(
    {"criterion", "divan", "iai", "iai-callgrind", "codspeed-criterion-compat", "bencher"}
)


class NoBenchmarks(WorkspaceRule):
    """Flags a project with libraries and no benchmarks anywhere.

    ## What it does
    Reports, once per audited workspace (or single package) with a published library, that
    no package has a bench target (`benches/*.rs` or a `[[bench]]` table), a benchmark
    harness among its dev-dependencies (`criterion`, `divan`, `iai`, `iai-callgrind`,
    `bencher`), a harness in `[workspace.dependencies]`, or a role as a benchmark package
    (`benches`, `*-bench`). Benchmarking is a practice of the project, so the finding sits at
    the root manifest. Workspaces of applications, internal, test, example and tool packages
    alone are left alone.

    Packages unpacked from published `.crate`s (with `Cargo.toml.orig`) show only what was
    shipped, and a benchmark crate of the repository is a package of its own, which cargo
    never ships. The rule stays silent when some package's written manifest names
    `[[bench]]` targets it does not carry, its `package.include` / `package.exclude` leaves
    `benches/` (or `bench`, `benchmark(s)`) out, or a written `[workspace]` names packages the
    audit does not hold: "no benchmarks anywhere" cannot be told from part of the project.

    ## Why is this bad?
    Without a benchmark, performance is anecdote: a change that halves throughput passes review
    and CI unnoticed, and an optimisation cannot show that it helped. A few benchmarks of the
    hot paths make regressions visible and give profiling a fixed starting point.

    ## Example
    ```toml
    [package]
    name = "geometry"
    version = "0.1.0"
    edition = "2021"
    ```

    ## Use instead
    ```toml
    [package]
    name = "geometry"
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

    def check_workspace(self, workspace: WorkspaceView) -> Iterable[Finding]:
        libraries = [
            c
            for c in workspace.with_role(self.spec.roles)
            if c.is_library and not c.layout.proc_macro
        ]
        if not libraries or any(_benchmarks(crate) for crate in workspace.crates):
            return []
        if workspace.missing_packages() or any(c.unseen.benches for c in workspace.crates):
            return []  # published packages that may have left the benchmarks behind
        names = ", ".join(f"`{c.name}`" for c in libraries[:3])
        more = f" and {len(libraries) - 3} more" if len(libraries) > 3 else ""
        return [
            workspace.finding(
                self,
                f"no benchmarks for the libraries of this project ({names}{more})",
                "add a `benches/` target (criterion or divan) for the hot paths",
                line=root_line(workspace.manifest),
            )
        ]


def _benchmarks(crate: CrateView) -> bool:
    """Whether the package benchmarks something (targets, a harness, or its role)."""
    if crate.layout.targets_of("bench") or crate.layout.role.role is PackageRole.BENCH:
        return True
    if any(
        dep.kind == "dev" and (dep.package in _HARNESSES or dep.name in _HARNESSES)
        for dep in crate.manifest.dependencies()
    ):
        return True
    return _workspace_has_harness(crate.layout.inherited.dependencies)


def _workspace_has_harness(dependencies: dict[str, Any]) -> bool:
    """True when `[workspace.dependencies]` declares a benchmark harness for some member."""
    for name, spec in dependencies.items():
        package = spec.get("package", name) if isinstance(spec, dict) else name
        if name in _HARNESSES or package in _HARNESSES:
            return True
    return False
