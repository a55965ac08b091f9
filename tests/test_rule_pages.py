"""docs/rules/ is generated from the rule docstrings; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro import docsgen
from rustpro.rules.registry import all_rules
from tests.cli_support import run_cli

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def test_committed_pages_are_fresh() -> None:
    stale = docsgen.stale_pages(DOCS)
    assert not stale, f"stale rule pages {stale}: run `make docs`"


def test_index_links_every_rule_by_checkpoint() -> None:
    index = docsgen.render_pages()[docsgen.INDEX_NAME]
    for rule in all_rules():
        assert f"[{rule.name}]({rule.name}.md)" in index
    assert index.index("## memory") < index.index("## project")


def test_write_then_check_round_trips(tmp_path: Path) -> None:
    (tmp_path / "orphan.md").write_text(f"{docsgen.GENERATED_MARKER}\n\n# gone\n")
    (tmp_path / "handwritten.md").write_text("# mine\n")
    changed = docsgen.write_pages(tmp_path)
    assert "orphan.md" in changed and docsgen.INDEX_NAME in changed
    assert not (tmp_path / "orphan.md").exists()
    assert (tmp_path / "handwritten.md").exists()  # only generated pages are ever deleted
    assert docsgen.stale_pages(tmp_path) == []
    assert docsgen.main([str(tmp_path), "--check"]) == 0


def test_cli_writes_and_checks_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    written = run_cli(["rules", "--write-docs", str(tmp_path)], capsys)
    assert written.code == 0 and f"updated {tmp_path / docsgen.INDEX_NAME}" in written.stdout
    assert run_cli(["rules", "--check-docs", str(tmp_path)], capsys).code == 0
    page = tmp_path / f"{all_rules()[0].name}.md"
    page.write_text(page.read_text() + "edited by hand\n")
    stale = run_cli(["rules", "--check-docs", str(tmp_path)], capsys)
    assert stale.code == 1
    assert f"stale: {page} (run `make docs`)" in stale.stdout
