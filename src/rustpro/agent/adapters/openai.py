"""OpenAI-compatible chat completions (OpenAI, vLLM, llama.cpp's server, Ollama, LM Studio)
through the official `openai` SDK.

Wire shapes: tools go as `{"type": "function", "function": {name, description, parameters}}`;
the model's tool calls come back in `message.tool_calls` with `function.arguments` as a JSON
*string*; each result goes back as a `{"role": "tool", "tool_call_id": ...}` message. Streamed,
each chunk's `choices[0].delta` carries a piece of text or pieces of tool calls, grouped by
their `index` (the id and name come first, the arguments arrive in fragments); with
`stream_options.include_usage` a last chunk with no choices carries the usage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rustpro.agent.adapters.base import ModelRequest, TextSink
from rustpro.agent.adapters.sdk import as_dict, explain_error, import_sdk
from rustpro.agent.conversation import (
    AssistantTurn,
    Message,
    ToolCall,
    ToolResults,
    Usage,
    UserText,
    parse_arguments,
)
from rustpro.errors import ModelError

# finish_reason -> the stop reasons the loop knows (Anthropic's names).
_STOP_REASONS = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}


class OpenAIChat:
    """A model behind a chat-completions endpoint."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str,
        base_url: str | None,
        max_retries: int,
        stream: bool,
        max_output_tokens: int | None = None,
    ) -> None:
        self._sdk = import_sdk("openai")
        self._model = model
        self._stream = stream
        self._max_output_tokens = max_output_tokens
        self._service = f"the OpenAI-compatible service at {base_url or 'api.openai.com'}"
        self._client = self._sdk.OpenAI(api_key=api_key, base_url=base_url, max_retries=max_retries)

    @property
    def model(self) -> str:
        """The model name sent with every request."""
        return self._model

    def complete(self, request: ModelRequest, on_text: TextSink | None = None) -> AssistantTurn:
        """One chat completion, streamed when asked; raises `ModelError`."""
        params: dict[str, Any] = {
            "model": self._model,
            "messages": wire_messages(request.system, request.messages),
        }
        if request.tools:
            params["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.parameters,
                    },
                }
                for tool in request.tools
            ]
        if self._max_output_tokens is not None:
            params["max_tokens"] = self._max_output_tokens
        if request.timeout is not None:
            params["timeout"] = request.timeout
        try:
            if self._stream:
                chunks = self._client.chat.completions.create(
                    **params, stream=True, stream_options={"include_usage": True}
                )
                return turn_from_chunks((as_dict(chunk) for chunk in chunks), on_text)
            response = self._client.chat.completions.create(**params)
            turn = turn_from_response(as_dict(response))
        except self._sdk.OpenAIError as err:
            raise explain_error(self._sdk, err, self._service) from None
        except (AttributeError, TypeError, ValueError, KeyError) as err:
            raise ModelError(f"{self._service} sent a malformed response: {err}") from None
        if on_text is not None and turn.text:
            on_text(turn.text)
        return turn


def wire_messages(system: str, messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The conversation as chat-completions messages."""
    wire: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for message in messages:
        if isinstance(message, UserText):
            wire.append({"role": "user", "content": message.text})
        elif isinstance(message, ToolResults):
            wire.extend(
                {"role": "tool", "tool_call_id": result.call_id, "content": result.content}
                for result in message.results
            )
        else:
            entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
            if message.tool_calls:
                entry["tool_calls"] = [
                    {
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
                    }
                    for call in message.tool_calls
                ]
            wire.append(entry)
    return wire


def turn_from_response(data: dict[str, Any]) -> AssistantTurn:
    """A non-streamed completion as a turn; raises `ValueError` when it has no message."""
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ValueError("no choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise ValueError("no message")
    calls = []
    for index, raw in enumerate(message.get("tool_calls") or []):
        function = raw.get("function") or {}
        arguments, problem = parse_arguments(function.get("arguments"))
        calls.append(
            ToolCall(
                str(raw.get("id") or f"call_{index}"),
                str(function.get("name") or ""),
                arguments,
                problem,
            )
        )
    return AssistantTurn(
        text=str(message.get("content") or ""),
        tool_calls=tuple(calls),
        stop_reason=_stop_reason(choices[0].get("finish_reason"), calls),
        usage=_usage(data.get("usage")),
    )


def turn_from_chunks(chunks: Any, on_text: TextSink | None) -> AssistantTurn:
    """A streamed completion as a turn: text passed on as it arrives, tool calls put
    together by their index."""
    text: list[str] = []
    slots: dict[int, dict[str, str]] = {}
    finish: str | None = None
    usage: Usage = Usage()
    for chunk in chunks:
        if chunk.get("usage"):
            usage = _usage(chunk["usage"])
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            piece = delta.get("content")
            if piece:
                text.append(piece)
                if on_text is not None:
                    on_text(piece)
            for fragment in delta.get("tool_calls") or []:
                slot = slots.setdefault(
                    int(fragment.get("index") or 0), {"id": "", "name": "", "arguments": ""}
                )
                if fragment.get("id"):
                    slot["id"] = str(fragment["id"])
                function = fragment.get("function") or {}
                if function.get("name") and not slot["name"]:
                    slot["name"] = str(function["name"])
                if function.get("arguments"):
                    slot["arguments"] += str(function["arguments"])
            if choice.get("finish_reason"):
                finish = str(choice["finish_reason"])
    calls = []
    for index in sorted(slots):
        slot = slots[index]
        arguments, problem = parse_arguments(slot["arguments"])
        calls.append(ToolCall(slot["id"] or f"call_{index}", slot["name"], arguments, problem))
    return AssistantTurn("".join(text), tuple(calls), _stop_reason(finish, calls), usage)


def _stop_reason(finish: object, calls: list[ToolCall]) -> str:
    if isinstance(finish, str) and finish in _STOP_REASONS:
        return _STOP_REASONS[finish]
    return "tool_use" if calls else "end_turn"


def _usage(raw: object) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    return Usage(int(raw.get("prompt_tokens") or 0), int(raw.get("completion_tokens") or 0))
