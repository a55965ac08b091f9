"""Where rustpro keeps its caches, and the fingerprint of rustpro's own code that keys them.

A module of its own, with nothing heavy imported: `rustpro verify` starts cargo before it
loads the engine, and cargo's session needs the cache dir.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

import rustpro

_HEX_DIGITS = frozenset("0123456789abcdef")


def cache_root() -> Path:
    """`$RUSTPRO_CACHE_DIR`, else the platform's user cache dir for rustpro."""
    override = os.environ.get("RUSTPRO_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("rustpro"))


@functools.cache
def engine_fingerprint() -> str:
    """Changes whenever rustpro's code changes, so stale results are never reused.

    A digest of the content of rustpro's sources: the same wherever the same code is
    installed (a CI cache restored on another machine stays valid). Reading and hashing
    every source cost 15-25 ms of each run that uses a cache (every `verify`, every cached
    `audit`), so the digest is remembered in the cache dir under the sources' sizes and
    modification times, which a stat of each file gives in a few milliseconds: a changed
    file changes that key, and the content is hashed again."""
    package_dir = Path(rustpro.__file__).parent
    sources = _engine_sources(str(package_dir))
    key = hashlib.sha256(rustpro.__version__.encode())
    for path, stat in sorted(sources.items()):
        key.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ino}\n".encode())
    memo = cache_root() / "engine" / f"{key.hexdigest()[:32]}.json"
    with contextlib.suppress(OSError, ValueError):
        known = json.loads(memo.read_text(encoding="utf-8"))
        if isinstance(known, str) and len(known) == 16 and set(known) <= _HEX_DIGITS:
            return known
    digest = content_fingerprint(package_dir, sorted(Path(path) for path in sources))
    put_json(memo, digest)
    return digest


def content_fingerprint(package_dir: Path, sources: list[Path]) -> str:
    """The digest of rustpro's version and the names and bytes of `sources` (in order)."""
    digest = hashlib.sha256(rustpro.__version__.encode())
    for path in sources:
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _engine_sources(directory: str) -> dict[str, os.stat_result]:
    """rustpro's Python and TOML files under `directory`, each with its stat (bytecode
    directories skipped; `os.scandir` tells files from directories without a system call)."""
    found: dict[str, os.stat_result] = {}
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    found.update(_engine_sources(entry.path))
            elif entry.name.endswith((".py", ".toml")) and entry.is_file():
                found[entry.path] = entry.stat()
    return found


def put_json(path: Path, data: Any) -> None:
    """Store `data` as JSON at `path` in one step (a temporary file beside it, then a rename),
    best effort: a cache that cannot be written is no error, and no temporary file is left."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
