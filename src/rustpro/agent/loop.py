"""One agent's loop: ask the model, run the tools it calls, repeat until it finishes.

The loop stops when the model answers without calling a tool (finished), when a budget is
used up, or when the same failing call was made three times (stopped). A model that cannot
be reached raises `ModelError`; the run decides what that means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from rustpro.agent.adapters.base import ModelAdapter, ModelRequest
from rustpro.agent.budget import Budget, Exhaustion
from rustpro.agent.conversation import Message, ToolResults, UserText
from rustpro.agent.dispatch import FailureGuard, ToolExecutor
from rustpro.agent.events import Events
from rustpro.agent.tools.base import Tool


@dataclass(frozen=True, slots=True)
class LoopEnd:
    """How a stretch of the loop ended: `finished` (the model said it is done) or `stopped`
    (a budget, or repeated failures), with the model's last text."""

    status: Literal["finished", "stopped"]
    text: str
    reason: str
    exhaustion: Exhaustion | None = None


@dataclass(slots=True)
class AgentLoop:
    """An agent: its model, prompt, tools, budget and conversation."""

    agent: str
    model: ModelAdapter
    system: str
    tools: Mapping[str, Tool]
    executor: ToolExecutor
    budget: Budget
    events: Events
    guard: FailureGuard
    messages: list[Message] = field(default_factory=list)
    last_text: str = ""

    def say(self, text: str) -> None:
        """Add a message from the user or the harness (the task, a refused gate)."""
        self.messages.append(UserText(text))

    def run(self) -> LoopEnd:
        """Run until the model finishes or the loop must stop; raises `ModelError`."""
        definitions = [tool.definition() for tool in self.tools.values()]
        while True:
            exhausted = self.budget.exhausted()
            if exhausted is not None:
                self.events.emit(
                    "budget",
                    self.agent,
                    exhausted=exhausted.describe(),
                    budget=self.budget.summary(),
                )
                return LoopEnd("stopped", self.last_text, exhausted.describe(), exhausted)
            self.events.emit(
                "request",
                self.agent,
                turn=self.budget.turns + 1,
                model=self.model.model,
                messages=len(self.messages),
                tools=[d.name for d in definitions],
            )
            request = ModelRequest(
                self.system,
                list(self.messages),
                definitions,
                agent=self.agent,
                timeout=self.budget.seconds_left(),
            )
            turn = self.model.complete(request, lambda piece: self.events.text(self.agent, piece))
            self.budget.charge(turn.usage)
            self.events.emit(
                "response",
                self.agent,
                turn=self.budget.turns,
                text=turn.text,
                tool_calls=[call.to_json() for call in turn.tool_calls],
                stop_reason=turn.stop_reason,
                usage={
                    "input_tokens": turn.usage.input_tokens,
                    "output_tokens": turn.usage.output_tokens,
                },
            )
            self.events.emit("budget", self.agent, exhausted=None, budget=self.budget.summary())
            self.messages.append(turn)
            if turn.text.strip():
                self.last_text = turn.text
            if not turn.tool_calls:
                return LoopEnd("finished", turn.text, "the model finished")
            results = self.executor.run(turn.tool_calls)
            self.messages.append(ToolResults(tuple(results)))
            if self.guard.tripped is not None:
                return LoopEnd("stopped", self.last_text, self.guard.tripped)
