"""The spinner on stderr that shows which cargo step runs and for how long."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class StepProgress:
    """A transient one-line spinner per step; silent when stderr is not a terminal or when
    `enabled` is False (`--quiet`), so logs and CI output stay clean."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        """`console` defaults to stderr; a console is shown only when it is a terminal."""
        console = console or Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not (enabled and console.is_terminal),
        )

    def __enter__(self) -> StepProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        """Show `description` with a spinner and elapsed time while the block runs."""
        task = self._progress.add_task(description, total=None)
        try:
            yield
        finally:
            self._progress.remove_task(task)
