"""The conversation with a model, in no provider's wire format: the adapters translate it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One tool call the model asked for. `problem` says why its arguments could not be read
    (not JSON, not an object): the call then fails back to the model."""

    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The call as a transcript and a script hold it."""
        data: dict[str, Any] = {"id": self.id, "name": self.name, "arguments": self.arguments}
        if self.problem is not None:
            data["problem"] = self.problem
        return data


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens one model request consumed."""

    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total(self) -> int:
        """Input and output tokens together."""
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class AssistantTurn:
    """What the model answered to one request: text, tool calls, why it stopped, its usage."""

    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    stop_reason: str = "end_turn"
    usage: Usage = Usage()


@dataclass(frozen=True, slots=True)
class UserText:
    """A message from the harness or the user: the task, a refused gate's failures."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What one tool call gave back to the model."""

    call_id: str
    name: str
    content: str
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class ToolResults:
    """The results of one turn's tool calls, in the order the model asked for them."""

    results: tuple[ToolResult, ...]


Message = UserText | AssistantTurn | ToolResults


def parse_arguments(raw: object) -> tuple[dict[str, Any], str | None]:
    """Tool-call arguments from a wire value (an object, or a JSON string as OpenAI sends
    them): `(arguments, None)`, or `({}, why they cannot be read)`."""
    if isinstance(raw, dict):
        return raw, None
    if raw is None or raw == "":
        return {}, None
    if not isinstance(raw, str):
        return {}, f"the arguments are a {type(raw).__name__}, not a JSON object"
    try:
        value = json.loads(raw)
    except ValueError as err:
        return {}, f"the arguments are not valid JSON ({err}): {raw[:200]!r}"
    if not isinstance(value, dict):
        return {}, f"the arguments are JSON but not an object: {raw[:200]!r}"
    return value, None
