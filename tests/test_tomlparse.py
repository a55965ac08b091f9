"""rustpro parses TOML with tomli (compiled): the same values and errors as `tomllib`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustpro import tomlparse

REPO = Path(__file__).resolve().parent.parent
MANIFESTS = sorted(
    p for p in REPO.glob("**/Cargo.toml") if ".venv" not in p.parts and "target" not in p.parts
)
BAD = [
    "a = ",
    "[a\nb=1",
    "x = 1\nx = 2",
    'a = "unterminated',
    "[[x]]\n[x]",
    "k = 1979-05-27T07:32:00Z00",
    "[package]\nname = 'x'\n[package]\n",
    "v = [1, 2,,]",
]


def _parsed(parse: Callable[[str], dict[str, Any]], text: str) -> tuple[str, object]:
    try:
        return ("value", parse(text))
    except (tomllib.TOMLDecodeError, tomlparse.TOMLDecodeError) as err:
        return ("error", str(err))


def test_every_manifest_of_this_repository_parses_as_tomllib_parses_it() -> None:
    assert len(MANIFESTS) > 20  # the fixtures, templates' tests, examples
    for path in MANIFESTS:
        text = path.read_text(encoding="utf-8")
        assert tomlparse.loads(text) == tomllib.loads(text), path


@pytest.mark.parametrize("text", BAD)
def test_malformed_toml_fails_as_tomllib_fails(text: str) -> None:
    assert _parsed(tomlparse.loads, text) == _parsed(tomllib.loads, text)
    assert _parsed(tomlparse.loads, text)[0] == "error"


# Documents made of the pieces manifests are made of, and some broken ones.
PIECES = st.sampled_from(
    [
        "[package]\n",
        "[dependencies]\n",
        "[workspace]\n",
        "[[bin]]\n",
        'name = "x"\n',
        "version = '1.0'\n",
        'edition = "2021"\n',
        'serde = { version = "1", features = ["derive"] }\n',
        "members = [\"a\", 'b',]\n",
        "x.y = 1\n",
        "n = 0x1F\n",
        "f = 1e3\n",
        "d = 1979-05-27\n",
        "# comment\n",
        '"quoted key" = true\n',
        "s = '''\nmulti\n'''\n",
        "bad = \n",
        "[unclosed\n",
        "= 1\n",
    ]
)


@given(st.lists(PIECES, max_size=8).map("".join))
def test_documents_parse_or_fail_as_tomllib_says(text: str) -> None:
    assert _parsed(tomlparse.loads, text) == _parsed(tomllib.loads, text)
