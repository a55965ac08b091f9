"""Scripted runs on a copy of a fixture crate, without cargo (the gate reads sources only
here; tests/agent/test_agent_gate.py runs the real gate): answers, refused paths, parallel
reads, ordered writes, tool errors, repeated failures, questions, delegation, budgets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from rustpro.agent.run import AgentOptions, Terminal, run_agent
from rustpro.agent.tools import files
from rustpro.errors import UsageError
from tests.agent.support import Runner, call, crate_copy, turn


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    return crate_copy(tmp_path / "crate")


def test_a_question_is_answered_with_exit_0_and_no_gate(runner: Runner, crate: Path) -> None:
    ran = runner.run(
        crate,
        [
            turn("Reading the crate.", call("read_file", path="src/lib.rs")),
            turn("It has two functions: `add` and `port`."),
        ],
        "What does this crate do?",
    )
    assert (ran.result.exit_code, ran.result.outcome) == (0, "answered")
    gate = ran.of("gate")
    assert [g["verdict"] for g in gate] == ["not-needed"]
    assert "no file was changed" in gate[0]["reason"]
    assert ran.of("snapshot") == []  # nothing was edited, so no starting state was recorded
    assert ran.of("run_end")[0]["final_message"] == "It has two functions: `add` and `port`."
    assert "It has two functions" in ran.output


def test_paths_outside_the_workspace_are_refused_as_tool_errors(
    runner: Runner, crate: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("outside\n")
    (crate / "link").symlink_to(outside)
    (crate / ".git").mkdir()
    (crate / ".git" / "config").write_text("[core]\n")
    attempts = [
        call("read_file", path=str(outside / "secret.txt")),
        call("read_file", path="../outside/secret.txt"),
        call("read_file", path="link/secret.txt"),
        call("read_file", path=".git/config"),
        call("list_dir", path=".."),
        call("search", pattern="outside", path=str(outside)),
        call("write_file", path="../outside/evil.rs", content="x"),
        call("write_file", path="link/evil.rs", content="x"),
        call("edit_file", path=".git/config", old_text="[core]", new_text="[evil]"),
        call("delete_file", path="../outside/secret.txt"),
        call("write_file", path="src/../../outside/evil.rs", content="x"),
    ]
    ran = runner.run(crate, [turn("Trying paths.", *attempts), turn("All refused.")])
    results = ran.results()
    assert len(results) == len(attempts)
    assert all(not r["ok"] and r["content"].startswith("error: refused:") for r in results)
    reasons = [r["content"] for r in results]
    assert "is outside the workspace" in reasons[0]
    assert "leaves the workspace (..)" in reasons[1]
    assert "resolves through a symlink" in reasons[2]
    assert ".git/" in reasons[3] and ".git/" in reasons[8]
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == "outside\n"
    assert (crate / ".git" / "config").read_text() == "[core]\n"
    # The model read the refusals and went on: the run ended normally.
    assert (ran.result.exit_code, ran.result.outcome) == (0, "answered")


def test_a_symlink_that_stays_inside_and_a_dotdot_that_comes_back_are_fine(
    runner: Runner, crate: Path
) -> None:
    (crate / "alias").symlink_to(crate / "src")
    ran = runner.run(
        crate,
        [
            turn(
                "",
                call("read_file", path="alias/lib.rs", end_line=1),
                call("read_file", path=f"src/../../{crate.name}/src/lib.rs", end_line=1),
            ),
            turn("Read."),
        ],
    )
    assert [r["ok"] for r in ran.results()] == [True, True]


def test_read_only_calls_of_one_turn_run_in_parallel(
    runner: Runner, crate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    delay = 0.4
    real = files.read_text

    def slow(path: Path) -> str:
        time.sleep(delay)
        return real(path)

    monkeypatch.setattr(files, "read_text", slow)
    for name in ("a.rs", "b.rs", "c.rs"):
        (crate / "src" / name).write_text(f"// {name}\n")
    reads = [call("read_file", path=f"src/{n}") for n in ("lib.rs", "a.rs", "b.rs", "c.rs")]
    ran = runner.run(crate, [turn("Reading four files.", *reads), turn("Read them.")])
    results = ran.results("read_file")
    assert [r["ok"] for r in results] == [True] * 4
    spans = [(r["started"], r["started"] + r["seconds"]) for r in results]
    most_at_once = max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)
    elapsed = max(e for _, e in spans) - min(s for s, _ in spans)
    # Measured: four reads of 0.4 s each overlap, so the group takes about one read's time.
    assert most_at_once == 4, spans
    assert elapsed < 2 * delay, elapsed
    calls = ran.of("tool_call")
    assert {c["group"] for c in calls} == {1} and all(c["parallel"] for c in calls)
    # The results still come back in the order of the calls.
    assert [r["content"].split(" ")[0] for r in results] == [
        "src/lib.rs",
        "src/a.rs",
        "src/b.rs",
        "src/c.rs",
    ]


def test_writes_run_alone_in_the_order_given_and_later_reads_see_them(
    runner: Runner, crate: Path
) -> None:
    ran = runner.run(
        crate,
        [
            turn(
                "",
                call("read_file", path="src/lib.rs", end_line=1),
                call("write_file", path="notes.md", content="one\n"),
                call("edit_file", path="notes.md", old_text="one", new_text="two"),
                call("read_file", path="notes.md"),
                call("search", pattern="two", path="notes.md"),
                call("write_file", path="more.md", content="three\n"),
            ),
            turn("Wrote the notes."),
        ],
        max_turns=2,
    )
    calls = ran.of("tool_call")
    assert [c["access"] for c in calls] == ["read", "write", "write", "read", "read", "write"]
    # Groups: the first read, each write alone, the two reads together, the last write.
    assert [c["group"] for c in calls] == [1, 2, 3, 4, 4, 5]
    results = {r["id"]: r for r in ran.results()}
    read_back = results[calls[3]["id"]]
    assert "two" in read_back["content"] and "one" not in read_back["content"]
    assert results[calls[4]["id"]]["content"] == "notes.md:1: two"
    assert (crate / "notes.md").read_text() == "two\n"


def test_tool_errors_go_back_to_the_model_as_results(runner: Runner, crate: Path) -> None:
    (crate / "twice.md").write_text("x\nx\n")
    bad_calls = [
        call("no_such_tool"),
        call("read_file"),
        call("read_file", path=7),
        call("read_file", path="src/lib.rs", colour="red"),
        call("edit_file", path="twice.md", old_text="x", new_text="y"),
        call("edit_file", path="twice.md", old_text="z", new_text="y"),
        call("read_file", path="missing.rs"),
        call("search", pattern="("),
        call("cargo", command="run"),
        call("update_plan", steps=[{"step": 2, "status": "done"}]),
    ]
    malformed = {"name": "read_file", "arguments": "{not json"}
    ran = runner.run(crate, [turn("Trying.", *bad_calls, malformed), turn("Done trying.")])
    errors = [r["content"] for r in ran.results()]
    assert all(e.startswith("error: ") for e in errors)
    assert "unknown tool `no_such_tool`" in errors[0]
    assert "missing argument(s): path" in errors[1]
    assert "`path` must be a string" in errors[2]
    assert "unknown argument(s): colour" in errors[3]
    assert "old_text occurs 2 times (2 matches)" in errors[4]
    assert "old_text is not in the file (0 matches)" in errors[5]
    assert "no such file" in errors[6]
    assert "not a valid regular expression" in errors[7]
    assert "`command` must be one of" in errors[8]
    assert "marked done without its self-check" in errors[9]
    assert "the arguments are not valid JSON" in errors[10]
    assert (crate / "twice.md").read_text() == "x\nx\n"
    assert ran.result.exit_code == 0  # the model saw every error and finished


def test_the_same_failing_call_three_times_stops_the_run(runner: Runner, crate: Path) -> None:
    again = turn("Reading it.", call("read_file", path="missing.rs"))
    ran = runner.run(crate, [again, again, again, turn("never played")])
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    assert "the same failing call was made 3 times: read_file missing.rs" in ran.result.summary
    assert len(ran.of("response")) == 3


def test_a_question_in_a_non_interactive_run_records_the_assumption(
    runner: Runner, crate: Path
) -> None:
    question = call(
        "ask_user",
        question="Should `port` accept port 0?",
        assumption="port 0 is rejected",
    )
    ran = runner.run(crate, [turn("One question.", question), turn("Assumed port 0 is rejected.")])
    [asked] = ran.of("ask_user")
    assert asked["question"] == "Should `port` accept port 0?"
    assert asked["assumption"] == "port 0 is rejected"
    assert asked["answer"] is None and asked["interactive"] is False
    [answer] = ran.results("ask_user")
    assert "non-interactive" in answer["content"] and "port 0 is rejected" in answer["content"]
    assert ran.result.exit_code == 0


def test_a_question_on_a_terminal_gets_the_answer(runner: Runner, crate: Path) -> None:
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return "yes, accept it"

    terminal = Terminal(ask=ask, env=runner.environment())
    question = call("ask_user", question="Accept port 0?", assumption="no")
    ran = runner.run(
        crate,
        [turn("", question), turn("Accepted.")],
        terminal=terminal,
        non_interactive=False,
    )
    assert asked == ["Accept port 0?"]
    assert ran.results("ask_user")[0]["content"] == "The user answered: yes, accept it"
    assert ran.of("ask_user")[0]["answer"] == "yes, accept it"


def test_a_delegation_gets_a_fresh_context_its_tools_and_its_own_budget(
    runner: Runner, crate: Path
) -> None:
    task = "List the public functions of src/lib.rs, one per line."
    ran = runner.run(
        crate,
        [
            turn(
                "Delegating the survey.",
                call("delegate", task=task, tools=["read_file"], max_turns=3),
            ),
            turn("Reading.", call("read_file", path="src/lib.rs"), agent="main/1"),
            turn("add\nport", agent="main/1"),
            turn("The crate has `add` and `port`.", agent="main"),
        ],
    )
    assert ran.result.exit_code == 0
    [start] = ran.of("agent_start")
    assert (start["agent"], start["task"], start["tools"]) == ("main/1", task, ["read_file"])
    assert start["limits"]["turns"] == 3
    # The sub-agent saw only its task and its own tools.
    [first_request] = ran.of("request", "main/1")[:1]
    assert first_request["messages"] == 1 and first_request["tools"] == ["read_file"]
    [end] = ran.of("agent_end")
    assert (end["outcome"], end["budget"]["turns"], end["budget"]["limits"]["turns"]) == (
        "finished",
        2,
        3,
    )
    # Only the final message comes back, and the sub-agent's turns count for the run too.
    assert ran.results("delegate")[0]["content"] == "add\nport"
    assert ran.of("run_end")[0]["budget"]["turns"] == 4


def test_a_sub_agent_that_spends_its_budget_stops_and_its_parent_goes_on(
    runner: Runner, crate: Path
) -> None:
    ran = runner.run(
        crate,
        [
            turn("", call("delegate", task="Read everything.", max_turns=1)),
            turn("Reading.", call("read_file", path="src/lib.rs"), agent="main/1"),
            turn("The sub-agent ran out; answering myself.", agent="main"),
        ],
    )
    [result] = ran.results("delegate")
    assert result["ok"]
    assert "stopped before finishing: the turn budget of main/1 (1) is used up" in result["content"]
    assert "Its last message: Reading." in result["content"]
    assert ran.of("agent_end")[0]["outcome"] == "stopped"
    assert ran.result.exit_code == 0


def test_a_sub_agents_own_token_and_time_budgets_stop_it(
    runner: Runner, crate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = files.read_text

    def slow(path: Path) -> str:
        time.sleep(1.1)
        return real(path)

    monkeypatch.setattr(files, "read_text", slow)
    usage = {"input_tokens": 400, "output_tokens": 200}
    ran = runner.run(
        crate,
        [
            turn("", call("delegate", task="Count tokens.", max_tokens=500)),
            turn("Thinking hard.", call("list_dir"), agent="main/1", usage=usage),
            turn("", call("delegate", task="Read slowly.", max_seconds=1)),
            turn("Reading.", call("read_file", path="src/lib.rs"), agent="main/2"),
            turn("Both sub-agents ran out; the run goes on.", agent="main"),
        ],
    )
    first, second = (r["content"] for r in ran.results("delegate"))
    assert "the token budget of main/1 (500) is used up (600)" in first
    assert "the time budget of main/2 (1.0 s) is used up" in second
    assert ran.of("agent_start")[1]["limits"]["seconds"] == 1
    assert ran.result.exit_code == 0


def test_delegation_is_limited_to_depth_2(runner: Runner, crate: Path) -> None:
    ran = runner.run(
        crate,
        [
            turn("", call("delegate", task="Go deeper.", tools=["delegate", "read_file"])),
            # main/1 may delegate, but not hand on delegation itself.
            turn("", call("delegate", task="Deeper.", tools=["delegate"]), agent="main/1"),
            turn("", call("delegate", task="Deeper.", tools=["read_file"]), agent="main/1"),
            turn("", call("delegate", task="Deepest."), agent="main/1/1"),
            turn("I cannot delegate further.", agent="main/1/1"),
            turn("Depth 2 answered.", agent="main/1"),
            turn("Done.", agent="main"),
        ],
    )
    assert ran.result.exit_code == 0
    assert ran.of("request", "main/1")[0]["tools"] == ["read_file", "delegate"]
    assert ran.of("request", "main/1/1")[0]["tools"] == ["read_file"]
    results = ran.results("delegate")
    assert [r["agent"] for r in results] == ["main", "main/1", "main/1", "main/1/1"]
    assert results[0]["content"] == "Depth 2 answered."
    assert "`tools[0]` must be one of read_file" in results[1]["content"]
    assert results[2]["content"] == "I cannot delegate further."
    assert "unknown tool `delegate`" in results[3]["content"]
    # The plan is the main agent's: a sub-agent never gets update_plan.
    sub_requests = [r for r in ran.of("request") if r["agent"] != "main"]
    assert all("update_plan" not in r["tools"] for r in sub_requests)


def _busy_turns(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [turn(f"turn {n}", call("list_dir"), **extra) for n in range(count)]


def test_the_turn_budget_ends_the_run(runner: Runner, crate: Path) -> None:
    ran = runner.run(crate, _busy_turns(5), max_turns=2)
    assert (ran.result.exit_code, len(ran.of("response"))) == (1, 2)
    assert "the turn budget of main (2) is used up (2)" in ran.result.summary
    assert ran.of("budget")[-1]["exhausted"] == "the turn budget of main (2) is used up (2)"


def test_the_token_budget_ends_the_run(runner: Runner, crate: Path) -> None:
    usage = {"input_tokens": 500, "output_tokens": 100}
    ran = runner.run(crate, _busy_turns(5, usage=usage), max_tokens=1000)
    assert (ran.result.exit_code, len(ran.of("response"))) == (1, 2)
    assert "the token budget of main (1000) is used up (1200)" in ran.result.summary


def test_the_cost_budget_ends_the_run_with_prices_from_the_config(
    runner: Runner, crate: Path, tmp_path: Path
) -> None:
    (tmp_path / "agent.toml").write_text("[prices.scripted]\ninput = 10.0\noutput = 10.0\n")
    usage = {"input_tokens": 50_000, "output_tokens": 50_000}  # $1.00 a turn
    ran = runner.run(crate, _busy_turns(5, usage=usage), max_cost=1.5)
    assert (ran.result.exit_code, len(ran.of("response"))) == (1, 2)
    assert "the cost budget of main ($1.5000) is used up ($2.0000)" in ran.result.summary
    assert ran.of("run_end")[0]["budget"]["cost"] == 2.0


def test_a_cost_budget_without_a_price_is_a_configuration_error(
    runner: Runner, crate: Path
) -> None:
    with pytest.raises(UsageError, match="--max-cost needs the price of `scripted`"):
        runner.run(crate, _busy_turns(1), max_cost=1.0)


def test_the_time_budget_ends_the_run(
    runner: Runner, crate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = files.read_text

    def slow(path: Path) -> str:
        time.sleep(0.6)
        return real(path)

    monkeypatch.setattr(files, "read_text", slow)
    turns = [turn("", call("read_file", path="src/lib.rs")) for _ in range(4)]
    ran = runner.run(crate, turns, timeout=0.5)
    assert (ran.result.exit_code, len(ran.of("response"))) == (1, 1)
    assert "the time budget of main (0.5 s) is used up" in ran.result.summary


def test_approval_of_edits_is_asked_and_a_refusal_reaches_the_model(
    runner: Runner, crate: Path
) -> None:
    asked: list[str] = []

    def decline(description: str) -> bool:
        asked.append(description)
        return False

    terminal = Terminal(confirm=decline, env=runner.environment())
    ran = runner.run(
        crate,
        [
            turn(
                "",
                call("read_file", path="src/lib.rs", end_line=1),
                call("write_file", path="new.rs", content="fn f() {}\n"),
            ),
            turn("The user declined."),
        ],
        terminal=terminal,
        non_interactive=False,
        approve="edits",
    )
    assert asked == ["write_file new.rs"]
    assert [r["ok"] for r in ran.results()] == [True, False]
    assert ran.results("write_file")[0]["content"] == "error: the user declined this call"
    assert ran.of("approval")[0]["approved"] is False
    assert not (crate / "new.rs").exists()


def test_approve_all_asks_before_every_call(runner: Runner, crate: Path) -> None:
    asked: list[str] = []

    def approve(description: str) -> bool:
        asked.append(description)
        return True

    terminal = Terminal(confirm=approve, env=runner.environment())
    runner.run(
        crate,
        [turn("", call("list_dir"), call("read_file", path="src/lib.rs")), turn("Done.")],
        terminal=terminal,
        non_interactive=False,
        approve="all",
    )
    assert asked == ["list_dir", "read_file src/lib.rs"]


def test_approval_needs_an_interactive_terminal(runner: Runner, crate: Path) -> None:
    with pytest.raises(UsageError, match="--approve edits asks before tool calls"):
        runner.run(crate, _busy_turns(1), approve="edits")


def test_the_plan_is_recorded_and_shown_as_it_changes(runner: Runner, crate: Path) -> None:
    steps = [
        {"step": 1, "status": "done", "self_check": "task is one sentence; no public API touched"},
        {"step": 2, "status": "in_progress", "note": "no new types"},
    ]
    ran = runner.run(crate, [turn("", call("update_plan", steps=steps)), turn("Planned.")])
    [plan] = ran.of("plan")
    assert [s["status"] for s in plan["steps"]] == ["done", "in_progress"] + ["pending"] * 6
    assert plan["steps"][0]["self_check"] == "task is one sentence; no public API touched"
    assert "[x] 1. Analyse the requirements and safety constraints" in ran.output
    assert "[>] 2. Design a type-safe API with clear ownership (no new types)" in ran.output


def test_a_missing_workspace_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a directory"):
        run_agent(AgentOptions(task="x", workspace=tmp_path / "missing", model="scripted:x"))


def test_a_blocked_step_ends_the_run_as_not_done(runner: Runner, crate: Path) -> None:
    blocked = call(
        "update_plan",
        steps=[{"step": 3, "status": "blocked", "note": "the C header is not in the crate"}],
    )
    ran = runner.run(crate, [turn("Cannot do this.", blocked), turn("Stopping here.")])
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    [gate] = ran.of("gate")
    assert gate["verdict"] == "not-run"
    assert "step 3 blocked: the C header is not in the crate" in gate["reason"]


def test_a_blocked_step_needs_its_reason(runner: Runner, crate: Path) -> None:
    blocked = call("update_plan", steps=[{"step": 3, "status": "blocked"}])
    ran = runner.run(crate, [turn("", blocked), turn("What does `add` do? It adds.")])
    [result] = ran.results("update_plan")
    assert "without a note" in result["content"]
    assert ran.result.exit_code == 0  # nothing was blocked after all: an answer


def test_implementing_without_changing_anything_is_giving_up(runner: Runner, crate: Path) -> None:
    started = call("update_plan", steps=[{"step": 3, "status": "in_progress"}])
    ran = runner.run(
        crate,
        [turn("Implementing.", started), turn("This is harder than it looks; done for now.")],
        "Make `port` return a Result.",
    )
    assert (ran.result.exit_code, ran.result.outcome) == (1, "failed")
    assert "gave up" in ran.of("gate")[0]["reason"]
