"""How every rustpro command ends: one line on stderr and an exit status for whatever escapes
it, never a traceback.

Two entry points run commands: click's command tree (`rustpro.cli.main`) and the click-free
`rustpro audit` (`rustpro._fastpath`). Both end here, so an interruption, a stop signal, a
rustpro error or a bug reads the same whichever way the command line was read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, Protocol

from rustpro.errors import RustproError
from rustpro.outcome import EXIT_ERROR
from rustpro.stopping import EXIT_INTERRUPTED, Terminated, terminate_as_exception


class Echo(Protocol):
    """`click.echo`, or `rustpro.audit_command.echo` (the same output without click)."""

    def __call__(self, message: str, *, err: bool = ...) -> None: ...


def run_guarded(command: Callable[[], object], echo: Echo) -> NoReturn:
    """Run `command` with stop signals raised as `Terminated`, and exit: with its own
    `sys.exit` status, 0 when it returns, else the status of what escaped it."""
    try:
        with terminate_as_exception():
            command()
    except KeyboardInterrupt:
        stop_tools()
        echo("rustpro: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Terminated as stop:
        stop_tools()
        echo(stop.message, err=True)
        sys.exit(stop.exit_status)
    except RustproError as err:
        echo(f"rustpro: error: {err}", err=True)
        sys.exit(EXIT_ERROR)
    except RecursionError:
        echo("rustpro: internal error: input nested too deeply", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as err:  # the last guard: one line, never a traceback
        echo(f"rustpro: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(0)


def aborted(echo: Echo) -> NoReturn:
    """The end of input where a command asked for more (click's `Abort` without Ctrl-C)."""
    echo("rustpro: aborted", err=True)
    sys.exit(EXIT_ERROR)


def stop_tools() -> None:
    """Kill whatever cargo full mode started (only loaded when full mode ran)."""
    runner = sys.modules.get("rustpro.toolchain.runner")
    stop_all = getattr(runner, "stop_all", None)
    if callable(stop_all):
        stop_all()
