"""What every model adapter offers the loop, and the one error type they raise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rustpro.agent.conversation import AssistantTurn, Message

# Receives the model's text as it arrives (streaming), or all of it at once.
TextSink = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ToolDefinition:
    """A tool as the model sees it: one JSON Schema, translated by each adapter."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One request: the system prompt, the conversation so far, the tools on offer. `agent`
    names the agent asking (`main`, `main/1`), so a script can check it is in step."""

    system: str
    messages: Sequence[Message]
    tools: Sequence[ToolDefinition]
    agent: str = "main"
    # Seconds the request may take (the run's remaining wall time), None for the default.
    timeout: float | None = None


class ModelAdapter(Protocol):
    """A model: asked with a request, answers with one assistant turn."""

    @property
    def model(self) -> str:
        """The model's name as its service knows it (prices are looked up by it)."""
        ...

    def complete(self, request: ModelRequest, on_text: TextSink | None = None) -> AssistantTurn:
        """The model's next turn; raises `ModelError` when it cannot be had."""
        ...


def short(text: str, limit: int = 300) -> str:
    """`text` on one line, cut to `limit` characters (a service's error body can be a page)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
