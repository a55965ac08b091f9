"""Rule groups: the default group runs unless told otherwise; opt-in groups when selected."""

from __future__ import annotations

import pytest

from rustpro.catalog import GROUPS, catalog, rules_in_group
from rustpro.config import AuditConfig, validate_selector
from rustpro.errors import ConfigError
from rustpro.model import Checkpoint, Finding, Severity


def _finding(rule: str, source: str = "rustpro") -> Finding:
    checkpoint = catalog()[rule].checkpoint if rule in catalog() else Checkpoint.ERRORS
    return Finding(rule, checkpoint, Severity.WARNING, "src/lib.rs", 1, 1, 1, 2, "m", "h", source)


def _a_rule(group: str, checkpoint: Checkpoint | None = None) -> str:
    return next(
        name
        for name in sorted(rules_in_group(group))
        if checkpoint is None or catalog()[name].checkpoint is checkpoint
    )


def test_every_rule_is_in_one_known_group() -> None:
    assert {entry.group for entry in catalog().values()} <= set(GROUPS)
    assert rules_in_group("default") and rules_in_group("pedantic")


def test_without_select_only_the_default_group_runs() -> None:
    config = AuditConfig()
    assert config.keeps(_finding(_a_rule("default")))
    assert not config.keeps(_finding(_a_rule("pedantic")))
    assert config.keeps(_finding("clippy::unwrap_used", source="clippy"))


def test_a_group_selects_its_rules() -> None:
    config = AuditConfig(select=("pedantic",))
    assert config.keeps(_finding(_a_rule("pedantic")))
    assert not config.keeps(_finding(_a_rule("default")))
    both = AuditConfig(select=("default", "pedantic"))
    assert both.keeps(_finding(_a_rule("default"))) and both.keeps(_finding(_a_rule("pedantic")))


def test_a_checkpoint_selects_its_default_rules_unless_the_group_is_selected_too() -> None:
    pedantic = _a_rule("pedantic")
    checkpoint = catalog()[pedantic].checkpoint.value
    assert not AuditConfig(select=(checkpoint,)).keeps(_finding(pedantic))
    assert AuditConfig(select=(checkpoint, "pedantic")).keeps(_finding(pedantic))
    assert AuditConfig(select=(pedantic,)).keeps(_finding(pedantic))  # by name


def test_all_selects_every_rule_and_groups_can_be_ignored() -> None:
    everything = AuditConfig(select=("all",))
    assert all(everything.keeps(_finding(name)) for name in catalog())
    assert not AuditConfig(select=("all",), ignore=("pedantic",)).keeps(
        _finding(_a_rule("pedantic"))
    )


@pytest.mark.parametrize("name", [*GROUPS, "all"])
def test_groups_are_valid_selectors(name: str) -> None:
    validate_selector(name, "test")


def test_a_misspelt_group_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown rule"):
        validate_selector("pedantc", "test")


def test_every_default_rule_meets_the_measured_bar() -> None:
    # A rule runs by default only while its labelled findings on the lintcheck corpus show
    # precision >= 90% with at most a quarter debatable (src/rustpro/precision.json).
    from rustpro.precision import measured, misses_the_bar

    failing = {
        name: why
        for name in rules_in_group("default")
        if (why := misses_the_bar(measured().get(name))) is not None
    }
    assert not failing, failing
