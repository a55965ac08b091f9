"""A model service on 127.0.0.1 for the adapter tests, written from the public wire formats:
OpenAI chat completions (`POST /v1/chat/completions`, JSON or server-sent events) and
Anthropic Messages (`POST /v1/messages`, JSON or named server-sent events).

It answers each request with the next reply of its script: a `Turn` (rendered in the wire
format the request's path and `stream` flag ask for), a `Fault` (an HTTP error status) or
`Raw` bytes (a malformed answer). Streams are cut into small fragments on purpose: text in
pieces of a few characters, tool-call arguments in pieces that split JSON tokens, and the
fragments of two tool calls interleaved, so the adapters must put them together by index.
Every request is kept (path, headers, JSON body) for the tests to look at.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Turn:
    """An assistant turn: text, tool calls (`{"name": ..., "arguments": {...}}`), usage."""

    text: str = ""
    tool_calls: tuple[dict[str, Any], ...] = ()
    input_tokens: int = 100
    output_tokens: int = 20


@dataclass(frozen=True)
class Fault:
    """An HTTP error answer."""

    status: int
    message: str = "try again"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Raw:
    """Bytes sent as they are with status 200 (a malformed answer)."""

    body: bytes
    content_type: str = "application/json"


Reply = Turn | Fault | Raw


@dataclass
class Request:
    """One request the server received (header names in lower case)."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def openai_completion(turn: Turn, model: str, serial: int) -> dict[str, Any]:
    """A non-streamed chat completion."""
    message: dict[str, Any] = {"role": "assistant", "content": turn.text or None}
    if turn.tool_calls:
        message["tool_calls"] = [
            {
                "id": f"call_{serial}_{index}",
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["arguments"])},
            }
            for index, call in enumerate(turn.tool_calls)
        ]
    return {
        "id": f"chatcmpl-{serial}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if turn.tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": turn.input_tokens,
            "completion_tokens": turn.output_tokens,
            "total_tokens": turn.input_tokens + turn.output_tokens,
        },
    }


def openai_chunks(turn: Turn, model: str, serial: int, usage: bool) -> Iterator[dict[str, Any]]:
    """The same turn as `chat.completion.chunk` objects."""

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{serial}",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    for piece in _pieces(turn.text, 4) if turn.text else []:
        yield chunk({"content": piece})
    fragments: list[list[dict[str, Any]]] = []
    for index, call in enumerate(turn.tool_calls):
        head = {
            "index": index,
            "id": f"call_{serial}_{index}",
            "type": "function",
            "function": {"name": call["name"], "arguments": ""},
        }
        rest = [
            {"index": index, "function": {"arguments": piece}}
            for piece in _pieces(json.dumps(call["arguments"]), 5)
        ]
        fragments.append([head, *rest])
    # Interleave the calls' fragments: the adapter must group them by index.
    while any(fragments):
        for queue in fragments:
            if queue:
                yield chunk({"tool_calls": [queue.pop(0)]})
    yield chunk({}, "tool_calls" if turn.tool_calls else "stop")
    if usage:
        yield {
            "id": f"chatcmpl-{serial}",
            "object": "chat.completion.chunk",
            "created": 1_700_000_000,
            "model": model,
            "choices": [],
            "usage": {
                "prompt_tokens": turn.input_tokens,
                "completion_tokens": turn.output_tokens,
                "total_tokens": turn.input_tokens + turn.output_tokens,
            },
        }


def anthropic_message(turn: Turn, model: str, serial: int) -> dict[str, Any]:
    """A non-streamed Messages-API message."""
    content: list[dict[str, Any]] = []
    if turn.text:
        content.append({"type": "text", "text": turn.text})
    content.extend(
        {
            "type": "tool_use",
            "id": f"toolu_{serial}_{i}",
            "name": c["name"],
            "input": c["arguments"],
        }
        for i, c in enumerate(turn.tool_calls)
    )
    return {
        "id": f"msg_{serial}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": "tool_use" if turn.tool_calls else "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": turn.input_tokens, "output_tokens": turn.output_tokens},
    }


def anthropic_events(turn: Turn, model: str, serial: int) -> Iterator[dict[str, Any]]:
    """The same turn as Messages-API stream events."""
    yield {
        "type": "message_start",
        "message": {
            "id": f"msg_{serial}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": turn.input_tokens, "output_tokens": 1},
        },
    }
    yield {"type": "ping"}
    index = 0
    if turn.text:
        yield {
            "type": "content_block_start",
            "index": 0,
            "content_block": {"type": "text", "text": ""},
        }
        for piece in _pieces(turn.text, 4):
            yield {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": piece},
            }
        yield {"type": "content_block_stop", "index": 0}
        index = 1
    for offset, call in enumerate(turn.tool_calls):
        block = index + offset
        yield {
            "type": "content_block_start",
            "index": block,
            "content_block": {
                "type": "tool_use",
                "id": f"toolu_{serial}_{offset}",
                "name": call["name"],
                "input": {},
            },
        }
        for piece in _pieces(json.dumps(call["arguments"]), 5):
            yield {
                "type": "content_block_delta",
                "index": block,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
        yield {"type": "content_block_stop", "index": block}
    yield {
        "type": "message_delta",
        "delta": {
            "stop_reason": "tool_use" if turn.tool_calls else "end_turn",
            "stop_sequence": None,
        },
        "usage": {"output_tokens": turn.output_tokens},
    }
    yield {"type": "message_stop"}


class ModelServer:
    """The service: `with ModelServer([...]) as server:` then `server.url`."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._served = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                headers = {name.lower(): value for name, value in self.headers.items()}
                outer._answer(self, Request(self.path, headers, body))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ModelServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, handler: BaseHTTPRequestHandler, request: Request) -> None:
        with self._lock:
            self.requests.append(request)
            serial = self._served
            self._served += 1
            reply = self.replies.pop(0) if self.replies else Fault(500, "the script has ended")
        if isinstance(reply, Fault):
            payload: dict[str, Any] = {"error": {"type": "error", "message": reply.message}}
            if request.path.endswith("/messages"):
                payload = {
                    "type": "error",
                    "error": {"type": "api_error", "message": reply.message},
                }
            self._send(
                handler,
                reply.status,
                json.dumps(payload).encode(),
                "application/json",
                reply.headers,
            )
            return
        if isinstance(reply, Raw):
            self._send(handler, 200, reply.body, reply.content_type, ())
            return
        model = str(request.body.get("model", "test-model"))
        stream = bool(request.body.get("stream"))
        if request.path.endswith("/chat/completions"):
            if not stream:
                body = json.dumps(openai_completion(reply, model, serial)).encode()
                self._send(handler, 200, body, "application/json", ())
                return
            usage = bool((request.body.get("stream_options") or {}).get("include_usage"))
            lines = [
                f"data: {json.dumps(c)}\n\n" for c in openai_chunks(reply, model, serial, usage)
            ]
            self._stream(handler, [*lines, "data: [DONE]\n\n"])
            return
        if not stream:
            body = json.dumps(anthropic_message(reply, model, serial)).encode()
            self._send(handler, 200, body, "application/json", ())
            return
        events = [
            f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"
            for event in anthropic_events(reply, model, serial)
        ]
        self._stream(handler, events)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        content_type: str,
        headers: tuple[tuple[str, str], ...],
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    @staticmethod
    def _stream(handler: BaseHTTPRequestHandler, parts: list[str]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.end_headers()
        for part in parts:
            handler.wfile.write(part.encode())
            handler.wfile.flush()


@dataclass
class Script:
    """The same conversation for every adapter: turns as a scripted model reads them."""

    turns: list[Turn] = field(default_factory=list)

    def jsonl(self) -> str:
        """The turns as a `scripted:` file."""
        return "".join(
            json.dumps(
                {
                    "text": turn.text,
                    "tool_calls": list(turn.tool_calls),
                    "usage": {
                        "input_tokens": turn.input_tokens,
                        "output_tokens": turn.output_tokens,
                    },
                }
            )
            + "\n"
            for turn in self.turns
        )
