"""The copy of the audited tree full mode runs cargo in: what is copied, linked, left out and
cleaned up, and that syncing it never writes into the original."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rustpro.toolchain.workcopy import WorkCopy, mark_cache, project_top, sync_work_copy
from tests.cli_support import tree_state


def _write(path: Path, text: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _crate(root: Path, manifest: str = '[package]\nname = "c"\n') -> Path:
    _write(root / "Cargo.toml", manifest)
    _write(root / "src" / "lib.rs", "pub fn f() {}\n")
    return root


def test_the_copy_keeps_sources_and_their_times_and_leaves_out_vcs_and_caches(
    tmp_path: Path,
) -> None:
    source = _crate(tmp_path / "project" / "crate")
    os.utime(source / "src" / "lib.rs", ns=(1_000_000_000, 1_000_000_000))
    _write(source / ".git" / "HEAD", "ref: refs/heads/main\n")
    _write(source / "target" / "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")
    _write(source / "target" / "debug" / "big", "x" * 1000)
    _write(source / "src" / "target" / "mod.rs", "// a module named target is source\n")
    (source / "src" / "alias.rs").symlink_to("lib.rs")
    os.mkfifo(source / "pipe")
    copy = sync_work_copy(source, source, tmp_path / "work", skip=None)
    local = copy.local(source)
    assert local == tmp_path / "work" / source.relative_to("/")
    assert (local / "src" / "lib.rs").read_text() == "pub fn f() {}\n"
    assert (local / "src" / "lib.rs").stat().st_mtime_ns == 1_000_000_000
    assert (local / "src" / "target" / "mod.rs").is_file()
    assert os.readlink(local / "src" / "alias.rs") == "lib.rs"
    for left_out in (".git", "target", "pipe"):
        assert not (local / left_out).exists()


def test_a_new_sync_removes_what_the_last_run_wrote_but_keeps_cargos_lock_file(
    tmp_path: Path,
) -> None:
    source = _crate(tmp_path / "crate")
    base = tmp_path / "work"
    local = sync_work_copy(source, source, base, skip=None).local(source)
    # What cargo and the tests did in the copy.
    _write(local / "Cargo.lock", "# written by cargo\n")
    _write(local / "book" / "index.html", "<p>rendered</p>\n")
    _write(local / "src" / "lib.rs", "// a test rewrote this file\n")
    # What the user changed since.
    _write(source / "src" / "new.rs", "pub fn g() {}\n")
    sync_work_copy(source, source, base, skip=None)
    assert not (local / "book").exists()
    assert (local / "src" / "lib.rs").read_text() == "pub fn f() {}\n"
    assert (local / "src" / "new.rs").is_file()
    assert (local / "Cargo.lock").read_text() == "# written by cargo\n"
    # A lock file of the project's own wins over cargo's.
    _write(source / "Cargo.lock", "# the project's\n")
    sync_work_copy(source, source, base, skip=None)
    assert (local / "Cargo.lock").read_text() == "# the project's\n"


def test_the_rest_of_the_project_is_reachable_from_a_member_and_never_written(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / "Cargo.toml", '[workspace]\nmembers = ["crates/*"]\n')
    _write(repo / "proto" / "api.proto", "syntax = 'proto3';\n")
    _write(repo / "rustfmt.toml", "edition = '2021'\n")
    member = _crate(repo / "crates" / "a")
    _crate(repo / "crates" / "b")
    before = tree_state(repo)
    top = project_top(member, cargo_root=repo)
    assert top == repo
    copy = sync_work_copy(member, top, tmp_path / "work", skip=None)
    local_repo = copy.local(repo)
    # A build script's `../../proto/api.proto` and the workspace manifest are found.
    assert (copy.local(member) / ".." / ".." / "proto" / "api.proto").read_text()
    assert (local_repo / "proto").is_symlink()
    assert (local_repo / "crates" / "b").is_symlink()
    # Files beside the path (the workspace manifest, its lock file) are copies: cargo may
    # write them.
    assert not (local_repo / "Cargo.toml").is_symlink()
    _write(local_repo / "Cargo.lock", "# written in the copy\n")
    assert not (local_repo / ".git").exists()
    sync_work_copy(member, top, tmp_path / "work", skip=None)
    assert tree_state(repo) == before


def test_toolchain_files_above_the_project_and_outside_path_dependencies_are_linked(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "rust-toolchain.toml", '[toolchain]\nchannel = "stable"\n')
    _write(tmp_path / ".cargo" / "config.toml", "[build]\n")
    outside = _crate(tmp_path / "shared" / "util", '[dependencies]\nbase = { path = "../base" }\n')
    deep = _crate(tmp_path / "shared" / "base")
    source = _crate(
        tmp_path / "app",
        '[package]\nname = "app"\n[dependencies]\nutil = { path = "../shared/util" }\n',
    )
    copy = sync_work_copy(source, source, tmp_path / "work", skip=None)
    for linked in (
        tmp_path / "rust-toolchain.toml",
        tmp_path / ".cargo",
        outside,
        deep,  # a path dependency of a path dependency
    ):
        assert os.readlink(copy.local(linked)) == str(linked)


def test_a_cache_inside_the_audited_tree_is_not_copied_into_itself(tmp_path: Path) -> None:
    source = _crate(tmp_path / "crate")
    cache = source / ".cache" / "rustpro"
    copy = sync_work_copy(source, source, cache / "work", skip=cache)
    assert isinstance(copy, WorkCopy)
    assert not (copy.local(source) / ".cache" / "rustpro").exists()
    assert (copy.local(source) / "src" / "lib.rs").is_file()


def test_a_file_that_cannot_be_read_is_left_out_and_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, where chmod 000 does not stop reads: the denial is simulated.
    source = _crate(tmp_path / "crate")
    secret = _write(source / "src" / "secret.rs", "// root's\n")
    real_open = os.open

    def open_file(path: str, flags: int, *args: int) -> int:
        if path == str(secret):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_file)
    copy = sync_work_copy(source, source, tmp_path / "work", skip=None)
    assert copy.unreadable == [f"{secret}: Permission denied"]
    assert not (copy.local(secret)).exists()
    assert (copy.local(source) / "src" / "lib.rs").is_file()


def test_cargos_build_directory_in_the_copy_is_kept_and_the_originals_never_linked(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    _write(repo / "Cargo.toml", '[workspace]\nmembers = ["crates/*"]\n')
    _write(repo / "target" / "CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n")
    member = _crate(repo / "crates" / "a")
    base = tmp_path / "work"
    build = WorkCopy(base).local(repo) / "target"
    build.mkdir(parents=True)
    mark_cache(build)
    _write(build / "debug" / "built", "an artifact\n")
    sync_work_copy(member, repo, base, skip=None, keep=build)
    # Not replaced by a link to the project's own target/ (cargo would write through it).
    assert not build.is_symlink()
    assert (build / "debug" / "built").is_file()
    # A standalone crate whose `target` is a link: the copy's build directory stays.
    crate = _crate(tmp_path / "crate")
    (crate / "target").symlink_to(tmp_path / "elsewhere")
    keep = WorkCopy(base).local(crate) / "target"
    keep.mkdir(parents=True)
    mark_cache(keep)
    sync_work_copy(crate, crate, base, skip=None, keep=keep)
    assert keep.is_dir() and not keep.is_symlink()
