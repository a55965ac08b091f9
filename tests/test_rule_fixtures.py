"""Every fixture's annotations hold: the lines with findings are exactly the annotated ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.catalog import catalog
from tests.support import audit, fixture_units, materialise_fixture, read_expectations

UNITS = fixture_units()


@pytest.mark.parametrize("fixture", UNITS, ids=[u.name for u in UNITS])
def test_fixture_annotations(fixture: Path, tmp_path: Path) -> None:
    crate = materialise_fixture(fixture, tmp_path / "crate")
    expected = read_expectations(crate)
    rules = sorted({rule for _, rule in (*expected.fires, *expected.silent)})
    assert rules, f"{fixture.name} has no `ruleid:`/`ok:` annotations"
    unknown = [r for r in rules if r not in catalog()]
    assert not unknown, f"unknown rules in annotations: {unknown}"
    result = audit(crate, select=tuple(rules))
    assert not result.warnings, result.warnings
    actual: dict[tuple[str, str], set[int]] = {}
    for finding in result.findings:
        actual.setdefault((finding.path.removeprefix("crate/"), finding.rule), set()).add(
            finding.line
        )
    problems: list[str] = []
    for key in sorted(set(expected.fires) | set(actual) | set(expected.silent)):
        path, rule = key
        if rule not in rules:
            continue
        want = expected.fires.get(key, set())
        got = actual.get(key, set()) - expected.todo.get(key, set())
        missing = sorted(want - got)
        extra = sorted(got - want)
        if missing:
            problems.append(f"{path}: {rule} should fire on lines {missing}")
        if extra:
            problems.append(f"{path}: {rule} fired on unannotated lines {extra}")
        silent_but_fired = sorted(expected.silent.get(key, set()) & got)
        if silent_but_fired:
            problems.append(f"{path}: {rule} fired on `ok:` lines {silent_but_fired}")
    assert not problems, "\n".join(problems)


def _annotated(kind: str) -> set[str]:
    names: set[str] = set()
    for unit in UNITS:
        files = [unit] if unit.is_file() else list(unit.rglob("*"))
        for path in files:
            if path.is_file() and path.suffix in (".rs", ".toml"):
                text = path.read_text()
                for rule in catalog():
                    if f"{kind}: {rule}" in text:
                        names.add(rule)
    return names


def test_every_implemented_rule_has_positive_and_negative_fixtures() -> None:
    from rustpro.rules.registry import all_rules

    implemented = {cls.name for cls in all_rules()}
    positives = _annotated("ruleid")
    negatives = _annotated("ok")
    lacking = sorted(n for n in implemented if n not in positives or n not in negatives)
    assert not lacking, f"rules without both `ruleid:` and `ok:` fixtures: {lacking}"
