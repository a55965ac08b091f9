"""`--changed-since REF`: the files changed since a git ref, as report paths.

    git diff --name-only REF          modified and added files (renamed: the new name;
                                      deleted: left out), staged or not
    git ls-files --others --exclude-standard   untracked files git does not ignore

Both run with `-C ROOT` and `--relative`, so the paths are relative to the audited root
like a finding's, and files outside it are not listed. This is the only place rustpro runs
git, and it runs it read-only: no optional locks (git would otherwise refresh the index),
no file system monitor hook, no external diff or text conversion program.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from rustpro.errors import GitError

GIT_TIMEOUT = 120.0  # seconds per git command; a huge repository's diff is still quick
# Settings that could make git run a program the repository names, or write.
_READ_ONLY = ("-c", "core.fsmonitor=false", "-c", "core.quotepath=off")


def changed_files(root: Path, ref: str) -> frozenset[str]:
    """The `/`-separated paths, relative to `root`, of files changed since `ref` (committed,
    staged or not) and of untracked files; `GitError` when git cannot say."""
    if not ref or ref.startswith("-"):
        raise GitError(f"--changed-since {ref!r}: not a git ref")
    commit = _run(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], ref).strip()
    changed = _run(
        root,
        [
            "diff",
            "--name-only",
            "-z",
            "--no-renames",  # a rename is the new path added and the old one deleted
            "--diff-filter=d",  # deleted files have nothing left to report on
            "--relative",
            "--no-ext-diff",
            "--no-textconv",
            commit,
            "--",
        ],
        ref,
    )
    untracked = _run(root, ["ls-files", "--others", "--exclude-standard", "-z"], ref)
    return frozenset(name for name in (changed + untracked).split("\0") if name)


def _run(root: Path, arguments: list[str], ref: str) -> str:
    git = shutil.which("git")
    if git is None:
        raise GitError("--changed-since needs git, and git is not installed (not on PATH)")
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            [git, "-C", str(root), *_READ_ONLY, *arguments],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env=environment,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        took = f"git {arguments[0]} took over {GIT_TIMEOUT:.0f} s"
        raise GitError(f"--changed-since: {took}") from None
    except OSError as err:
        raise GitError(f"--changed-since: cannot run git: {err.strerror or err}") from None
    if done.returncode == 0:
        return done.stdout
    said = done.stderr.strip().splitlines()
    if arguments[0] == "rev-parse" and not said:
        raise GitError(f"--changed-since {ref}: unknown git ref (no commit of that name)")
    reason = said[-1] if said else f"exit status {done.returncode}"
    if "not a git repository" in reason:
        raise GitError(f"--changed-since: {root} is not inside a git repository")
    raise GitError(f"--changed-since {ref}: git {arguments[0]} failed: {reason}")
