"""One crate after its file passes: module tree, public API, facts, and gate resolution.

Crate rules receive a `CrateView`; the audit uses it to decide which gated candidates from
the file passes stand.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from rustpro.discovery.layout import CrateLayout, Workspace
from rustpro.discovery.manifest import Manifest
from rustpro.discovery.packaged import Unseen, unseen
from rustpro.discovery.roles import PackageRole
from rustpro.engine.context import AllGates, Candidate, FactGate, PublicGate
from rustpro.engine.filepass import FileResult
from rustpro.engine.modtree import ModuleInfo, walk_analysed
from rustpro.model import Finding, Role
from rustpro.rules.base import BaseRule


class CrateView:
    """What crate rules and gate resolution see of one crate."""

    def __init__(
        self,
        layout: CrateLayout,
        results: list[FileResult],
        audit_root: Path,
        modules: dict[str, ModuleInfo] | None = None,
    ) -> None:
        """`modules` is the crate's module tree as the audit walked it; without it, the tree
        is walked again over `results`."""
        self.layout = layout
        self.results = results
        self.audit_root = audit_root
        self._by_relpath = {r.relpath: r for r in results}
        # The `pub` types of each file by (name, module chain), indexed when first asked.
        self._pub_types: dict[str, dict[tuple[str, tuple[str, ...]], PublicGate]] = {}
        if modules is None:
            structures = {r.relpath: r.structure for r in results if r.skipped is None}
            modules = walk_analysed([layout], audit_root, structures).modules[0]
        self.modules = modules
        # The whole audit's view, set once every crate has one (sibling questions).
        self.workspace: WorkspaceView | None = None
        self._exposed_modules: set[tuple[str, ...]] = set()
        self._reexported: set[tuple[tuple[str, ...], str]] = set()
        self._resolve_reexports()
        self.public_type_names = self._public_type_names()
        self._features: frozenset[str] | None = self._buildable_features()
        self._dead_regions: dict[str, list[tuple[int, int]]] = {}
        self._facts: dict[str, list[tuple[str, str]]] = {}
        for result in results:
            for key, values in result.facts.items():
                self._facts.setdefault(key, []).extend((result.relpath, v) for v in values)

    # ----- facts a crate rule asks for -------------------------------------------------
    @property
    def name(self) -> str:
        """The package name."""
        return self.layout.name

    @property
    def manifest(self) -> Manifest:
        """The package manifest."""
        return self.layout.manifest

    @property
    def manifest_relpath(self) -> str:
        """Path of the package's Cargo.toml relative to the audit root."""
        return self.relpath(self.layout.manifest.path)

    def relpath(self, path: Path) -> str:
        """A path relative to the audit root, with `/`."""
        try:
            return path.relative_to(self.audit_root).as_posix()
        except ValueError:
            return path.as_posix()

    @property
    def is_library(self) -> bool:
        """True when the package has a library target."""
        return self.layout.lib is not None

    @functools.cached_property
    def unseen(self) -> Unseen:
        """What a package unpacked from a published `.crate` may lack of its repository
        (tests, benches, fuzz targets, sibling packages); nothing for a checkout."""
        return unseen(self.layout.root, self.layout.manifest)

    def file_result(self, path: Path) -> FileResult | None:
        """The analysis of one file of this crate."""
        return self._by_relpath.get(self.relpath(path))

    def facts(self, key: str) -> list[tuple[str, str]]:
        """(relpath, value) of every fact recorded under `key` in this crate's files."""
        return self._facts.get(key, [])

    def has_fact(self, key: str, value: str) -> bool:
        """True when some file recorded `key` with exactly `value`."""
        return any(v == value for _, v in self._facts.get(key, []))

    def allowed_lints(self, relpath: str) -> frozenset[str]:
        """Lints allowed in a whole file: its own `#![allow(..)]`, those of the files above it
        in the module tree, and `#[allow(..)]` on the `mod` declarations leading to it."""
        result = self._by_relpath.get(relpath)
        info = self.modules.get(relpath)
        own = frozenset(result.structure.root_allows) if result is not None else frozenset()
        return own | info.allows if info is not None else own

    def never_compiled(self, result: FileResult, line: int) -> bool:
        """Whether `line` of `result` sits in code behind a feature the package does not
        declare (`#[cfg(feature = "x")]` with no `x` in `[features]` and no optional
        dependency `x`): no build of the package compiles it."""
        dead = self._dead_regions.get(result.relpath)
        if dead is None:
            dead = self._dead_regions[result.relpath] = self._regions_never_compiled(result)
        return any(first <= line <= last for first, last in dead)

    def _regions_never_compiled(self, result: FileResult) -> list[tuple[int, int]]:
        """The line ranges of `result` that need a feature the package does not declare
        (the whole file when its module or its own `#![cfg]` does)."""
        features = self._features
        if features is None:
            return []
        info = self.modules.get(result.relpath)
        structure = result.structure
        if (info is not None and not info.features <= features) or not set(
            structure.file_features
        ) <= features:
            return [(1, max(result.lines, 1))]
        return [
            (region.first_line, region.last_line)
            for region in structure.feature_regions
            if not set(region.features) <= features
        ]

    def _buildable_features(self) -> frozenset[str] | None:
        """The features a build can enable; None when rustpro cannot know them all (a build
        script that sets `feature = ".."` cfgs itself)."""
        for target in self.layout.targets_of("build-script"):
            try:
                script = target.root.read_bytes()
            except OSError:
                return None
            if _SETS_FEATURE_CFG.search(script):
                return None
        return self.layout.manifest.declared_features()

    def is_test_only_file(self, result: FileResult) -> bool:
        """Files compiled only for tests: test roles, `#![cfg(test)]`, `#[cfg(test)] mod x;`."""
        info = self.modules.get(result.relpath)
        return (
            result.role is not Role.PRODUCTION
            or result.file_test_only
            or (info is not None and info.test_only)
        )

    def production_files(self) -> list[FileResult]:
        """Analysed library and binary sources."""
        return [r for r in self.results if r.skipped is None and not self.is_test_only_file(r)]

    def finding(
        self,
        rule: BaseRule,
        message: str,
        help: str | None = None,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int = 1,
    ) -> Finding:
        """A crate-level finding, at the manifest (and key line) unless told otherwise."""
        return point_finding(rule, message, help, path or self.manifest_relpath, line, column)

    # ----- gates -------------------------------------------------------------------------
    def stands(self, candidate: Candidate) -> bool:
        """Whether a file-pass candidate survives its gate in this crate."""
        gate = candidate.gate
        result = self._by_relpath.get(candidate.finding.path)
        if gate is None:
            return True
        if isinstance(gate, AllGates):
            return all(self.stands(Candidate(candidate.finding, part)) for part in gate.gates)
        if isinstance(gate, FactGate):
            return self.has_fact(gate.key, gate.value) != gate.absent
        if result is None:
            return False
        return self.is_public(result.relpath, gate)

    def is_public(self, relpath: str, gate: PublicGate) -> bool:
        """True when the gated item is public API of the library."""
        info = self.modules.get(relpath)
        if info is None or info.target_kind != "lib" or info.test_only:
            return False
        if gate.owner is not None:
            # A type defined beside the impl decides; else any public type of that name.
            local = self._local_type(relpath, gate)
            if local is not None:
                return self._item_public(info, local)
            return gate.owner in self.public_type_names
        return self._item_public(info, gate)

    def _local_type(self, relpath: str, gate: PublicGate) -> PublicGate | None:
        """The `pub` type or trait named `gate.owner` declared in the same module as `gate`."""
        declared = self._pub_types.get(relpath)
        if declared is None:
            result = self._by_relpath.get(relpath)
            if result is None:
                return None
            # Indexed once per file: a file of thousands of impls asked this per method.
            declared = self._pub_types[relpath] = {}
            for pub_type in result.structure.pub_types:
                declared.setdefault((pub_type.name, pub_type.chain), pub_type)
        return declared.get((gate.owner or "", gate.chain))

    def _item_public(self, info: ModuleInfo, gate: PublicGate) -> bool:
        container = info.module + gate.chain
        if info.public and gate.chain_pub:
            return True
        return container in self._exposed_modules or (container, gate.name) in self._reexported

    def _public_type_names(self) -> set[str]:
        names: set[str] = set()
        for result in self.results:
            info = self.modules.get(result.relpath)
            if info is None or info.target_kind != "lib" or info.test_only:
                continue
            for gate in result.structure.pub_types:
                if self._item_public(info, gate):
                    names.add(gate.name)
        return names

    # ----- module tree ---------------------------------------------------------------------
    def _resolve_reexports(self) -> None:
        known_modules = {info.module for info in self.modules.values() if info.target_kind == "lib"}
        public_modules = {
            info.module
            for info in self.modules.values()
            if info.target_kind == "lib" and info.public and not info.test_only
        }
        self._exposed_modules = set(public_modules)
        for _ in range(4):  # re-exports of re-exports: a few rounds reach a fixed point
            changed = False
            for result in self.results:
                info = self.modules.get(result.relpath)
                if info is None or info.target_kind != "lib" or info.test_only:
                    continue
                for reexport in result.structure.reexports:
                    here = info.module + reexport.chain
                    if not ((info.public and reexport.chain_pub) or here in self._exposed_modules):
                        continue
                    target = _resolve_path(here, reexport.path)
                    if target is None:
                        continue
                    module, name = target
                    if name == "*":
                        changed |= _add(self._exposed_modules, module)
                        continue
                    changed |= _add(self._reexported, (module, name))
                    if (*module, name) in known_modules:
                        changed |= _add(self._exposed_modules, (*module, name))
            if not changed:
                break


# `cargo:rustc-cfg=feature="x"` (also `cargo::`) in a build script enables a feature cfg that
# `[features]` does not list.
_SETS_FEATURE_CFG = re.compile(rb"rustc-cfg=\s*feature")


def _add(target: set[tuple[str, ...]] | set[tuple[tuple[str, ...], str]], value: object) -> bool:
    if value in target:
        return False
    target.add(value)  # type: ignore[arg-type]
    return True


def _resolve_path(
    here: tuple[str, ...], path: tuple[str, ...]
) -> tuple[tuple[str, ...], str] | None:
    """Resolve a `use` path written in module `here` to (module, item name)."""
    if not path:
        return None
    segments = list(path)
    if segments[0] == "crate":
        base: list[str] = []
        segments = segments[1:]
    elif segments[0] == "self":
        base = list(here)
        segments = segments[1:]
    elif segments[0] == "super":
        base = list(here)
        while segments and segments[0] == "super":
            if not base:
                return None
            base.pop()
            segments = segments[1:]
    else:
        base = list(here)
    if not segments:
        return None
    return (*base, *segments[:-1]), segments[-1]


class WorkspaceView:
    """What workspace rules see: every audited package, and how they depend on each other."""

    def __init__(self, workspace: Workspace, crates: list[CrateView]) -> None:
        self.layout = workspace
        self.crates = crates
        self._by_name = {view.name: view for view in crates}

    @property
    def root(self) -> Path:
        """The audited root directory."""
        return self.layout.root

    @property
    def manifest(self) -> Manifest:
        """The root manifest (a package's own, or the workspace's)."""
        return self.layout.manifest

    def crate(self, name: str) -> CrateView | None:
        """The audited package called `name`, if any."""
        return self._by_name.get(name)

    def dependents(self, name: str, kinds: tuple[str, ...] = ("normal", "dev")) -> list[CrateView]:
        """The audited packages that depend on package `name` with one of `kinds`."""
        return [
            view
            for view in self.crates
            if view.name != name
            and any(
                dep.package == name and dep.kind in kinds for dep in view.manifest.dependencies()
            )
        ]

    def dependencies_of(self, name: str) -> list[CrateView]:
        """The audited packages that package `name` depends on (normal dependencies)."""
        crate = self._by_name.get(name)
        if crate is None:
            return []
        wanted = {dep.package for dep in crate.manifest.dependencies() if dep.kind == "normal"}
        return [view for view in self.crates if view.name in wanted and view.name != name]

    def missing_packages(self) -> list[str]:
        """Packages of the repository's workspace that the manifests as written name and
        this audit does not hold (published packages never carry their siblings): a path
        whose last part is no audited package's name or directory."""
        present = {view.name for view in self.crates} | {
            view.layout.root.name for view in self.crates
        }
        return [
            path
            for view in self.crates
            for path in view.unseen.members
            if path.rsplit("/", 1)[-1] not in present and path not in (".", "")
        ]

    def with_role(self, roles: frozenset[PackageRole]) -> list[CrateView]:
        """The packages whose role is one of `roles`."""
        return [view for view in self.crates if view.layout.role.role in roles]

    def finding(
        self, rule: BaseRule, message: str, help: str | None = None, *, line: int | None = None
    ) -> Finding:
        """A workspace-level finding at the root manifest."""
        try:
            path = self.layout.manifest.path.relative_to(self.root).as_posix()
        except ValueError:
            path = self.layout.manifest.path.as_posix()
        return point_finding(rule, message, help, path, line)


def point_finding(
    rule: BaseRule,
    message: str,
    help: str | None,
    path: str,
    line: int | None,
    column: int = 1,
) -> Finding:
    """A finding of `rule` at one point (a manifest key, a crate root), its help ending in
    the rule's pointer to `rustpro explain`."""
    hint = f"{help}; {rule.help_suffix}" if help else rule.help_suffix
    at_line = line or 1
    return Finding(
        rule=rule.name,
        checkpoint=rule.checkpoint,
        severity=rule.severity,
        path=path,
        line=at_line,
        column=column,
        end_line=at_line,
        end_column=column,
        message=message,
        help=hint,
    )
