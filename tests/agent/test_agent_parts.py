"""The agent's parts on their own: .gitignore rules, argument checks, cargo's trimmed
output, budgets and prices, settings, redaction, wire conversions, the plan."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from rustpro.agent.adapters import anthropic, openai
from rustpro.agent.budget import Budget, Limits, Price, PriceTable
from rustpro.agent.console import Console
from rustpro.agent.conversation import (
    AssistantTurn,
    Message,
    ToolCall,
    ToolResult,
    ToolResults,
    Usage,
    UserText,
)
from rustpro.agent.ignore import IgnoreRules, walk
from rustpro.agent.plan import Plan
from rustpro.agent.settings import load_settings
from rustpro.agent.tools.base import ToolFailure, check_arguments, integer, schema, string
from rustpro.agent.tools.cargo import MAX_OUTPUT_CHARS, trim
from rustpro.agent.tools.files import file_tools
from rustpro.agent.transcript import Redactor
from rustpro.agent.undo import Journal
from rustpro.agent.workspace import Workspace
from rustpro.errors import ConfigError


def make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_gitignore_rules_as_git_reads_them(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            ".gitignore": "# build output\ntarget/\n*.log\n!keep.log\n/build\ndocs/**/gen\n",
            "src/lib.rs": "",
            "src/build/x.rs": "",  # `/build` is anchored at the root: this one stays
            "build/out.rs": "",
            "target/debug/app": "",
            "a.log": "",
            "keep.log": "",
            "docs/api/v1/gen/page.md": "",
            "docs/api/readme.md": "",
            "sub/.gitignore": "secret.txt\n",
            "sub/secret.txt": "",
            "sub/open.txt": "",
            "secret.txt": "",
            ".git/config": "",
            "out/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n",
            "out/debug/big.rs": "",
        },
    )
    files = sorted(rel for rel, is_dir in walk(tmp_path, tmp_path) if not is_dir)
    assert files == [
        ".gitignore",
        "docs/api/readme.md",
        "keep.log",
        "secret.txt",
        "src/build/x.rs",
        "src/lib.rs",
        "sub/.gitignore",
        "sub/open.txt",
    ]
    assert ("out", True) in list(walk(tmp_path, tmp_path))  # listed, never entered
    rules = IgnoreRules(tmp_path)
    assert rules.ignored("target", is_dir=True) and not rules.ignored("target", is_dir=False)


def test_search_skips_ignored_files_and_says_where_it_found_matches(tmp_path: Path) -> None:
    make_tree(
        tmp_path, {".gitignore": "gen/\n", "src/a.rs": "fn needle() {}\n", "gen/b.rs": "needle\n"}
    )
    tools = {t.name: t for t in file_tools(Workspace(tmp_path, Journal.for_workspace(tmp_path)))}
    assert tools["search"].run({"pattern": "needle"}) == "src/a.rs:1: fn needle() {}"
    assert tools["search"].run({"pattern": "needle", "glob": "*.md"}).startswith("no match")


def test_arguments_are_checked_against_the_schema() -> None:
    parameters = schema(
        {"path": string("p")},
        {
            "count": integer("n", 1),
            "mode": string("m", enum=["a", "b"]),
            "items": {"type": "array", "items": {"type": "integer"}},
            "flag": {"type": "boolean"},
        },
    )
    check_arguments(parameters, {"path": "x", "count": 2, "mode": "a", "items": [1], "flag": True})
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "missing argument(s): path"),
        ({"path": "x", "other": 1}, "unknown argument(s): other"),
        ({"path": "x", "count": 0}, "`count` must be at least 1"),
        ({"path": "x", "count": True}, "`count` must be a integer, not bool"),
        ({"path": "x", "mode": "c"}, "`mode` must be one of a, b"),
        ({"path": "x", "items": [1, "2"]}, "`items[1]` must be a integer, not str"),
        ({"path": "x", "flag": "yes"}, "`flag` must be a boolean, not str"),
    ]
    for arguments, message in cases:
        with pytest.raises(ToolFailure, match=re.escape(message)):
            check_arguments(parameters, arguments)


def test_cargo_output_keeps_what_matters() -> None:
    output = "\n".join(
        [
            "   Compiling demo v0.1.0 (/x)",
            "    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.5s",
            "     Running unittests src/lib.rs (target/debug/deps/demo-1)",
            "running 3 tests",
            "test tests::a ... ok",
            "test tests::b ... ignored",
            "test tests::c ... FAILED",
            "---- tests::c stdout ----",
            "thread 'tests::c' panicked at src/lib.rs:9:5:",
            "test result: FAILED. 1 passed; 1 failed; 1 ignored",
        ]
    )
    kept = trim(output, "test").splitlines()
    assert "test tests::a ... ok" not in kept and "   Compiling demo v0.1.0 (/x)" not in kept
    assert "test tests::c ... FAILED" in kept and kept[-1].startswith("test result: FAILED")
    long = "\n".join(f"warning: line {n}" for n in range(5000))
    cut = trim(long, "check")
    assert len(cut) < MAX_OUTPUT_CHARS + 100
    assert cut.startswith("warning: line 0") and cut.endswith("warning: line 4999")
    assert "lines left out" in cut


def test_a_sub_agents_spending_is_charged_to_its_parent() -> None:
    now = [0.0]
    parent = Budget("main", Limits(turns=3, seconds=100), Price(1.0, 2.0), clock=lambda: now[0])
    child = parent.child("main/1", Limits(turns=5))
    child.charge(Usage(1_000_000, 1_000_000))
    child.charge(Usage(0, 0))
    assert (child.turns, parent.turns, parent.cost) == (2, 2, 3.0)
    assert child.exhausted() is None
    parent.charge(Usage(0, 0))
    exhausted = child.exhausted()  # the parent's limit stops the child too
    assert exhausted is not None and exhausted.owner == "main" and exhausted.budget == "turns"
    now[0] = 40.0
    assert child.seconds_left() == 60.0


def test_prices_match_the_longest_prefix_and_config_adds_models(tmp_path: Path) -> None:
    table = PriceTable({"claude-sonnet-4-5": Price(1.0, 1.0)})
    assert table.lookup("claude-sonnet-4-5-20250929") == Price(1.0, 1.0)
    assert table.lookup("claude-sonnet-4-0") == Price(3.0, 15.0)
    assert table.lookup("qwen2.5-coder") is None
    config = tmp_path / "agent.toml"
    config.write_text(
        'model = "openai:qwen"\nmax-retries = 0\n[prices.qwen]\ninput = 0.1\noutput = 0.2\n'
        '[model-aliases]\nfast = "openai:qwen"\n'
    )
    settings = load_settings({"RUSTPRO_AGENT_CONFIG": str(config)})
    assert (settings.model, settings.max_retries) == ("openai:qwen", 0)
    assert settings.prices.lookup("qwen") == Price(0.1, 0.2)
    assert settings.aliases["fast"] == "openai:qwen" and "sonnet" in settings.aliases
    env = {"RUSTPRO_AGENT_CONFIG": str(config), "RUSTPRO_AGENT_MODEL": "anthropic:x"}
    assert load_settings(env).model == "anthropic:x"
    config.write_text("[prices.qwen]\ninput = 'cheap'\n")
    with pytest.raises(ConfigError, match="needs `input` and `output`"):
        load_settings({"RUSTPRO_AGENT_CONFIG": str(config)})


def test_redaction_covers_the_key_and_secret_looking_variables() -> None:
    env = {"GITHUB_TOKEN": "ghp_abcdefgh12345", "HOME": "/root", "PIN_SECRET": "1234"}
    redactor = Redactor.from_environment(env, ["sk-the-key-000000"])
    text = "key sk-the-key-000000, token ghp_abcdefgh12345, home /root, pin 1234"
    assert redactor.text(text) == "key [redacted], token [redacted], home /root, pin 1234"
    assert redactor.clean({"a": ["sk-the-key-000000"]}) == {"a": ["[redacted]"]}


def test_wire_conversions_of_one_conversation() -> None:
    call = ToolCall("c1", "read_file", {"path": "a.rs"})
    messages: list[Message] = [
        UserText("task"),
        AssistantTurn("reading", (call,)),
        ToolResults((ToolResult("c1", "read_file", "error: no such file", is_error=True),)),
        UserText("the gate refused"),
    ]
    chat = openai.wire_messages("system", messages)
    assert [m["role"] for m in chat] == ["system", "user", "assistant", "tool", "user"]
    assert chat[2]["tool_calls"][0]["function"]["arguments"] == '{"path": "a.rs"}'
    assert chat[3] == {"role": "tool", "tool_call_id": "c1", "content": "error: no such file"}
    wire = anthropic.wire_messages(messages)
    # Tool results and the text after them merge into one user message: roles alternate.
    assert [m["role"] for m in wire] == ["user", "assistant", "user"]
    assert [b["type"] for b in wire[2]["content"]] == ["tool_result", "text"]
    assert wire[2]["content"][0]["is_error"] is True


def test_a_step_is_not_done_without_its_self_check() -> None:
    plan = Plan()
    with pytest.raises(ToolFailure, match="step 3 is marked done without its self-check"):
        plan.update([{"step": 1, "status": "in_progress"}, {"step": 3, "status": "done"}])
    assert plan.steps[0].status == "pending"  # nothing applied
    with pytest.raises(ToolFailure, match="step must be 1 to 8"):
        plan.update([{"step": 9, "status": "done", "self_check": "x"}])
    plan.update([{"step": 3, "status": "done", "self_check": "clippy clean"}])
    assert "[x] 3. Implement with idiomatic patterns" in plan.render()


def test_streamed_text_is_shown_as_it_arrives_and_lines_stay_whole() -> None:
    out = io.StringIO()
    console = Console(out, Redactor(["sk-secret-000000"]), streaming=True)
    console.text("main", "Reading ")
    assert out.getvalue() == "Reading "  # shown before the turn is complete
    console.text("main", "the key sk-sec")  # could be the key: held back
    assert out.getvalue() == "Reading the key "
    console.text("main", "ret-000000")
    console.show("tool_call", "main", {"name": "read_file", "arguments": {"path": "a.rs"}})
    console.show("response", "main", {"text": "Reading the key sk-secret-000000"})
    assert out.getvalue() == "Reading the key [redacted]\n-> read_file a.rs\n"
