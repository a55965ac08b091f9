"""`--output FILE`: the report written atomically (temp file in the same directory, fsync,
rename), the same text stdout would get, and one line with exit 2 when it cannot be written,
never a traceback and never a temporary file left behind. Tests run as root, where chmod
does not stop writes, so denials by the operating system are simulated."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from rustpro import cli, output
from rustpro.engine.audit import AuditOptions, AuditResult
from rustpro.errors import OutputError
from tests.cli_support import (
    assert_one_line_error,
    isolated_cache,
    run_cli,
    run_cli_process,
)
from tests.report_support import fixed_result
from tests.support import make_crate

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")

DIRTY_LIB = (
    "//! Dirty.\n\n/// Parses.\npub fn port(text: &str) -> u16 {\n    text.parse().unwrap()\n}\n"
)
AUDIT = ["audit", "--static", "--no-cache", "-j", "1", "--select", "unwrap-in-production"]


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    return make_crate(tmp_path / "dirty", {"src/lib.rs": DIRTY_LIB})


@pytest.fixture
def fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AuditResult:
    """The command line audits to the snapshot result (fixed time: two runs print alike)."""
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)

    def run(path: Path, options: AuditOptions, flags: object = None) -> AuditResult:
        return result

    monkeypatch.setattr(cli, "_run", run)
    return result


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_file_holds_what_stdout_would(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fixed: AuditResult, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    shown = run_cli([*AUDIT, "--format", fmt, "--color", "never", "."], capsys)
    written = run_cli([*AUDIT, "--format", fmt, "--color", "never", "-o", str(target), "."], capsys)
    assert shown.code == written.code == 1  # the gates decide, wherever the report goes
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8") == shown.stdout
    assert _leftovers(tmp_path) == []


def test_statistics_go_to_the_file_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fixed: AuditResult
) -> None:
    target = tmp_path / "stats.txt"
    run = run_cli([*AUDIT, "--statistics", "--output", str(target), "."], capsys)
    assert run.code == 1
    assert target.read_text(encoding="utf-8").startswith("2  unwrap-in-production")


def test_exit_code_comes_from_the_gates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, dirty: Path
) -> None:
    target = tmp_path / "out.json"
    failing = run_cli([*AUDIT, "--format", "json", "-o", str(target), str(dirty)], capsys)
    assert failing.code == 1
    assert '"unwrap-in-production"' in target.read_text(encoding="utf-8")
    passing = run_cli(
        [*AUDIT, "--fail-on", "error", "--format", "json", "-o", str(target), str(dirty)], capsys
    )
    assert passing.code == 0


def test_missing_directory_is_one_line_before_any_audit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(*args: object) -> None:
        raise AssertionError("the audit ran although the report could not be written")

    monkeypatch.setattr(cli, "_run", must_not_run)
    target = tmp_path / "missing" / "report.md"
    run = run_cli([*AUDIT, "--format", "markdown", "--output", str(target), "."], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "does not exist" in run.stderr and str(target) in run.stderr
    assert not (tmp_path / "missing").exists()


def test_directory_as_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run = run_cli([*AUDIT, "--output", str(tmp_path), "."], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "is a directory" in run.stderr


def test_read_only_file_is_left_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fixed: AuditResult
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report\n")
    target.chmod(0o444)
    run = run_cli([*AUDIT, "--output", str(target), "."], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "read-only" in run.stderr
    assert target.read_text() == "old report\n"
    assert _leftovers(tmp_path) == []


def test_denied_directory_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fixed: AuditResult,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A directory the user may not write to (or a read-only file system): creating the
    # temporary file is refused.
    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    run = run_cli([*AUDIT, "--output", str(tmp_path / "report.txt"), "."], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "cannot write: Permission denied" in run.stderr
    assert list(tmp_path.iterdir()) == [fixed.root]


def test_failed_rename_leaves_no_temporary_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fixed: AuditResult,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old report\n")

    def refuse(source: str, destination: object) -> None:
        assert Path(source).read_text(encoding="utf-8").startswith("note[")  # written whole
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    run = run_cli([*AUDIT, "--output", str(target), "."], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert target.read_text() == "old report\n"
    assert _leftovers(tmp_path) == []


def test_interrupted_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        output.write_atomically(tmp_path / "report.txt", "text\n")
    assert list(tmp_path.iterdir()) == []


def test_replacing_keeps_the_mode_and_a_new_file_gets_the_umask(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("old\n")
    kept.chmod(0o640)
    output.write_atomically(kept, "new\n")
    assert kept.read_text() == "new\n"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        output.write_atomically(fresh, "x\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    output.write_atomically(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_devices_and_pipes_are_written_to_not_replaced(
    capsys: pytest.CaptureFixture[str], fixed: AuditResult
) -> None:
    # Renaming over /dev/null would replace the device with a file (rustpro runs as root in
    # many CI containers); `-o /dev/stdout` is an idiom.
    run = run_cli([*AUDIT, "--format", "json", "-o", os.devnull, "."], capsys)
    assert run.code == 1
    assert run.stdout == ""
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_named_pipe(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so that opening to write won't block
    try:
        output.write_atomically(pipe, "through the pipe\n")
        assert os.read(reader, 100) == b"through the pipe\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert _leftovers(tmp_path) == []


def test_parent_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="is not a directory"):
        output.check_target(tmp_path / "file" / "report.txt")


def test_as_a_real_process(tmp_path: Path, dirty: Path) -> None:
    missing = run_cli_process([*AUDIT, "-o", str(tmp_path / "no" / "r.json"), str(dirty)])
    assert missing.code == 2
    assert_one_line_error(missing)
    target = tmp_path / "r.md"
    written = run_cli_process([*AUDIT, "--format", "markdown", "-o", str(target), str(dirty)])
    assert written.code == 1, written.stderr
    assert written.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("## rustpro: ❌ FAIL")
