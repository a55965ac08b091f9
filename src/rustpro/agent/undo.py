"""The undo journal: what every file a run created, changed or deleted was before it.

Before the first change to a file, its bytes and mode (or its absence) are kept under
rustpro's cache dir (`agent/undo/<workspace key>/`, never in the workspace), and the
journal is rewritten atomically, so whatever happens later (a crash, Ctrl-C, a model that
cannot be reached) `rustpro agent --undo` can put every file back. Works without git. The
journal belongs to the last run that changed something: a run that only answers a question
leaves the previous one's journal alone.

At the end of a run the journal notes what each file looked like then; undo leaves a file
that changed again since (someone edited it after the run) as it is, and says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustpro.engine.cache import cache_root
from rustpro.errors import JournalError, UsageError

JOURNAL_FORMAT = "rustpro-agent-undo"
JOURNAL_VERSION = 1
ABSENT = "absent"


def workspace_key(root: Path) -> str:
    """A directory name for the workspace at `root`."""
    resolved = root.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    return f"{resolved.name or 'root'}-{digest}"


def journal_dir(root: Path) -> Path:
    """Where the undo journal of the workspace at `root` lives."""
    return cache_root() / "agent" / "undo" / workspace_key(root)


def digest_of(path: Path) -> str:
    """sha256 of the file's bytes, or `absent`."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ABSENT
    except IsADirectoryError:
        return "directory"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place: a reader
    sees the old file or the new one, never half of one."""
    descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@dataclass(slots=True)
class Entry:
    """One file's state before the run touched it, and after the run."""

    path: str
    existed: bool
    mode: int | None = None
    blob: str | None = None
    after: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as the journal file holds it."""
        return {
            "path": self.path,
            "existed": self.existed,
            "mode": self.mode,
            "blob": self.blob,
            "after": self.after,
        }


@dataclass(slots=True)
class Journal:
    """The before-images of one run's changes in the workspace at `root`."""

    root: Path
    directory: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    created_dirs: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_workspace(cls, root: Path) -> Journal:
        """A new (empty) journal for a run in `root`; the previous run's stays until this
        run changes its first file."""
        return cls(root.resolve(), journal_dir(root))

    @property
    def changed(self) -> list[str]:
        """Files this run created, changed or deleted (relative paths)."""
        return sorted(self.entries)

    def before_change(self, path: Path) -> None:
        """Keep `path`'s current state, once per run, before it is first written or
        deleted; raises `JournalError` when that cannot be kept."""
        rel = path.relative_to(self.root).as_posix()
        with self._lock:
            if rel in self.entries:
                return
            try:
                if not self.entries and not self.created_dirs:
                    self._start()
                self.entries[rel] = self._capture(path, rel)
                self._save()
            except OSError as err:
                self.entries.pop(rel, None)
                raise JournalError(
                    f"cannot keep the undo journal in {self.directory}: {err.strerror or err}"
                ) from None

    def created_directory(self, path: Path) -> None:
        """Note a directory the run created (undo removes it when it is empty again)."""
        rel = path.relative_to(self.root).as_posix()
        with self._lock:
            try:
                if not self.entries and not self.created_dirs:
                    self._start()
                self.created_dirs.append(rel)
                self._save()
            except OSError as err:
                raise JournalError(
                    f"cannot keep the undo journal in {self.directory}: {err.strerror or err}"
                ) from None

    def finish(self) -> None:
        """Note what each file looks like at the end of the run (undo then leaves alone a
        file someone changed after it)."""
        with self._lock:
            if not self.entries:
                return
            for entry in self.entries.values():
                entry.after = digest_of(self.root / entry.path)
            with contextlib.suppress(OSError):
                self._save()

    def _start(self) -> None:
        """Begin this run's journal: the previous run's is dropped."""
        shutil.rmtree(self.directory, ignore_errors=True)
        (self.directory / "blobs").mkdir(parents=True, exist_ok=True)

    def _capture(self, path: Path, rel: str) -> Entry:
        try:
            info = path.lstat()
        except FileNotFoundError:
            return Entry(rel, existed=False)
        content = path.read_bytes()
        blob = hashlib.sha256(content).hexdigest()
        target = self.directory / "blobs" / blob
        if not target.exists():
            atomic_write(target, content)
        return Entry(rel, existed=True, mode=stat.S_IMODE(info.st_mode), blob=blob)

    def _save(self) -> None:
        data = {
            "format": JOURNAL_FORMAT,
            "version": JOURNAL_VERSION,
            "root": str(self.root),
            "entries": [entry.to_json() for entry in self.entries.values()],
            "created_dirs": self.created_dirs,
        }
        atomic_write(self.directory / "journal.json", (json.dumps(data, indent=1) + "\n").encode())


@dataclass(slots=True)
class UndoReport:
    """What `--undo` did."""

    restored: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Changed again after the run: left as they are.
    kept: list[str] = field(default_factory=list)


def undo_last_run(root: Path) -> UndoReport:
    """Put back every file the last run in `root` created, changed or deleted; raises
    `UsageError` when there is nothing to undo or the journal is damaged."""
    root = root.resolve()
    directory = journal_dir(root)
    journal = directory / "journal.json"
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"nothing to undo in {root}: no run of rustpro agent changed it") from None
    except (OSError, ValueError) as err:
        raise UsageError(f"the undo journal {journal} cannot be read: {err}") from None
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
        raise UsageError(f"{journal} is not an undo journal")
    report = UndoReport()
    try:
        entries = [Entry(**raw) for raw in data["entries"]]
        created = [str(rel) for rel in data.get("created_dirs", [])]
    except (KeyError, TypeError) as err:
        raise UsageError(f"the undo journal {journal} is damaged ({err})") from None
    for entry in entries:
        path = root / entry.path
        if entry.after is not None and digest_of(path) != entry.after:
            report.kept.append(entry.path)
            continue
        if entry.existed and entry.blob is not None:
            content = (directory / "blobs" / entry.blob).read_bytes()
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, content, entry.mode)
            report.restored.append(entry.path)
        elif path.exists() or path.is_symlink():
            path.unlink()
            report.removed.append(entry.path)
    for rel in sorted(created, key=lambda r: r.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            (root / rel).rmdir()
    if not report.kept:
        shutil.rmtree(directory, ignore_errors=True)
    return report
