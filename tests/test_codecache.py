"""The code `dataclasses` compiles for rustpro's classes is kept between runs (`_codecache`)."""

from __future__ import annotations

import dataclasses
import marshal
import re
import subprocess
import sys
import tomllib
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

import pytest

from rustpro import _codecache
from rustpro.packaged_data import read_text

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
    # What `exec` compiles for `dataclasses`, whose module has no `from __future__` flags
    # (this one has: `dont_inherit` leaves them out).
    assert second.codes[SOURCE] == compile(SOURCE, "<string>", "exec", dont_inherit=True)
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


def test_a_full_table_starts_again_with_what_the_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `_MAX_ENTRIES`, the table saved holds the entries this run used (it used to stay
    full: never saved again, every run compiling what had no room)."""
    monkeypatch.setattr(_codecache, "_MAX_ENTRIES", 2)
    path = tmp_path / "table.pyc"
    old = {f"x = {n}\n": compile(f"x = {n}\n", "<string>", "exec") for n in range(2)}
    path.write_bytes(MAGIC_NUMBER + marshal.dumps(old))
    cache = _codecache._CodeCache(str(path), MAGIC_NUMBER)
    cache.exec("x = 1\n", {}, {})  # kept
    _run(cache)  # added: three entries, past the bound
    cache.save()
    saved = _codecache._CodeCache(str(path), MAGIC_NUMBER)
    assert saved.codes.keys() == {"x = 1\n", SOURCE}
    monkeypatch.setattr(_codecache, "_MAX_ENTRIES", 4096)
    _run(saved)
    saved.save()  # within the bound: all of it, used or not
    assert _codecache._CodeCache(str(path), MAGIC_NUMBER).codes.keys() == {"x = 1\n", SOURCE}


def test_a_full_regex_table_starts_again_with_what_the_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_codecache, "_MAX_ENTRIES", 1)
    path = tmp_path / "regexes.pyc"
    stamp = _codecache._regex_stamp(MAGIC_NUMBER)
    first = _codecache._RegexCache(str(path), stamp)
    first.compile("a+", 0)
    first.compile("b+", 0)
    first.save()  # two entries, both used: both written
    second = _codecache._RegexCache(str(path), stamp)
    assert second.arguments.keys() == {("a+", 0), ("b+", 0)}
    second.compile("c+", 0)
    second.save()
    assert _codecache._RegexCache(str(path), stamp).arguments.keys() == {("c+", 0)}


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


def _methods(cls: type) -> dict[str, Any]:
    return {
        name: (value.__code__, value.__annotations__, value.__defaults__)
        for name, value in vars(cls).items()
        if callable(value) and hasattr(value, "__code__")
    }


def test_methods_from_the_cache_are_those_dataclasses_compiles() -> None:
    """The same code, flags included: `__init__`'s annotations are the fields' types (the
    cache compiled them with this package's `annotations` future flag: they were names)."""
    import builtins

    def define() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Point:
            x: int
            y: tuple[str, ...] = ()

        return Point

    assert isinstance(dataclasses.exec, _codecache._BoundExec)  # type: ignore[attr-defined]
    cached = define()
    bound = dataclasses.exec  # type: ignore[attr-defined]
    dataclasses.exec = builtins.exec  # type: ignore[attr-defined]
    try:
        eager = define()
    finally:
        dataclasses.exec = bound  # type: ignore[attr-defined]
    assert _methods(cached) == _methods(eager)
    init = vars(cached)["__init__"]
    assert init.__annotations__ == {"x": "int", "y": "tuple[str, ...]", "return": None}


@pytest.mark.parametrize("text", ["int", "list[Point]", "t.Mapping[str, 'Node'] | None", "*Ts"])
def test_forward_references_compile_through_the_cache(text: str) -> None:
    import typing

    assert isinstance(typing.compile, _codecache._BoundEvalCompile)  # type: ignore[attr-defined]
    reference = typing.ForwardRef(text)
    compiled = text if not text.startswith("*") else f"({text},)[0]"
    assert reference.__forward_code__ == compile(compiled, "<string>", "eval", dont_inherit=True)
    cache = typing.compile.cache  # type: ignore[attr-defined]
    assert _codecache._EVAL_KEY + compiled in cache.codes


def test_a_bad_forward_reference_fails_as_it_did() -> None:
    import typing

    message = "Forward reference must be an expression -- got '1 +'"
    with pytest.raises(SyntaxError, match=re.escape(message)):
        typing.ForwardRef("1 +")
    assert _codecache._EVAL_KEY + "1 +" not in typing.compile.cache.codes  # type: ignore[attr-defined]


def test_other_compiles_in_typing_are_the_builtin_s() -> None:
    import typing

    bound = typing.compile  # type: ignore[attr-defined]
    # `typing`'s module has no `from __future__` flags to inherit: `dont_inherit` for this one.
    assert bound("x: y = 1", "<string>", "exec") == compile(
        "x: y = 1", "<string>", "exec", dont_inherit=True
    )
    assert bound("1", "file.py", "eval") == compile("1", "file.py", "eval", dont_inherit=True)
    assert bound("1", "<string>", "eval", 0, False, 2) == compile(
        "1", "<string>", "eval", 0, True, 2
    )


def test_nothing_is_written_when_bytecode_is_not(tmp_path: Path) -> None:
    """PYTHONDONTWRITEBYTECODE holds for this cache as for Python's own."""
    prefix = tmp_path / "prefix"
    script = "import rustpro.cli"
    env = {"PYTHONPYCACHEPREFIX": str(prefix), "PYTHONDONTWRITEBYTECODE": "1", "PATH": ""}
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert not list(prefix.rglob("_dataclass_methods*"))
    assert not list(prefix.rglob("_regex_codes*"))
    del env["PYTHONDONTWRITEBYTECODE"]
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    assert list(prefix.rglob("_dataclass_methods*"))
    assert list(prefix.rglob("_regex_codes*"))


# Patterns of every shape `re` compiles differently: text and bytes, flags inline and given,
# named and numbered groups, verbose layout, classes, repeats, look-arounds, back references.
PATTERNS: list[tuple[str | bytes, int]] = [
    ("abc", 0),
    (r"(?P<word>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)$", re.MULTILINE),
    (r"(?i:\bMSRV\b|minimum\s+supported)", 0),
    ("(a)(b)?(?:c)(?P<d>d)\\1", 0),
    ("\n  (?P<head>[^\\]]+)  # a comment\n  | x{2,5}\n", re.VERBOSE),
    (r"(?<=a)b(?!c)", re.IGNORECASE),
    (r"\S+@\S+", re.ASCII | re.DOTALL),
    (rb"#(?=(?:\s++|//[^\n]*+)*+!\[)", 0),
    (b"test|loom|fuzz", re.IGNORECASE),
    ("caf\u00e9|\u00c9t\u00e9", re.IGNORECASE),
]


def _compiled_without_cache(pattern: str | bytes, flags: int) -> re.Pattern[Any]:
    cache = re._compiler.compile.cache  # type: ignore[attr-defined]
    compiled: re.Pattern[Any] = cache.parse(pattern, flags)
    return compiled


def _same_pattern(cached: re.Pattern[Any], eager: re.Pattern[Any]) -> None:
    # Pattern equality compares the flags, the pattern and the engine's code word by word.
    assert cached == eager
    assert (cached.groups, dict(cached.groupindex)) == (eager.groups, dict(eager.groupindex))


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_a_kept_pattern_is_the_pattern_re_compiles(
    tmp_path: Path, pattern: str | bytes, flags: int
) -> None:
    path = tmp_path / "pycache" / "regexes.pyc"
    stamp = _codecache._regex_stamp(MAGIC_NUMBER)
    first = _codecache._RegexCache(str(path), stamp)
    flags = int(flags)  # as `re` hands them on
    eager = _compiled_without_cache(pattern, flags)
    _same_pattern(first.compile(pattern, flags), eager)
    assert first.added == 1
    first.save()
    second = _codecache._RegexCache(str(path), stamp)
    assert second.arguments.keys() == {(pattern, flags)}
    _same_pattern(second.compile(pattern, flags), eager)
    assert second.added == 0  # served from the file


def test_a_pattern_that_warns_is_never_kept() -> None:
    cache = _codecache._RegexCache(None, b"")
    for _ in range(2):
        with pytest.warns(FutureWarning, match="nested set"):
            compiled = cache.compile("[[a]", 0)
        with pytest.warns(FutureWarning, match="nested set"):
            _same_pattern(compiled, _compiled_without_cache("[[a]", 0))
    assert cache.arguments == {}


def test_bad_patterns_and_flags_are_re_s_business() -> None:
    cache = _codecache._RegexCache(None, b"")
    with pytest.raises(re.error):
        cache.compile("(unclosed", 0)
    _same_pattern(cache.compile("a", 0), _compiled_without_cache("a", 0))
    _same_pattern(cache.compile(b"a", re.LOCALE), _compiled_without_cache(b"a", re.LOCALE))
    assert cache.arguments.keys() == {("a", 0)}  # a LOCALE pattern is compiled as without


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not marshal at all",
        MAGIC_NUMBER + b"\xff\x00garbage",
        MAGIC_NUMBER + marshal.dumps({("a", 0): (0, [1], 0, {}, ())}),  # no engine stamp
        marshal.dumps({("a", 0): "not arguments"}),
        marshal.dumps({("a", 0): (0, [1], 0, {})}),
        marshal.dumps(["a list"]),
    ],
)
def test_a_bad_or_foreign_regex_table_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "regexes.pyc"
    stamp = _codecache._regex_stamp(MAGIC_NUMBER)
    stamped = content if content.startswith(MAGIC_NUMBER) or not content else stamp + content
    path.write_bytes(stamped)
    cache = _codecache._RegexCache(str(path), stamp)
    assert cache.arguments == {}
    _same_pattern(cache.compile("a+b", 0), _compiled_without_cache("a+b", 0))


def test_regexes_compile_through_the_cache() -> None:
    """Installed by importing rustpro: `re.compile` gives the pattern it always gave."""
    assert isinstance(re._compiler.compile, _codecache._BoundCompile)  # type: ignore[attr-defined]
    pattern = r"(?P<x>ru?st)\s+(pro)"
    compiled = re.compile(pattern)
    _same_pattern(compiled, _compiled_without_cache(pattern, 0))
    match = compiled.search("a rst  pro")
    assert match is not None and match.group("x", 2) == ("rst", "pro")


def test_a_kept_toml_text_is_what_tomllib_makes_of_it(tmp_path: Path) -> None:
    path = tmp_path / "pycache" / "toml.pyc"
    text = read_text("catalog.toml")
    first = _codecache._TomlCache(str(path), MAGIC_NUMBER)
    assert first.loads(text) == tomllib.loads(text)
    first.save()  # done at the first parse, unless PYTHONDONTWRITEBYTECODE says not to
    second = _codecache._TomlCache(str(path), MAGIC_NUMBER)
    assert second.parsed.keys() == {text}
    value = second.loads(text)
    assert value == tomllib.loads(text)
    value.clear()  # a caller's changes are its own
    assert second.loads(text) == tomllib.loads(text)
    assert _codecache.parsed_toml(text) == tomllib.loads(text)


def test_toml_that_does_not_marshal_or_does_not_parse_is_not_kept() -> None:
    cache = _codecache._TomlCache(None, MAGIC_NUMBER)
    text = "when = 2024-01-02T03:04:05Z\n"
    assert cache.loads(text) == tomllib.loads(text)
    with pytest.raises(tomllib.TOMLDecodeError):
        cache.loads("not = [toml")
    assert cache.parsed == {}


@pytest.mark.parametrize(
    "content",
    [b"", MAGIC_NUMBER + b"\\xff", MAGIC_NUMBER + marshal.dumps({"a = 1": "not bytes"})],
)
def test_a_bad_toml_table_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "toml.pyc"
    path.write_bytes(content)
    cache = _codecache._TomlCache(str(path), MAGIC_NUMBER)
    assert cache.parsed == {}
    assert cache.loads("a = 1") == {"a": 1}
