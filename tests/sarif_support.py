"""Checking SARIF against the official 2.1.0 schema (tests/data/sarif-2.1.0.schema.json, a
copy of the OASIS schema) with its formats enforced, and the snapshot helper the report
format tests share."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.schema.json"
SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("RUSTPRO_UPDATE_SNAPSHOTS") == "1"

# RFC 3986 characters: anything else in a URI must be percent-encoded.
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def uri_reference(value: object) -> bool:
    """Whether a string is made only of the characters RFC 3986 allows, `%` only in escapes."""
    return not isinstance(value, str) or (
        _URI_CHARACTERS.fullmatch(value) is not None and _PERCENT.search(value) is None
    )


def _uri(value: object) -> bool:
    return not isinstance(value, str) or (uri_reference(value) and _SCHEME.match(value) is not None)


@functools.cache
def sarif_validator() -> jsonschema.Draft4Validator:
    """A validator of the official schema that also checks `uri` and `uri-reference` values
    (jsonschema checks those formats only with optional packages installed)."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    checker = jsonschema.FormatChecker()
    checker.checks("uri")(_uri)
    checker.checks("uri-reference")(uri_reference)
    return jsonschema.Draft4Validator(schema, format_checker=checker)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    """Fail with every schema violation, each with where it is."""
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(str(p) for p in error.absolute_path)}: {error.message}" for error in errors[:20]
    )


def check_snapshot(name: str, actual: str) -> None:
    """Compare with tests/snapshots/NAME; write it when missing or when
    RUSTPRO_UPDATE_SNAPSHOTS=1 (then review the diff)."""
    path = SNAPSHOTS / name
    if UPDATE_SNAPSHOTS or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"snapshot {name} was missing and has been written; review and commit it")
        return
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} differs from its snapshot; if the change is intended, rerun with "
        "RUSTPRO_UPDATE_SNAPSHOTS=1 and review the diff"
    )
