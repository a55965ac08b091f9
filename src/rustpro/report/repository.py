"""Report paths as code hosts want them: relative to the top of the git repository.

rustpro's findings carry paths relative to the audited root (`src/lib.rs`). GitHub code
scanning and GitLab's code-quality widget match a path against the files of the repository
they analyse, from its top: a crate audited at `crates/net/` of a repository must report
`crates/net/src/lib.rs`. The top is the nearest directory at or above the audited root that
holds a `.git` entry (a directory, or the file a worktree or submodule has); rustpro only
checks that the entry exists and never runs git for this. Without one, paths stay relative to
the audited root.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class RepositoryPaths:
    """Turns report paths (relative to the audited root) into paths from `top`."""

    top: Path  # the git top-level, or the audited root when it is in no repository
    # The audited root relative to `top`, with a trailing `/` ("" when they are the same).
    prefix: str
    in_git: bool

    def path(self, report_path: str) -> str:
        """`report_path` relative to `top`, with `/` separators."""
        if not self.prefix:
            return report_path
        return posixpath.normpath(self.prefix + report_path)

    def uri(self, report_path: str) -> str:
        """`path` as a relative URI reference: percent-encoded (spaces, non-ASCII), `/` kept."""
        return quote(self.path(report_path), safe="/")

    def top_uri(self) -> str:
        """`top` as an absolute `file:` URI ending in `/`, as SARIF wants a base URI."""
        uri = self.top.as_uri()
        return uri if uri.endswith("/") else uri + "/"

    def audit_root(self) -> str:
        """The audited root relative to `top` (`.` when they are the same)."""
        return self.prefix.rstrip("/") or "."


def repository_paths(root: Path) -> RepositoryPaths:
    """The paths of the git repository holding the audited `root`, else of `root` itself."""
    resolved = root.resolve()
    for directory in (resolved, *resolved.parents):
        if (directory / ".git").exists():
            relative = resolved.relative_to(directory).as_posix()
            prefix = "" if relative == "." else relative + "/"
            return RepositoryPaths(directory, prefix, in_git=True)
    return RepositoryPaths(resolved, "", in_git=False)
