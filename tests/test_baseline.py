"""Baselines: `--write-baseline` records every finding; `--baseline` reports and gates new ones.

The headline: a baseline written before an unrelated 30-line edit reports zero new findings
after it, and one new `.unwrap()` is reported exactly once.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from rustpro.baseline import BASELINE_VERSION
from rustpro.fingerprint import FINGERPRINT_VERSION
from tests.cli_support import isolated_cache, run_cli
from tests.support import FIXTURES

LEDGER = FIXTURES / "baseline" / "ledger"
LIB = "src/lib.rs"
AUDIT = ["audit", "--static", "--no-cache", "-j", "1", "--format", "json"]

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(LEDGER, root)
    return root


def _audit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    done = run_cli([*AUDIT, *map(str, args)], capsys)
    assert done.code in (0, 1), done.stderr
    return done.code, json.loads(done.stdout)


def _edit(root: Path, old: str, new: str, relpath: str = LIB) -> None:
    path = root / relpath
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# A 30-line edit that changes no finding: a comment block and a private helper above the
# findings, another function reformatted, an unrelated item renamed.
UNRELATED_EDIT = [
    (
        "mod net;",
        "// The ledger keeps u64 entries; callers parse them from text.\n"
        "//\n// Invariants:\n// - entries are never removed;\n// - totals never overflow in\n"
        "//   the sizes this fixture uses.\n\nmod net;\n\n"
        "/// How many entries fit in one page of the report.\nconst PAGE: usize = 32;\n\n"
        "fn pages(entries: usize) -> usize {\n    entries.div_ceil(PAGE)\n}\n\n"
        "/// A page of the report.\nstruct Page {\n    first: usize,\n    count: usize,\n}\n",
    ),
    (
        "    pub fn total(&self) -> u64 {\n        self.entries.iter().sum()\n    }",
        "    pub fn total(\n        &self,\n    ) -> u64 {\n        self.entries\n"
        "            .iter()\n            .sum()\n    }",
    ),
    ("struct Unrelated;", "struct Renamed;"),
    (
        "    let _ = helper(values);",
        "    let _ = helper(values);\n    let _ = pages(values.len());",
    ),
]


def test_an_unrelated_30_line_edit_reports_nothing_new_and_one_unwrap_once(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = crate.parent / "rustpro-baseline.json"
    code, written = _audit(capsys, "--write-baseline", baseline, crate)
    assert code == 0 and written["findings"] == []
    recorded = written["summary"]["baseline_hidden"]
    assert recorded >= 5
    before = (crate / LIB).read_text()
    for old, new in UNRELATED_EDIT:
        _edit(crate, old, new)
    diff = difflib.unified_diff(before.split("\n"), (crate / LIB).read_text().split("\n"), n=0)
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert len(changed) >= 30

    code, after = _audit(capsys, "--baseline", baseline, crate)
    assert (code, after["findings"]) == (0, [])
    assert after["summary"]["baseline_hidden"] == recorded
    assert after["summary"]["baseline_fixed"] == 0

    added = "        let n: u8 = left.trim().parse().unwrap();"
    _edit(crate, "        (left.parse()", f"{added}\n        (left.parse()")
    code, after = _audit(capsys, "--baseline", baseline, crate)
    assert code == 1
    reported = [(f["rule"], f["path"], f["line"]) for f in after["findings"]]
    added_line = (crate / LIB).read_text().split("\n").index(added)
    assert reported == [("unwrap-in-production", LIB, added_line + 1)]
    assert after["summary"]["baseline_hidden"] == recorded


def _entries(path: Path) -> list[dict[str, str]]:
    data = json.loads(path.read_text())
    assert data["version"] == BASELINE_VERSION
    assert data["fingerprint"] == FINGERPRINT_VERSION
    assert data["tool"]["name"] == "rustpro"
    entries: list[dict[str, str]] = data["entries"]
    return entries


def test_the_file_is_sorted_one_entry_a_line(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = crate.parent / "b.json"
    _audit(capsys, "--select", "all", "--write-baseline", baseline, crate)
    entries = _entries(baseline)
    keys = [(e["path"], e["rule"], e["fingerprint"]) for e in entries]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {"Cargo.toml", LIB, "src/net.rs"} <= {e["path"] for e in entries}
    assert all(set(e) >= {"path", "rule", "fingerprint", "message"} for e in entries)
    lines = baseline.read_text().split("\n")
    entry_lines = [line for line in lines if line.startswith('    {"path"')]
    assert len(entry_lines) == len(entries)  # one line each: a review diff is per entry


def test_rewriting_changes_only_the_entries_that_came_and_went(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = crate.parent / "b.json"
    _audit(capsys, "--write-baseline", baseline, crate)
    first = baseline.read_text()
    _audit(capsys, "--write-baseline", baseline, crate)
    assert baseline.read_text() == first  # nothing changed: byte-identical

    # Shift every line (the messages that name a line would change) and swap one finding.
    _edit(crate, "mod net;", "// a comment\n\nmod net;")
    _edit(crate, "raw.parse().unwrap()", "raw.parse().unwrap_or(0)")
    _edit(crate, "pub fn total(&self) -> u64 {", "pub fn total(&self, at: &str) -> u64 {")
    _edit(crate, "self.entries.iter().sum()", "at.parse::<u64>().unwrap()")
    code, result = _audit(capsys, "--write-baseline", baseline, crate)
    assert code == 0 and result["summary"]["baseline_fixed"] == 1
    diff = [
        line
        for line in difflib.unified_diff(first.split("\n"), baseline.read_text().split("\n"), n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert len(diff) == 2, diff
    assert diff[0].startswith("-") and "apply" in diff[0]
    assert diff[1].startswith("+") and "unwrap-in-production" in diff[1]
    assert not [p for p in crate.parent.iterdir() if p.name.endswith(".tmp")]  # atomic


def test_fixed_entries_are_counted_in_json_and_text(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = crate.parent / "b.json"
    _audit(capsys, "--write-baseline", baseline, crate)
    _edit(crate, "raw.parse().unwrap()", "raw.parse().unwrap_or(0)")
    code, result = _audit(capsys, "--baseline", baseline, crate)
    assert (code, result["findings"]) == (0, [])
    assert result["summary"]["baseline_fixed"] == 1
    text = run_cli(
        ["audit", "--static", "--no-cache", "--baseline", str(baseline), str(crate)], capsys
    )
    assert text.code == 0
    assert "(baseline entries now fixed: 1)" in text.stdout
    assert f"{result['summary']['baseline_hidden']} finding(s) in the baseline" in text.stdout


def test_entries_this_run_cannot_see_are_neither_fixed_nor_dropped(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = crate.parent / "b.json"
    _audit(capsys, "--write-baseline", baseline, crate)
    everything = _entries(baseline)
    # Another selection, then one file of the crate: nothing outside them is "fixed".
    code, result = _audit(capsys, "--select", "unwrap-in-production", "--baseline", baseline, crate)
    assert (code, result["summary"]["baseline_fixed"]) == (0, 0)
    code, result = _audit(capsys, "--baseline", baseline, crate / "src" / "net.rs")
    assert (code, result["summary"]["baseline_fixed"]) == (0, 0)
    assert result["summary"]["baseline_hidden"] == sum(
        e["path"] == "src/net.rs" for e in everything
    )
    # Rewritten from a narrower run, the file keeps the entries that run could not see.
    _audit(capsys, "--select", "unwrap-in-production", "--write-baseline", baseline, crate)
    assert _entries(baseline) == everything


def test_the_configured_baseline_is_relative_to_its_file(
    crate: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (crate / "ci").mkdir()
    (crate / "rustpro.toml").write_text('baseline = "ci/accepted.json"\n')
    monkeypatch.chdir(crate.parent)
    _audit(capsys, "--write-baseline", crate / "ci" / "accepted.json", crate)
    code, result = _audit(capsys, crate)
    assert (code, result["findings"]) == (0, [])
    assert result["summary"]["baseline_hidden"] > 0
    code, result = _audit(capsys, "--no-baseline", crate)
    assert code == 1 and result["summary"]["baseline_hidden"] == 0
    done = run_cli([*AUDIT, "--no-baseline", "--baseline", "x.json", str(crate)], capsys)
    assert done.code == 2 and done.stderr.count("\n") == 1 and "contradict" in done.stderr


def test_a_configured_baseline_that_is_missing_is_an_error(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (crate / "rustpro.toml").write_text('baseline = "nowhere.json"\n')
    done = run_cli([*AUDIT, str(crate)], capsys)
    assert done.code == 2
    assert done.stderr.count("\n") == 1 and "nowhere.json: no such file" in done.stderr
    (crate / "rustpro.toml").write_text("baseline = 3\n")
    done = run_cli([*AUDIT, str(crate)], capsys)
    assert done.code == 2 and "`baseline` must be the path of a baseline file" in done.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        ("{not json", "not JSON"),
        ('{"version": 1}', "no `entries` list"),
        ('{"version": 7, "fingerprint": 2, "entries": []}', "format version 7"),
        ('{"version": 1, "fingerprint": 1, "entries": []}', "fingerprint version 1"),
        ('{"version": 1, "fingerprint": 2, "entries": [{"path": "a"}]}', "entry 1 is not"),
        (
            '{"version": 1, "fingerprint": 2, "entries": [{"path": "a", "rule": "r", '
            '"fingerprint": "xyz", "message": ""}]}',
            "entry 1 is not",
        ),
        (b"\xff\xfe{", "cannot read"),
    ],
)
def test_a_missing_or_corrupt_baseline_is_one_line_and_exit_2(
    crate: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None, says: str
) -> None:
    baseline = crate.parent / "b.json"
    if isinstance(content, bytes):
        baseline.write_bytes(content)
    elif content is not None:
        baseline.write_text(content)
    done = run_cli([*AUDIT, "--baseline", str(baseline), str(crate)], capsys)
    assert done.code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"rustpro: error: baseline {baseline}: ")
    assert says in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_write_baseline_replaces_a_stale_baseline_but_not_another_file(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = crate.parent / "stale.json"
    stale.write_text('{"version": 1, "fingerprint": 1, "entries": []}\n')
    code, _ = _audit(capsys, "--write-baseline", stale, crate)
    assert code == 0 and _entries(stale)
    other = crate.parent / "package.json"
    other.write_text('{"name": "not a baseline"}\n')
    done = run_cli([*AUDIT, "--write-baseline", str(other), str(crate)], capsys)
    assert done.code == 2 and "not a rustpro baseline" in done.stderr
    assert other.read_text() == '{"name": "not a baseline"}\n'


def test_write_baseline_needs_its_directory_and_a_writable_place(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = crate.parent / "no" / "such" / "b.json"
    done = run_cli([*AUDIT, "--write-baseline", str(missing), str(crate)], capsys)
    assert done.code == 2 and done.stderr.count("\n") == 1
    assert "does not exist" in done.stderr and "Traceback" not in done.stderr
    directory = crate.parent / "b-dir.json"
    directory.mkdir()
    done = run_cli([*AUDIT, "--write-baseline", str(directory), str(crate)], capsys)
    assert done.code == 2 and done.stderr.count("\n") == 1
    if os.geteuid() != 0:  # root writes through permissions
        locked = crate.parent / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            done = run_cli([*AUDIT, "--write-baseline", str(locked / "b.json"), str(crate)], capsys)
        finally:
            locked.chmod(0o700)
        assert done.code == 2 and "cannot write" in done.stderr


def test_write_and_read_baselines_must_be_one_file(
    crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = crate.parent / "a.json", crate.parent / "b.json"
    done = run_cli(
        [*AUDIT, "--baseline", str(first), "--write-baseline", str(second), str(crate)], capsys
    )
    assert done.code == 2 and "give one file" in done.stderr
    _audit(capsys, "--baseline", first, "--write-baseline", first, crate)
    code, result = _audit(capsys, "--baseline", first, crate)
    assert (code, result["findings"]) == (0, [])


def test_one_baseline_serves_a_workspace_and_its_members_audited_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(LEDGER, workspace / "crates" / "ledger")
    shutil.copytree(LEDGER, workspace / "crates" / "other")
    _edit(workspace / "crates" / "other", 'name = "ledger"', 'name = "other"', "Cargo.toml")
    (workspace / "Cargo.toml").write_text('[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n')
    baseline = tmp_path / "b.json"
    _, whole = _audit(capsys, "--write-baseline", baseline, workspace)
    assert {e["path"].split("/")[1] for e in _entries(baseline)} == {"ledger", "other"}

    member = workspace / "crates" / "ledger"
    code, alone = _audit(capsys, "--baseline", baseline, member)
    assert (code, alone["findings"]) == (0, [])
    assert alone["summary"]["baseline_fixed"] == 0  # the other member's entries are not fixed
    ours = sum(e["path"].startswith("crates/ledger/") for e in _entries(baseline))
    assert alone["summary"]["baseline_hidden"] == ours

    # Written from the member, the same entries (paths from the workspace root) come out, and
    # the other member's entries stay.
    _audit(capsys, "--write-baseline", baseline, member)
    assert len(_entries(baseline)) == whole["summary"]["baseline_hidden"]
