"""The compiled code of the methods `dataclasses` writes, kept between runs like bytecode.

`@dataclass` writes `__init__`, `__repr__`, `__eq__`, `__hash__` and, when frozen,
`__setattr__` and `__delattr__` as source text and compiles each with `exec`: for rustpro's
eighty-odd classes that was about a third of a one-file audit's start-up, every run, for the
same few hundred texts. `install()` gives the `dataclasses` module an `exec` that compiles a
text once and keeps its code object in a file beside rustpro's own bytecode (where Python's
`__pycache__` and `PYTHONPYCACHEPREFIX` put it; nothing is written when
`PYTHONDONTWRITEBYTECODE` says so). The code is keyed by its whole source text and the
interpreter's bytecode tag, so it is exactly what compiling the text gives; a file that is
missing, unreadable or not such a table is ignored and rewritten. It holds code like any
`.pyc` beside it, and is trusted like them.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
from types import CodeType
from typing import Any

# Entries kept at most: a table grown past this by many versions' classes starts again.
_MAX_ENTRIES = 4096
_NAME = "_dataclass_methods"


class _CodeCache:
    """Source text -> code object, loaded from `path` and saved back when it grew."""

    def __init__(self, path: str | None, magic: bytes) -> None:
        self.path = path
        self.magic = magic  # the interpreter's bytecode version, first in the file
        self.codes: dict[str, CodeType] = _load(path, magic) if path is not None else {}
        self.added = 0

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """`exec` as `dataclasses` calls it, compiling each source text once."""
        if type(source) is not str:
            builtins.exec(source, globals, locals)
            return
        code = self.codes.get(source)
        if code is None:
            code = self.codes[source] = compile(source, "<string>", "exec")
            self.added += 1
            if self.added == 1 and self.path is not None and not sys.dont_write_bytecode:
                import atexit

                atexit.register(self.save)
        builtins.exec(code, globals, locals)

    def save(self) -> None:
        """Write the table atomically; a directory that cannot be written is skipped."""
        if self.path is None:
            return
        codes = self.codes
        if len(codes) > _MAX_ENTRIES:
            return
        try:
            data = self.magic + marshal.dumps(codes)
            directory = os.path.dirname(self.path)
            os.makedirs(directory, exist_ok=True)
            temporary = f"{self.path}.{os.getpid()}.tmp"
            with open(temporary, "wb") as handle:
                handle.write(data)
            os.replace(temporary, self.path)
        except (OSError, ValueError):
            return


def _load(path: str, magic: bytes) -> dict[str, CodeType]:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if not data.startswith(magic):
            return {}
        table = marshal.loads(data[len(magic) :])
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if type(table) is not dict or not all(
        type(source) is str and type(code) is CodeType for source, code in table.items()
    ):
        return {}
    return table


def _cache_path() -> str | None:
    """Where Python would put the bytecode of a module `_dataclass_methods` of this package."""
    from importlib.util import cache_from_source

    try:
        return cache_from_source(os.path.join(os.path.dirname(__file__), f"{_NAME}.py"))
    except (NotImplementedError, ValueError):  # no cache tag: this Python caches no bytecode
        return None


def install() -> None:
    """Let `dataclasses` compile through the cache (once per process)."""
    import dataclasses

    if isinstance(getattr(dataclasses, "exec", None), _BoundExec):
        return
    from importlib.util import MAGIC_NUMBER

    cache = _CodeCache(_cache_path(), MAGIC_NUMBER)
    dataclasses.exec = _BoundExec(cache)  # type: ignore[attr-defined]


class _BoundExec:
    """The cache's `exec`, recognisable so that `install` runs once."""

    __slots__ = ("cache",)

    def __init__(self, cache: _CodeCache) -> None:
        self.cache = cache

    def __call__(
        self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None
    ) -> None:
        self.cache.exec(source, globals, locals)
