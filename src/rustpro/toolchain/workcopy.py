"""The copy of the audited tree that full mode builds and tests in.

cargo writes into the project it builds (a `Cargo.lock`), build scripts may write next to
their sources, and tests write where they please (mdBook's tests render books under
`examples/`). So full mode runs cargo in a copy under rustpro's cache dir, and the audited
tree is only read.

The copy keeps absolute paths (`<cache>/work/<key>/home/me/ws/...` for `/home/me/ws`), so
relative paths out of the audited tree still lead somewhere:

- the audited tree is copied (without `.git`, `.hg`, `.jj` and cache directories marked by
  a `CACHEDIR.TAG`, such as cargo's `target/`);
- up to the top of the project (the larger of cargo's workspace root and the version-control
  root), each directory on the way gets copies of its files and links to its other
  directories, so a larger workspace's manifest, sibling members and shared files
  (`../../proto/*.proto`) are found;
- above that, only the files that configure the toolchain are linked (`.cargo/`,
  `rust-toolchain.toml`, `rustfmt.toml`, `clippy.toml`);
- path dependencies outside the project are linked.

Each audit synchronises the copy: a file whose size or modification time differs is copied
again, keeping its modification time (cargo's fingerprints compare it, so repeated audits
stay warm), and whatever the last run created is removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Directories never copied: version control (large, and `git` run in a copy would write
# into the real repository) and caches.
_SKIPPED_DIRS = frozenset({".git", ".hg", ".jj", ".svn"})
_CACHE_TAG = "CACHEDIR.TAG"
_CACHE_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55"
_VCS_MARKERS = (".git", ".hg", ".jj")
# Files and directories above the project that configure cargo, rustup, rustfmt and clippy.
_TOOL_CONFIG = (
    ".cargo",
    "rust-toolchain",
    "rust-toolchain.toml",
    "rustfmt.toml",
    ".rustfmt.toml",
    "clippy.toml",
    ".clippy.toml",
)
_DEPENDENCY_KEYS = ("dependencies", "dev-dependencies", "build-dependencies")
# Path dependencies of path dependencies are followed this deep.
_MAX_LINK_DEPTH = 8


@dataclass(frozen=True, slots=True)
class WorkCopy:
    """Where the copy lives: `base` mirrors `/`. `unreadable` lists the files and
    directories of the audited tree that could not be read (`path: reason`), so are missing
    from the copy."""

    base: Path
    unreadable: list[str] = field(default_factory=list)

    def local(self, path: Path) -> Path:
        """The copy of the absolute path `path`."""
        return self.base / path.relative_to(path.anchor)


def sync_work_copy(
    source: Path, project_top: Path, base: Path, skip: Path | None, keep: Path | None = None
) -> WorkCopy:
    """Bring the copy of `source` under `base` up to date and return it.

    `project_top` is `source` or an ancestor of it; `skip` a directory of the original never
    copied (the cache itself, when it lies inside the audited tree); `keep` a path in the
    copy never touched (cargo's build directory: whatever the original has there is not
    copied). Raises `OSError` when the copy cannot be written; what cannot be read is left
    out and listed in `unreadable`.
    """
    copy = WorkCopy(base)
    _sync_tree(source, copy.local(source), _Rules(skip, keep), copy.unreadable)
    _sync_ancestors(source, project_top, copy, keep)
    _link_tool_config(project_top, copy)
    _link_outside_paths(source, project_top, copy)
    return copy


def project_top(source: Path, cargo_root: Path) -> Path:
    """The directory whose contents the copy must reach: the version-control root or
    cargo's workspace root, whichever is higher, when it is an ancestor of `source`."""
    top = source
    if cargo_root != source and source.is_relative_to(cargo_root):
        top = cargo_root
    for directory in (source, *source.parents):
        if any(_exists(directory / marker) for marker in _VCS_MARKERS):
            if top.is_relative_to(directory):
                top = directory
            break
    return top


def _exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return False


@dataclass(frozen=True, slots=True)
class _Rules:
    """What the tree copy leaves alone: `skip` in the original, `keep` in the copy."""

    skip: Path | None
    keep: Path | None


def mark_cache(directory: Path) -> None:
    """Tag `directory` as a cache (https://bford.info/cachedir/), as cargo tags `target/`:
    the copy's synchronisation keeps such directories instead of removing them."""
    tag = directory / _CACHE_TAG
    if not tag.is_file():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# rustpro: cargo's build directory\n"
        )


def _sync_tree(source: Path, target: Path, rules: _Rules, unreadable: list[str]) -> None:
    """Make `target` a copy of the directory `source` (see the module docstring)."""
    _ensure_directory(target)
    wanted: set[str] = set()
    try:
        with os.scandir(source) as listing:
            entries = list(listing)
    except OSError as err:
        unreadable.append(f"{source}: {err.strerror or err}")
        entries = []
    for entry in entries:
        path = Path(entry.path)
        if target / entry.name == rules.keep:
            continue
        if entry.is_dir(follow_symlinks=False):
            if entry.name in _SKIPPED_DIRS or _is_cache(path) or path == rules.skip:
                continue
            wanted.add(entry.name)
            _sync_tree(path, target / entry.name, rules, unreadable)
        elif entry.is_symlink():
            wanted.add(entry.name)
            _sync_link(target / entry.name, os.readlink(entry.path))
        elif entry.is_file(follow_symlinks=False):
            if entry.name in _SKIPPED_DIRS:  # a worktree's `.git` file
                continue
            wanted.add(entry.name)
            problem = _sync_file(entry, target / entry.name)
            if problem is not None:
                unreadable.append(problem)
    _remove_others(target, wanted)


def _sync_ancestors(source: Path, top: Path, copy: WorkCopy, keep: Path | None) -> None:
    """Each directory from `source`'s parent up to `top`: its files copied, its other
    directories linked (never its build directories: cargo would write through the link),
    and nothing else."""
    child = source
    while child != top:
        directory = child.parent
        target = copy.local(directory)
        _ensure_directory(target)
        wanted = {child.name}
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name == child.name or entry.name in _SKIPPED_DIRS:
                    continue
                if target / entry.name == keep:
                    continue
                if entry.is_dir(follow_symlinks=False) and _is_cache(Path(entry.path)):
                    continue
                wanted.add(entry.name)
                if entry.is_file(follow_symlinks=False):
                    _sync_file(entry, target / entry.name)
                else:
                    _sync_link(target / entry.name, entry.path)
        _remove_others(target, wanted)
        child = directory


def _link_tool_config(top: Path, copy: WorkCopy) -> None:
    for directory in top.parents:
        for name in _TOOL_CONFIG:
            original = directory / name
            # Never over a directory the copy lies in (auditing a crate under ~/.cargo).
            if _exists(original) and not top.is_relative_to(original):
                _ensure_directory(copy.local(directory))
                _sync_link(copy.local(original), str(original))


def _link_outside_paths(source: Path, top: Path, copy: WorkCopy) -> None:
    """Link the path dependencies (and `[patch]` paths) that lie outside the project,
    following theirs in turn."""
    pending = [(manifest, 0) for manifest in _manifests(source)]
    seen: set[Path] = set()
    while pending:
        manifest, depth = pending.pop()
        for referenced in _path_references(manifest):
            if referenced.is_relative_to(top) or top.is_relative_to(referenced):
                continue  # copied or linked already, or a directory the copy lies in
            if referenced in seen:
                continue
            seen.add(referenced)
            if not referenced.is_dir() or _reachable(copy, referenced):
                continue
            _ensure_directory(copy.local(referenced.parent))
            _sync_link(copy.local(referenced), str(referenced))
            if depth < _MAX_LINK_DEPTH:
                pending.append((referenced / "Cargo.toml", depth + 1))


def _reachable(copy: WorkCopy, path: Path) -> bool:
    """True when a link already on the way to `path` in the copy leads to the original
    (then nothing may be created below it: that would write into the original)."""
    current = copy.base
    for part in path.relative_to(path.anchor).parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


def _manifests(source: Path) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(source):
        dirnames[:] = [
            name
            for name in dirnames
            if name not in _SKIPPED_DIRS and not _is_cache(Path(directory) / name)
        ]
        if "Cargo.toml" in filenames:
            yield Path(directory) / "Cargo.toml"


def _path_references(manifest: Path) -> list[Path]:
    """Directories a manifest names with `path = ".."` in a dependency, `[patch]` or
    `[replace]` table, resolved against the manifest's directory."""
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    tables: list[Any] = [data.get(key) for key in _DEPENDENCY_KEYS]
    targets = data.get("target")
    if isinstance(targets, dict):
        for target in targets.values():
            if isinstance(target, dict):
                tables += [target.get(key) for key in _DEPENDENCY_KEYS]
    workspace = data.get("workspace")
    if isinstance(workspace, dict):
        tables.append(workspace.get("dependencies"))
    patch = data.get("patch")
    if isinstance(patch, dict):
        tables += list(patch.values())
    tables.append(data.get("replace"))
    paths: list[Path] = []
    for table in tables:
        if not isinstance(table, dict):
            continue
        for spec in table.values():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                paths.append(Path(os.path.normpath(manifest.parent / spec["path"])))
    return paths


def _is_cache(directory: Path) -> bool:
    return (directory / _CACHE_TAG).is_file()


def _ensure_directory(path: Path) -> None:
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def _sync_file(entry: os.DirEntry[str], target: Path) -> str | None:
    """Copy a regular file unless the copy already has its size and modification time.
    Returns `path: reason` when the original cannot be read (then the copy has no such
    file); raises `OSError` when the copy cannot be written."""
    info = entry.stat(follow_symlinks=False)
    with contextlib.suppress(FileNotFoundError):
        have = target.lstat()
        if stat.S_ISREG(have.st_mode) and (have.st_size, have.st_mtime_ns) == (
            info.st_size,
            info.st_mtime_ns,
        ):
            return None
    _remove(target)
    try:
        # Never blocks: a file swapped for a FIFO since it was listed is refused below.
        descriptor = os.open(entry.path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as err:
        return f"{entry.path}: {err.strerror or err}"
    with os.fdopen(descriptor, "rb") as original:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return f"{entry.path}: not a regular file"
        with open(target, "wb") as copied:
            shutil.copyfileobj(original, copied)
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    # Permission bits only: a copy is never setuid.
    os.chmod(target, stat.S_IMODE(info.st_mode) & 0o777)
    return None


def _sync_link(target: Path, points_to: str) -> None:
    with contextlib.suppress(OSError):
        if os.readlink(target) == points_to:
            return
    _remove(target)
    os.symlink(points_to, target)


def _remove_others(directory: Path, wanted: set[str]) -> None:
    """Remove what the last run left in `directory` (test output, say). Kept: a `Cargo.lock`
    cargo wrote beside a manifest that has none in the original (without it every audit
    would resolve the dependencies again), and build directories tagged as caches."""
    if "Cargo.toml" in wanted:
        wanted = wanted | {"Cargo.lock"}
    with os.scandir(directory) as entries:
        extra = [
            Path(entry.path)
            for entry in entries
            if entry.name not in wanted
            and not (entry.is_dir(follow_symlinks=False) and _is_cache(Path(entry.path)))
        ]
    for path in extra:
        _remove(path)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        # Tests may leave read-only files behind; make them removable first.
        shutil.rmtree(path, onerror=_make_writable_and_retry)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _make_writable_and_retry(function: Any, path: str, _error: object) -> None:
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(path), 0o700)
    function(path)
