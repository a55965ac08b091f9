"""The `delegate` tool: a sub-agent with a fresh context, some of the tools and a budget of
its own, whose final message is all that comes back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rustpro.agent.budget import Limits
from rustpro.agent.tools.base import Tool, integer, schema, string

DEFAULT_SUB_AGENT_TURNS = 10
# Tools a sub-agent gets when the delegating agent names none: it reads, nothing more.
READ_ONLY_TOOLS = ("list_dir", "read_file", "search", "audit", "profile", "explain")


@dataclass(frozen=True, slots=True)
class Delegation:
    """What the delegating agent asked for."""

    task: str
    tools: tuple[str, ...]
    limits: Limits


def delegate_tool(offered: Sequence[str], spawn: Callable[[Delegation], str]) -> Tool:
    """`delegate`, offering the sub-agent the tools in `offered`."""

    def delegate(args: dict[str, Any]) -> str:
        tools = args.get("tools")
        chosen = tuple(tools) if tools else tuple(t for t in READ_ONLY_TOOLS if t in offered)
        limits = Limits(
            turns=int(args.get("max_turns", DEFAULT_SUB_AGENT_TURNS)),
            tokens=args.get("max_tokens"),
            cost=args.get("max_cost"),
            seconds=args.get("max_seconds"),
        )
        return spawn(Delegation(args["task"], chosen, limits))

    return Tool(
        "delegate",
        "Hand a self-contained task to a sub-agent: it starts with a fresh context (give it "
        "everything it needs in the task), uses only the tools you list and its own budget, "
        "and its final message is returned to you.",
        schema(
            {"task": string("The complete task for the sub-agent.")},
            {
                "tools": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(offered)},
                    "description": "Its tools (default: the read-only ones).",
                },
                "max_turns": integer(f"Its turn budget (default {DEFAULT_SUB_AGENT_TURNS}).", 1),
                "max_tokens": integer("Its token budget.", 1),
                "max_cost": {"type": "number", "description": "Its budget in USD.", "minimum": 0},
                "max_seconds": {
                    "type": "number",
                    "description": "Its wall time in seconds.",
                    "minimum": 1,
                },
            },
        ),
        "serial",
        delegate,
    )
