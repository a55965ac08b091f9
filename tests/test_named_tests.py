"""The README and docs/full-mode.md back their promises with named tests (issue 11): every
test file they name exists, and every test they name is defined in the file named before it."""

from __future__ import annotations

import re

import pytest

from tests.cli_support import REPO

# `tests/x.py`, `tests/x.py::test_y` (the name may follow on the next line), `::test_y` or
# `test_y`: a name alone belongs to the test file named last. A name in backticks before any
# test file is named is no reference (`test_utils`, a module name, in the README).
_REFERENCE = re.compile(r"(tests/[\w/]+\.py)?::\s*(test_\w+)|(tests/[\w/]+\.py)|`(test_\w+)`")


def _references(text: str) -> list[tuple[str, str | None]]:
    """(test file, test name or None) in the order the text names them."""
    found: list[tuple[str, str | None]] = []
    current: str | None = None
    for match in _REFERENCE.finditer(text):
        path, name, lone_path, bare_name = match.groups()
        if bare_name is not None and current is None:
            continue
        current = path or lone_path or current
        assert current is not None, f"`::{name}` before any test file is named"
        found.append((current, name or bare_name))
    return found


@pytest.mark.parametrize("document", ["README.md", "docs/full-mode.md"])
def test_the_tests_a_document_names_exist(document: str) -> None:
    references = _references((REPO / document).read_text(encoding="utf-8"))
    assert references, f"{document} names no test"
    missing = []
    for path, name in references:
        test_file = REPO / path
        if not test_file.is_file():
            missing.append(path)
        elif name is not None and not re.search(
            rf"^def {name}\(", test_file.read_text(encoding="utf-8"), re.M
        ):
            missing.append(f"{path}::{name}")
    assert not missing, f"{document} names tests that do not exist: {missing}"


def test_references_are_read_in_order() -> None:
    text = (
        "`test_utils` modules; `tests/a.py::\n  test_one`, `::test_two`; then `tests/b.py`"
        " (`::test_three`, `test_four`)"
    )
    assert _references(text) == [
        ("tests/a.py", "test_one"),
        ("tests/a.py", "test_two"),
        ("tests/b.py", None),
        ("tests/b.py", "test_three"),
        ("tests/b.py", "test_four"),
    ]
