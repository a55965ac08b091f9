"""What a person watching the run sees: the model's text (as it arrives, on a terminal),
each tool call, the plan when it changes, the gate's verdicts and how the run ended.

Everything shown goes through the same redaction as the transcript.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, TextIO

from rustpro.agent.transcript import Redactor

_MAX_ARGUMENT = 60


def _depth(agent: str) -> int:
    return agent.count("/")


def describe_call(name: str, arguments: Mapping[str, Any]) -> str:
    """`read_file src/lib.rs`, `cargo test tests::x`: a call on one line."""
    if name == "cargo":
        parts = [str(arguments.get("command", "")), str(arguments.get("package") or "")]
        parts.append(str(arguments.get("test_filter") or ""))
        if arguments.get("check"):
            parts.append("--check")
        return "cargo " + " ".join(p for p in parts if p)
    if name == "search":
        return f"search /{arguments.get('pattern', '')}/ in {arguments.get('path', '.')}"
    if name == "update_plan":
        return "update_plan"
    if name == "delegate":
        return f"delegate: {_cut(str(arguments.get('task', '')))}"
    if name == "ask_user":
        return f"ask_user: {_cut(str(arguments.get('question', '')))}"
    for key in ("path", "rule"):
        if key in arguments:
            return f"{name} {_cut(str(arguments[key]))}"
    return name


def _cut(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_ARGUMENT else flat[: _MAX_ARGUMENT - 3] + "..."


class Console:
    """Renders the run's events as lines of text on `stream`."""

    def __init__(self, stream: TextIO, redactor: Redactor, *, streaming: bool) -> None:
        self.stream = stream
        self.redactor = redactor
        self.streaming = streaming
        self._lock = threading.Lock()
        self._mid_line = False
        # Streamed text that might be the start of a secret, until the next piece tells.
        self._held = ""

    def text(self, agent: str, piece: str) -> None:
        """A piece of the model's text, printed as it arrives (streaming only)."""
        if not self.streaming:
            return
        with self._lock:
            shown, self._held = self.redactor.split_safe(self._held + piece)
            self._write(shown)
            self._mid_line = not (shown + self._held).endswith("\n")

    def show(self, kind: str, agent: str, fields: Mapping[str, Any]) -> None:
        """Print what a person should see of one event."""
        lines = self._lines(kind, agent, fields)
        indent = "    " * _depth(agent)
        with self._lock:
            if self._held:  # the streamed text is over: what was held back is not a secret
                self._write(self.redactor.text(self._held))
                self._held = ""
            if not lines:
                return
            if self._mid_line:
                self._write("\n")
                self._mid_line = False
            for line in lines:
                self._write(self.redactor.text(f"{indent}{line}") + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def _lines(self, kind: str, agent: str, f: Mapping[str, Any]) -> list[str]:
        if kind == "run_start":
            return [
                f"rustpro agent: {f.get('task', '')}",
                f"  model {f.get('model')}, persona {f.get('persona', {}).get('name')}, "
                f"workspace {f.get('workspace')}",
            ]
        if kind == "response":
            text = str(f.get("text") or "").strip()
            if self.streaming or not text:
                return []
            return [
                f"{agent}: {line}" if i == 0 else f"  {line}"
                for i, line in enumerate(text.splitlines())
            ]
        if kind == "tool_call":
            return [f"-> {describe_call(str(f.get('name')), f.get('arguments') or {})}"]
        if kind == "tool_result":
            first = str(f.get("content") or "").strip().splitlines()[:1]
            if not f.get("ok"):
                return [f"   x {first[0] if first else 'failed'}"]
            if f.get("name") in ("cargo", "verify", "delegate") and first:
                return [f"   {first[0]}"]
            return []
        if kind == "plan":
            return ["plan:", *(f"  {line}" for line in str(f.get("text", "")).splitlines())]
        if kind == "snapshot":
            return [
                f"recorded the starting state for the gate ({f.get('files')} files, "
                f"{f.get('declared_tests')} tests)"
            ]
        if kind == "ask_user" and f.get("answer") is None:
            return [
                f"? {f.get('question')}",
                f"  (non-interactive: assuming {f.get('assumption')})",
            ]
        if kind == "approval" and not f.get("approved"):
            return [f"   declined: {f.get('call')}"]
        if kind == "gate":
            return self._gate(f)
        if kind == "agent_start":
            return [f"sub-agent {agent} starts: {_cut(str(f.get('task', '')))}"]
        if kind == "agent_end":
            return [f"sub-agent {agent} {f.get('outcome')}: {_cut(str(f.get('reason', '')))}"]
        if kind == "budget" and f.get("exhausted"):
            return [f"budget: {f.get('exhausted')}"]
        if kind == "run_end":
            return [f"rustpro agent: {f.get('summary')} (exit {f.get('exit_code')})"]
        return []

    def _gate(self, f: Mapping[str, Any]) -> list[str]:
        verdict = f.get("verdict")
        if verdict == "not-needed":
            return [f"gate: not run ({f.get('reason')})"]
        if verdict == "error":
            return [f"gate: could not run: {f.get('reason')}"]
        attempt = f"attempt {f.get('attempt')} of at most {f.get('max_attempts')}"
        head = f"gate: {str(verdict).upper()} ({attempt})"
        report = str(f.get("report") or "").rstrip().splitlines()
        return [head, *(f"  {line}" for line in report)]
