"""One crate after its file passes: module tree, public API, facts, and gate resolution.

Crate rules receive a `CrateView`; the audit uses it to decide which gated candidates from
the file passes stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rustpro.discovery.layout import CrateLayout, SourceEntry
from rustpro.discovery.manifest import Manifest
from rustpro.engine.context import AllGates, Candidate, FactGate, PublicGate
from rustpro.engine.filepass import FileResult
from rustpro.model import Finding, Role
from rustpro.rules.base import BaseRule


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """Where a file sits in a target's module tree."""

    module: tuple[str, ...]
    target_kind: str
    public: bool  # reachable from the library root through `pub mod` all the way
    test_only: bool  # declared under `#[cfg(test)]`
    # Lints allowed for the whole file by its ancestors (declarations and their files' `#![allow]`).
    allows: frozenset[str] = frozenset()


class CrateView:
    """What crate rules and gate resolution see of one crate."""

    def __init__(self, layout: CrateLayout, results: list[FileResult], audit_root: Path) -> None:
        self.layout = layout
        self.results = results
        self.audit_root = audit_root
        self._by_relpath = {r.relpath: r for r in results}
        self.modules: dict[str, ModuleInfo] = {}
        self._resolve_module_tree()
        self._exposed_modules: set[tuple[str, ...]] = set()
        self._reexported: set[tuple[tuple[str, ...], str]] = set()
        self._resolve_reexports()
        self.public_type_names = self._public_type_names()
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
        hint = f"{help}; {rule.help_suffix}" if help else rule.help_suffix
        at_line = line or 1
        return Finding(
            rule=rule.name,
            checkpoint=rule.checkpoint,
            severity=rule.severity,
            path=path or self.manifest_relpath,
            line=at_line,
            column=column,
            end_line=at_line,
            end_column=column,
            message=message,
            help=hint,
        )

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
        result = self._by_relpath.get(relpath)
        if result is None:
            return None
        for declared in result.structure.pub_types:
            if declared.name == gate.owner and declared.chain == gate.chain:
                return declared
        return None

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
    def _resolve_module_tree(self) -> None:
        entries: dict[Path, SourceEntry] = {e.path: e for e in self.layout.files}
        for target in self.layout.targets:
            root_entry = entries.get(target.root)
            if root_entry is None or root_entry.relpath in self.modules:
                continue
            lib = target.kind == "lib"
            self.modules[root_entry.relpath] = ModuleInfo((), target.kind, lib, False)
            stack: list[tuple[SourceEntry, bool]] = [(root_entry, True)]
            while stack:
                entry, is_mod_rs = stack.pop()
                self._declare_children(entry, is_mod_rs, entries, stack)

    def _declare_children(
        self,
        entry: SourceEntry,
        is_mod_rs: bool,
        entries: dict[Path, SourceEntry],
        stack: list[tuple[SourceEntry, bool]],
    ) -> None:
        result = self._by_relpath.get(entry.relpath)
        parent = self.modules[entry.relpath]
        if result is None:
            return
        children_dir = entry.path.parent if is_mod_rs else entry.path.parent / entry.path.stem
        inherited = parent.allows | frozenset(result.structure.root_allows)
        for decl in result.structure.mod_decls:
            file_name = decl.name.removeprefix("r#")  # `mod r#async;` lives in `async.rs`
            base = children_dir.joinpath(*decl.chain)
            if decl.path_attr:
                anchor = entry.path.parent if not decl.chain else base
                candidates = [(anchor / decl.path_attr, True)]
            else:
                candidates = [
                    (base / f"{file_name}.rs", False),
                    (base / file_name / "mod.rs", True),
                ]
            for candidate, child_is_mod_rs in candidates:
                child = entries.get(candidate) or entries.get(_normalise(candidate))
                if child is None or child.relpath in self.modules:
                    continue
                self.modules[child.relpath] = ModuleInfo(
                    module=(*parent.module, *decl.chain, decl.name),
                    target_kind=parent.target_kind,
                    public=parent.public and decl.is_pub and not decl.doc_hidden,
                    test_only=parent.test_only or decl.test_only,
                    allows=inherited | frozenset(decl.allows),
                )
                stack.append((child, child_is_mod_rs))
                break

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


def _normalise(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path
