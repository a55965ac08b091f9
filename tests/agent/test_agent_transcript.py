"""The transcript: every record follows the documented schema (docs/agent-transcript.md,
tests/schemas/agent-transcript-v1.schema.json), secrets never appear in it, and a
transcript replays as a script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.agent.support import Ran, Runner, call, crate_copy, turn

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "agent-transcript-v1.schema.json"
SECRET = "sk-live-0123456789abcdef"


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    return crate_copy(tmp_path / "crate")


def busy_script() -> list[dict[str, Any]]:
    """A run that uses most of the event types."""
    return [
        turn(
            "Planning and reading.",
            call("update_plan", steps=[{"step": 1, "status": "in_progress"}]),
            call("read_file", path="src/lib.rs"),
            call("search", pattern="fn "),
            call("ask_user", question="Saturate or wrap?", assumption="saturate"),
        ),
        turn("", call("delegate", task="Count the tests.", max_turns=2)),
        turn("Two tests.", agent="main/1"),
        turn(
            "Editing.",
            call("write_file", path="notes.md", content="the key is " + SECRET + "\n"),
            call("read_file", path="missing.rs"),
        ),
        turn("Done: notes written."),
    ]


def test_every_record_follows_the_schema(runner: Runner, crate: Path) -> None:
    ran = runner.run(crate, busy_script())
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for record in ran.records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert not errors, (record, errors)
    kinds = {r["type"] for r in ran.records}
    assert kinds >= {
        "run_start",
        "request",
        "response",
        "tool_call",
        "tool_result",
        "plan",
        "ask_user",
        "agent_start",
        "agent_end",
        "snapshot",
        "gate",
        "budget",
        "run_end",
    }
    assert [r["seq"] for r in ran.records] == list(range(1, len(ran.records) + 1))
    assert ran.of("gate")[-1]["verdict"] == "pass"


def test_secrets_never_reach_the_transcript_or_the_console(runner: Runner, crate: Path) -> None:
    runner.env["SERVICE_API_KEY"] = SECRET
    ran = runner.run(crate, busy_script())
    text = ran.result.transcript.read_text(encoding="utf-8") if ran.result.transcript else ""
    assert SECRET not in text and SECRET not in ran.output
    assert "the key is [redacted]" in text
    # The file the model wrote is the model's business: it is written as asked.
    assert SECRET in (crate / "notes.md").read_text()


def test_a_transcript_replays_as_a_script(runner: Runner, crate: Path, tmp_path: Path) -> None:
    first = runner.run(crate, busy_script())
    replay_crate = crate_copy(tmp_path / "replay")
    again = Runner(tmp_path / "second")
    again.tmp.mkdir()
    second = again.run(replay_crate, [], model=f"scripted:{first.result.transcript}")

    def story(ran: Ran) -> list[tuple[Any, ...]]:
        # Tool results in the order of the calls: parallel calls may finish in any order.
        turns = [(r["agent"], r["text"], r["tool_calls"]) for r in ran.of("response")]
        results = [(r["agent"], r["name"], r["ok"], r["content"]) for r in ran.results()]
        return [*turns, *results, *((g["verdict"],) for g in ran.of("gate"))]

    assert story(second) == story(first)
    assert second.result.exit_code == first.result.exit_code == 0
