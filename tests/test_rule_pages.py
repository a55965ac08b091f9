"""docs/rules/ is generated from the rule docstrings; this fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from rustpro import docsgen
from rustpro.rules.registry import all_rules

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
