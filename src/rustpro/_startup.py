"""Imports without the cycle collector: what every run pays before its first file.

Importing modules creates thousands of long-lived objects (functions, classes, code), and
every few hundred allocations the cycle collector walked them all, looking for garbage that
is not there: 36 collections and about 5 ms of a one-file audit. Start-up code imports under
`collector_paused()`, which turns the collector off and then freezes what was imported
(`gc.freeze`: never walked again); the collector runs as usual for the rest of the run.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


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
