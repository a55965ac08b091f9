"""The cargo workspace a new project lands in, if any, and what to tell the user about it.

`rustpro new` never edits the user's manifest: inside a workspace it says which line to add.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePosixPath


class Membership(Enum):
    """How the enclosing workspace's `members` and `exclude` treat the new project."""

    MEMBER = "member"  # a `members` entry (a glob) covers it already
    EXCLUDED = "excluded"  # `exclude` keeps it out: it builds on its own
    NOT_LISTED = "not listed"  # cargo refuses to build it until it is listed


@dataclass(frozen=True, slots=True)
class WorkspaceHint:
    """The workspace around a new project: its root, the project's path relative to it,
    and how its members treat the project."""

    root: Path
    member: str
    membership: Membership
    matched_by: str = ""
    nested_workspace: bool = False

    @property
    def owns_lockfile(self) -> bool:
        """True when cargo builds the new project as part of this workspace (or refuses to
        build it until it is listed), so the workspace's Cargo.lock is the one that counts."""
        return not self.nested_workspace and self.membership is not Membership.EXCLUDED

    def message(self) -> str | None:
        """What the user should do, or None when nothing is needed."""
        manifest = self.root / "Cargo.toml"
        line = f'"{self.member}"'
        if self.nested_workspace:
            if self.membership is Membership.MEMBER:
                return (
                    f"the members of the workspace at {manifest} cover this new workspace "
                    f"({self.matched_by!r}): add {line} to its `exclude` list "
                    "(rustpro does not edit your manifest)"
                )
            return None
        if self.membership is Membership.MEMBER:
            return f"it is a member of the workspace at {manifest} ({self.matched_by!r})"
        if self.membership is Membership.EXCLUDED:
            return None
        return (
            f"it is inside the workspace at {manifest}, which does not list it: add {line} "
            "to `members` in its [workspace] table (or to `exclude` to build it on its own); "
            "rustpro does not edit your manifest"
        )


def _enclosing_manifest(directory: Path) -> tuple[Path, dict[str, object]] | None:
    for folder in directory.parents:
        manifest = folder / "Cargo.toml"
        try:
            if not manifest.is_file():
                continue
            data = tomllib.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # cargo stops at a broken manifest too
        workspace = data.get("workspace")
        if isinstance(workspace, dict):
            return folder, workspace
    return None


def _glob_match(pattern: str, path: str) -> bool:
    """Cargo's member globs, matched against a path that need not exist yet: `*` and `?`
    stay within one path segment, `**` spans any number of them."""
    wanted = PurePosixPath(pattern).parts
    have = PurePosixPath(path).parts

    def match(i: int, j: int) -> bool:
        if i == len(wanted):
            return j == len(have)
        if wanted[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(have) + 1))
        return j < len(have) and fnmatch.fnmatchcase(have[j], wanted[i]) and match(i + 1, j + 1)

    return match(0, 0)


def workspace_hint(directory: Path, kind: str) -> WorkspaceHint | None:
    """The workspace enclosing `directory` (which may not exist yet), or None."""
    found = _enclosing_manifest(directory)
    if found is None:
        return None
    root, workspace = found
    member = directory.relative_to(root).as_posix()
    nested = kind == "workspace"
    excludes = [str(e).strip("/") for e in _strings(workspace.get("exclude"))]
    if any(member == e or member.startswith(f"{e}/") for e in excludes):
        return WorkspaceHint(root, member, Membership.EXCLUDED, nested_workspace=nested)
    for pattern in _strings(workspace.get("members")):
        if _glob_match(pattern.strip("/").removeprefix("./"), member):
            return WorkspaceHint(root, member, Membership.MEMBER, pattern, nested)
    return WorkspaceHint(root, member, Membership.NOT_LISTED, nested_workspace=nested)


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
