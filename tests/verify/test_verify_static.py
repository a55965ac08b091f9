"""`rustpro verify` without cargo (`--skip build --skip fmt`): starting points, check 4 (new
rustpro findings by fingerprint), check 5's orchestration, snapshots and usage errors."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.cli_support import assert_one_line_error, isolated_cache, run_cli, tree_state
from tests.verify.support import (
    NEW_UNWRAP,
    NEW_UNWRAP_LINE,
    VERIFIABLE,
    edit,
    git,
    make_repo,
    weakening,
)

__all__ = ["isolated_cache", "weakening"]

NO_CARGO = ["--skip", "build", "--skip", "fmt"]
UNWRAP = NEW_UNWRAP


@pytest.fixture
def repo(tmp_path: Path, isolated_cache: Path, weakening: ModuleType) -> Path:
    return make_repo(tmp_path / "crate")


def verify_json(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, object]]:
    run = run_cli(["verify", *NO_CARGO, "--format", "json", *args], capsys)
    assert run.stdout, run.stderr
    return run.code, json.loads(run.stdout)


def statuses(report: dict[str, object]) -> dict[str, str]:
    checks = report["checks"]
    assert isinstance(checks, list)
    return {c["id"]: c["status"] for c in checks}


def test_an_unchanged_tree_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = verify_json([str(repo)], capsys)
    assert code == 0
    assert report["verdict"] == "pass"
    assert statuses(report) == {
        "builds": "skipped",
        "tests": "skipped",
        "clippy": "skipped",
        "rustpro": "pass",
        "weakening": "pass",
        "fmt": "skipped",
    }
    assert report["changed_files"] == []
    tests = next(c for c in report["checks"] if c["id"] == "tests")  # type: ignore[attr-defined]
    assert tests["summary"] == "skipped (--skip build)"


def test_a_new_unwrap_fails_the_rustpro_check_only(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, "src/lib.rs", *UNWRAP)
    code, report = verify_json([str(repo)], capsys)
    assert code == 1
    assert statuses(report)["rustpro"] == "fail"
    assert statuses(report)["weakening"] == "pass"
    rustpro = next(c for c in report["checks"] if c["id"] == "rustpro")  # type: ignore[attr-defined]
    assert [(p["path"], p["line"], p["name"]) for p in rustpro["problems"]] == [
        ("src/lib.rs", NEW_UNWRAP_LINE, "unwrap-in-production")
    ]
    assert report["changed_files"] == ["src/lib.rs"]


def test_an_old_finding_is_not_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Committed at the start, then moved down by an unrelated edit above it: same fingerprint.
    edit(repo, "src/lib.rs", *UNWRAP)
    git(repo, "commit", "-q", "-am", "unwrap")
    edit(repo, "src/lib.rs", "//! A tiny", "//! An edited line.\n//!\n//! A tiny")
    code, report = verify_json([str(repo)], capsys)
    assert code == 0, report
    assert statuses(report)["rustpro"] == "pass"


def test_since_compares_with_an_older_commit(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, "src/lib.rs", *UNWRAP)
    git(repo, "commit", "-q", "-am", "unwrap")
    code, report = verify_json([str(repo)], capsys)  # against HEAD: already there
    assert code == 0
    code, report = verify_json(["--since", "HEAD~1", str(repo)], capsys)
    assert code == 1
    assert statuses(report)["rustpro"] == "fail"
    assert report["start"]["ref"] == "HEAD~1"  # type: ignore[index]


def test_a_removed_test_fails_the_weakening_check_naming_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(repo, "src/lib.rs", "#[test]\n    fn parses_ports() {", "fn parses_ports() {")
    run = run_cli(["verify", *NO_CARGO, str(repo)], capsys)
    assert run.code == 1
    first = run.stdout.splitlines()[0]
    assert first.startswith("rustpro verify: FAIL: 1 of 6 checks failed (tests not weakened")
    assert "src/lib.rs::tests::parses_ports" in run.stdout
    assert "\n      cargo test would run 1 tests" in run.stdout  # a tree-wide problem: no place
    assert "what to do: restore what the test checked" in run.stdout


def test_test_inventories_are_cached_by_content(
    repo: Path, weakening: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rustpro.verify.sides import work_tree_side
    from rustpro.verify.testchecks import inventory_of

    parsed: list[int] = []
    real = weakening.inventory

    def counting(sources: dict[str, str]) -> object:
        parsed.append(len(sources))
        return real(sources)

    monkeypatch.setattr(weakening, "inventory", counting)
    first = inventory_of(weakening, work_tree_side(repo, repo))
    again = inventory_of(weakening, work_tree_side(repo, repo))
    assert len(parsed) == 1  # the second answer came from the cache
    assert again == first
    # Any change to a source it reads is another key: the removed test is seen at once.
    edit(repo, "src/lib.rs", "#[test]\n    fn parses_ports() {", "fn parses_ports() {")
    edited = inventory_of(weakening, work_tree_side(repo, repo))
    assert len(parsed) == 2
    assert len(edited.tests) == len(first.tests) - 1
    assert inventory_of(weakening, work_tree_side(repo, repo), use_cache=False) == edited
    assert len(parsed) == 3


def test_the_old_side_is_never_checked_out(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edit(repo, "src/lib.rs", *UNWRAP)
    before = {k: v for k, v in tree_state(repo).items() if not k.startswith(".git/")}
    head = (repo / ".git" / "HEAD").read_text()
    run_cli(["verify", *NO_CARGO, "--since", "HEAD", str(repo)], capsys)
    after = {k: v for k, v in tree_state(repo).items() if not k.startswith(".git/")}
    assert after == before
    assert (repo / ".git" / "HEAD").read_text() == head
    assert git(repo, "status", "--porcelain") == " M src/lib.rs\n"


def test_a_crate_below_the_repository_top(
    tmp_path: Path, isolated_cache: Path, weakening: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    top = tmp_path / "mono"
    top.mkdir()
    (top / "README.md").write_text("a repository holding more than the crate\n")
    shutil.copytree(VERIFIABLE, top / "rust" / "lib")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "start")
    edit(top / "rust" / "lib", "src/lib.rs", *UNWRAP)
    code, report = verify_json([str(top / "rust" / "lib")], capsys)
    assert code == 1
    assert statuses(report)["rustpro"] == "fail"
    assert report["changed_files"] == ["src/lib.rs"]


def test_record_then_verify_against_the_snapshot(
    tmp_path: Path, isolated_cache: Path, weakening: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    crate = tmp_path / "nogit"
    shutil.copytree(VERIFIABLE, crate)
    snapshot = tmp_path / "start.json"
    run = run_cli(["verify", "--record", str(snapshot), *NO_CARGO, str(crate)], capsys)
    assert run.code == 0, run.stderr
    assert "recorded" in run.stdout and "2 test(s)" in run.stdout
    data = json.loads(snapshot.read_text())
    assert data["format"] == "rustpro-verify-snapshot"
    assert set(data["files"]) == {"Cargo.toml", "src/lib.rs"}
    code, report = verify_json(["--snapshot", str(snapshot), str(crate)], capsys)
    assert code == 0
    edit(crate, "src/lib.rs", *UNWRAP)
    edit(crate, "src/lib.rs", "#[test]\n    fn parses_ports() {", "fn parses_ports() {")
    code, report = verify_json(["--snapshot", str(snapshot), str(crate)], capsys)
    assert code == 1
    assert statuses(report)["rustpro"] == "fail"
    assert statuses(report)["weakening"] == "fail"
    assert report["start"]["kind"] == "snapshot"  # type: ignore[index]


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--since", "no-such-ref"], "unknown git ref `no-such-ref`"),
        (["--since", "HEAD", "--snapshot", "x.json"], "not both"),
        (["--snapshot", "missing.json"], "cannot read snapshot"),
    ],
)
def test_verify_that_cannot_run_exits_2(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], phrase: str
) -> None:
    run = run_cli(["verify", *NO_CARGO, *args, str(repo)], capsys)
    assert run.code == 2
    assert phrase in run.stderr


def test_a_tree_outside_git_needs_a_snapshot(
    tmp_path: Path, isolated_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crate = tmp_path / "nogit"
    shutil.copytree(VERIFIABLE, crate)
    run = run_cli(["verify", *NO_CARGO, str(crate)], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "--record FILE" in run.stderr


def test_without_the_weakening_module_verify_cannot_answer(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "rustpro.verify.weakening", None)
    run = run_cli(["verify", *NO_CARGO, str(repo)], capsys)
    assert run.code == 2
    assert "tests not weakened" in run.stderr and "--skip weakening" in run.stderr
    run = run_cli(["verify", *NO_CARGO, "--skip", "weakening", str(repo)], capsys)
    assert run.code == 0


def test_output_is_written_atomically(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.md"
    run = run_cli(
        ["verify", *NO_CARGO, "--format", "markdown", "--output", str(out), str(repo)], capsys
    )
    assert run.code == 0
    assert out.read_text().startswith("## rustpro verify: PASS")
    assert run.stdout.startswith("rustpro verify: PASS")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []
