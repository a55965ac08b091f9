"""`rustpro agent --undo`: every file the last run created, changed or deleted comes back,
with its mode, also where there is no git."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rustpro.agent.run import undo
from rustpro.agent.undo import journal_dir
from rustpro.errors import UsageError
from tests.agent.support import Runner, call, crate_copy, turn
from tests.cli_support import run_cli


def tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `root`: content and mode."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    crate = crate_copy(tmp_path / "crate")
    (crate / "notes.md").write_text("keep me\n")
    os.chmod(crate / "notes.md", 0o640)
    os.chmod(crate / "src" / "lib.rs", 0o600)
    return crate


CHANGES = turn(
    "Changing things.",
    call("write_file", path="src/extra/deep/new.rs", content="pub fn new() {}\n"),
    call("edit_file", path="src/lib.rs", old_text="saturating_add", new_text="wrapping_add"),
    call("delete_file", path="notes.md"),
    call("write_file", path="Cargo.toml", content="[package]\nname = 'broken'\n"),
)


def test_undo_restores_every_file_the_run_touched(runner: Runner, crate: Path) -> None:
    before = tree(crate)
    ran = runner.run(crate, [CHANGES, turn("never played")], max_turns=1)
    assert ran.result.exit_code == 1  # the turn budget ended it before any gate
    assert set(ran.result.changed) == {
        "src/extra/deep/new.rs",
        "src/lib.rs",
        "notes.md",
        "Cargo.toml",
    }
    assert "rustpro agent --undo" in ran.output
    assert not (crate / "notes.md").exists() and (crate / "src/extra/deep/new.rs").exists()
    assert not (crate / ".git").exists()
    report = undo(crate)
    assert sorted(report.restored) == ["Cargo.toml", "notes.md", "src/lib.rs"]
    assert report.removed == ["src/extra/deep/new.rs"]
    assert tree(crate) == before
    assert not (crate / "src" / "extra").exists()  # the directories the run created too
    with pytest.raises(UsageError, match="nothing to undo"):
        undo(crate)


def test_undo_leaves_a_file_changed_after_the_run(runner: Runner, crate: Path) -> None:
    runner.run(crate, [CHANGES, turn("never played")], max_turns=1)
    (crate / "src" / "lib.rs").write_text("// edited by hand after the run\n")
    report = undo(crate)
    assert report.kept == ["src/lib.rs"]
    assert (crate / "src" / "lib.rs").read_text() == "// edited by hand after the run\n"
    assert (crate / "notes.md").read_text() == "keep me\n"


def test_a_run_that_changes_nothing_keeps_the_last_runs_journal(
    runner: Runner, crate: Path
) -> None:
    runner.run(crate, [CHANGES, turn("never played")], max_turns=1)
    runner.run(crate, [turn("Just reading.", call("list_dir")), turn("Answered.")])
    assert (journal_dir(crate) / "journal.json").is_file()
    assert "notes.md" in undo(crate).restored


def test_the_command_line_undoes_and_says_what_it_did(
    runner: Runner, crate: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree(crate)
    runner.run(crate, [CHANGES, turn("never played")], max_turns=1)
    done = run_cli(["agent", "--undo", "--workspace", str(crate)], capsys)
    assert done.code == 0
    assert "restored src/lib.rs" in done.stdout and "removed src/extra/deep/new.rs" in done.stdout
    assert tree(crate) == before
    again = run_cli(["agent", "--undo", "--workspace", str(crate)], capsys)
    assert again.code == 2
    assert again.stderr.startswith("rustpro: error: nothing to undo in ")
