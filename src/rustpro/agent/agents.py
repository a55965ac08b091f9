"""The agents of one run: the main agent and the sub-agents it (and they) delegate to.

Names follow the tree: `main`, its first sub-agent `main/1`, that one's second `main/1/2`.
Depth is limited to 2 (the main agent's sub-agents may delegate once more; theirs may not).
A sub-agent gets the tools it was given (never more than its parent has, never the plan,
which is the main agent's), a fresh conversation, the persona with the sub-agent rules, and
a budget of its own that is also charged to its parent's.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rustpro.agent.adapters.base import ModelAdapter
from rustpro.agent.budget import Budget
from rustpro.agent.dispatch import Approver, FailureGuard, ToolExecutor
from rustpro.agent.events import Events
from rustpro.agent.loop import AgentLoop
from rustpro.agent.persona import AgentDefinition, system_prompt
from rustpro.agent.tools.base import Tool
from rustpro.agent.tools.delegate import Delegation, delegate_tool

MAX_DEPTH = 2
# The main agent's own: a sub-agent never gets them.
MAIN_ONLY = frozenset({"update_plan"})


@dataclass(slots=True)
class Crew:
    """Builds agents that share the run's model, tools, events and failure guard."""

    model: ModelAdapter
    definition: AgentDefinition
    tools: Mapping[str, Tool]
    events: Events
    guard: FailureGuard
    approver: Approver
    epoch: float
    _children: dict[str, int] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def main_agent(self, allowed: Sequence[str], budget: Budget) -> AgentLoop:
        """The main agent, with the tools in `allowed`."""
        return self._agent("main", 0, allowed, budget)

    def _agent(self, name: str, depth: int, allowed: Sequence[str], budget: Budget) -> AgentLoop:
        tools = {tool: self.tools[tool] for tool in allowed if tool in self.tools}
        if depth < MAX_DEPTH and "delegate" in allowed:
            offered = [t for t in allowed if t not in MAIN_ONLY]
            if depth + 1 >= MAX_DEPTH:
                offered = [t for t in offered if t != "delegate"]
            tools["delegate"] = delegate_tool(
                offered,
                lambda request: self._delegate(name, depth, offered, budget, request),
            )
        executor = ToolExecutor(
            tools,
            self.events,
            name,
            approver=self.approver,
            guard=self.guard,
            epoch=self.epoch,
        )
        return AgentLoop(
            agent=name,
            model=self.model,
            system=system_prompt(self.definition, sub_agent=depth > 0),
            tools=tools,
            executor=executor,
            budget=budget,
            events=self.events,
            guard=self.guard,
        )

    def _delegate(
        self,
        parent: str,
        depth: int,
        offered: Sequence[str],
        budget: Budget,
        request: Delegation,
    ) -> str:
        with self._lock:
            number = self._children.get(parent, 0) + 1
            self._children[parent] = number
        name = f"{parent}/{number}"
        tools = [t for t in request.tools if t in offered]
        child_budget = budget.child(name, request.limits)
        self.events.emit(
            "agent_start",
            name,
            task=request.task,
            tools=tools,
            limits={
                "turns": request.limits.turns,
                "tokens": request.limits.tokens,
                "cost": request.limits.cost,
                "seconds": request.limits.seconds,
            },
        )
        loop = self._agent(name, depth + 1, tools, child_budget)
        loop.say(request.task)
        end = loop.run()
        self.events.emit(
            "agent_end",
            name,
            outcome=end.status,
            reason=end.reason,
            text=end.text,
            budget=child_budget.summary(),
        )
        if end.status == "finished":
            return end.text or "(the sub-agent finished without a message)"
        last = f" Its last message: {loop.last_text}" if loop.last_text else ""
        return f"The sub-agent stopped before finishing: {end.reason}.{last}"
