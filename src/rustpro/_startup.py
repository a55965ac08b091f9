"""Imports without the cycle collector: what every run pays before its first file.

Importing modules creates thousands of long-lived objects (functions, classes, code), and
every few hundred allocations the cycle collector walked them all, looking for garbage that
is not there: 36 collections and about 5 ms of a one-file audit. Start-up code imports under
`collector_paused()`, which turns the collector off and then freezes what was imported
(`gc.freeze`: never walked again); the collector runs as usual for the rest of the run.
"""

from __future__ import annotations

import gc
import importlib
import importlib.machinery
import sys
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cycle collector off; if it imported modules, freeze every
    object alive after it (they live as long as the process, like the modules)."""
    enabled = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if len(sys.modules) != modules:  # later runs in one process import nothing
            gc.freeze()
        if enabled:
            gc.enable()


class _Deferred(types.ModuleType):
    """A module's stand-in: its first attribute read imports the module and answers from it
    (and from then on the stand-in holds the module's names)."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._module(), attribute)

    def _module(self) -> types.ModuleType:
        """The module itself, imported now if need be (the stand-in then holds its names)."""
        if sys.modules.get(self.__name__) is self:  # read inside `imports_deferred`'s block
            del sys.modules[self.__name__]
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return module


class _DeferredPlain(_Deferred):
    """The stand-in of a module that is not a package: `from NAME import f` asks it for
    `__path__` (a package's submodules could be imported), which must not import it."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "__path__":
            raise AttributeError(attribute)
        return super().__getattr__(attribute)


def _forwarder(stand_in: _Deferred, name: str) -> Callable[..., Any]:
    """A function that calls the function `name` of the module `stand_in` stands for,
    importing the module at the first call."""

    def forwarded(*args: Any, **kwargs: Any) -> Any:
        return getattr(stand_in._module(), name)(*args, **kwargs)

    forwarded.__name__ = forwarded.__qualname__ = name
    return forwarded


@contextmanager
def imports_deferred(
    *names: str, functions: Mapping[str, tuple[str, ...]] | None = None
) -> Iterator[None]:
    """Run the block with `import NAME` binding a stand-in for each module of `names` not yet
    imported; the stand-in imports the module when the code that imported it reads it. A
    module (not package) of `functions` gets one too, for code that imports only the
    functions listed (`from NAME import f`): it is given a function that imports the module
    at its first call and calls the module's own.

    Some standard modules import others at the top that they read only on rare paths:
    `dataclasses` reads `inspect` (which imports `ast`, `dis`, `tokenize`...) only for a
    class without a docstring, and `pathlib` calls `urllib.parse` (which imports
    `ipaddress`) only for `as_uri` (`rustpro/__init__.py` lists them all). Importing those
    was a tenth of a one-file audit's start-up. Only
    the block's imports see the stand-ins: they leave `sys.modules` with the block, so any
    later `import NAME` gets the module itself. (`importlib.util.LazyLoader` cannot do this
    here: an `import` statement reads the module's `__spec__`, which loads it.)
    """
    forwarded = functions or {}
    deferred = [name for name in (*names, *forwarded) if name not in sys.modules]
    for name in deferred:
        stand_in = _DeferredPlain(name) if name in forwarded else _Deferred(name)
        stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)
        for function in forwarded.get(name, ()):
            setattr(stand_in, function, _forwarder(stand_in, function))
        sys.modules[name] = stand_in
    try:
        yield
    finally:
        for name in deferred:
            if isinstance(sys.modules.get(name), _Deferred):
                del sys.modules[name]
