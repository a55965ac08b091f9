"""Helpers for the agent's tests: scripted turns, a run in this process, its records."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustpro.agent.run import AgentOptions, RunResult, Terminal, run_agent
from rustpro.agent.transcript import read_records

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VERIFIABLE = FIXTURES / "cargo" / "verifiable"
AGENT_FIXTURES = FIXTURES / "agent"
# Checks the gate leaves out in tests that are not about cargo: it then reads sources only.
NO_CARGO = frozenset({"build", "fmt"})


def call(name: str, **arguments: Any) -> dict[str, Any]:
    """A tool call in a script."""
    return {"name": name, "arguments": arguments}


def turn(text: str = "", *calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An assistant turn in a script (`agent=`, `usage=` as keywords)."""
    return {"text": text, "tool_calls": list(calls), **extra}


def write_script(path: Path, turns: list[dict[str, Any]]) -> Path:
    """The turns as a `scripted:` JSONL file."""
    path.write_text("".join(json.dumps(t) + "\n" for t in turns), encoding="utf-8")
    return path


def crate_copy(destination: Path, source: Path = VERIFIABLE) -> Path:
    """A copy of a fixture crate (not a git repository)."""
    shutil.copytree(source, destination)
    return destination


@dataclass
class Ran:
    """A finished run: its result, transcript records and what it printed."""

    result: RunResult
    records: list[dict[str, Any]]
    output: str
    errors: str = ""

    def of(self, kind: str, agent: str | None = None) -> list[dict[str, Any]]:
        """The records of one type (of one agent)."""
        return [
            r for r in self.records if r["type"] == kind and (agent is None or r["agent"] == agent)
        ]

    def results(self, name: str | None = None) -> list[dict[str, Any]]:
        """The tool results (of one tool), in the order the calls were made (parallel calls
        may finish in any order)."""
        done = {(r["agent"], r["id"]): r for r in self.of("tool_result")}
        ordered = [done[(c["agent"], c["id"])] for c in self.of("tool_call")]
        return [r for r in ordered if name is None or r["name"] == name]


@dataclass
class Runner:
    """Runs scripted agents in a temporary directory."""

    tmp: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(
        self,
        workspace: Path,
        turns: list[dict[str, Any]],
        task: str = "Do the task.",
        *,
        terminal: Terminal | None = None,
        **overrides: Any,
    ) -> Ran:
        """Run the agent with a scripted model playing `turns`."""
        script = write_script(self.tmp / "script.jsonl", turns)
        transcript = self.tmp / "transcript.jsonl"
        settings: dict[str, Any] = {
            "model": f"scripted:{script}",
            "transcript": transcript,
            "non_interactive": True,
            "stream": False,
            "gate_skip": NO_CARGO,
        }
        settings.update(overrides)
        out, err = io.StringIO(), io.StringIO()
        terminal = terminal or Terminal(out=out, err=err, env=self.environment())
        result = run_agent(AgentOptions(task=task, workspace=workspace, **settings), terminal)
        return Ran(result, read_records(transcript), out.getvalue(), err.getvalue())

    def environment(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """An environment without the user's settings: the config file is in the test dir."""
        return {"RUSTPRO_AGENT_CONFIG": str(self.tmp / "agent.toml"), **self.env, **(extra or {})}
