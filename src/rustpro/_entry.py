"""The `rustpro` and `cargo-rustpro` commands (and `python -m rustpro`): the CLI, imported
without the cycle collector.

Importing the CLI creates tens of thousands of long-lived objects (modules, classes,
functions), and every few hundred allocations the cycle collector walked them all: a tenth
of a one-file audit's start-up, looking for garbage that is not there. The collector is off
while the CLI is imported; what was imported is then frozen (`gc.freeze`: never walked
again) and the collector runs as usual for the rest of the run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from rustpro._startup import collector_paused


def _imported(cargo: bool) -> Callable[[], NoReturn]:
    with collector_paused():
        from rustpro import cli
    return cli.cargo_main if cargo else cli.main


def main() -> NoReturn:
    """`rustpro` (`rustpro.cli.main`)."""
    _imported(cargo=False)()


def cargo_main() -> NoReturn:
    """`cargo-rustpro` (`rustpro.cli.cargo_main`)."""
    _imported(cargo=True)()
