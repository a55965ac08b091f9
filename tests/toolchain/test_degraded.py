"""Missing tools and timeouts: the step is skipped or stopped with a reason, the rest runs."""

from __future__ import annotations

import json
import stat
import tempfile
import time
from pathlib import Path

import pytest

from rustpro.model import Checkpoint
from rustpro.toolchain import full
from tests.cli_support import assert_one_line_error, run_cli, run_cli_process, tree_state
from tests.toolchain.conftest import audit_full, full_options

pytestmark = pytest.mark.cargo


def _fake_cargo(tmp_path: Path, script: str) -> Path:
    """A `cargo` that runs `script` (bash) first and then hands over to the real cargo."""
    path = tmp_path / "cargo"
    path.write_text(f'#!/usr/bin/env bash\n{script}\nexec cargo "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_missing_clippy_and_rustfmt_fall_back_and_skip(
    cargo_crates: Path, cargo_target_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_cargo(
        tmp_path,
        'case "$1" in clippy|fmt) echo "error: no such command: \\`$1\\`" >&2; exit 101;; esac',
    )
    monkeypatch.setenv("CARGO", str(fake))
    result = audit_full(cargo_crates / "clean", full_options(cargo_target_dir))
    memory = result.checkpoints[Checkpoint.MEMORY].evidence
    assert any(line.startswith("clippy: skipped (error: no such command") for line in memory)
    assert any(line.startswith("compiles: yes (cargo check") for line in memory)
    project = result.checkpoints[Checkpoint.PROJECT].evidence
    assert any(line.startswith("rustfmt: skipped (error: no such command") for line in project)
    # Two unit tests and one doctest.
    assert any(
        "3 passed, 0 failed" in line for line in result.checkpoints[Checkpoint.TESTING].evidence
    )


def test_missing_cargo_skips_every_step_and_keeps_the_static_audit(
    cargo_crates: Path, cargo_target_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARGO", "rustpro-test-no-such-cargo")
    result = audit_full(cargo_crates / "clean", full_options(cargo_target_dir))
    assert result.mode == "full"
    for checkpoint in (Checkpoint.MEMORY, Checkpoint.TESTING, Checkpoint.DOCS):
        (line,) = result.checkpoints[checkpoint].evidence
        assert "skipped (`rustpro-test-no-such-cargo` is not on PATH)" in line
    assert any("full mode needs cargo" in warning for warning in result.warnings)


def test_a_step_that_times_out_says_which_and_the_rest_runs(
    cargo_crates: Path, cargo_target_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARGO", str(_fake_cargo(tmp_path, '[ "$1" = test ] && sleep 60')))
    options = full_options(cargo_target_dir, step_timeouts={"test": 2.0})
    started = time.perf_counter()
    result = audit_full(cargo_crates / "clean", options)
    assert time.perf_counter() - started < 50
    testing = result.checkpoints[Checkpoint.TESTING]
    assert testing.evidence == ["tests: did not finish (cargo test timed out after 2 s)"]
    assert [f.rule for f in result.findings if f.source == "cargo-test"] == ["cargo-test::timeout"]
    assert testing.status == "fail"
    assert any("docs build: yes" in line for line in result.checkpoints[Checkpoint.DOCS].evidence)


def test_skip_flag_and_fixture_left_untouched(
    cargo_crates: Path,
    cargo_target_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crate = cargo_crates / "failing"
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    run_cli(["audit", "--quiet", "--target-dir", str(cargo_target_dir), str(crate)], capsys)
    before = tree_state(crate)  # after the first run: Cargo.lock exists now
    args = ["audit", "--format", "json", "--target-dir", str(cargo_target_dir)]
    args += ["--skip", "test", "--skip", "doc", "--skip", "fmt", str(crate)]
    shown = run_cli(args, capsys)
    report = json.loads(shown.stdout)
    assert report["checkpoints"]["testing"]["evidence"] == ["tests: skipped (--skip test)"]
    assert "cargo-test" not in {f["source"] for f in report["findings"]}
    assert tree_state(crate) == before  # the build went to the target dir, fmt only checked


def test_a_bug_in_a_step_beside_the_build_is_a_warning_not_a_traceback(
    cargo_crates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fmt(session: object) -> None:
        raise RuntimeError("boom")

    quiet_cargo = tmp_path / "quiet-cargo"
    quiet_cargo.write_text("#!/bin/sh\nexit 0\n")
    quiet_cargo.chmod(quiet_cargo.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("CARGO", str(quiet_cargo))
    monkeypatch.setattr(full, "run_fmt", broken_fmt)
    result = audit_full(cargo_crates / "clean", full_options(tmp_path / "target"))
    assert "the fmt step failed: RuntimeError: boom" in result.warnings


@pytest.mark.parametrize("blocked", ["cache dir", "--target-dir"])
def test_an_unwritable_build_directory_is_a_one_line_error(
    cargo_crates: Path, tmp_path: Path, blocked: str
) -> None:
    # A path under a regular file cannot be created, even by root.
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {"RUSTPRO_CACHE_DIR": str(tmp_path / "cache")}
    args = ["audit", "--quiet"]
    if blocked == "cache dir":
        env["RUSTPRO_CACHE_DIR"] = str(blocker / "cache")
        what = "copy of the project"
        hint = "set RUSTPRO_CACHE_DIR to a writable directory, or use --static"
    else:
        args += ["--target-dir", str(blocker / "target")]
        what = "build directory"
        hint = "choose another with --target-dir DIR"
    crate = cargo_crates / "clean"
    before = tree_state(crate)
    run = run_cli_process([*args, str(crate)], env=env)
    assert run.code == 2
    assert_one_line_error(run)
    assert f"rustpro: error: full mode cannot write its {what}" in run.stderr
    assert f"Not a directory; {hint}" in run.stderr
    assert run.stdout == ""
    assert tree_state(crate) == before


def test_a_copy_that_cannot_be_written_is_a_one_line_error(
    cargo_crates: Path,
    cargo_target_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Tests run as root, where a read-only directory is still writable: the denial is
    # simulated where rustpro probes the directory for its copy of the project.
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*, dir: Path, prefix: str) -> tuple[int, str]:
        if Path(dir).parent.name == "work":
            raise PermissionError(13, "Permission denied", str(dir))
        made: tuple[int, str] = real_mkstemp(dir=dir, prefix=prefix)
        return made

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    args = ["audit", "--quiet", "--target-dir", str(cargo_target_dir)]
    run = run_cli([*args, str(cargo_crates / "clean")], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "full mode cannot write its copy of the project" in run.stderr
    assert "Permission denied; set RUSTPRO_CACHE_DIR to a writable directory" in run.stderr
