"""Stopping early: SIGTERM and Ctrl-C end rustpro and its worker processes together.

Left to their defaults, SIGTERM killed rustpro at once (no cleanup: pool workers went on
reading files for minutes) and Ctrl-C in a terminal reached every worker too, each printing
a traceback. So while a command runs, SIGTERM (and SIGHUP) raise `Terminated` in the main
thread as SIGINT raises `KeyboardInterrupt`; workers ignore SIGINT and are stopped by the
parent (`stop_workers`), which then exits 128 + the signal (143 for SIGTERM, 130 for
Ctrl-C) with one line on stderr.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# The operating system's signal calls, from the module `signal` wraps: importing `signal`
# also builds three enums of every signal name (a hundredth of a one-file audit's start-up),
# which only the stop message and the workers use (they import `signal` when they run).
# Its `signal()` is the one `signal.signal` calls, with and returning plain numbers.
_os_signals: Any = importlib.import_module("_signal")

EXIT_INTERRUPTED: int = 128 + _os_signals.SIGINT  # 130
# Signals that ask rustpro to stop (SIGTERM: `kill`, a CI timeout; SIGHUP: the terminal went).
STOP_SIGNALS: tuple[int, ...] = (_os_signals.SIGTERM, _os_signals.SIGHUP)

# prctl(2): have the kernel send this signal to a worker when its parent dies.
_PR_SET_PDEATHSIG = 1


class Terminated(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so that the guards
    that keep one rule's bug from sinking an audit (`except Exception`) let it through."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal, as a shell reports a process the signal killed (143: SIGTERM)."""
        return 128 + self.signum

    @property
    def message(self) -> str:
        """The one line rustpro prints: `rustpro: stopped by SIGTERM`."""
        import signal

        return f"rustpro: stopped by {signal.Signals(self.signum).name}"


def _handlers_replaced(signums: tuple[int, ...], handler: Any) -> dict[int, Any]:
    """Set `handler` for each of `signums`; the handlers it replaced. None are set off the
    main thread, where Python refuses to set any (`ValueError`): asking it, rather than
    `threading`, spares every start importing `threading`."""
    previous: dict[int, Any] = {}
    try:
        for signum in signums:
            previous[signum] = _os_signals.signal(signum, handler)
    except ValueError:
        _handlers_restored(previous)  # none: the first call fails off the main thread
        return {}
    return previous


def _handlers_restored(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        _os_signals.signal(signum, handler)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_as_exception() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise `Terminated` in the main thread (so `with`
    blocks and `finally` clauses run, and the workers are stopped) instead of killing the
    process on the spot."""
    previous = _handlers_replaced(STOP_SIGNALS, _raise_terminated)
    try:
        yield
    finally:
        _handlers_restored(previous)


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that leave stopping to the parent (`stop_workers`)."""
    # Imported here: a run on one worker (or a small crate) never starts a pool, and
    # concurrent.futures with multiprocessing costs some 20 ms of imports.
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),)
    )


def _init_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the workers, which must not
    # each print a traceback. SIGTERM gets its default back (the parent's handler came along
    # with the fork): a terminated worker just ends.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    # A parent killed outright (SIGKILL) cannot stop its workers: let the kernel do it.
    if sys.platform.startswith("linux"):
        import ctypes  # here, not at the top: only workers need it, and it costs every start

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request was in place
            os._exit(0)


def close_pool(pool: ProcessPoolExecutor, *, interrupted: bool) -> None:
    """Shut `pool` down: after its work is done, or at once when the run was `interrupted`."""
    if interrupted:
        stop_workers(pool)
    else:
        pool.shutdown(wait=True, cancel_futures=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End `pool`'s workers now, without waiting for the files they hold."""
    with _signals_ignored():
        _results_unblocked(pool)
        # `_processes` is the executor's table of worker processes (CPython 3.8-3.13;
        # 3.14 adds `terminate_workers()` for this).
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


def _results_unblocked(pool: ProcessPoolExecutor) -> None:
    """Let the executor's manager thread end once the workers are gone.

    A worker ended while it sent a result leaves that thread reading the rest of the message
    for ever (the parent holds a writing end of the results pipe too, so no end of file
    comes), and the interpreter's exit waits for the thread: rustpro hung after the signal
    instead of stopping. With the parent's writing end closed (nothing in the parent writes
    results), the read ends when the last worker does, the executor counts itself broken,
    and its thread ends. `_result_queue` is the executor's results queue, as `_processes` is
    its table of workers (CPython 3.8-3.13)."""
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    close = getattr(writer, "close", None)
    if callable(close):
        with contextlib.suppress(OSError):
            close()


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """A second Ctrl-C or SIGTERM must not cut the stopping short and leave workers behind:
    rustpro is on its way out already."""
    previous = _handlers_replaced(_STOPS, _os_signals.SIG_IGN)
    try:
        yield
    finally:
        _handlers_restored(previous)


_STOPS: tuple[int, ...] = (_os_signals.SIGINT, *STOP_SIGNALS)
