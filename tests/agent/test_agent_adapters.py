"""The OpenAI and Anthropic adapters, through the official SDKs, against a model service on
127.0.0.1 written from the public wire formats (tests/agent/model_server.py). No test calls a
network model."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from rustpro.agent.adapters.anthropic import AnthropicMessages
from rustpro.agent.adapters.base import ModelRequest
from rustpro.agent.adapters.openai import OpenAIChat
from rustpro.agent.conversation import UserText
from rustpro.agent.run import undo
from rustpro.errors import UsageError
from tests.agent.model_server import Fault, ModelServer, Raw, Reply, Script, Turn
from tests.agent.support import Ran, Runner, crate_copy
from tests.cli_support import run_cli_process

SECRET = "sk-test-9f8e7d6c5b4a3210"
KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
CONVERSATION = [
    Turn(
        "I will plan, then read the crate.",
        (
            {"name": "update_plan", "arguments": {"steps": [{"step": 1, "status": "in_progress"}]}},
            {"name": "read_file", "arguments": {"path": "src/lib.rs", "end_line": 3}},
            {"name": "search", "arguments": {"pattern": "fn \\w+\\(", "glob": "*.rs"}},
            {"name": "read_file", "arguments": {"path": "missing.rs"}},
        ),
        input_tokens=1200,
        output_tokens=80,
    ),
    Turn("", ({"name": "list_dir", "arguments": {"depth": 2}},), 1500, 30),
    Turn("The crate exposes `add` and `port`; nothing needs to change.", (), 1700, 25),
]


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    return crate_copy(tmp_path / "crate")


def base_url(server: ModelServer, provider: str) -> str:
    """The SDKs' base URL: OpenAI's includes `/v1`, Anthropic's does not."""
    return server.url + "/v1" if provider == "openai" else server.url


def run_against(
    runner: Runner, crate: Path, server: ModelServer, provider: str, stream: bool
) -> Ran:
    runner.env[KEY_VARIABLES[provider]] = SECRET
    return runner.run(
        crate,
        [],
        "What does this crate expose?",
        model=f"{provider}:test-model",
        base_url=base_url(server, provider),
        stream=stream,
    )


def story(ran: Ran) -> list[tuple[Any, ...]]:
    """What happened in a run, without the ids the services made up: the model's turns, the
    tool results in the order of the calls, how the run ended."""
    turns = [
        (r["text"], [(c["name"], c["arguments"]) for c in r["tool_calls"]], r["usage"])
        for r in ran.of("response")
    ]
    results = [(r["name"], r["ok"], r["content"]) for r in ran.results()]
    ends = [(r.get("verdict"), r.get("outcome")) for r in ran.of("gate") + ran.of("run_end")]
    return [*turns, *results, *ends]


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "streamed"])
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_one_conversation_makes_the_same_run_through_every_adapter(
    runner: Runner, crate: Path, tmp_path: Path, provider: str, stream: bool
) -> None:
    scripted_crate = crate_copy(tmp_path / "scripted")
    script = tmp_path / "conversation.jsonl"
    script.write_text(Script(CONVERSATION).jsonl())
    expected = story(runner.run(scripted_crate, [], model=f"scripted:{script}"))
    with ModelServer(list(CONVERSATION)) as server:
        ran = run_against(runner, crate, server, provider, stream)
    assert story(ran) == expected
    assert ran.result.exit_code == 0 and ran.result.outcome == "answered"
    assert len(server.requests) == 3
    assert all(request.body.get("stream", False) is stream for request in server.requests)
    # Streamed or not, the model's text is shown once.
    assert ran.output.count("The crate exposes `add` and `port`") == 1


def test_openai_wire_format(runner: Runner, crate: Path) -> None:
    with ModelServer(list(CONVERSATION)) as server:
        ran = run_against(runner, crate, server, "openai", stream=True)
    first, second = server.requests[0], server.requests[1]
    assert first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == f"Bearer {SECRET}"
    assert first.body["stream_options"] == {"include_usage": True}
    assert first.body["messages"][0]["role"] == "system"
    assert first.body["messages"][1] == {"role": "user", "content": "What does this crate expose?"}
    tool = next(t for t in first.body["tools"] if t["function"]["name"] == "read_file")
    assert tool["type"] == "function"
    assert tool["function"]["parameters"]["required"] == ["path"]
    assistant = second.body["messages"][2]
    assert assistant["role"] == "assistant"
    assert [c["id"] for c in assistant["tool_calls"]] == [f"call_0_{i}" for i in range(4)]
    # Arguments go back as JSON strings, as the model sent them.
    arguments = assistant["tool_calls"][1]["function"]["arguments"]
    assert isinstance(arguments, str) and json.loads(arguments) == {
        "path": "src/lib.rs",
        "end_line": 3,
    }
    replies = second.body["messages"][3:]
    assert [m["role"] for m in replies] == ["tool"] * 4
    assert [m["tool_call_id"] for m in replies] == [f"call_0_{i}" for i in range(4)]
    assert replies[3]["content"] == "error: no such file"
    assert ran.of("response")[0]["usage"] == {"input_tokens": 1200, "output_tokens": 80}


def test_anthropic_wire_format(runner: Runner, crate: Path) -> None:
    with ModelServer(list(CONVERSATION)) as server:
        ran = run_against(runner, crate, server, "anthropic", stream=True)
    first, second = server.requests[0], server.requests[1]
    assert first.path == "/v1/messages"
    # Older SDKs send the key as x-api-key, newer ones as a bearer token.
    sent = first.headers.get("x-api-key") or first.headers.get("authorization", "")
    assert sent.removeprefix("Bearer ") == SECRET
    assert "anthropic-version" in first.headers
    assert isinstance(first.body["system"], str) and "rustpro agent" in first.body["system"]
    assert first.body["max_tokens"] > 0
    tool = next(t for t in first.body["tools"] if t["name"] == "search")
    assert tool["input_schema"]["required"] == ["pattern"]
    assistant, results = second.body["messages"][1], second.body["messages"][2]
    assert assistant["role"] == "assistant"
    assert assistant["content"][0] == {"type": "text", "text": "I will plan, then read the crate."}
    uses = assistant["content"][1:]
    assert [u["type"] for u in uses] == ["tool_use"] * 4
    assert uses[2]["input"] == {"pattern": "fn \\w+\\(", "glob": "*.rs"}
    assert results["role"] == "user"
    assert [b["tool_use_id"] for b in results["content"]] == [f"toolu_0_{i}" for i in range(4)]
    assert [b["is_error"] for b in results["content"]] == [False, False, False, True]
    assert ran.of("response")[0]["stop_reason"] == "tool_use"
    assert ran.of("response")[-1]["stop_reason"] == "end_turn"


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_streamed_text_arrives_in_pieces_and_tool_calls_are_put_together(
    provider: str,
) -> None:
    turn = Turn(
        "Reading two files at once.",
        (
            {"name": "read_file", "arguments": {"path": "src/lib.rs", "start_line": 10}},
            {"name": "search", "arguments": {"pattern": '"quoted" {braces}'}},
        ),
    )
    pieces: list[str] = []
    with ModelServer([turn]) as server:
        adapter = _adapter(provider, base_url(server, provider), stream=True)
        answer = adapter.complete(ModelRequest("system", [UserText("go")], []), pieces.append)
    assert len(pieces) > 1 and "".join(pieces) == turn.text == answer.text
    assert [(c.name, c.arguments) for c in answer.tool_calls] == [
        (call["name"], call["arguments"]) for call in turn.tool_calls
    ]
    assert (answer.usage.input_tokens, answer.usage.output_tokens) == (100, 20)


def _adapter(provider: str, url: str, *, stream: bool, retries: int = 2) -> Any:
    kind = OpenAIChat if provider == "openai" else AnthropicMessages
    return kind("test-model", api_key=SECRET, base_url=url, max_retries=retries, stream=stream)


RETRY_SOON = (("retry-after-ms", "1"),)


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_http_429_and_500_are_retried_by_the_sdk(
    runner: Runner, crate: Path, provider: str
) -> None:
    replies: list[Reply] = [
        Fault(429, "rate limited", RETRY_SOON),
        Fault(500, "internal error", RETRY_SOON),
        Turn("Nothing to change."),
    ]
    with ModelServer(replies) as server:
        ran = run_against(runner, crate, server, provider, stream=False)
    assert ran.result.exit_code == 0
    assert len(server.requests) == 3


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_service_that_keeps_failing_ends_the_run_and_loses_nothing(
    runner: Runner, crate: Path, provider: str
) -> None:
    write = {"name": "write_file", "arguments": {"path": "new.rs", "content": "fn f() {}\n"}}
    replies: list[Reply] = [Turn("Writing.", (write,)), *[Fault(500, "down", RETRY_SOON)] * 3]
    with ModelServer(replies) as server:
        ran = run_against(runner, crate, server, provider, stream=False)
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    assert len(server.requests) == 4  # the second turn: one try and the SDK's two retries
    assert ran.errors.count("\n") == 1
    assert ran.errors.startswith("rustpro: error: the model could not be asked: ")
    assert "answered HTTP 500: down" in ran.errors
    # Nothing lost: the transcript has the write and the end, and undo restores the tree.
    assert ran.results("write_file")[0]["ok"] and ran.of("run_end")[0]["outcome"] == "failed"
    assert undo(crate).removed == ["new.rs"] and not (crate / "new.rs").exists()


@pytest.mark.parametrize(
    "body",
    [b"<html>bad gateway</html>", b"{}", b'{"choices": [], "content": "nope"}'],
    ids=["not-json", "empty", "wrong-shape"],
)
@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_a_malformed_response_is_one_line_and_exit_1(
    runner: Runner, crate: Path, provider: str, body: bytes
) -> None:
    with ModelServer([Raw(body)]) as server:
        ran = run_against(runner, crate, server, provider, stream=False)
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    assert "sent a malformed response" in ran.result.summary
    assert ran.errors.count("\n") == 1 and "Traceback" not in ran.errors


def test_a_rejected_key_is_a_configuration_error_and_the_key_is_never_shown(
    runner: Runner, crate: Path
) -> None:
    echo = Fault(401, f"Incorrect API key provided: {SECRET}")
    with ModelServer([echo]) as server:
        ran = run_against(runner, crate, server, "openai", stream=False)
    assert ran.result.exit_code == 2
    assert "answered HTTP 401: Incorrect API key provided: [redacted]" in ran.errors
    transcript = ran.result.transcript.read_text() if ran.result.transcript else ""
    for text in (ran.errors, ran.output, transcript, ran.result.summary):
        assert SECRET not in text


def test_a_hosted_service_without_a_key_is_a_configuration_error(
    runner: Runner, crate: Path
) -> None:
    with pytest.raises(
        UsageError, match="no API key for anthropic:claude-x: set ANTHROPIC_API_KEY"
    ):
        runner.run(crate, [], model="anthropic:claude-x")


def test_a_local_server_needs_no_key(runner: Runner, crate: Path) -> None:
    with ModelServer([Turn("Fine.")]) as server:
        ran = runner.run(crate, [], model="openai:llama", base_url=server.url + "/v1")
    assert ran.result.exit_code == 0
    assert server.requests[0].headers["authorization"] == "Bearer no-key-needed"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_connection_is_one_line_and_exit_1(tmp_path: Path) -> None:
    crate = crate_copy(tmp_path / "crate")
    config = tmp_path / "agent.toml"
    config.write_text("max-retries = 0\n")
    transcript = tmp_path / "transcript.jsonl"
    done = run_cli_process(
        [
            "agent",
            "--workspace",
            str(crate),
            "--model",
            "openai:test-model",
            "--base-url",
            f"http://127.0.0.1:{free_port()}/v1",
            "--transcript",
            str(transcript),
            "--non-interactive",
            "Explain the crate.",
        ],
        env={
            "RUSTPRO_AGENT_CONFIG": str(config),
            "RUSTPRO_CACHE_DIR": str(tmp_path / "cache"),
            "OPENAI_API_KEY": SECRET,
        },
    )
    assert done.code == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rustpro: error: the model could not be asked")
    assert "cannot reach the OpenAI-compatible service" in lines[0]
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert [r["type"] for r in records] == ["run_start", "request", "run_end"]
    assert SECRET not in transcript.read_text() + done.stdout + done.stderr
