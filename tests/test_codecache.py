"""The code `dataclasses` compiles for rustpro's classes is kept between runs (`_codecache`)."""

from __future__ import annotations

import dataclasses
import marshal
import subprocess
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest

from rustpro import _codecache

SOURCE = "def __create_fn__():\n def f(self):\n  return 42\n return f\n"


def _run(cache: _codecache._CodeCache) -> object:
    namespace: dict[str, object] = {}
    cache.exec(SOURCE, {}, namespace)
    create = namespace["__create_fn__"]
    assert callable(create)
    return create()


def test_a_text_is_compiled_once_and_saved(tmp_path: Path) -> None:
    path = tmp_path / "pycache" / "table.pyc"
    first = _codecache._CodeCache(str(path), MAGIC_NUMBER)
    method = _run(first)
    assert callable(method) and method(None) == 42
    assert first.added == 1
    first.save()
    second = _codecache._CodeCache(str(path), MAGIC_NUMBER)
    assert second.codes.keys() == {SOURCE}
    assert second.codes[SOURCE] == compile(SOURCE, "<string>", "exec")
    _run(second)
    assert second.added == 0  # served from the file


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        MAGIC_NUMBER + b"\xff\x00garbage",
        MAGIC_NUMBER + marshal.dumps(["a list"]),
        MAGIC_NUMBER + marshal.dumps({"text": "not code"}),
        b"\x00\x00\x00\x00" + marshal.dumps({SOURCE: compile(SOURCE, "<string>", "exec")}),
    ],
)
def test_a_bad_or_foreign_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "table.pyc"
    path.write_bytes(content)
    cache = _codecache._CodeCache(str(path), MAGIC_NUMBER)
    assert cache.codes == {}
    method = _run(cache)
    assert callable(method) and method(None) == 42


def test_an_unwritable_place_is_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = _codecache._CodeCache(str(blocker / "sub" / "table.pyc"), MAGIC_NUMBER)
    _run(cache)
    cache.save()  # no exception


def test_dataclasses_compile_through_the_cache() -> None:
    """Installed by importing rustpro: a class defined now gets the same methods."""
    assert isinstance(dataclasses.exec, _codecache._BoundExec)  # type: ignore[attr-defined]

    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 2

    point = Point(1)
    assert (point.x, point.y, repr(point)) == (
        1,
        2,
        "test_dataclasses_compile_through_the_cache.<locals>.Point(x=1, y=2)",
    )
    assert point == Point(1, 2) and hash(point) == hash(Point(1, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3  # type: ignore[misc]


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    """PYTHONDONTWRITEBYTECODE holds for this cache as for Python's own."""
    prefix = tmp_path / "prefix"
    script = "import rustpro.cli"
    env = {"PYTHONPYCACHEPREFIX": str(prefix), "PYTHONDONTWRITEBYTECODE": "1", "PATH": ""}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert not list(prefix.rglob("_dataclass_methods*"))
    del env["PYTHONDONTWRITEBYTECODE"]
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert list(prefix.rglob("_dataclass_methods*"))
