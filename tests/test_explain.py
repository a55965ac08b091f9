"""`rustpro rules` and `rustpro explain`: every rule lists and explains; unknown names exit 2."""

from __future__ import annotations

import json

import pytest

from rustpro.rules.base import BaseRule
from rustpro.rules.registry import all_rules
from tests.cli_support import assert_one_line_error, run_cli

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_explain_renders_every_rule(
    rule: type[BaseRule], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps to the terminal; keep example lines whole
    run = run_cli(["explain", rule.name], capsys)
    assert run.code == 0, run.stderr
    text = " ".join(run.stdout.split())  # rich wraps lines to the terminal width
    assert rule.name in text
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "References"):
        assert heading in text
    bad = rule.docs.code_blocks("Example")[0].code.strip().splitlines()[0].strip()
    assert " ".join(bad.split()) in text


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_explain_markdown_is_the_docs_page(
    rule: type[BaseRule], capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(["explain", rule.name, "--format", "markdown"], capsys)
    assert run.code == 0
    assert run.stdout.startswith(f"# {rule.name}\n")
    assert f"**Severity:** {rule.spec.severity.value}" in run.stdout
    for block in rule.docs.code_blocks("Use instead"):
        assert block.code in run.stdout


def test_unknown_rule_suggests_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["explain", "unwrap-in-prod"], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "unknown rule `unwrap-in-prod`" in run.stderr
    assert "unwrap-in-production" in run.stderr


def test_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["rules"], capsys)
    assert run.code == 0
    listed = [line.split()[0] for line in run.stdout.splitlines()]
    assert sorted(listed) == sorted(r.name for r in RULES)


def test_rules_filters(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(
        ["rules", "--checkpoint", "errors", "--severity", "warning", "--format", "json"], capsys
    )
    assert run.code == 0
    rows = json.loads(run.stdout)
    expected = {
        r.name
        for r in RULES
        if r.spec.checkpoint.value == "errors" and r.spec.severity.value == "warning"
    }
    assert {row["name"] for row in rows} == expected
    keys = {"name", "checkpoint", "severity", "summary", "fires_on", "clippy_twins"}
    assert all(set(row) == keys | {"group", "audience", "roles"} for row in rows)


def test_rules_filter_by_group(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["rules", "--group", "pedantic", "--format", "json"], capsys)
    assert run.code == 0
    rows = json.loads(run.stdout)
    assert rows and {row["group"] for row in rows} == {"pedantic"}
    assert {row["name"] for row in rows} == {r.name for r in RULES if r.spec.group == "pedantic"}


def test_rules_rejects_unknown_checkpoint(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["rules", "--checkpoint", "nope"], capsys)
    assert run.code == 2
