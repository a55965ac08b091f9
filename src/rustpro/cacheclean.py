"""What rustpro keeps in its cache dir, and removing what is no longer used (`rustpro cache`).

rustpro writes its caches under one directory (`cachedir.cache_root`):

- `files/<engine>/`: file results of the static pass, one generation per version of
  rustpro's code (`engine_fingerprint`). Only the current generation is ever read again, so
  the others are removed: by `rustpro cache clean`, and by audits themselves once a
  generation has not been used for `STALE_GENERATION_DAYS` (checked at most once a day);
- `engine/`: the fingerprint of rustpro's code by its sources' sizes and times (tiny);
- `verify/`: the finding records, test inventories and Stop-hook counts of `rustpro verify`,
  and the temporary trees its start audits use;
- `work/`: full mode's copy of each audited project with its cargo build directory (the
  biggest part: gigabytes for large workspaces);
- `agent/`: the agent's transcripts, undo data and gate records, which are the user's
  records: removed only by `rustpro cache clean --all`.

Nothing outside those parts is ever removed (the cache dir may be one a user named with
`RUSTPRO_CACHE_DIR`), and no symbolic link is followed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rustpro.cachedir import cache_root, engine_fingerprint

DAY = 24 * 60 * 60.0
# A result-cache generation of another rustpro version unused this long is removed by audits
# (two versions used by turns keep each other's results warm meanwhile).
STALE_GENERATION_DAYS = 7
_PRUNE_STAMP = ".last-prune"

# The parts `clean` may touch, by top-level directory; `agent` only with `everything`.
RESULTS, ENGINE, VERIFY, WORK, AGENT = "files", "engine", "verify", "work", "agent"
PARTS = (RESULTS, ENGINE, VERIFY, WORK, AGENT)


@dataclass(frozen=True, slots=True)
class Usage:
    """The files under one part of the cache and when it was last written."""

    name: str
    path: Path
    size: int
    files: int
    newest: float | None  # the latest modification time of any entry, None when empty


@dataclass(slots=True)
class Cleaned:
    """What `clean` removed (or, when a dry run, would remove)."""

    removed: list[Path] = field(default_factory=list)
    size: int = 0
    files: int = 0
    errors: list[str] = field(default_factory=list)


def usage(root: Path | None = None) -> list[Usage]:
    """Each part of the cache with its size: the current result-cache generation apart from
    the others, and anything else in the cache dir as `other`."""
    root = root or cache_root()
    current = engine_fingerprint()
    found: list[Usage] = []
    results = root / RESULTS
    here, old = _measure(results / current), _Totals()
    for generation in _children(results):
        if generation.name != current:
            old.add(_measure(generation))
    found.append(_usage("results (this rustpro)", results / current, here))
    found.append(_usage("results (other rustpro versions)", results, old))
    for name, label in (
        (ENGINE, "code fingerprints"),
        (VERIFY, "verify"),
        (WORK, "full-mode work copies"),
        (AGENT, "agent transcripts and undo data"),
    ):
        found.append(_usage(label, root / name, _measure(root / name)))
    other = _Totals()
    for entry in _children(root):
        if entry.name not in PARTS:
            other.add(_measure(entry))
    found.append(_usage("other", root, other))
    return found


def clean(
    root: Path | None = None,
    *,
    older_than_days: float = 30.0,
    everything: bool = False,
    dry_run: bool = False,
    now: float | None = None,
) -> Cleaned:
    """Remove what no run will read again: result-cache generations of other versions of
    rustpro; entries of the current generation, verify's records and code fingerprints
    written more than `older_than_days` ago; work copies not used for as long. With
    `everything`, every part (the agent's records too) goes whatever its age."""
    root = root or cache_root()
    cutoff = (now if now is not None else time.time()) - older_than_days * DAY
    done = Cleaned()
    if everything:
        for name in PARTS:
            _remove(root / name, done, dry_run)
        return done
    current = engine_fingerprint()
    for generation in _children(root / RESULTS):
        if generation.name != current:
            _remove(generation, done, dry_run)
    for part in (root / RESULTS / current, root / ENGINE, root / VERIFY):
        for entry in _files(part):
            if _mtime(entry) < cutoff:
                _remove(entry, done, dry_run)
    for copy in _children(root / WORK):
        if _mtime(copy) < cutoff:  # full mode writes a probe into it at every use
            _remove(copy, done, dry_run)
    return done


def prune_stale_generations(root: Path | None = None, *, now: float | None = None) -> None:
    """Remove result-cache generations of other rustpro versions unused for
    `STALE_GENERATION_DAYS`, at most once a day; best effort, silent.

    Each generation is only ever read by the version that wrote it: after an upgrade (or
    every edit of an editable install) the old ones would otherwise stay forever."""
    results = (root or cache_root()) / RESULTS
    now = now if now is not None else time.time()
    stamp = results / _PRUNE_STAMP
    if now - _mtime(stamp) < DAY:
        return
    try:
        results.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        return
    current = engine_fingerprint()
    cutoff = now - STALE_GENERATION_DAYS * DAY
    ignored = Cleaned()
    for generation in _children(results):
        if generation.name != current and _mtime(generation) < cutoff:
            _remove(generation, ignored, dry_run=False)


def mark_used(generation: Path) -> None:
    """Record that the result-cache generation at `generation` was used now (its age is
    what `prune_stale_generations` judges)."""
    with contextlib.suppress(OSError):
        os.utime(generation)


# ----- helpers ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Totals:
    """What a part of the cache holds: bytes, files and the newest write."""

    size: int = 0
    files: int = 0
    newest: float | None = None

    def add(self, other: _Totals) -> None:
        self.size += other.size
        self.files += other.files
        if other.newest is not None and (self.newest is None or other.newest > self.newest):
            self.newest = other.newest


def _usage(name: str, path: Path, totals: _Totals) -> Usage:
    return Usage(name, path, totals.size, totals.files, totals.newest)


def _measure(path: Path) -> _Totals:
    totals = _Totals()
    for entry in _files(path):
        try:
            info = entry.lstat()
        except OSError:
            continue
        totals.add(_Totals(info.st_size, 1, info.st_mtime))
    return totals


def _children(directory: Path) -> list[Path]:
    """The entries of `directory` (none when it is missing, unreadable or a link), the
    prune stamp left out."""
    if not _is_real_dir(directory):
        return []
    try:
        with os.scandir(directory) as entries:
            return sorted(Path(e.path) for e in entries if e.name != _PRUNE_STAMP)
    except OSError:
        return []


def _files(path: Path) -> Iterator[Path]:
    """Every file (and link) under `path`, links never followed."""
    if not _is_real_dir(path):
        if path.is_symlink() or path.is_file():
            yield path
        return
    for directory, subdirectories, names in os.walk(path):
        base = Path(directory)
        for name in subdirectories:
            if (base / name).is_symlink():  # os.walk lists links to directories as these
                yield base / name
        for name in names:
            yield base / name


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _mtime(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path, done: Cleaned, dry_run: bool) -> None:
    """Remove `path` (a file, a link, or a directory with everything in it, links not
    followed), counting what goes."""
    totals = _measure(path)
    if totals.files == 0 and not _is_real_dir(path):
        return  # nothing there
    if not dry_run:
        try:
            if _is_real_dir(path):
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as err:
            done.errors.append(f"{path}: {err.strerror or type(err).__name__}")
            return
    done.removed.append(path)
    done.size += totals.size
    done.files += totals.files
