"""Running one model turn's tool calls.

Calls are taken in the model's order and cut into groups: a run of consecutive read-only
calls is one group and runs in parallel (threads); every write or serial call is a group of
its own. So a read asked for after a write sees the write, and writes happen in the order
the model gave them. Anything that goes wrong in a call (unknown tool, bad arguments, a
refused path, a tool that raises) becomes that call's result, marked as an error: the
model reads it and can correct itself; the run never crashes on it.

`FailureGuard` watches for the same failing call (same tool, same arguments) made again and
again: the third time, the run stops.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rustpro.agent.console import describe_call
from rustpro.agent.conversation import ToolCall, ToolResult
from rustpro.agent.events import Events
from rustpro.agent.tools.base import Kind, Tool, ToolFailure, check_arguments
from rustpro.errors import ModelError, RustproError

REPEATED_FAILURE_LIMIT = 3
MAX_PARALLEL = 8
# What the transcript keeps of one result (the model gets all of it).
MAX_RECORDED_RESULT = 20_000

Confirm = Callable[[str], bool]


class FailureGuard:
    """Counts failed calls by tool and arguments; trips on the third identical failure."""

    def __init__(self, limit: int = REPEATED_FAILURE_LIMIT) -> None:
        self.limit = limit
        self.tripped: str | None = None
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def note(self, call: ToolCall, ok: bool) -> None:
        """Count the call if it failed."""
        if ok:
            return
        key = call.name + "\0" + json.dumps(call.arguments, sort_keys=True, default=str)
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            if self._counts[key] >= self.limit and self.tripped is None:
                self.tripped = (
                    f"the same failing call was made {self.limit} times: "
                    f"{describe_call(call.name, call.arguments)}"
                )


class Approver:
    """--approve: `auto` asks nothing, `edits` asks before each write, `all` before every
    call."""

    def __init__(self, mode: str = "auto", confirm: Confirm | None = None) -> None:
        self.mode = mode
        self.confirm = confirm

    def needed(self, kind: Kind) -> bool:
        """Whether a call of this kind must be approved first."""
        return self.mode == "all" or (self.mode == "edits" and kind == "write")


@dataclass(slots=True)
class _Prepared:
    """A tool call read and checked, ready to run (or to answer with its error)."""

    index: int
    call: ToolCall
    tool: Tool | None
    kind: Kind
    error: str | None


class ToolExecutor:
    """Runs tool calls for one agent."""

    def __init__(
        self,
        tools: Mapping[str, Tool],
        events: Events,
        agent: str,
        *,
        approver: Approver,
        guard: FailureGuard,
        epoch: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tools = tools
        self.events = events
        self.agent = agent
        self.approver = approver
        self.guard = guard
        self.epoch = epoch
        self.clock = clock

    def run(self, calls: Sequence[ToolCall]) -> list[ToolResult]:
        """Every call's result, in the order of `calls`."""
        prepared = [self._prepare(index, call) for index, call in enumerate(calls)]
        results: dict[int, ToolResult] = {}
        for number, group in enumerate(_groups(prepared), start=1):
            parallel = len(group) > 1
            for item in group:
                self.events.emit(
                    "tool_call",
                    self.agent,
                    id=item.call.id,
                    name=item.call.name,
                    arguments=item.call.arguments,
                    access=item.kind,
                    group=number,
                    parallel=parallel,
                )
            runnable = [item for item in group if self._approved(item)]
            if parallel and len(runnable) > 1:
                with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(runnable))) as pool:
                    for item, result in zip(
                        runnable, pool.map(self._execute, runnable), strict=True
                    ):
                        results[item.index] = result
            else:
                for item in runnable:
                    results[item.index] = self._execute(item)
            for item in group:
                if item.index not in results:  # declined
                    results[item.index] = self._finish(
                        item, "the user declined this call", False, self.clock()
                    )
        return [results[index] for index in range(len(calls))]

    def _prepare(self, index: int, call: ToolCall) -> _Prepared:
        if call.problem is not None:
            return _Prepared(index, call, None, "read", f"the call cannot be read: {call.problem}")
        tool = self.tools.get(call.name)
        if tool is None:
            known = ", ".join(sorted(self.tools))
            return _Prepared(
                index, call, None, "read", f"unknown tool `{call.name}` (yours: {known})"
            )
        try:
            check_arguments(tool.parameters, call.arguments)
        except ToolFailure as err:
            return _Prepared(index, call, None, "read", f"{call.name}: {err}")
        return _Prepared(index, call, tool, tool.kind_for(call.arguments), None)

    def _approved(self, item: _Prepared) -> bool:
        if item.tool is None or not self.approver.needed(item.kind):
            return True
        description = describe_call(item.call.name, item.call.arguments)
        confirm = self.approver.confirm
        approved = confirm(description) if confirm is not None else False
        self.events.emit(
            "approval", self.agent, id=item.call.id, call=description, approved=approved
        )
        return approved

    def _execute(self, item: _Prepared) -> ToolResult:
        started = self.clock()
        if item.tool is None:
            return self._finish(item, item.error or "failed", False, started)
        try:
            content = item.tool.run(dict(item.call.arguments))
            ok = True
        except ToolFailure as err:
            content, ok = str(err), False
        except ModelError:
            raise  # a sub-agent's model failed: the run's model is gone, not one call
        except RustproError as err:
            content, ok = str(err), False
        except RecursionError:
            content, ok = f"internal error in {item.call.name}: input nested too deeply", False
        except Exception as err:  # a bug in a tool must not end the run
            content, ok = f"internal error in {item.call.name}: {type(err).__name__}: {err}", False
        return self._finish(item, content, ok, started)

    def _finish(self, item: _Prepared, content: str, ok: bool, started: float) -> ToolResult:
        ended = self.clock()
        text = content if ok else f"error: {content}"
        self.events.emit(
            "tool_result",
            self.agent,
            id=item.call.id,
            name=item.call.name,
            ok=ok,
            content=text[:MAX_RECORDED_RESULT],
            started=round(started - self.epoch, 4),
            seconds=round(ended - started, 4),
        )
        self.guard.note(item.call, ok)
        return ToolResult(item.call.id, item.call.name, text, is_error=not ok)


def _groups(prepared: Sequence[_Prepared]) -> list[list[_Prepared]]:
    groups: list[list[_Prepared]] = []
    for item in prepared:
        if item.kind == "read" and groups and all(g.kind == "read" for g in groups[-1]):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups
