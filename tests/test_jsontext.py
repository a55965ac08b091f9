"""`jsontext.dumps` is `json.dumps(value, indent=2)`, on generated values and the fixed report."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.report.json_report import render_json, report_to_dict
from rustpro.report.jsontext import dumps
from tests.report_support import fixed_result


class _Colour(enum.StrEnum):
    RED = "red"


class _Level(enum.IntEnum):
    HIGH = 3


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from([_Colour.RED, _Level.HIGH]),
)
KEYS = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=3),
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(value=VALUES)
def test_dumps_is_json_dumps_indent_2(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=2)


def test_what_json_cannot_encode_fails_as_json_fails() -> None:
    with pytest.raises(TypeError):
        dumps({"a": [object()]})
    with pytest.raises(TypeError):
        json.dumps({"a": [object()]}, indent=2)


def test_the_report_is_json_dumps_text(tmp_path: Path) -> None:
    report = report_to_dict(fixed_result(tmp_path / "crate"))
    assert dumps(report) == json.dumps(report, indent=2)


_TEXTS = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(max_examples=150)
@given(
    findings=st.lists(
        st.builds(
            Finding,
            rule=_TEXTS,
            checkpoint=st.sampled_from(Checkpoint),
            severity=st.sampled_from(Severity),
            path=_TEXTS,
            line=st.integers(-1, 10**7),
            column=st.integers(-1, 10**4),
            end_line=st.integers(-1, 10**7),
            end_column=st.integers(-1, 10**4),
            message=_TEXTS,
            help=_TEXTS,
            source=st.sampled_from(["rustpro", "clippy"]),
            related=st.lists(
                st.builds(Location, _TEXTS, st.integers(0, 99), st.integers(0, 99), _TEXTS),
                max_size=3,
            ).map(tuple),
            also_reported_by=st.lists(_TEXTS, max_size=2).map(tuple),
            group=st.sampled_from(["", "pedantic"]),
        ),
        max_size=4,
    )
)
def test_the_findings_written_out_are_json_dumps_text(
    tmp_path_factory: pytest.TempPathFactory, findings: list[Finding]
) -> None:
    """`render_json` writes each finding as text (`finding_text`): the report is still
    `json.dumps(report_to_dict(result), indent=2)`, whatever the findings hold."""
    result = fixed_result(tmp_path_factory.mktemp("crate"))
    result.findings = findings
    assert render_json(result) == json.dumps(report_to_dict(result), indent=2) + "\n"
