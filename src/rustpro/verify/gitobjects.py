"""Reading one side of a change from git's objects: never by checking anything out.

`git ls-tree` lists the files of a commit under a directory and `git cat-file --batch` reads
their contents in one process, so the user's work tree, index and HEAD are left alone.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rustpro.errors import UsageError

# git commands read objects only; none should take long, but a broken repository (a stale
# lock over NFS) must not hang a Stop hook forever.
_GIT_TIMEOUT = 120.0


class GitError(UsageError):
    """git could not answer (not a repository, an unknown ref): verify cannot run."""


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One file of a commit: its path relative to the repository root, blob id and size."""

    path: str
    blob: str
    size: int


def _git(repo: Path, args: Sequence[str], *, stdin: bytes | None = None) -> bytes:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=repo,
            input=stdin,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            env=env,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not on PATH (needed for --since)") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not answer within {_GIT_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {done.returncode}"
        raise GitError(f"git {args[0]} failed: {reason}")
    return done.stdout


def repository_root(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None outside git (or without git)."""
    directory = path if path.is_dir() else path.parent
    try:
        out = _git(directory, ["rev-parse", "--show-toplevel"])
    except GitError:
        return None
    return Path(out.decode("utf-8").strip()).resolve()


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit id `ref` names; raises `GitError` for an unknown ref."""
    try:
        out = _git(
            repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"]
        )
    except GitError:
        raise GitError(f"unknown git ref `{ref}` in {repo}") from None
    return out.decode("ascii").strip()


def list_tree(repo: Path, commit: str, prefix: str) -> list[TreeEntry]:
    """Every file (blob) of `commit` under `prefix` ("" for the whole tree), with sizes.

    Symlinks and submodules are left out: neither is a source file of the crate."""
    args = ["ls-tree", "-r", "-l", "-z", "--full-tree", commit]
    if prefix:
        args += ["--", prefix]
    entries: list[TreeEntry] = []
    for record in _git(repo, args).split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, blob, size = meta.split(maxsplit=3)
        if kind != b"blob" or mode == b"120000":
            continue
        entries.append(
            TreeEntry(
                path=name.decode("utf-8", "surrogateescape"),
                blob=blob.decode("ascii"),
                size=int(size) if size.strip().isdigit() else 0,
            )
        )
    return entries


def read_blobs(repo: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of each blob id, read with one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    out = _git(repo, ["cat-file", "--batch"], stdin="".join(f"{b}\n" for b in wanted).encode())
    contents: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        contents[blob] = out[position : position + size]
        position += size + 1  # the content is followed by a newline
    return contents


def work_tree_files(repo: Path, directory: Path) -> list[str] | None:
    """Files of the work tree under `directory` that git tracks or would track (untracked but
    not ignored), relative to `directory`; None when git cannot tell."""
    try:
        out = _git(
            directory,
            ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        )
    except GitError:
        return None
    names = {n.decode("utf-8", "surrogateescape") for n in out.split(b"\0") if n}
    # A file deleted from the work tree but still in the index is listed by --cached.
    return sorted(n for n in names if (directory / n).is_file())
