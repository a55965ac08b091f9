"""File results cached by content hash, outside the audited tree (the user cache dir)."""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import platformdirs

import rustpro
from rustpro.engine.filepass import FileResult
from rustpro.model import Role


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


class ResultCache:
    """A directory of pickled `FileResult`s keyed by (content, path, role, engine)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_root()) / "files" / engine_fingerprint()

    @staticmethod
    def key(source: bytes, relpath: str, role: Role) -> str:
        """The cache key of one file's analysis."""
        digest = hashlib.sha256(source)
        digest.update(b"\0" + relpath.encode() + b"\0" + role.value.encode())
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        """The cached result, or None when absent or unreadable."""
        try:
            with open(self.root / key[:2] / key, "rb") as handle:
                value = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        return value if isinstance(value, FileResult) else None

    def put(self, key: str, result: FileResult) -> None:
        """Store a result atomically; a cache that cannot be written is silently skipped."""
        directory = self.root / key[:2]
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / key)
        except OSError:
            return
