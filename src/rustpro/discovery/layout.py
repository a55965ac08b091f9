"""Crates, targets and source files of a crate or workspace, found without running cargo."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustpro.discovery.manifest import InheritedKeys, Manifest, package_value, read_manifest
from rustpro.discovery.roles import PackageRole, RoleDecision, decide_roles, package_facts
from rustpro.errors import AuditPathError, ManifestError
from rustpro.model import Role

# Directories that never hold the project's own sources.
SKIPPED_DIRS = frozenset({"target", "vendor", "node_modules"})


@dataclass(frozen=True, slots=True)
class Target:
    """A compilation target: `kind` is lib, bin, test, bench, example or build-script."""

    kind: str
    name: str
    root: Path


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """A `.rs` file of a crate: absolute path, path relative to the audit root, and role."""

    path: Path
    relpath: str
    role: Role


_UNDECIDED = RoleDecision(PackageRole.LIBRARY, "not decided")


@dataclass(slots=True)
class CrateLayout:
    """One package: its manifest facts, targets and the source files under it."""

    name: str
    root: Path
    manifest: Manifest
    edition: str | None
    rust_version: str | None
    targets: list[Target]
    files: list[SourceEntry]
    proc_macro: bool = False
    inherited: InheritedKeys = field(default_factory=InheritedKeys)
    # What the package is for (see `rustpro.discovery.roles`), decided for the whole workspace.
    role: RoleDecision = field(default_factory=lambda: _UNDECIDED)

    @property
    def lib(self) -> Target | None:
        """The library target, if the package has one."""
        return next((t for t in self.targets if t.kind == "lib"), None)

    def targets_of(self, kind: str) -> list[Target]:
        """Targets of one kind (`bin`, `test`, ...)."""
        return [t for t in self.targets if t.kind == kind]


@dataclass(slots=True)
class Workspace:
    """What an audit covers: the root manifest and every package found under it."""

    root: Path
    manifest: Manifest
    crates: list[CrateLayout]
    warnings: list[str] = field(default_factory=list)

    @property
    def is_workspace(self) -> bool:
        """True when the root manifest declares `[workspace]`."""
        return self.manifest.workspace is not None


def discover(path: Path) -> Workspace:
    """Find the crates to audit at `path` (a crate, a workspace, or a Cargo.toml)."""
    path = path.expanduser()
    if not path.exists():
        raise AuditPathError(f"{path}: no such file or directory", path)
    if path.is_file():
        if path.name != "Cargo.toml":
            raise AuditPathError(f"{path}: expected a directory or a Cargo.toml", path)
        path = path.parent
    root = path.resolve()
    manifest_path = root / "Cargo.toml"
    if not manifest_path.is_file():
        raise AuditPathError(f"{path}: no Cargo.toml here (not a Rust crate or workspace)", path)
    manifest = read_manifest(manifest_path)
    warnings: list[str] = []
    inherited = _inherited_keys(manifest) if manifest.workspace else _parent_workspace_keys(root)
    crates: list[CrateLayout] = []
    if manifest.package is not None:
        crates.append(_crate(manifest, root, root, inherited))
    if manifest.workspace is not None:
        for member_dir in _member_dirs(root, manifest.workspace, warnings):
            if member_dir == root:
                continue
            try:
                member = read_manifest(member_dir / "Cargo.toml")
            except ManifestError as err:
                warnings.append(f"skipping workspace member: {err}")
                continue
            if member.package is None:
                warnings.append(f"skipping workspace member {_rel(member_dir, root)}: no [package]")
                continue
            crates.append(_crate(member, member_dir, root, inherited))
    for crate in crates:
        crate.files = _printable_files(crate.files, warnings)
    workspace = Workspace(root=root, manifest=manifest, crates=crates, warnings=warnings)
    assign_roles(workspace)
    return workspace


def assign_roles(workspace: Workspace, overrides: dict[str, str] | None = None) -> None:
    """Decide every package's role (`rustpro.discovery.roles`); `overrides` maps package
    names to roles the user declared."""
    facts = [
        package_facts(
            crate.name,
            crate.root,
            crate.manifest,
            crate.inherited,
            has_lib=crate.lib is not None,
            has_bins=bool(crate.targets_of("bin")),
            proc_macro=crate.proc_macro,
        )
        for crate in workspace.crates
    ]
    decisions = decide_roles(facts, workspace.root, overrides)
    for crate in workspace.crates:
        crate.role = decisions[crate.name]


def _printable_files(files: list[SourceEntry], warnings: list[str]) -> list[SourceEntry]:
    """The files whose paths are valid UTF-8; the others get a warning.

    No `mod` can name such a file and no report could print its path (Python keeps the bad
    bytes as lone surrogates, which no UTF-8 stream accepts).
    """
    kept: list[SourceEntry] = []
    for entry in files:
        try:
            entry.relpath.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(entry.relpath).decode("utf-8", "backslashreplace")
            warnings.append(f"{shown}: skipped: the file name is not valid UTF-8")
            continue
        kept.append(entry)
    return kept


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


def _member_dirs(root: Path, workspace: dict[str, Any], warnings: list[str]) -> list[Path]:
    # `read_manifest` checked that members and exclude are arrays of strings.
    members: list[str] = workspace.get("members", [])
    excluded = {(root / e).resolve() for e in workspace.get("exclude", [])}
    found: list[Path] = []
    for pattern in members:
        matches = sorted(glob.glob(str(root / pattern)))
        if not matches:
            what = "matches nothing" if glob.has_magic(pattern) else "does not exist"
            warnings.append(f"workspace member `{pattern}` {what}")
        for match in matches:
            candidate = Path(match).resolve()
            if candidate in excluded or candidate in found:
                continue
            if candidate != root and root not in candidate.parents:
                # Cargo refuses members outside the workspace root; rustpro never reads there.
                warnings.append(
                    f"skipping workspace member `{pattern}`: {candidate} is outside the "
                    "audited root"
                )
                continue
            if not (candidate / "Cargo.toml").is_file():
                if not glob.has_magic(pattern):
                    warnings.append(f"workspace member `{pattern}` has no Cargo.toml")
                continue
            found.append(candidate)
    return found


def _inherited_keys(manifest: Manifest) -> InheritedKeys:
    return InheritedKeys(
        values=dict(manifest.section("workspace", "package")),
        dependencies=dict(manifest.section("workspace", "dependencies")),
        lints=dict(manifest.section("workspace", "lints")),
    )


def _parent_workspace_keys(crate_root: Path) -> InheritedKeys:
    # A member audited on its own still inherits `edition.workspace = true` from its root.
    for parent in crate_root.parents:
        candidate = parent / "Cargo.toml"
        if candidate.is_file():
            try:
                manifest = read_manifest(candidate)
            except ManifestError:
                return InheritedKeys()
            if manifest.workspace is not None:
                return _inherited_keys(manifest)
    return InheritedKeys()


def _crate(
    manifest: Manifest, crate_root: Path, audit_root: Path, inherited: InheritedKeys
) -> CrateLayout:
    edition = package_value(manifest, "edition", inherited)
    rust_version = package_value(manifest, "rust-version", inherited)
    lib_table = manifest.section("lib")
    proc_macro = bool(lib_table.get("proc-macro", False))
    targets = _targets(manifest, crate_root)
    files = list(_source_files(crate_root, audit_root, targets))
    return CrateLayout(
        name=manifest.name,
        root=crate_root,
        manifest=manifest,
        edition=str(edition) if edition is not None else None,
        rust_version=str(rust_version) if rust_version is not None else None,
        targets=targets,
        files=files,
        proc_macro=proc_macro,
        inherited=inherited,
    )


def _targets(manifest: Manifest, root: Path) -> list[Target]:
    pkg = manifest.package or {}
    name = manifest.name.replace("-", "_")
    targets: list[Target] = []
    lib = manifest.section("lib")
    lib_path = root / str(lib.get("path", "src/lib.rs"))
    if lib_path.is_file():
        targets.append(Target("lib", str(lib.get("name", name)), lib_path))
    explicit = {
        "bin": manifest.data.get("bin", []),
        "test": manifest.data.get("test", []),
        "bench": manifest.data.get("bench", []),
        "example": manifest.data.get("example", []),
    }
    conventional = {
        "bin": _auto_bins(root, manifest.name) if pkg.get("autobins", True) else [],
        "test": _auto_dir(root / "tests") if pkg.get("autotests", True) else [],
        "bench": _auto_dir(root / "benches") if pkg.get("autobenches", True) else [],
        "example": _auto_dir(root / "examples") if pkg.get("autoexamples", True) else [],
    }
    default_dirs = {"bin": "src/bin", "test": "tests", "bench": "benches", "example": "examples"}
    for kind, tables in explicit.items():
        seen: set[Path] = set()
        for table in tables if isinstance(tables, list) else []:
            if not isinstance(table, dict) or "name" not in table:
                continue
            tname = str(table["name"])
            default = root / default_dirs[kind] / f"{tname}.rs"
            if kind == "bin" and tname == manifest.name:
                default = root / "src" / "main.rs"
            tpath = root / str(table["path"]) if "path" in table else default
            if tpath.is_file():
                targets.append(Target(kind, tname, tpath))
                seen.add(tpath)
        for tname, tpath in conventional[kind]:
            if tpath not in seen:
                targets.append(Target(kind, tname, tpath))
    build = pkg.get("build", True)
    build_path = root / (build if isinstance(build, str) else "build.rs")
    if build is not False and build_path.is_file():
        targets.append(Target("build-script", "build-script-build", build_path))
    return targets


def _auto_bins(root: Path, package: str) -> list[tuple[str, Path]]:
    bins: list[tuple[str, Path]] = []
    main = root / "src" / "main.rs"
    if main.is_file():
        bins.append((package, main))
    bins.extend(_auto_dir(root / "src" / "bin"))
    return bins


def _auto_dir(directory: Path) -> list[tuple[str, Path]]:
    """Cargo's convention: `dir/NAME.rs` and `dir/NAME/main.rs` are targets."""
    if not directory.is_dir():
        return []
    found: list[tuple[str, Path]] = []
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    for entry in entries:
        if entry.suffix == ".rs" and entry.is_file():
            found.append((entry.stem, entry))
        elif entry.is_dir() and (entry / "main.rs").is_file():
            found.append((entry.name, entry / "main.rs"))
    return found


_TARGET_ROLES = {
    "test": Role.TEST,
    "bench": Role.BENCH,
    "example": Role.EXAMPLE,
    "build-script": Role.BUILD_SCRIPT,
}
_DIR_ROLES = {"tests": Role.TEST, "benches": Role.BENCH, "examples": Role.EXAMPLE}


def _source_files(
    crate_root: Path, audit_root: Path, targets: list[Target]
) -> Iterator[SourceEntry]:
    # Paths are compared as text (they are all built from `crate_root`, so equal paths are
    # equal strings): pathlib's `relative_to` and `==` per file and target cost more than
    # reading the files' names.
    target_roles: dict[str, Role] = {}
    for target in targets:  # the first target naming a file decides its role
        target_roles.setdefault(str(target.root), _TARGET_ROLES.get(target.kind, Role.PRODUCTION))
    crate_text, audit_text = str(crate_root), str(audit_root)
    for text in sorted(_walk_rs(crate_text), key=_path_parts):
        role = target_roles.get(text)
        if role is None:
            top_dir = _relative_text(text, crate_text).split("/", 1)[0]
            role = _DIR_ROLES.get(top_dir, Role.PRODUCTION)
        yield SourceEntry(path=Path(text), relpath=_relative_text(text, audit_text), role=role)


def _path_parts(text: str) -> list[str]:
    """The order pathlib sorts paths in: name by name (`a/b.rs` before `a.rs`)."""
    return text.split(os.sep)


def _relative_text(text: str, root_text: str) -> str:
    """`text` relative to `root_text`, in `/` form (both absolute paths as strings)."""
    if text == root_text:
        return "."
    prefix = root_text if root_text.endswith("/") else root_text + "/"
    if text.startswith(prefix):
        return text[len(prefix) :]
    return _rel(Path(text), Path(root_text))


def _walk_rs(crate_root: str) -> Iterator[str]:
    """Every `.rs` file of this package, skipping build output, hidden and nested packages.

    Directory symlinks are not followed, so a symlink loop cannot trap the walk. Paths stay
    strings (`os.scandir` joins them): a `Path` per file and directory costs more than the walk.
    """
    stack = [crate_root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name in SKIPPED_DIRS:
                        continue
                    if os.path.isfile(os.path.join(entry.path, "Cargo.toml")):
                        continue  # another package: audited as its own member, if at all
                    stack.append(entry.path)
                elif name.endswith(".rs"):
                    try:
                        is_directory = entry.is_dir()
                    except OSError:
                        # A file symlink loop: keep it, so reading it reports why on stderr.
                        is_directory = False
                    if not is_directory:
                        yield entry.path
            except OSError:
                continue
