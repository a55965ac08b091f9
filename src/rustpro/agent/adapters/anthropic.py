"""The Anthropic Messages API through the official `anthropic` SDK.

Wire shapes: the system prompt is a parameter of its own; tools go as `{name, description,
input_schema}`; the model's content is a list of blocks (`text`, `tool_use` with an `id`,
`name` and `input` object) and `stop_reason` says why it stopped (`tool_use`, `end_turn`,
`max_tokens`); results go back in a `user` message as `tool_result` blocks naming the
`tool_use_id`. Streamed, `message_start` carries the input usage, each block opens with
`content_block_start` (a tool_use block with its id and name), grows by
`content_block_delta` events (`text_delta` text, `input_json_delta` fragments of the input's
JSON) and closes with `content_block_stop`; `message_delta` carries the `stop_reason` and the
output usage, `message_stop` ends the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

DEFAULT_MAX_OUTPUT_TOKENS = 8192


class AnthropicMessages:
    """A model behind the Messages API."""

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
        self._sdk = import_sdk("anthropic")
        self._model = model
        self._stream = stream
        self._max_output_tokens = max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS
        self._service = f"the Anthropic service at {base_url or 'api.anthropic.com'}"
        self._client = self._sdk.Anthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries
        )

    @property
    def model(self) -> str:
        """The model name sent with every request."""
        return self._model

    def complete(self, request: ModelRequest, on_text: TextSink | None = None) -> AssistantTurn:
        """One message, streamed when asked; raises `ModelError`."""
        params: dict[str, Any] = {
            "model": self._model,
            "max_tokens": self._max_output_tokens,
            "system": request.system,
            "messages": wire_messages(request.messages),
        }
        if request.tools:
            params["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters}
                for t in request.tools
            ]
        if request.timeout is not None:
            params["timeout"] = request.timeout
        try:
            if self._stream:
                events = self._client.messages.create(**params, stream=True)
                return turn_from_events((as_dict(event) for event in events), on_text)
            turn = turn_from_message(as_dict(self._client.messages.create(**params)))
        except self._sdk.AnthropicError as err:
            raise explain_error(self._sdk, err, self._service) from None
        except (AttributeError, TypeError, ValueError, KeyError) as err:
            raise ModelError(f"{self._service} sent a malformed response: {err}") from None
        if on_text is not None and turn.text:
            on_text(turn.text)
        return turn


def wire_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """The conversation as Messages-API messages; consecutive messages of one role are
    merged (the API wants user and assistant to alternate)."""
    wire: list[dict[str, Any]] = []
    for message in messages:
        role, blocks = _blocks(message)
        if wire and wire[-1]["role"] == role:
            wire[-1]["content"].extend(blocks)
        else:
            wire.append({"role": role, "content": blocks})
    return wire


def _blocks(message: Message) -> tuple[str, list[dict[str, Any]]]:
    if isinstance(message, UserText):
        return "user", [{"type": "text", "text": message.text}]
    if isinstance(message, ToolResults):
        return "user", [
            {
                "type": "tool_result",
                "tool_use_id": result.call_id,
                "content": result.content,
                "is_error": result.is_error,
            }
            for result in message.results
        ]
    blocks: list[dict[str, Any]] = []
    if message.text:
        blocks.append({"type": "text", "text": message.text})
    blocks.extend(
        {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        for call in message.tool_calls
    )
    return "assistant", blocks or [{"type": "text", "text": "(no text)"}]


def turn_from_message(data: dict[str, Any]) -> AssistantTurn:
    """A non-streamed message as a turn; raises `ValueError` when it has no content list."""
    content = data.get("content")
    if not isinstance(content, list):
        raise ValueError("no content blocks")
    text: list[str] = []
    calls: list[ToolCall] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            text.append(str(block.get("text") or ""))
        elif block.get("type") == "tool_use":
            arguments, problem = parse_arguments(block.get("input"))
            calls.append(
                ToolCall(
                    str(block.get("id") or ""), str(block.get("name") or ""), arguments, problem
                )
            )
    usage = data.get("usage") or {}
    return AssistantTurn(
        "".join(text),
        tuple(calls),
        str(data.get("stop_reason") or ("tool_use" if calls else "end_turn")),
        Usage(int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)),
    )


def turn_from_events(events: Iterable[dict[str, Any]], on_text: TextSink | None) -> AssistantTurn:
    """A streamed message as a turn: text passed on as it arrives, each tool_use block's
    input put together from its JSON fragments."""
    blocks: dict[int, dict[str, str]] = {}
    stop_reason = ""
    input_tokens = output_tokens = 0
    for event in events:
        kind = event.get("type")
        if kind == "message_start":
            usage = (event.get("message") or {}).get("usage") or {}
            input_tokens = int(usage.get("input_tokens") or 0)
            output_tokens = int(usage.get("output_tokens") or 0)
        elif kind == "content_block_start":
            start = event.get("content_block") or {}
            blocks[int(event.get("index") or 0)] = {
                "type": str(start.get("type") or ""),
                "text": str(start.get("text") or ""),
                "id": str(start.get("id") or ""),
                "name": str(start.get("name") or ""),
                "json": "",
            }
        elif kind == "content_block_delta":
            block = blocks.setdefault(
                int(event.get("index") or 0),
                {"type": "text", "text": "", "id": "", "name": "", "json": ""},
            )
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta":
                piece = str(delta.get("text") or "")
                block["text"] += piece
                if on_text is not None and piece:
                    on_text(piece)
            elif delta.get("type") == "input_json_delta":
                block["json"] += str(delta.get("partial_json") or "")
        elif kind == "message_delta":
            stop_reason = str((event.get("delta") or {}).get("stop_reason") or stop_reason)
            usage = event.get("usage") or {}
            output_tokens = int(usage.get("output_tokens") or output_tokens)
            input_tokens = int(usage.get("input_tokens") or input_tokens)
    text = "".join(b["text"] for _, b in sorted(blocks.items()) if b["type"] == "text")
    calls = []
    for _, block in sorted(blocks.items()):
        if block["type"] != "tool_use":
            continue
        arguments, problem = parse_arguments(block["json"] or "{}")
        calls.append(ToolCall(block["id"], block["name"], arguments, problem))
    reason = stop_reason or ("tool_use" if calls else "end_turn")
    return AssistantTurn(text, tuple(calls), reason, Usage(input_tokens, output_tokens))
