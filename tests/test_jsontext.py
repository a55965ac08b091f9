"""`jsontext.dumps` is `json.dumps(value, indent=2)`, on generated values and the fixed report."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.report.json_report import report_to_dict
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
