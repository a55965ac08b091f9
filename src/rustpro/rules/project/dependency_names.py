"""The crate a dependency entry really names, through renames and workspace inheritance."""

from __future__ import annotations

from rustpro.discovery.manifest import Dependency, InheritedKeys


def real_package(dependency: Dependency, inherited: InheritedKeys) -> str:
    """The crates.io name behind a dependency entry.

    `log2 = { package = "log" }` is `log`; `foo = { workspace = true }` takes the `package`
    of the workspace's `[workspace.dependencies]` entry when that entry renames it.
    """
    if dependency.workspace:
        spec = inherited.dependencies.get(dependency.name)
        if isinstance(spec, dict) and isinstance(spec.get("package"), str):
            return str(spec["package"])
    return dependency.package
