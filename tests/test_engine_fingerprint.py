"""The fingerprint of rustpro's code that keys every cache: a digest of the sources' content,
remembered under their sizes and modification times."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import rustpro
from rustpro import cachedir


@pytest.fixture(autouse=True)
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    cachedir.engine_fingerprint.cache_clear()
    yield
    cachedir.engine_fingerprint.cache_clear()


def _read_every_source(package_dir: Path) -> str:
    """The fingerprint as it was computed before it was remembered: every source read."""
    digest = hashlib.sha256(rustpro.__version__.encode())
    for path in sorted(package_dir.rglob("*")):
        if path.suffix in (".py", ".toml") and path.is_file():
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _fake_package(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    package = root / "pkg"
    (package / "rules" / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = 1\n", encoding="utf-8")
    (package / "rules" / "a.py").write_text("A = 1\n", encoding="utf-8")
    (package / "catalog.toml").write_text("[a]\n", encoding="utf-8")
    (package / "notes.txt").write_text("not a source\n", encoding="utf-8")
    monkeypatch.setattr(rustpro, "__file__", str(package / "__init__.py"))
    return package


def test_the_fingerprint_is_the_digest_of_every_source() -> None:
    package_dir = Path(rustpro.__file__).parent
    assert cachedir.engine_fingerprint() == _read_every_source(package_dir)


def test_a_remembered_fingerprint_is_not_computed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    first = cachedir.engine_fingerprint()
    cachedir.engine_fingerprint.cache_clear()

    def must_not_run(*_: object) -> str:
        raise AssertionError("the sources were read again")

    monkeypatch.setattr(cachedir, "content_fingerprint", must_not_run)
    assert cachedir.engine_fingerprint() == first


def test_a_changed_source_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = _fake_package(tmp_path, monkeypatch)
    before = cachedir.engine_fingerprint()
    assert before == _read_every_source(package)
    source = package / "rules" / "a.py"
    source.write_text("A = 2\n", encoding="utf-8")  # the same size: the time tells
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    cachedir.engine_fingerprint.cache_clear()
    after = cachedir.engine_fingerprint()
    assert after != before
    assert after == _read_every_source(package)


def test_a_bytecode_directory_and_other_files_do_not_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _fake_package(tmp_path, monkeypatch)
    before = cachedir.engine_fingerprint()
    (package / "rules" / "__pycache__" / "b.py").write_text("x\n", encoding="utf-8")
    (package / "other.txt").write_text("x\n", encoding="utf-8")
    cachedir.engine_fingerprint.cache_clear()
    assert cachedir.engine_fingerprint() == before


@pytest.mark.parametrize("stored", ['"not hex at all"', "[1, 2]", "{", '"0123"'])
def test_a_damaged_memo_is_ignored_and_written_again(stored: str) -> None:
    first = cachedir.engine_fingerprint()
    memos = list((cachedir.cache_root() / "engine").glob("*.json"))
    assert len(memos) == 1
    memos[0].write_text(stored, encoding="utf-8")
    cachedir.engine_fingerprint.cache_clear()
    assert cachedir.engine_fingerprint() == first
    assert memos[0].read_text(encoding="utf-8") == f'"{first}"'


def test_an_unwritable_cache_dir_still_gives_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(blocked))
    assert cachedir.engine_fingerprint() == _read_every_source(Path(rustpro.__file__).parent)
