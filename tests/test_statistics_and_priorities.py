"""`--statistics` (one line per rule, like `ruff check --statistics`; `summary.by_rule` in
JSON) and the text report's closing "Fix these first"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.model import Checkpoint, Finding, Severity
from rustpro.report.json_report import render_json
from rustpro.report.priorities import fix_first, listing_command, shell_quoted
from rustpro.report.statistics import RuleCount, rule_statistics, statistics_lines
from rustpro.report.text import render_text
from rustpro.scoring import score_checkpoints
from tests.report_support import fixed_result


def _finding(rule: str, checkpoint: Checkpoint, severity: Severity, line: int = 1) -> Finding:
    return Finding(rule, checkpoint, severity, "src/lib.rs", line, 1, line, 2, "m", "h")


def _many(rule: str, checkpoint: Checkpoint, severity: Severity, count: int) -> list[Finding]:
    return [_finding(rule, checkpoint, severity, line) for line in range(1, count + 1)]


# ----- statistics ----------------------------------------------------------------------------
def test_rows_by_count_then_name_with_the_worst_severity() -> None:
    findings = [
        *_many("b-rule", Checkpoint.ERRORS, Severity.NOTE, 2),
        _finding("b-rule", Checkpoint.ERRORS, Severity.WARNING),
        *_many("a-rule", Checkpoint.MEMORY, Severity.ERROR, 3),
        _finding("c-rule", Checkpoint.DOCS, Severity.NOTE),
    ]
    rows = rule_statistics(findings)
    assert rows == [
        RuleCount("a-rule", 3, Checkpoint.MEMORY, Severity.ERROR),
        RuleCount("b-rule", 3, Checkpoint.ERRORS, Severity.WARNING),
        RuleCount("c-rule", 1, Checkpoint.DOCS, Severity.NOTE),
    ]
    assert statistics_lines(rows) == [
        "3  a-rule  memory    error",
        "3  b-rule  errors    warning",
        "1  c-rule  docs      note",
    ]


def test_text_statistics_replace_the_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)
    full = render_text(result, color=False)
    short = render_text(result, color=False, statistics=True)
    assert short.startswith(
        "2  unwrap-in-production       errors    warning\n"
        "1  clippy::needless_return    perf      error\n"
    )
    assert "warning[unwrap-in-production]" in full
    assert "warning[unwrap-in-production]" not in short  # no findings, as with ruff
    # What follows the findings is the same.
    assert short.partition("checkpoint ")[2] == full.partition("checkpoint ")[2]


def test_json_by_rule_is_the_same_table(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    report = json.loads(render_json(result))
    assert report["summary"]["by_rule"] == [
        row.to_dict() for row in rule_statistics(result.findings)
    ]
    assert report["summary"]["by_rule"][0] == {
        "rule": "unwrap-in-production",
        "count": 2,
        "checkpoint": "errors",
        "severity": "warning",
    }


# ----- "Fix these first" ---------------------------------------------------------------------
def _command(rule: str) -> str:
    return f"list {rule}"


def test_the_lowest_checkpoint_first_then_the_biggest_gain() -> None:
    findings = [
        # errors: the lowest checkpoint, where `big` gains more than `small`.
        *_many("big", Checkpoint.ERRORS, Severity.WARNING, 6),
        *_many("small", Checkpoint.ERRORS, Severity.WARNING, 2),
        # memory: higher, though one rule there would gain a lot.
        *_many("mem", Checkpoint.MEMORY, Severity.WARNING, 4),
    ]
    checkpoints = score_checkpoints(findings, lines=100)
    assert checkpoints[Checkpoint.ERRORS].score < checkpoints[Checkpoint.MEMORY].score
    ranked = fix_first(findings, checkpoints, 100, _command)
    assert [p.rule for p in ranked] == ["big", "small", "mem"]
    big = ranked[0]
    assert (big.count, big.checkpoint, big.command) == (6, Checkpoint.ERRORS, "list big")
    assert big.score == checkpoints[Checkpoint.ERRORS].score
    assert not big.turns_to_pass  # `small` still fails errors
    assert ranked[2].turns_to_pass  # `mem` is all of memory's warnings


def test_ties_break_by_weight_then_count_then_name() -> None:
    # In a big crate every one of these rounds to the same score gain (none), so the weight
    # decides, then the count, then the name.
    findings = [
        _finding("one-error", Checkpoint.ERRORS, Severity.ERROR),  # weight 10
        *_many("three-warnings", Checkpoint.ERRORS, Severity.WARNING, 3),  # weight 9
        *_many("b-notes", Checkpoint.ERRORS, Severity.NOTE, 6),  # weight 3
        *_many("a-notes", Checkpoint.ERRORS, Severity.NOTE, 6),  # weight 3
    ]
    lines = 10_000_000
    checkpoints = score_checkpoints(findings, lines=lines)
    ranked = fix_first(findings, checkpoints, lines, _command, limit=4)
    assert {p.score_after - p.score for p in ranked} == {0}
    assert [p.rule for p in ranked] == ["one-error", "three-warnings", "a-notes", "b-notes"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["r1", "r2", "r3", "r4", "r5"]),
            st.sampled_from(list(Checkpoint)),
            st.sampled_from(list(Severity)),
        ),
        max_size=60,
    ),
    st.integers(min_value=1, max_value=20_000),
)
def test_gains_are_what_scoring_gives_without_the_rule(
    picks: list[tuple[str, Checkpoint, Severity]], lines: int
) -> None:
    # A rule keeps one checkpoint (as the catalog says).
    home = {rule: checkpoint for rule, checkpoint, _ in reversed(picks)}
    findings = [
        _finding(rule, home[rule], severity, line)
        for line, (rule, _, severity) in enumerate(picks, 1)
    ]
    checkpoints = score_checkpoints(findings, lines)
    ranked = fix_first(findings, checkpoints, lines, _command, limit=10)
    assert len(ranked) == len(home)
    for item in ranked:
        rest = [f for f in findings if f.rule != item.rule]
        rescored = score_checkpoints(rest, lines)[item.checkpoint]
        assert item.score_after == rescored.score
        assert item.turns_to_pass == (
            checkpoints[item.checkpoint].status == "fail" and rescored.status == "pass"
        )
    keys = [(p.score, list(Checkpoint).index(p.checkpoint)) for p in ranked]
    assert keys == sorted(keys)


def test_commands_repeat_the_mode_and_say_the_path_shortly(tmp_path: Path) -> None:
    crate = tmp_path / "my crate"
    crate.mkdir()
    assert (
        listing_command(crate, static=True, cwd=crate)("x") == "rustpro audit --static --select x ."
    )
    assert listing_command(crate, static=False, cwd=tmp_path)("clippy::a") == (
        "rustpro audit --select clippy::a 'my crate'"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert listing_command(crate, static=True, cwd=elsewhere)("x").endswith(f"'{crate}'")


def test_no_findings_no_section(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.findings = []
    result.checkpoints = score_checkpoints([], result.lines)
    text = render_text(result, color=False)
    assert "Fix these first" not in text
    assert text.rstrip().splitlines()[-1].startswith("PASS")


def test_text_report_ends_with_the_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)
    tail = render_text(result, color=False).rstrip().splitlines()[-7:]
    assert tail[0] == "Fix these first:"
    assert tail[1] == "  1. clippy::needless_return: 1 finding; perf 50 → 100 (would pass)"
    assert tail[2] == "     rustpro audit --static --select clippy::needless_return ."


@pytest.mark.parametrize(
    "word",
    [
        "",
        "no-unit-tests",
        ".",
        "src/lib.rs",
        "/tmp/one",
        "a b",
        "it's",
        "''",
        '"',
        "a\nb",
        "$HOME",
        "~/x",
        "-x",
        "x=y,z:@%+",
        "ünïcode",
        "tab\there",
        "*?[]",
    ],
)
def test_the_listing_commands_quote_words_as_shlex_does(word: str) -> None:
    # `shell_quoted` stands in for `shlex.quote` so that a text report does not import `shlex`.
    import shlex

    assert shell_quoted(word) == shlex.quote(word)


@given(st.text())
def test_any_word_is_quoted_as_shlex_does(word: str) -> None:
    import shlex

    assert shell_quoted(word) == shlex.quote(word)
