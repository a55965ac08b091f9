"""The `rustpro` and `cargo-rustpro` commands (and `python -m rustpro`): the CLI, imported
without the cycle collector, and a process that ends without tearing the interpreter down.

A plain `rustpro audit` command line is read without click (`rustpro._fastpath`: importing
click and building the command tree was an eighth of a one-file audit); any other goes to the
click CLI, `rustpro.cli`.

Importing the CLI creates tens of thousands of long-lived objects (modules, classes,
functions), and every few hundred allocations the cycle collector walked them all: a tenth
of a one-file audit's start-up, looking for garbage that is not there. The collector is off
while the CLI is imported; what was imported is then frozen (`gc.freeze`: never walked
again) and the collector runs as usual for the rest of the run (`rustpro._startup`).

When the command is done, the interpreter's own exit would free every module and object one
by one and run a last collection: a twentieth of a one-file audit, for memory the operating
system takes back anyway. `_ended` does what that exit does that anyone can see (the
`atexit` handlers, flushing stdout and stderr, the exit status) and ends the process there;
with another thread alive, an exit status that is not a number, an interactive session
after the script, or a profiler or tracer watching, the interpreter exits as usual.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn

from rustpro._startup import collector_paused


def _imported(cargo: bool) -> Callable[[], NoReturn]:
    """The command to run: a plain audit without click (`rustpro._fastpath`), else the CLI."""
    argv = sys.argv[1:]
    if cargo and argv[:1] == ["rustpro"]:  # cargo passes the subcommand's name first
        argv = argv[1:]
    with collector_paused():
        from rustpro import _fastpath

        fast = _fastpath.command(argv)
        if fast is not None:
            return fast
        from rustpro import cli
    return cli.cargo_main if cargo else cli.main


def _ended(command: Callable[[], NoReturn]) -> NoReturn:
    """Run `command` (which ends by `sys.exit`), then end the process as Python would."""
    try:
        command()
    except SystemExit as done:
        status = 0 if done.code is None else done.code
        if type(status) is not int or sys.flags.inspect or _other_threads() or _observed():
            raise
        import atexit
        import os

        atexit._run_exitfuncs()  # what the interpreter's exit runs first (then none are left)
        try:
            for stream in (sys.stdout, sys.stderr):
                if stream is not None:
                    stream.flush()
        except (OSError, ValueError):
            raise done from None  # the interpreter's exit reports it, as it always did
        os._exit(status)


def _observed() -> bool:
    """Whether a profiler or tracer watches the run (`python -m cProfile -m rustpro`, a
    debugger, coverage): they report when the interpreter exits, after this function."""
    return sys.getprofile() is not None or sys.gettrace() is not None


def _other_threads() -> bool:
    """Whether a thread other than this one is alive (the interpreter's exit waits for it)."""
    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def main() -> NoReturn:
    """`rustpro` (`rustpro.cli.main`)."""
    _ended(_imported(cargo=False))


def cargo_main() -> NoReturn:
    """`cargo-rustpro` (`rustpro.cli.cargo_main`)."""
    _ended(_imported(cargo=True))
