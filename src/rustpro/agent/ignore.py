"""The workspace's files as git sees them: `.gitignore` rules applied, `.git/` never entered.

Read from the `.gitignore` files themselves (git need not be installed, the workspace need
not be a repository): blank lines and `#` comments skipped, `!` re-includes, a trailing `/`
matches directories only, a pattern with a `/` elsewhere is anchored to its file's directory
(else it matches a name at any depth), `*`, `?`, `[...]` and `**` as git reads them, and the
deepest file's last matching rule wins. A directory that is ignored is not entered, so
nothing in it can be re-included (as in git). `.git/info/exclude` and the global excludes
file are not read. A directory holding a `CACHEDIR.TAG` (cargo's `target/`) is listed but
never entered.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NEVER_ENTERED = frozenset({".git"})
CACHE_TAG = "CACHEDIR.TAG"


@dataclass(frozen=True, slots=True)
class _Rule:
    """One line of an ignore file, as a regular expression over paths."""

    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


def _translate(pattern: str) -> str:
    """A gitignore glob (without `!`, trailing `/` or leading `/`) as a regex body."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i) and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
                i += 1
                continue
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            escaped = body.replace("\\", "\\\\")
            out.append(f"[{escaped}]")
            i = end + 1
        elif char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def parse_rules(text: str) -> list[_Rule]:
    """The rules of one `.gitignore` file's text."""
    rules: list[_Rule] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if line.endswith(" ") and not line.endswith("\\ "):
            line = line.rstrip(" ")
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if negate or line.startswith("\\"):
            line = line[1:]
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        body = _translate(line.lstrip("/"))
        regex = body if anchored else f"(?:.*/)?{body}"
        rules.append(_Rule(re.compile(regex, re.DOTALL), negate, dir_only))
    return rules


class IgnoreRules:
    """The `.gitignore` rules of a tree, read lazily per directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._rules: dict[str, list[_Rule]] = {}

    def _rules_of(self, directory: str) -> list[_Rule]:
        if directory not in self._rules:
            path = self.root / directory / ".gitignore" if directory else self.root / ".gitignore"
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            self._rules[directory] = parse_rules(text)
        return self._rules[directory]

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """True when `rel` (relative to the root, `/`) is ignored by the rules of the
        directories above it (its own parent directories are assumed not ignored)."""
        parts = rel.split("/")
        if any(part in NEVER_ENTERED for part in parts):
            return True
        verdict = False
        for depth in range(len(parts)):
            base = "/".join(parts[:depth])
            rest = "/".join(parts[depth:])
            for rule in self._rules_of(base):
                if rule.dir_only and not is_dir:
                    continue
                if rule.regex.fullmatch(rest):
                    verdict = not rule.negate
        return verdict


def walk(root: Path, start: Path, rules: IgnoreRules | None = None) -> Iterator[tuple[str, bool]]:
    """`(relative path, is a directory)` of everything under `start` that is not ignored,
    depth first in name order; symlinked directories are listed but not entered."""
    rules = rules or IgnoreRules(root)
    stack: list[Iterator[os.DirEntry[str]]] = [_entries(start)]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        rel = Path(entry.path).relative_to(root).as_posix()
        is_dir = entry.is_dir(follow_symlinks=False)
        if rules.ignored(rel, is_dir):
            continue
        yield rel, is_dir
        # A cache directory (cargo's target/ carries a CACHEDIR.TAG) is listed, not entered,
        # even where no .gitignore names it.
        if is_dir and not (Path(entry.path) / CACHE_TAG).is_file():
            stack.append(_entries(Path(entry.path)))


def _entries(directory: Path) -> Iterator[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return iter(())
    return iter(entries)
