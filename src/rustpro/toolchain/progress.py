"""Progress of the cargo steps on stderr: a spinner on a terminal, plain lines elsewhere."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class StepProgress:
    """Shows which step runs. On a terminal: a transient one-line spinner per step with its
    elapsed time. Elsewhere (CI logs, a pipe): one line when a step starts and one when it
    ends, so a long build is visibly alive. Nothing when `enabled` is False (`--quiet`).
    rich is imported only for the spinner: its import costs a tenth of a second before cargo
    starts."""

    def __init__(
        self, enabled: bool = True, console: Console | None = None, lines: TextIO | None = None
    ) -> None:
        """`console` (default: stderr) gets the spinner when it is a terminal; otherwise
        `lines` (default: stderr) gets the plain lines."""
        self._progress: Progress | None = None
        self._lines: TextIO | None = None
        self._lock = threading.Lock()
        if not enabled:
            return
        if console is None and not _stderr_may_be_terminal():
            self._lines = lines if lines is not None else sys.stderr
            return
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = console or Console(stderr=True)
        if not console.is_terminal:
            self._lines = lines if lines is not None else sys.stderr
            return
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def __enter__(self) -> StepProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        """Show `description` while the block runs."""
        if self._lines is not None:
            with self._logged(description):
                yield
            return
        progress = self._progress
        if progress is None:
            yield
            return
        task = progress.add_task(description, total=None)
        try:
            yield
        finally:
            progress.remove_task(task)

    @contextmanager
    def _logged(self, description: str) -> Iterator[None]:
        self._say(f"{description} ...")
        started = time.perf_counter()
        outcome = "stopped"
        try:
            yield
            outcome = "done"
        finally:
            self._say(f"{description}: {outcome} in {time.perf_counter() - started:.1f} s")

    def _say(self, text: str) -> None:
        stream = self._lines
        if stream is None:
            return
        with self._lock:
            try:
                stream.write(f"rustpro: {text}\n")
                stream.flush()
            except (OSError, ValueError):  # a closed or broken stderr must not stop the audit
                self._lines = None


def _stderr_may_be_terminal() -> bool:
    """False only when rich would surely not treat stderr as a terminal either."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
