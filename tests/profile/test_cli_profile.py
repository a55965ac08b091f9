"""`rustpro profile` on the command line: formats, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import assert_one_line_error, run_cli
from tests.profile.test_questions import ASYNC_SERVICE_MAIN, ASYNC_SERVICE_MANIFEST
from tests.support import make_crate


@pytest.fixture
def service(tmp_path: Path) -> Path:
    return make_crate(tmp_path / "svc", {"src/main.rs": ASYNC_SERVICE_MAIN}, ASYNC_SERVICE_MANIFEST)


def test_text(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["profile", str(service)], capsys)
    assert run.code == 0
    assert "== bin service (.)" in run.stdout
    assert "[ 3] Which async runtime? (declared)" in run.stdout
    assert "at src/main.rs:4  #[tokio::main]" in run.stdout
    assert "[16] open questions" in run.stdout


def test_json(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["profile", str(service), "--format", "json", "-j", "1"], capsys)
    assert run.code == 0
    data = json.loads(run.stdout)
    assert data["crates"][0]["answers"]["async_runtime"]["facts"]["production_runtimes"] == [
        "tokio"
    ]


def test_markdown(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["profile", str(service), "--format", "markdown"], capsys)
    assert run.code == 0
    assert "| 3 | Which async runtime? | tokio" in run.stdout
    assert "### Open questions" in run.stdout


def test_missing_path_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(["profile", str(tmp_path / "nope")], capsys)
    assert run.code == 2
    assert_one_line_error(run)


def test_broken_manifest_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Cargo.toml").write_text("[package\nname = 1\n")
    run = run_cli(["profile", str(tmp_path)], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "Cargo.toml" in run.stderr


def test_unreadable_source_is_a_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "pub fn f() {}\nmod bad;\n"})
    (root / "src" / "bad.rs").write_bytes(b"fn \xff() {}\n")
    run = run_cli(["profile", str(root)], capsys)
    assert run.code == 0
    assert "src/bad.rs: not valid UTF-8" in run.stdout
