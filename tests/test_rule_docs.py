"""Every rule's docs are complete, and its own examples prove it: Example fires, Use instead not."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.rules.base import DOC_SECTIONS, BaseRule, cleandoc
from rustpro.rules.registry import all_rules
from tests.support import audit, make_crate

RULES = all_rules()


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_docs_have_every_section(rule: type[BaseRule]) -> None:
    for section in DOC_SECTIONS:
        assert rule.docs.sections.get(section, "").strip(), f"{rule.name}: empty {section}"
    assert rule.docs.code_blocks("Example"), f"{rule.name}: Example has no code"
    assert rule.docs.code_blocks("Use instead"), f"{rule.name}: Use instead has no code"


def _crate_from(rule: type[BaseRule], section: str, root: Path) -> Path:
    files = {block.path: block.code for block in rule.docs.code_blocks(section)}
    files.setdefault("src/lib.rs", "//! Example crate.\n")
    return make_crate(root, files)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_example_fires(rule: type[BaseRule], tmp_path: Path) -> None:
    result = audit(_crate_from(rule, "Example", tmp_path / "bad"), select=(rule.name,))
    assert [f for f in result.findings if f.rule == rule.name], f"{rule.name}: Example is silent"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_use_instead_is_silent(rule: type[BaseRule], tmp_path: Path) -> None:
    result = audit(_crate_from(rule, "Use instead", tmp_path / "good"), select=(rule.name,))
    fired = [f"{f.path}:{f.line}" for f in result.findings if f.rule == rule.name]
    assert not fired, f"{rule.name}: Use instead fires at {fired}"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_the_summary_is_the_docstrings_first_line(rule: type[BaseRule]) -> None:
    from rustpro.docsgen import summary

    lines = (rule.__doc__ or "").strip().splitlines()
    assert summary(rule) == (lines[0].strip() if lines and lines[0].strip() else rule.spec.fires_on)


@pytest.mark.parametrize(
    "docstring",
    [
        "",
        "\n\n",
        "One line.",
        "  First.\n\n    Indented.\n      More.\n\n",
        "\tTabbed.\n\t\tin\n\t  out\n  \n",
        "\n  Starts on the next line.\n  ## Section\n\n  Body.\n   ",
    ],
)
def test_cleandoc_is_inspects(docstring: str) -> None:
    """rustpro's own `cleandoc` (which spares SARIF and HTML reports importing `inspect`)
    reads docstrings as `inspect.cleandoc` does."""
    import inspect

    assert cleandoc(docstring) == inspect.cleandoc(docstring)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.name)
def test_cleandoc_is_inspects_on_every_rule(rule: type[BaseRule]) -> None:
    import inspect

    assert cleandoc(rule.__doc__ or "") == inspect.cleandoc(rule.__doc__ or "")
