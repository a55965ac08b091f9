"""The two sides of a change: the source files of the verified tree now and at the start.

A side holds the crate's source files (`.rs`, `.toml`, `.md`: what the static audit, the
test inventory and rustfmt read) by path relative to the verified root, each with its git
blob id (so a work-tree file and a committed one compare without reading git's index), and
their contents when known. Build output (`target/`) and hidden directories are never part
of a side.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from rustpro.verify.gitobjects import list_tree, read_blobs, work_tree_files

SOURCE_SUFFIXES = (".rs", ".toml", ".md")
# Larger files are generated data, not code anyone edits by hand (the audit's own default).
MAX_SOURCE_BYTES = 4 * 1024 * 1024
# Manifests and configuration above the verified root that decide how it is audited (the
# workspace a member belongs to).
ANCESTOR_FILES = ("Cargo.toml", "rustpro.toml")


def normalized_line(text: str) -> str:
    """The line with every run of whitespace collapsed to one space and both ends trimmed:
    re-indenting a line does not make it a touched line."""
    return " ".join(text.split())


def blob_id(content: bytes) -> str:
    """git's id of a blob with this content (`git hash-object`)."""
    header = f"blob {len(content)}\0".encode()
    return hashlib.sha1(header + content, usedforsecurity=False).hexdigest()


def is_source(relpath: str) -> bool:
    """True for the files a side keeps: sources outside build output and hidden directories."""
    parts = PurePosixPath(relpath).parts
    if not parts or not relpath.endswith(SOURCE_SUFFIXES):
        return False
    return not any(part == "target" or part.startswith(".") for part in parts[:-1])


@dataclass(slots=True)
class Side:
    """One side's source files: relpath -> blob id, and relpath -> content where read."""

    blobs: dict[str, str]
    contents: dict[str, bytes] = field(default_factory=dict)
    # Files above the root (relative to the repository top) that the audit also reads.
    ancestors: dict[str, bytes] = field(default_factory=dict)

    def text(self, relpath: str) -> str | None:
        """The file's text, or None when this side has no content for it."""
        content = self.contents.get(relpath)
        return None if content is None else content.decode("utf-8", "replace")

    def rust_sources(self) -> dict[str, str]:
        """relpath -> text of every `.rs` file with known content."""
        return {
            path: content.decode("utf-8", "replace")
            for path, content in sorted(self.contents.items())
            if path.endswith(".rs")
        }

    def test_sources(self) -> dict[str, str]:
        """The `.rs` files and the `Cargo.toml` manifests: what a test inventory reads (a
        manifest's default features decide whether a `#[cfg(feature = ..)]` test runs)."""
        return {
            path: content.decode("utf-8", "replace")
            for path, content in sorted(self.contents.items())
            if path.endswith(".rs") or path.rsplit("/", 1)[-1] == "Cargo.toml"
        }

    def content_key(self) -> str:
        """A hash of every file's path and content (and of the ancestors' manifests)."""
        digest = hashlib.sha256()
        for path, blob in sorted(self.blobs.items()):
            digest.update(f"{path}\0{blob}\n".encode())
        for path, content in sorted(self.ancestors.items()):
            digest.update(f"^{path}\0{blob_id(content)}\n".encode())
        return digest.hexdigest()


def work_tree_side(root: Path, repo: Path | None) -> Side:
    """The verified tree as it is on disk (git's view of which files count when in git)."""
    names = work_tree_files(repo, root) if repo is not None else None
    if names is None:
        names = _walk(root)
    side = Side(blobs={})
    for name in names:
        if not is_source(name):
            continue
        path = root / name
        try:
            if path.stat().st_size > MAX_SOURCE_BYTES:
                continue
            content = path.read_bytes()
        except OSError:
            continue
        side.blobs[name] = blob_id(content)
        side.contents[name] = content
    side.ancestors = _disk_ancestors(root, repo)
    return side


def git_side(repo: Path, commit: str, root: Path) -> Side:
    """The verified tree as `commit` has it, read from git's objects."""
    prefix = root.relative_to(repo).as_posix()
    prefix = "" if prefix == "." else prefix
    entries = list_tree(repo, commit, "")
    inside = prefix + "/" if prefix else ""
    wanted = {}
    ancestors = {}
    above = _ancestor_paths(prefix)
    for entry in entries:
        if entry.path.startswith(inside):
            relpath = entry.path[len(inside) :]
            if is_source(relpath) and entry.size <= MAX_SOURCE_BYTES:
                wanted[relpath] = entry.blob
        elif entry.path in above:
            ancestors[entry.path] = entry.blob
    contents = read_blobs(repo, [*wanted.values(), *ancestors.values()])
    return Side(
        blobs=wanted,
        contents={path: contents[blob] for path, blob in wanted.items() if blob in contents},
        ancestors={path: contents[blob] for path, blob in ancestors.items() if blob in contents},
    )


def _ancestor_paths(prefix: str) -> set[str]:
    """`Cargo.toml` and `rustpro.toml` in each directory above `prefix` (repo-relative)."""
    parts = PurePosixPath(prefix).parts if prefix else ()
    paths = set()
    for depth in range(len(parts)):
        directory = "/".join(parts[:depth])
        for name in ANCESTOR_FILES:
            paths.add(f"{directory}/{name}" if directory else name)
    return paths


def _disk_ancestors(root: Path, repo: Path | None) -> dict[str, bytes]:
    if repo is None or root == repo:
        return {}
    prefix = root.relative_to(repo).as_posix()
    found = {}
    for relpath in _ancestor_paths(prefix):
        try:
            found[relpath] = (repo / relpath).read_bytes()
        except OSError:
            continue
    return found


def _walk(root: Path) -> list[str]:
    names: list[str] = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != "target" and not d.startswith("."))
        base = Path(directory).relative_to(root)
        names.extend((base / name).as_posix() for name in sorted(files))
    return names


def changed_files(old: Side, new: Side) -> list[str]:
    """Files added or modified on the new side (deleted files are not: nothing to check)."""
    return sorted(path for path, blob in new.blobs.items() if old.blobs.get(path) != blob)


def touched_lines(old: Side, new: Side, paths: Iterable[str]) -> dict[str, frozenset[int]]:
    """For each changed file, the new side's line numbers (1-based) that the change added or
    rewrote. A file without old content (new, or a snapshot that keeps hashes only) is
    touched everywhere."""
    touched: dict[str, frozenset[int]] = {}
    for path in paths:
        new_text = new.text(path)
        if new_text is None:
            continue
        new_lines = new_text.split("\n")
        old_text = old.text(path)
        if old_text is None:
            touched[path] = frozenset(range(1, len(new_lines) + 1))
            continue
        # Whitespace-only edits (re-indentation, reflowed spaces) touch nothing: compared as
        # the fingerprints see lines, with whitespace runs collapsed.
        matcher = difflib.SequenceMatcher(
            None,
            [normalized_line(line) for line in old_text.split("\n")],
            [normalized_line(line) for line in new_lines],
            autojunk=False,
        )
        lines: set[int] = set()
        for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
            if tag in ("replace", "insert"):
                lines.update(range(j1 + 1, j2 + 1))
        touched[path] = frozenset(lines)
    return touched


def meets(lines: Mapping[str, frozenset[int]], path: str, first: int, last: int) -> bool:
    """True when any line of `first..=last` in `path` is in `lines`."""
    marked = lines.get(path)
    if not marked:
        return False
    return any(line in marked for line in range(first, max(first, last) + 1))
