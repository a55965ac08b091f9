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


def cache_root() -> Path:
    """`$RUSTPRO_CACHE_DIR`, else the platform's user cache dir for rustpro."""
    override = os.environ.get("RUSTPRO_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("rustpro"))


@functools.cache
def engine_fingerprint() -> str:
    """Changes whenever rustpro's code changes, so stale results are never reused."""
    digest = hashlib.sha256(rustpro.__version__.encode())
    package_dir = Path(rustpro.__file__).parent
    for path in sorted(package_dir.rglob("*")):
        if path.suffix in (".py", ".toml") and path.is_file():
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


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
