"""File results cached by content hash, outside the audited tree (the user cache dir).

Entries are JSON decoded against `FileResult`'s declared shape (`engine.codec`): a cache
restored from somewhere else (a CI cache, a shared directory) can hold wrong data, never
code, and any entry that is unreadable, truncated or of the wrong shape is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from rustpro.cachedir import cache_root, engine_fingerprint
from rustpro.engine.codec import CodecError, decode, encode, register_tagged
from rustpro.engine.context import AllGates, FactGate, PublicGate
from rustpro.engine.filepass import FileResult
from rustpro.model import Role

# The gates meet in unions (`Gate`), so their encoding names them.
register_tagged(PublicGate, FactGate, AllGates)
__all__ = ["ResultCache", "cache_root", "engine_fingerprint"]

# Entries bigger than this are not read back (no real file's analysis comes near it).
_MAX_ENTRY_BYTES = 64 * 1024 * 1024


class ResultCache:
    """A directory of JSON-encoded `FileResult`s keyed by (content, path, role, engine)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_root()) / "files" / engine_fingerprint()

    @staticmethod
    def key(source: bytes, relpath: str, role: Role, rules: frozenset[str] | None = None) -> str:
        """The cache key of one file's analysis by `rules` (None: every file rule)."""
        digest = hashlib.sha256(source)
        digest.update(b"\0" + relpath.encode() + b"\0" + role.value.encode())
        if rules is not None:  # a subset of the rules ran (`engine.ruleset`)
            digest.update(b"\0" + ",".join(sorted(rules)).encode())
        return digest.hexdigest()

    def get(self, key: str) -> FileResult | None:
        """The cached result, or None when absent, unreadable or not a valid entry."""
        try:
            with open(self.root / key[:2] / key, "rb") as handle:
                raw = handle.read(_MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        if len(raw) > _MAX_ENTRY_BYTES:
            return None
        try:
            return decode(FileResult, json.loads(raw))
        except (ValueError, RecursionError):  # JSON syntax, UTF-8 and `CodecError`
            return None

    def put(self, key: str, result: FileResult) -> None:
        """Store a result atomically; a cache that cannot be written is silently skipped."""
        directory = self.root / key[:2]
        try:
            data = json.dumps(encode(result), separators=(",", ":")).encode()
        except (CodecError, ValueError):
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, directory / key)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
        except OSError:
            return
