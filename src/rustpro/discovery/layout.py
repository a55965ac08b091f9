"""Crates, targets and source files of a crate or workspace, found without running cargo."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustpro.discovery.manifest import InheritedKeys, Manifest, package_value, read_manifest
from rustpro.discovery.roles import PackageRole, RoleDecision, decide_roles, package_facts
from rustpro.errors import AuditPathError, ManifestError, UsageError
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


@dataclass(frozen=True, slots=True)
class EnclosingWorkspace:
    """The workspace above an audited package that lists it as a member: its settings
    (`[workspace.package]`, `[workspace.metadata.rustpro]`, `rustpro.toml`) apply."""

    root: Path
    manifest: Manifest


@dataclass(slots=True)
class Workspace:
    """What an audit covers: the root manifest and every package found under it."""

    root: Path
    manifest: Manifest
    crates: list[CrateLayout]
    warnings: list[str] = field(default_factory=list)
    # The workspace above the audited root when the root is one of its members.
    enclosing: EnclosingWorkspace | None = None
    # `-p NAME`: the packages to report on (empty: all). The others are still read, so
    # that workspace-level facts (a sibling's tests, who depends on whom) are whole.
    selected: tuple[str, ...] = ()
    # Directories that could not be read (relative to the root); each is also a warning.
    unreadable: list[str] = field(default_factory=list)

    @property
    def is_workspace(self) -> bool:
        """True when the root manifest declares `[workspace]`."""
        return self.manifest.workspace is not None


def discover(path: Path, packages: Sequence[str] = ()) -> Workspace:
    """Find the crates to audit at `path`: a crate, a workspace, a Cargo.toml, or a directory
    inside one (the nearest `Cargo.toml` above it, as cargo finds it).

    A package that is a member of a workspace above it is audited on its own, with the
    workspace's inherited keys; with `packages` (`-p`), the whole workspace is read and only
    those packages are reported on.
    """
    manifest_path = find_manifest(path.expanduser())
    root = manifest_path.parent
    manifest = read_manifest(manifest_path)
    enclosing = None if manifest.workspace is not None else enclosing_workspace(root, manifest)
    if packages and enclosing is not None:
        # Like `cargo -p`, which picks packages of the whole workspace wherever it runs.
        root, manifest, enclosing = enclosing.root, enclosing.manifest, None
    warnings: list[str] = []
    probe = _Probe(root, warnings)
    # Members inherit `[workspace.package]` keys, also when audited on their own.
    owner = enclosing.manifest if enclosing is not None else manifest
    inherited = _inherited_keys(owner) if owner.workspace is not None else InheritedKeys()
    crates: list[CrateLayout] = []
    if manifest.package is not None:
        crates.append(_crate(manifest, root, inherited, probe))
    if manifest.workspace is not None:
        for member_dir in _member_dirs(root, manifest.workspace, probe):
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
            crates.append(_crate(member, member_dir, inherited, probe))
    for crate in crates:
        crate.files = _printable_files(crate.files, warnings)
    workspace = Workspace(
        root=root,
        manifest=manifest,
        crates=crates,
        warnings=warnings,
        enclosing=enclosing,
        selected=_selected_packages(crates, packages),
        unreadable=probe.unreadable,
    )
    assign_roles(workspace)
    return workspace


def find_manifest(path: Path) -> Path:
    """The `Cargo.toml` an audit of `path` reads: `path` itself, the one in directory
    `path`, else the nearest one above it (cargo's search). Raises `AuditPathError`."""
    try:
        if not path.exists():
            raise AuditPathError(f"{path}: no such file or directory", path)
        if not path.is_dir():
            if path.name != "Cargo.toml":
                raise AuditPathError(
                    f"{path}: expected a directory, a Cargo.toml or .rs files", path
                )
            return path.parent.resolve() / path.name
        start = path.resolve()
    except OSError as err:  # a name too long, a directory that cannot be searched, ...
        raise AuditPathError(f"{path}: {err.strerror or err}", path) from None
    for directory in (start, *start.parents):
        candidate = directory / "Cargo.toml"
        try:
            if candidate.is_file():
                return candidate
        except OSError as err:
            # Searching on past a directory that cannot be read could find the wrong crate.
            raise AuditPathError(
                f"{path}: cannot look for Cargo.toml in {directory}: {err.strerror or err}",
                path,
            ) from None
    raise AuditPathError(
        f"{path}: no Cargo.toml here or in any parent directory (not a Rust crate or workspace)",
        path,
    )


def enclosing_workspace(package_root: Path, manifest: Manifest) -> EnclosingWorkspace | None:
    """The workspace above `package_root` that has it as a member, as cargo decides: the
    root named by `package.workspace`, else the nearest `[workspace]` manifest above whose
    `members` cover the package and whose `exclude` does not."""
    declared = (manifest.package or {}).get("workspace")
    if isinstance(declared, str):
        candidates: Sequence[Path] = [package_root / declared]
    else:
        candidates = package_root.parents
    for directory in candidates:
        try:
            if not (directory / "Cargo.toml").is_file():
                continue
            found = read_manifest(directory / "Cargo.toml")
        except (OSError, ManifestError):
            return None  # cargo would stop here too, with an error of its own
        if found.workspace is None:
            continue
        root = directory.resolve()
        if _is_member(root, found.workspace, package_root) or isinstance(declared, str):
            return EnclosingWorkspace(root, found)
        return None  # the nearest workspace does not claim it: a crate of its own
    return None


def _is_member(root: Path, workspace: dict[str, Any], package_root: Path) -> bool:
    excluded = [(root / e).resolve() for e in workspace.get("exclude", [])]
    if any(package_root == e or e in package_root.parents for e in excluded):
        return False
    members: list[str] = workspace.get("members", [])
    import glob  # here: only workspaces have members (an import at every start otherwise)

    return any(
        Path(match).resolve() == package_root
        for pattern in members
        for match in glob.glob(str(root / pattern))
    )


def _selected_packages(crates: list[CrateLayout], packages: Sequence[str]) -> tuple[str, ...]:
    """Check `-p` names against the packages found: an unknown one is a usage error."""
    known = [crate.name for crate in crates]
    for name in packages:
        if name not in known:
            from difflib import get_close_matches  # only for this error message

            close = get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            listed = ", ".join(sorted(known)) if len(known) <= 10 else f"{len(known)} packages"
            raise UsageError(f"-p {name}: no such package in this workspace{hint}; it has {listed}")
    return tuple(dict.fromkeys(packages))


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


def _member_dirs(root: Path, workspace: dict[str, Any], probe: _Probe) -> list[Path]:
    # `read_manifest` checked that members and exclude are arrays of strings.
    members: list[str] = workspace.get("members", [])
    excluded = {(root / e).resolve() for e in workspace.get("exclude", [])}
    found: list[Path] = []
    import glob  # here: only workspaces have members (an import at every start otherwise)

    for pattern in members:
        matches = sorted(glob.glob(str(root / pattern)))
        if not matches:
            what = "matches nothing" if glob.has_magic(pattern) else "does not exist"
            probe.warnings.append(f"workspace member `{pattern}` {what}")
        for match in matches:
            candidate = Path(match).resolve()
            if candidate in excluded or candidate in found:
                continue
            if candidate != root and root not in candidate.parents:
                # Cargo refuses members outside the workspace root; rustpro never reads there.
                probe.warnings.append(
                    f"skipping workspace member `{pattern}`: {candidate} is outside the "
                    "audited root"
                )
                continue
            reported = len(probe.warnings)
            if not probe.is_file(candidate / "Cargo.toml"):
                if not glob.has_magic(pattern) and len(probe.warnings) == reported:
                    probe.warnings.append(f"workspace member `{pattern}` has no Cargo.toml")
                continue
            found.append(candidate)
    return found


def _inherited_keys(manifest: Manifest) -> InheritedKeys:
    return InheritedKeys(
        values=dict(manifest.section("workspace", "package")),
        dependencies=dict(manifest.section("workspace", "dependencies")),
        lints=dict(manifest.section("workspace", "lints")),
    )


def _crate(
    manifest: Manifest, crate_root: Path, inherited: InheritedKeys, probe: _Probe
) -> CrateLayout:
    edition = package_value(manifest, "edition", inherited)
    rust_version = package_value(manifest, "rust-version", inherited)
    lib_table = manifest.section("lib")
    proc_macro = bool(lib_table.get("proc-macro", False))
    targets = _targets(manifest, crate_root, probe)
    files = list(_source_files(crate_root, targets, probe))
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


def _targets(manifest: Manifest, root: Path, probe: _Probe) -> list[Target]:
    pkg = manifest.package or {}
    name = manifest.name.replace("-", "_")
    targets: list[Target] = []
    lib = manifest.section("lib")
    lib_path = root / str(lib.get("path", "src/lib.rs"))
    if probe.is_file(lib_path):
        targets.append(Target("lib", str(lib.get("name", name)), lib_path))
    explicit = {
        "bin": manifest.data.get("bin", []),
        "test": manifest.data.get("test", []),
        "bench": manifest.data.get("bench", []),
        "example": manifest.data.get("example", []),
    }
    conventional = {
        "bin": _auto_bins(root, manifest.name, probe) if pkg.get("autobins", True) else [],
        "test": _auto_dir(root / "tests", probe) if pkg.get("autotests", True) else [],
        "bench": _auto_dir(root / "benches", probe) if pkg.get("autobenches", True) else [],
        "example": _auto_dir(root / "examples", probe) if pkg.get("autoexamples", True) else [],
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
            if probe.is_file(tpath):
                targets.append(Target(kind, tname, tpath))
                seen.add(tpath)
        for tname, tpath in conventional[kind]:
            if tpath not in seen:
                targets.append(Target(kind, tname, tpath))
    build = pkg.get("build", True)
    build_path = root / (build if isinstance(build, str) else "build.rs")
    if build is not False and probe.is_file(build_path):
        targets.append(Target("build-script", "build-script-build", build_path))
    return targets


def _auto_bins(root: Path, package: str, probe: _Probe) -> list[tuple[str, Path]]:
    bins: list[tuple[str, Path]] = []
    main = root / "src" / "main.rs"
    if probe.is_file(main):
        bins.append((package, main))
    bins.extend(_auto_dir(root / "src" / "bin", probe))
    return bins


def _auto_dir(directory: Path, probe: _Probe) -> list[tuple[str, Path]]:
    """Cargo's convention: `dir/NAME.rs` and `dir/NAME/main.rs` are targets."""
    found: list[tuple[str, Path]] = []
    for entry in sorted(probe.entries(str(directory)), key=lambda e: e.name):
        path = Path(entry.path)
        if path.suffix == ".rs" and probe.is_file(path):
            found.append((path.stem, path))
        elif probe.is_dir(path) and probe.is_file(path / "main.rs"):
            found.append((path.name, path / "main.rs"))
    return found


_TARGET_ROLES = {
    "test": Role.TEST,
    "bench": Role.BENCH,
    "example": Role.EXAMPLE,
    "build-script": Role.BUILD_SCRIPT,
}
_DIR_ROLES = {"tests": Role.TEST, "benches": Role.BENCH, "examples": Role.EXAMPLE}


def _source_files(crate_root: Path, targets: list[Target], probe: _Probe) -> Iterator[SourceEntry]:
    # Paths are compared as text (they are all built from `crate_root`, so equal paths are
    # equal strings): pathlib's `relative_to` and `==` per file and target cost more than
    # reading the files' names.
    target_roles: dict[str, Role] = {}
    for target in targets:  # the first target naming a file decides its role
        target_roles.setdefault(str(target.root), _TARGET_ROLES.get(target.kind, Role.PRODUCTION))
    crate_text, audit_text = str(crate_root), str(probe.root)
    for text in sorted(_walk_rs(crate_text, probe), key=_path_parts):
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


def _walk_rs(crate_root: str, probe: _Probe) -> Iterator[str]:
    """Every `.rs` file of this package, skipping build output, hidden and nested packages.

    Directory symlinks are not followed, so a symlink loop cannot trap the walk. Paths stay
    strings (`os.scandir` joins them): a `Path` per file and directory costs more than the walk.
    A directory that cannot be read is reported once (`probe`), and the walk goes on.
    """
    stack = [crate_root]
    while stack:
        directory = stack.pop()
        for entry in probe.entries(directory):
            name = entry.name
            if name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name in SKIPPED_DIRS:
                        continue
                    if probe.is_file(Path(entry.path, "Cargo.toml")):
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


class _Probe:
    """The file-system questions discovery asks, answered without raising.

    A file that cannot be checked (a directory above it cannot be searched, a name too
    long) and a directory that cannot be listed each become one warning, once per directory:
    the audit goes on with what it can read, and says what it could not.
    """

    def __init__(self, root: Path, warnings: list[str]) -> None:
        self.root = root
        self.warnings = warnings
        # Directories already reported as unreadable (their paths relative to the root).
        self.unreadable: list[str] = []

    def is_file(self, path: Path) -> bool:
        """True when `path` is a file (following symlinks); errors are warnings."""
        try:
            return path.is_file()
        except PermissionError as err:
            self._cannot_read_directory(path.parent, err)
        except OSError as err:
            self.warnings.append(f"{self._shown(path)}: skipped: {err.strerror or err}")
        return False

    def is_dir(self, path: Path) -> bool:
        """True when `path` is a directory (following symlinks); errors are warnings."""
        try:
            return path.is_dir()
        except OSError as err:
            self.warnings.append(f"{self._shown(path)}: skipped: {err.strerror or err}")
            return False

    def entries(self, directory: str) -> list[os.DirEntry[str]]:
        """The entries of `directory`; none (and a warning) when it cannot be listed."""
        try:
            with os.scandir(directory) as found:
                return list(found)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as err:
            if err.errno == errno.ELOOP:
                return []  # a symlink loop: the files in it are reported when read
            self._cannot_read_directory(Path(directory), err)
            return []

    def _cannot_read_directory(self, directory: Path, err: OSError) -> None:
        shown = self._shown(directory)
        if any(shown == seen or shown.startswith(f"{seen}/") for seen in self.unreadable):
            return  # it, or a directory above it, is reported already
        self.unreadable.append(shown)
        self.warnings.append(
            f"{shown}/: cannot read the directory: {err.strerror or err}; "
            "the files under it are not audited"
        )

    def _shown(self, path: Path) -> str:
        relative = _rel(path, self.root)
        try:
            relative.encode("utf-8")
        except UnicodeEncodeError:
            return os.fsencode(relative).decode("utf-8", "backslashreplace")
        return relative
