"""`rustpro cache info|clean` and the audits' own pruning of stale result-cache generations."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rustpro import cacheclean
from rustpro.cachedir import engine_fingerprint
from rustpro.cli import cli
from rustpro.engine.audit import AuditOptions, run_audit
from tests.cli_support import run_cli
from tests.support import make_crate

DAY = 24 * 60 * 60


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(cache))
    engine_fingerprint.cache_clear()
    return cache


def _write(path: Path, size: int, age_days: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    when = time.time() - age_days * DAY
    os.utime(path, (when, when))
    return path


def _age(path: Path, days: float) -> None:
    when = time.time() - days * DAY
    os.utime(path, (when, when), follow_symlinks=False)


def _layout(root: Path) -> dict[str, Path]:
    current = engine_fingerprint()
    paths = {
        "fresh result": _write(root / "files" / current / "ab" / "fresh", 10),
        "old result": _write(root / "files" / current / "cd" / "old", 20, age_days=40),
        "other version": _write(root / "files" / "0123456789abcdef" / "ef" / "x", 30),
        "fresh record": _write(root / "verify" / "inventory" / "new.json", 5),
        "old record": _write(root / "verify" / "rustpro" / "old.json", 7, age_days=45),
        "old memo": _write(root / "engine" / "old.json", 18, age_days=60),
        "used copy": _write(root / "work" / "app-1" / "target" / "lib.rlib", 100),
        "old copy file": _write(root / "work" / "lib-2" / "src" / "lib.rs", 50, age_days=90),
        "transcript": _write(root / "agent" / "transcripts" / "w" / "t.jsonl", 9, age_days=90),
        "someone else's": _write(root / "notes" / "mine.txt", 4, age_days=365),
    }
    _age(root / "work" / "lib-2", 90)  # a copy's own time is when full mode last used it
    return paths


def test_info_sizes_each_part(root: Path) -> None:
    _layout(root)
    parts = {part.name: part for part in cacheclean.usage()}
    assert parts["results (this rustpro)"].size == 30
    assert parts["results (this rustpro)"].files == 2
    assert parts["results (other rustpro versions)"].size == 30
    assert parts["verify"].files == 2
    assert parts["full-mode work copies"].size == 150
    assert parts["agent transcripts and undo data"].files == 1
    assert parts["other"].size == 4


def test_clean_removes_what_no_run_reads_again_and_nothing_else(root: Path) -> None:
    paths = _layout(root)
    done = cacheclean.clean(older_than_days=30)
    gone = {name for name, path in paths.items() if not path.exists()}
    assert gone == {"old result", "other version", "old record", "old memo", "old copy file"}
    assert not (root / "work" / "lib-2").exists()
    assert (root / "files" / engine_fingerprint()).is_dir()
    assert done.size == 20 + 30 + 7 + 18 + 50
    assert not done.errors


def test_a_dry_run_removes_nothing_and_says_the_same(root: Path) -> None:
    paths = _layout(root)
    planned = cacheclean.clean(older_than_days=30, dry_run=True)
    assert all(path.exists() for path in paths.values())
    done = cacheclean.clean(older_than_days=30)
    assert (planned.size, planned.files, planned.removed) == (done.size, done.files, done.removed)


def test_clean_all_removes_every_part_but_never_what_rustpro_did_not_make(root: Path) -> None:
    paths = _layout(root)
    cacheclean.clean(everything=True)
    assert [name for name, path in paths.items() if path.exists()] == ["someone else's"]


def test_links_are_removed_never_followed(root: Path, tmp_path: Path) -> None:
    outside = _write(tmp_path / "outside" / "precious.txt", 3, age_days=100)
    (root / "work").mkdir(parents=True)
    (root / "work" / "linked-copy").symlink_to(outside.parent)
    _age(root / "work" / "linked-copy", 100)
    (root / "verify").symlink_to(outside.parent)  # a whole part that is a link
    done = cacheclean.clean(older_than_days=30)
    assert outside.read_bytes() == b"xxx"
    assert not (root / "work" / "linked-copy").is_symlink()
    assert (root / "verify").is_symlink()  # not old enough... and never entered
    assert not done.errors
    cacheclean.clean(everything=True)
    assert outside.read_bytes() == b"xxx"
    assert not (root / "verify").is_symlink()


def test_audits_prune_generations_unused_for_a_week_once_a_day(root: Path) -> None:
    stale = _write(root / "files" / "aaaaaaaaaaaaaaaa" / "ab" / "x", 5).parents[1]
    recent = _write(root / "files" / "bbbbbbbbbbbbbbbb" / "ab" / "x", 5).parents[1]
    _age(stale, cacheclean.STALE_GENERATION_DAYS + 1)
    _age(recent, 2)
    cacheclean.prune_stale_generations()
    assert not stale.exists()
    assert recent.exists()
    again = _write(root / "files" / "cccccccccccccccc" / "ab" / "x", 5).parents[1]
    _age(again, 30)
    cacheclean.prune_stale_generations()  # pruned less than a day ago: not looked at
    assert again.exists()
    cacheclean.prune_stale_generations(now=time.time() + 2 * DAY)
    assert not again.exists()
    assert recent.exists()  # four days unused: still within its week


def test_an_audit_keeps_its_generation_and_prunes_a_stale_one(root: Path, tmp_path: Path) -> None:
    stale = _write(root / "files" / "aaaaaaaaaaaaaaaa" / "ab" / "x", 5).parents[1]
    _age(stale, 30)
    crate = make_crate(tmp_path / "crate", {"src/lib.rs": "//! A crate.\n\npub fn f() {}\n"})
    run_audit(crate, AuditOptions(static=True, workers=1))
    assert not stale.exists()
    assert any((root / "files" / engine_fingerprint()).rglob("*"))


def test_the_cache_commands(root: Path) -> None:
    _layout(root)
    runner = CliRunner()
    info = runner.invoke(cli, ["cache", "info"])
    assert info.exit_code == 0
    assert str(root) in info.output
    assert "full-mode work copies" in info.output
    dry = runner.invoke(cli, ["cache", "clean", "--dry-run"])
    assert dry.exit_code == 0
    assert "would remove 5 files (125 B) in 5 entries" in dry.output
    assert (root / "work" / "lib-2").exists()
    done = runner.invoke(cli, ["cache", "clean", "--older-than", "30"])
    assert done.exit_code == 0
    assert "removed 5 files (125 B)" in done.output
    bad = runner.invoke(cli, ["cache", "clean", "--older-than", "-1"])
    assert bad.exit_code == 2


def test_a_part_that_cannot_be_removed_is_named_and_fails(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _layout(root)

    def refuse(path: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("rustpro.cacheclean.shutil.rmtree", refuse)
    done = cacheclean.clean(older_than_days=30)
    assert done.errors and all("Permission denied" in error for error in done.errors)
    assert (root / "files" / "0123456789abcdef").exists()


@pytest.mark.parametrize("command", [["cache", "info"], ["cache", "clean", "--all"]])
def test_a_cache_dir_that_is_a_file_is_an_error(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    not_a_dir = tmp_path / "cache-file"
    not_a_dir.write_text("mine\n", encoding="utf-8")
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(not_a_dir))
    done = run_cli(command, capsys)
    assert done.code == 2
    assert done.stderr.strip().splitlines() == [
        f"rustpro: error: the cache dir {not_a_dir} is not a directory (see RUSTPRO_CACHE_DIR)"
    ]
    assert not_a_dir.read_text(encoding="utf-8") == "mine\n"
