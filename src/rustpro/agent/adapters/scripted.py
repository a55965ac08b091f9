"""`scripted:FILE`: a model that replays assistant turns from a file (tests, the offline demo).

The file is JSONL, one assistant turn per line:

    {"text": "Reading the crate first.", "tool_calls": [{"name": "read_file",
     "arguments": {"path": "src/lib.rs"}}], "usage": {"input_tokens": 900, "output_tokens": 40}}

`text`, `tool_calls` (each with `name`, `arguments` and an optional `id`), `usage` and
`stop_reason` are optional; `agent` (`main`, `main/1` for the first sub-agent, ...) checks
that the turn is asked for by the agent it was written for. Blank lines and lines starting
with `#` are skipped, so a script can say what each turn is for. A transcript written by
`rustpro agent` is a script too: its `response` records are replayed in order.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from rustpro.agent.adapters.base import ModelRequest, TextSink
from rustpro.agent.conversation import AssistantTurn, ToolCall, Usage, parse_arguments
from rustpro.errors import ModelError, UsageError


class ScriptedModel:
    """Replays the turns of a script, one per request, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._turns = load_script(path)
        self._next = 0
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """`scripted` (the price table may give it a price, for budget tests)."""
        return "scripted"

    @property
    def played(self) -> int:
        """How many turns were replayed so far."""
        return self._next

    def complete(self, request: ModelRequest, on_text: TextSink | None = None) -> AssistantTurn:
        """The script's next turn; raises `ModelError` when it has none left or the turn was
        written for another agent."""
        with self._lock:
            if self._next >= len(self._turns):
                raise ModelError(
                    f"the script {self.path} has no turn left ({self._next} played); "
                    f"{request.agent} asked for another"
                )
            number = self._next + 1
            agent, turn = self._turns[self._next]
            if agent is not None and agent != request.agent:
                raise ModelError(
                    f"the script {self.path} is out of step: turn {number} was written for "
                    f"{agent}, but {request.agent} asked for it"
                )
            self._next += 1
        if on_text is not None and turn.text:
            on_text(turn.text)
        return turn


def load_script(path: Path) -> list[tuple[str | None, AssistantTurn]]:
    """The turns of a script or transcript file: `(agent or None, turn)`; raises
    `UsageError` (one line, exit 2) when the file cannot be read as one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read the script {path}: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise UsageError(f"the script {path} is not UTF-8 text") from None
    records: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            record = json.loads(stripped)
        except ValueError as err:
            raise UsageError(f"{path}:{number}: not a JSON object ({err})") from None
        if not isinstance(record, dict):
            raise UsageError(f"{path}:{number}: not a JSON object")
        records.append((number, record))
    if any("type" in record for _, record in records):
        # A transcript: its responses, in order.
        records = [(n, r) for n, r in records if r.get("type") == "response"]
    turns = [(_agent(record), _turn(path, number, record)) for number, record in records]
    if not turns:
        raise UsageError(f"the script {path} holds no assistant turn")
    return turns


def _agent(record: dict[str, Any]) -> str | None:
    agent = record.get("agent")
    return agent if isinstance(agent, str) else None


def _turn(path: Path, number: int, record: dict[str, Any]) -> AssistantTurn:
    raw_calls = record.get("tool_calls") or []
    if not isinstance(raw_calls, list):
        raise UsageError(f"{path}:{number}: tool_calls is not a list")
    calls = []
    for index, raw in enumerate(raw_calls):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise UsageError(f"{path}:{number}: tool call {index + 1} has no name")
        arguments, problem = parse_arguments(raw.get("arguments"))
        call_id = str(raw.get("id") or f"call_{number}_{index + 1}")
        calls.append(ToolCall(call_id, raw["name"], arguments, problem))
    usage = record.get("usage") or {}
    if not isinstance(usage, dict):
        raise UsageError(f"{path}:{number}: usage is not an object")
    stop = record.get("stop_reason") or ("tool_use" if calls else "end_turn")
    return AssistantTurn(
        text=str(record.get("text") or ""),
        tool_calls=tuple(calls),
        stop_reason=str(stop),
        usage=Usage(int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)),
    )
