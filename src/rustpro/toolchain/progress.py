"""The spinner on stderr that shows which cargo step runs and for how long."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


class StepProgress:
    """A transient one-line spinner per step; silent when stderr is not a terminal or when
    `enabled` is False (`--quiet`), so logs and CI output stay clean. rich is imported only
    when the spinner may be shown: its import costs a tenth of a second before cargo starts."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        """`console` defaults to stderr; a console is shown only when it is a terminal."""
        self._progress: Progress | None = None
        if not enabled or (console is None and not _stderr_may_be_terminal()):
            return
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
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
        """Show `description` with a spinner and elapsed time while the block runs."""
        progress = self._progress
        if progress is None:
            yield
            return
        task = progress.add_task(description, total=None)
        try:
            yield
        finally:
            progress.remove_task(task)


def _stderr_may_be_terminal() -> bool:
    """False only when rich would surely not treat stderr as a terminal either."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
