"""What a profile question looks at: one crate, or the whole workspace, with its facts summed.

A workspace subject is the union of its crates (dependencies, targets, tallies), so every
question is written once and answers for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rustpro.discovery.layout import CrateLayout, Workspace
from rustpro.discovery.manifest import Dependency, Manifest
from rustpro.profile.model import Evidence
from rustpro.profile.tally import PRODUCTION, TESTS, FileFacts, NamedPlace, Tally


@dataclass(frozen=True, slots=True)
class DeclaredDependency:
    """A dependency as declared, with `workspace = true` resolved and where it is written."""

    name: str
    package: str
    version: str | None
    features: tuple[str, ...]
    kind: str  # normal, dev, build
    optional: bool
    manifest: str  # relative path of the Cargo.toml declaring it
    line: int | None
    path: str | None
    crate: str  # the package that declares it

    def evidence(self, note: str = "") -> Evidence:
        """Where this dependency is declared."""
        table = {"normal": "dependencies", "dev": "dev-dependencies"}.get(
            self.kind, "build-dependencies"
        )
        return Evidence(self.manifest, self.line, f"{table}.{self.name}", note)


@dataclass(frozen=True, slots=True)
class TargetFact:
    """A compilation target: kind, name and its root file (relative)."""

    kind: str
    name: str
    path: str


@dataclass(slots=True)
class Subject:
    """One crate or the workspace: manifests, dependencies, targets and summed facts."""

    name: str
    kind: str
    path: str
    audit_root: Path
    crates: list[CrateLayout]
    root_manifest: Manifest  # where `[profile.*]` and `[workspace.*]` live
    dependencies: list[DeclaredDependency]
    targets: list[TargetFact]
    files: list[FileFacts]
    areas: dict[str, Tally] = field(default_factory=dict)
    production_lines: int = 0
    test_lines: int = 0
    defined_fns: set[str] = field(default_factory=set)
    bench_calls: list[NamedPlace] = field(default_factory=list)
    bench_ids: list[NamedPlace] = field(default_factory=list)
    static_muts: list[NamedPlace] = field(default_factory=list)
    static_refs: list[NamedPlace] = field(default_factory=list)

    @property
    def is_workspace(self) -> bool:
        """True for the workspace-wide subject."""
        return self.kind == "workspace"

    def area(self, name: str) -> Tally:
        """The summed tally of one area (empty when the area has no code)."""
        return self.areas.get(name) or Tally()

    @property
    def production(self) -> Tally:
        """Facts from production code (lib and bin sources outside test-only items)."""
        return self.area(PRODUCTION)

    def rel(self, path: Path) -> str:
        """`path` relative to the profiled root, `/` separators."""
        try:
            return path.relative_to(self.audit_root).as_posix() or "."
        except ValueError:
            return path.as_posix()

    def manifest_path(self, manifest: Manifest) -> str:
        """The relative path of a manifest."""
        return self.rel(manifest.path)

    def deps(self, kind: str | None = None) -> list[DeclaredDependency]:
        """Dependencies of one kind (normal, dev, build), or all."""
        return [d for d in self.dependencies if kind is None or d.kind == kind]

    def evidence(self, key: str, tally: Tally | None = None, note: str = "") -> list[Evidence]:
        """The sampled places of fact `key` as evidence."""
        source = tally if tally is not None else self.production
        return [Evidence(path, line, None, note) for path, line in source.places(key)]


def _declared(crate: CrateLayout, audit_root: Path) -> list[DeclaredDependency]:
    manifest_rel = _rel(crate.manifest.path, audit_root)
    found: list[DeclaredDependency] = []
    tables = {"normal": "dependencies", "dev": "dev-dependencies", "build": "build-dependencies"}
    for dep in crate.manifest.dependencies():
        # `[dependencies.name]` tables (as crates.io normalises manifests) have no `name =`.
        line = dep.line or crate.manifest.table_line(f"{tables[dep.kind]}.{dep.name}")
        version, features, path = dep.version, dep.features, dep.path
        if dep.workspace:
            version, inherited_features, path = _inherited(dep, crate)
            features = tuple(dict.fromkeys((*inherited_features, *dep.features)))
        found.append(
            DeclaredDependency(
                name=dep.name,
                package=_package_name(dep, crate),
                version=version,
                features=features,
                kind=dep.kind,
                optional=dep.optional,
                manifest=manifest_rel,
                line=line,
                path=path,
                crate=crate.name,
            )
        )
    return found


def _package_name(dep: Dependency, crate: CrateLayout) -> str:
    if dep.workspace and dep.package == dep.name:
        spec = crate.inherited.dependencies.get(dep.name)
        if isinstance(spec, dict) and isinstance(spec.get("package"), str):
            return str(spec["package"])
    return dep.package


def _inherited(
    dep: Dependency, crate: CrateLayout
) -> tuple[str | None, tuple[str, ...], str | None]:
    spec = crate.inherited.dependencies.get(dep.name)
    if isinstance(spec, str):
        return spec, (), None
    if isinstance(spec, dict):
        features = spec.get("features", [])
        return (
            str(spec["version"]) if "version" in spec else None,
            tuple(str(f) for f in features) if isinstance(features, list) else (),
            str(spec["path"]) if "path" in spec else None,
        )
    return None, (), None


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def crate_kind(crate: CrateLayout) -> str:
    """lib, bin, lib+bin or proc-macro, from the targets discovery found."""
    if crate.proc_macro:
        return "proc-macro"
    has_lib = crate.lib is not None
    has_bin = bool(crate.targets_of("bin"))
    if has_lib and has_bin:
        return "lib+bin"
    return "lib" if has_lib else "bin" if has_bin else "none"


def crate_subject(
    crate: CrateLayout,
    files: list[FileFacts],
    workspace: Workspace,
    root_manifest: Manifest | None = None,
) -> Subject:
    """The subject of one crate, from its layout and the facts of its files.

    `root_manifest` is where cargo reads `[profile.*]` from (the enclosing workspace's root
    manifest when a member is profiled on its own); by default the profiled root's.
    """
    root = workspace.root
    subject = Subject(
        name=crate.name,
        kind=crate_kind(crate),
        path=_rel(crate.root, root),
        audit_root=root,
        crates=[crate],
        root_manifest=root_manifest or workspace.manifest,
        dependencies=_declared(crate, root),
        targets=[TargetFact(t.kind, t.name, _rel(t.root, root)) for t in crate.targets],
        files=files,
    )
    _add_facts(subject, files)
    return subject


def workspace_subject(workspace: Workspace, crates: list[Subject]) -> Subject:
    """The union of every crate subject, judged against the workspace root manifest."""
    subject = Subject(
        name=workspace.manifest.name,
        kind="workspace",
        path=".",
        audit_root=workspace.root,
        crates=[c for s in crates for c in s.crates],
        root_manifest=workspace.manifest,
        dependencies=[d for s in crates for d in s.dependencies],
        targets=[t for s in crates for t in s.targets],
        files=[f for s in crates for f in s.files],
    )
    _add_facts(subject, subject.files)
    return subject


def _add_facts(subject: Subject, files: list[FileFacts]) -> None:
    for facts in files:
        for name, tally in facts.areas.items():
            subject.areas.setdefault(name, Tally()).merge(tally)
        if facts.skipped is not None:
            continue
        if facts.role == "production":
            subject.production_lines += facts.lines - facts.test_lines
            subject.test_lines += facts.test_lines
        elif facts.role == "test":
            subject.test_lines += facts.lines
        subject.defined_fns |= facts.defined_fns
        subject.bench_calls.extend(facts.bench_calls)
        subject.bench_ids.extend(facts.bench_ids)
        subject.static_muts.extend(facts.static_muts)
        subject.static_refs.extend(facts.static_refs)
    subject.areas.setdefault(PRODUCTION, Tally())
    subject.areas.setdefault(TESTS, Tally())
