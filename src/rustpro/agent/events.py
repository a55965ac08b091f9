"""The run's events, each written to the transcript and shown on the console."""

from __future__ import annotations

from typing import Any

from rustpro.agent.console import Console
from rustpro.agent.transcript import Transcript


class Events:
    """Sends each event to the transcript and the console (either may be absent)."""

    def __init__(self, transcript: Transcript | None, console: Console | None) -> None:
        self.transcript = transcript
        self.console = console

    def emit(self, kind: str, agent: str = "main", **fields: Any) -> None:
        """Record and show one event."""
        if self.transcript is not None:
            self.transcript.write(kind, agent, fields)
        if self.console is not None:
            self.console.show(kind, agent, fields)

    def text(self, agent: str, piece: str) -> None:
        """A piece of streamed model text (console only: the response record has it all)."""
        if self.console is not None:
            self.console.text(agent, piece)
