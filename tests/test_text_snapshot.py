"""The text report, pinned: a snapshot over a fixed result (regenerate with
`RUSTPRO_UPDATE_SNAPSHOTS=1 pytest tests/test_text_snapshot.py` and review the diff)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rustpro.report.json_report import render_json
from rustpro.report.text import render_text
from tests.report_support import fixed_result

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("RUSTPRO_UPDATE_SNAPSHOTS") == "1"


def _check_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {name} was missing and has been written; review and commit it")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{name} differs from its snapshot; if the change is intended, rerun with "
        "RUSTPRO_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_text_report_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)  # the "Fix these first" commands name `.`
    text = render_text(result, color=False)
    assert "\x1b[" not in text  # no ANSI when colour is off
    _check_snapshot("report.txt", text)


def test_json_report_snapshot(tmp_path: Path) -> None:
    report = json.loads(render_json(fixed_result(tmp_path / "crate")))
    report["root"] = "<root>"  # the only value that depends on where the test runs
    _check_snapshot("report.json", json.dumps(report, indent=2) + "\n")


def test_colour_report_differs_only_by_styles(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    plain = render_text(result, color=False)
    coloured = render_text(result, color=True)
    assert "\x1b[" in coloured
    stripped = _strip_ansi(coloured)
    assert stripped == plain


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
