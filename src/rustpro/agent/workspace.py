"""The workspace the file tools are confined to, and the only way they change it.

A path from the model is taken relative to the workspace root (an absolute one as it is),
then resolved through every symlink; it is refused unless the result lies inside the root
and outside any `.git/` directory. A `..` that leaves and comes back in, or a symlink that
stays inside, is fine; one that ends up outside is not. Refusals are `ToolFailure`s: the
model reads them as the call's result.

Writes and deletions go through the undo journal (the file's state is kept before its first
change) and are atomic. The first change of a run first calls `before_first_change`, which
records the starting state the gate compares with.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from rustpro.agent.tools.base import ToolFailure
from rustpro.agent.undo import Journal, atomic_write


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class Workspace:
    """A directory the agent may read and change, and nothing outside it."""

    def __init__(
        self,
        root: Path,
        journal: Journal,
        before_first_change: Callable[[], None] | None = None,
    ) -> None:
        self.root = root.resolve()
        self.journal = journal
        self._before_first_change = before_first_change
        self._lock = threading.Lock()
        self._started = False

    def resolve(self, raw: str) -> Path:
        """The real path of `raw` inside the workspace; raises `ToolFailure` when it lies
        outside it or in `.git/`."""
        text = raw.strip() or "."
        if "\0" in text:
            raise ToolFailure("refused: the path holds a NUL character")
        given = Path(text)
        full = given if given.is_absolute() else self.root / given
        real = Path(os.path.realpath(full))
        lexical = Path(os.path.normpath(full))
        if not _inside(real, self.root):
            if given.is_absolute() and not _inside(lexical, self.root):
                why = "is outside the workspace"
            elif not _inside(lexical, self.root):
                why = "leaves the workspace (..)"
            else:
                why = f"resolves through a symlink to {real}, outside the workspace"
            raise ToolFailure(f"refused: {raw} {why} ({self.root})")
        for candidate in (real, lexical):
            if _inside(candidate, self.root) and ".git" in candidate.relative_to(self.root).parts:
                raise ToolFailure(f"refused: {raw} is in .git/, which the agent never touches")
        return real

    def relative(self, path: Path) -> str:
        """`path` relative to the root, with `/` (`.` for the root itself)."""
        rel = path.relative_to(self.root).as_posix()
        return rel or "."

    @property
    def changed(self) -> list[str]:
        """The files this run created, changed or deleted."""
        return self.journal.changed

    def write(self, raw: str, content: str) -> tuple[Path, bool]:
        """Write `content` (UTF-8) to the file `raw`, creating its directories; returns the
        path and whether the file is new. Raises `ToolFailure`."""
        path = self.resolve(raw)
        if path.is_dir():
            raise ToolFailure(f"{raw} is a directory")
        with self._lock:
            self._first_change()
            created = not path.exists()
            missing = [p for p in reversed(path.parents) if _inside(p, self.root)]
            for directory in missing:
                if not directory.exists():
                    try:
                        directory.mkdir()
                    except OSError as err:
                        raise ToolFailure(
                            f"cannot create {self.relative(directory)}: {err.strerror or err}"
                        ) from None
                    self.journal.created_directory(directory)
                elif not directory.is_dir():
                    raise ToolFailure(f"{self.relative(directory)} is a file, not a directory")
            self.journal.before_change(path)
            mode = path.stat().st_mode & 0o7777 if not created else None
            try:
                atomic_write(path, content.encode("utf-8"), mode)
            except OSError as err:
                raise ToolFailure(f"cannot write {raw}: {err.strerror or err}") from None
        return path, created

    def delete(self, raw: str) -> Path:
        """Delete the file `raw`; raises `ToolFailure`."""
        path = self.resolve(raw)
        if path.is_dir():
            raise ToolFailure(f"{raw} is a directory; only files are deleted")
        if not path.exists():
            raise ToolFailure(f"{raw} does not exist")
        with self._lock:
            self._first_change()
            self.journal.before_change(path)
            try:
                path.unlink()
            except OSError as err:
                raise ToolFailure(f"cannot delete {raw}: {err.strerror or err}") from None
        return path

    def _first_change(self) -> None:
        if not self._started:
            if self._before_first_change is not None:
                self._before_first_change()
            self._started = True
