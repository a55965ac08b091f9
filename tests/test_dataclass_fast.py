"""`rustpro._dataclass_fast` makes every class as `dataclasses` makes it, and leaves to
`dataclasses` every class it does not make and every `dataclasses` it does not mirror."""

from __future__ import annotations

import copy
import dataclasses
import json
import marshal
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import KW_ONLY, InitVar, field
from pathlib import Path
from typing import Any, ClassVar

import pytest

from rustpro import _dataclass_fast
from tests.dataclass_twins import compare, twin

REPOSITORY = Path(__file__).resolve().parent.parent


def _fast() -> _dataclass_fast.FastDataclasses:
    fast = getattr(dataclasses._process_class, "__self__", None)  # type: ignore[attr-defined]
    if not isinstance(fast, _dataclass_fast.FastDataclasses):
        pytest.skip("this Python's dataclasses is not the one rustpro._dataclass_fast mirrors")
    return fast


def test_the_fast_path_is_in_place_under_python_3_11() -> None:
    """Under the Python the project is developed on, `dataclasses` is the mirrored one: if
    this fails after a Python upgrade, compare `dataclasses._process_class` and its helpers
    with `_dataclass_fast`, then set `_FINGERPRINT` to `fingerprint()`."""
    if sys.version_info[:2] != (3, 11):
        pytest.skip("mirrors Python 3.11's dataclasses")
    assert _dataclass_fast.fingerprint() == _dataclass_fast._FINGERPRINT
    assert isinstance(_fast(), _dataclass_fast.FastDataclasses)


def _twins(pycache: Path) -> dict[str, Any]:
    """Every rustpro module imported in a new process (bytecode and tables kept in
    `pycache`), every dataclass made both ways (tests/dataclass_twins.py)."""
    environment = dict(os.environ, PYTHONPYCACHEPREFIX=str(pycache))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.dataclass_twins"],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def test_every_rustpro_dataclass_is_made_as_dataclasses_makes_it(tmp_path: Path) -> None:
    """Every module imported, every class made both ways: not one attribute differs, and
    the fast path made every one of them itself (none handed to `dataclasses`); the same in
    the next process, which makes them from the code its table kept."""
    _fast()
    first = _twins(tmp_path)
    assert first["installed"]
    assert first["classes"] >= 150, first  # rustpro has about two hundred
    assert first["differences"] == []
    assert first.get("handed_over", []) == []
    assert first["shapes_loaded"] == 0 and first["shapes_added"] > 100
    second = _twins(tmp_path)
    assert second["differences"] == []
    assert second.get("handed_over", []) == []
    assert second["shapes_loaded"] == first["shapes_added"] and second["shapes_added"] == 0


def test_the_texts_version_follows_the_texts_writers() -> None:
    """The code kept for a class shape is what the texts of this version compile to: when
    the functions writing them change, so must `_TEXTS_VERSION` (older tables are then
    ignored), and `_WRITERS_CHECKSUM` with it."""
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the checksum is of Python 3.11's bytecode")
    assert _dataclass_fast.writers_checksum() == _dataclass_fast._WRITERS_CHECKSUM, (
        "raise _TEXTS_VERSION and set _WRITERS_CHECKSUM to writers_checksum()"
    )


def _point_shape() -> tuple[Any, list[Any]]:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        """A point."""

        x: int
        y: list[int] = field(default_factory=list)

    fields = list(Point.__dataclass_fields__.values())
    return _dataclass_fast._shape(True, True, True, False, fields), fields


def test_a_kept_shape_s_code_is_what_its_texts_compile_to(tmp_path: Path) -> None:
    path = tmp_path / "pycache" / "recipes.pyc"
    shape, fields = _point_shape()
    first = _dataclass_fast.Recipes(str(path), b"stamp\n")
    codes = first.codes_of(shape, fields)
    texts = _dataclass_fast._texts(shape, fields)
    assert codes == tuple(_dataclass_fast._function_code(text) for text in texts)
    assert [code is None for code in codes] == [False] * 6
    assert first.added == 1
    first.save()
    second = _dataclass_fast.Recipes(str(path), b"stamp\n")
    assert second.codes_of(shape, fields) == codes
    assert second.added == 0
    assert _dataclass_fast.Recipes(str(path), b"another stamp\n").codes == {}


def test_a_class_that_changed_gets_the_code_of_its_new_shape(tmp_path: Path) -> None:
    """The code is kept under the class's shape, read from the class in every run: a class
    whose fields changed since the table was kept is made from its new texts, as
    `dataclasses` makes it."""
    fast = _fast()
    path = str(tmp_path / "recipes.pyc")

    def before() -> type:
        class Version:
            """A class as it was."""

            major: int
            minor: int

        return Version

    def after() -> type:
        class Version:
            """The same class, changed."""

            major: int
            minor: int = 0
            tags: list[str] = field(default_factory=list, compare=False)

        return Version

    first = _dataclass_fast.FastDataclasses(_dataclass_fast.Recipes(path, b"s\n"), fast.original)
    assert _made_both_ways(first, before, frozen=True, slots=True) == []
    first.recipes.save()
    second = _dataclass_fast.FastDataclasses(_dataclass_fast.Recipes(path, b"s\n"), fast.original)
    assert second.recipes.read and len(second.recipes.codes) == 1
    assert _made_both_ways(second, after, frozen=True, slots=True) == []
    assert second.recipes.added == 1  # a new shape
    assert _made_both_ways(second, before, frozen=True, slots=True) == []
    assert second.recipes.added == 1  # the kept one


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"stamp\nnot marshal at all",
        b"stamp\n" + marshal.dumps(["a list"]),
        b"stamp\n" + marshal.dumps({("shape",): "not code"}),
        b"stamp\n" + marshal.dumps({("shape",): (None,) * 5}),
        b"stamp\n" + marshal.dumps({("shape",): (None,) * 5 + ("text",)}),
    ],
)
def test_a_bad_or_foreign_recipe_table_is_ignored(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "recipes.pyc"
    path.write_bytes(content)
    recipes = _dataclass_fast.Recipes(str(path), b"stamp\n")
    assert recipes.codes == {}
    shape, fields = _point_shape()
    assert recipes.codes_of(shape, fields)[0] is not None


def test_a_difference_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison fails when the fast path writes another method text."""
    fast = _fast()

    def define() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Pair:
            """Two things."""

            left: int
            right: str = ""

        return Pair

    real = _dataclass_fast._tuple_text
    monkeypatch.setattr(
        _dataclass_fast, "_tuple_text", lambda owner, fields: real(owner, fields[:1])
    )
    differences = _made_both_ways(fast, _unprocessed(define), frozen=True, slots=True)
    assert any(".__eq__.__code__" in difference for difference in differences)
    assert any(".__hash__.__code__" in difference for difference in differences)


def _unprocessed(define: Callable[[], type]) -> Callable[[], type]:
    """`define` with `dataclass` doing nothing: the class as its `class` statement makes it."""

    def made() -> type:
        real = dataclasses._process_class  # type: ignore[attr-defined]
        dataclasses._process_class = lambda cls, *parameters: cls  # type: ignore[attr-defined]
        try:
            return define()
        finally:
            dataclasses._process_class = real  # type: ignore[attr-defined]

    return made


_PARAMETERS = (
    "init",
    "repr",
    "eq",
    "order",
    "unsafe_hash",
    "frozen",
    "match_args",
    "kw_only",
    "slots",
    "weakref_slot",
)


def _arguments(**given: bool) -> tuple[bool, ...]:
    defaults = dict(
        init=True,
        repr=True,
        eq=True,
        order=False,
        unsafe_hash=False,
        frozen=False,
        match_args=True,
        kw_only=False,
        slots=False,
        weakref_slot=False,
    )
    defaults.update(given)
    return tuple(defaults[name] for name in _PARAMETERS)


def _made_both_ways(
    fast: _dataclass_fast.FastDataclasses, make: Callable[[], type], **parameters: bool
) -> list[str]:
    ours_before = make()
    theirs_before = twin(ours_before)
    arguments = _arguments(**parameters)
    ours = fast.process_class(ours_before, *arguments)
    theirs = fast.original(theirs_before, *arguments)
    return compare(ours, theirs, ours_before, theirs_before)


class _Documented:
    """A base that is no dataclass."""


def _shapes() -> dict[str, tuple[Callable[[], type], dict[str, bool], bool]]:
    """Class bodies (name -> a maker of the bare class, dataclass parameters, whether the fast
    path makes it itself)."""

    class Plain:
        """Fields of every kind the fast path makes."""

        a: int
        b: str = "b"
        c: list[int] = field(default_factory=list)
        d: int = field(default=4, repr=False, compare=False)
        e: int = field(default=5, init=False)
        f: dict[str, int] = field(default_factory=dict, init=False, hash=True)
        g: tuple[int, ...] = field(default=(), metadata={"why": "kept"})

    class Keywords:
        """Keyword-only fields."""

        a: int
        b: int = field(default=2, kw_only=True)
        c: list[int] = field(default_factory=list, kw_only=True)
        d: int = field(kw_only=True)

    class Empty:
        """No fields at all."""

    class Undocumented:
        a: int
        b: list[str] = field(default_factory=list)

    class PostInit:
        """`__post_init__` runs."""

        a: int

        def __post_init__(self) -> None:
            pass

    class OwnMethods:
        """Its own `__repr__`, `__eq__` and `__hash__`."""

        a: int

        def __repr__(self) -> str:
            return "mine"

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 1

    class Derived(_Documented):
        """A base that is no dataclass."""

        a: int

    class Pseudo:
        """A `ClassVar`."""

        a: int
        b: ClassVar[int] = 2

    class Init:
        """An `InitVar`."""

        a: int
        b: InitVar[int] = 0  # type: ignore[assignment]

    class Marker:
        """`KW_ONLY`."""

        a: int
        _: KW_ONLY
        b: int = 0

    class Qualified:
        """An `InitVar` named through its module."""

        a: int
        b: dataclasses.InitVar[int] = 0  # type: ignore[assignment]

    class Self:
        """A field named `self`."""

        self: int

    class Slotted:
        """Its own slots."""

        __slots__ = ("a",)
        a: int

    def base() -> type:
        @dataclasses.dataclass
        class Base:
            """A dataclass base."""

            a: int

        class Child(Base):
            """Its child."""

            b: int = 0

        return Child

    def not_a_string() -> type:
        return type("Typed", (), {"__annotations__": {"a": int}, "__doc__": "Typed."})

    made: dict[str, tuple[Callable[[], type], dict[str, bool], bool]] = {}
    for body, fast in (
        (Plain, True),
        (Keywords, True),
        (Empty, True),
        (Undocumented, True),
        (PostInit, True),
        (OwnMethods, True),
        (Pseudo, False),
        (Init, False),
        (Marker, False),
        (Qualified, False),
        (Self, False),
        (Derived, False),
    ):
        for parameters in ({}, {"frozen": True}, {"slots": True}, {"frozen": True, "slots": True}):
            made[f"{body.__name__}-{'-'.join(parameters) or 'plain'}"] = (
                _copier(body),
                parameters,
                fast,
            )
    for parameters in ({}, {"frozen": True}):  # with `slots`, `dataclasses` raises
        made[f"Slotted-{'-'.join(parameters) or 'plain'}"] = (_copier(Slotted), parameters, False)
    made["Plain-eq-false"] = (_copier(Plain), {"eq": False, "frozen": True, "slots": True}, True)
    made["Plain-no-match-args"] = (_copier(Plain), {"match_args": False, "slots": True}, True)
    made["Keywords-all"] = (_copier(Undocumented), {"kw_only": True, "slots": True}, True)
    made["Plain-order"] = (_copier(Plain), {"order": True}, False)
    made["Plain-unsafe-hash"] = (_copier(Plain), {"unsafe_hash": True}, False)
    made["Plain-no-init"] = (_copier(Plain), {"init": False}, False)
    made["Plain-no-repr"] = (_copier(Plain), {"repr": False}, False)
    made["Plain-weakref"] = (_copier(Plain), {"slots": True, "weakref_slot": True}, False)
    made["Base"] = (base, {}, False)
    made["Typed"] = (not_a_string, {"frozen": True}, False)
    return made


def _copier(body: type) -> Callable[[], type]:
    """A maker of fresh copies of the bare class `body` (and fresh copies of its `Field`s)."""
    return lambda: twin(body)


@pytest.mark.parametrize("shape", sorted(_shapes()))
def test_a_class_of_each_shape_is_made_as_dataclasses_makes_it(shape: str) -> None:
    fast = _fast()
    make, parameters, made_fast = _shapes()[shape]
    fallbacks = fast.fallbacks
    assert _made_both_ways(fast, make, **parameters) == []
    assert (fast.fallbacks == fallbacks) is made_fast


def _refused_shapes() -> dict[str, Callable[[], type]]:
    class MutableDefault:
        """A list default."""

        a: list[int] = []  # noqa: RUF012 (what dataclasses refuses)

    class MutableInField:
        """A list default given to `field`."""

        a: list[int] = field(default=[])

    class Unannotated:
        """A `field` without annotation."""

        a: int
        b = field(default=1)

    class DefaultFirst:
        """A field without default after one with."""

        a: int = 0
        b: int

    return {
        "MutableDefault": lambda: twin(MutableDefault),
        "MutableInField": lambda: twin(MutableInField),
        "Unannotated": lambda: twin(Unannotated),
        "DefaultFirst": lambda: twin(DefaultFirst),
    }


@pytest.mark.parametrize("shape", sorted(_refused_shapes()))
def test_a_class_dataclasses_refuses_fails_as_it_did(shape: str) -> None:
    fast = _fast()
    make = _refused_shapes()[shape]
    arguments = _arguments(frozen=True, slots=True)
    with pytest.raises((TypeError, ValueError)) as theirs:
        fast.original(make(), *arguments)
    with pytest.raises(theirs.type) as ours:
        fast.process_class(make(), *arguments)
    assert str(ours.value) == str(theirs.value)


@dataclasses.dataclass(frozen=True, slots=True)
class _Point:
    """A point."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list, compare=False)


def test_a_fast_made_class_works_with_what_dataclasses_offers() -> None:
    _fast()
    point = _Point(1, tags=("a",))
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "tags", "notes"]
    assert dataclasses.replace(point, y=2) == _Point(1, 2, ("a",))
    assert dataclasses.asdict(point) == {"x": 1, "y": 0, "tags": ("a",), "notes": []}
    assert dataclasses.astuple(point) == (1, 0, ("a",), [])
    assert pickle.loads(pickle.dumps(point)) == point
    assert copy.deepcopy(point) == point
    assert hash(point) == hash(_Point(1, 0, ("a",), ["other"]))
    assert repr(point) == "_Point(x=1, y=0, tags=('a',), notes=[])"
    assert _Point.__match_args__ == ("x", "y", "tags", "notes")
    assert _Point.__slots__ == ("x", "y", "tags", "notes")
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        _Point()  # type: ignore[call-arg]


def test_another_dataclasses_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `dataclasses` whose mirrored bytecode differs keeps its own `_process_class`."""
    fast = _fast()
    monkeypatch.setattr(dataclasses, "_process_class", fast.original)
    monkeypatch.setattr(_dataclass_fast, "_FINGERPRINT", _dataclass_fast._FINGERPRINT + 1)
    assert _dataclass_fast.install(None, b"") is None
    assert dataclasses._process_class is fast.original  # type: ignore[attr-defined]


def test_a_table_kept_for_this_dataclasses_stands_for_its_fingerprint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only a process that found `dataclasses` to be the mirrored one writes the table, and
    its stamp names that `dataclasses`: while the table is there, the fingerprint is not
    taken again; without it, or for another `dataclasses` file, it is."""
    fast = _fast()
    path = tmp_path / "recipes.pyc"
    taken: list[int] = []

    def fingerprint() -> int:
        taken.append(1)
        return _dataclass_fast._FINGERPRINT + 1  # as if this were another dataclasses

    monkeypatch.setattr(_dataclass_fast, "fingerprint", fingerprint)
    monkeypatch.setattr(dataclasses, "_process_class", fast.original)
    assert _dataclass_fast.install(str(path), b"magic") is None
    assert taken == [1]
    identity = _dataclass_fast._dataclasses_identity()
    assert identity and dataclasses.__file__ in identity
    version, checksum = _dataclass_fast._TEXTS_VERSION, _dataclass_fast._FINGERPRINT
    stamp = f"rustpro dataclass recipes {version} {checksum} {identity}\n"
    _dataclass_fast.Recipes(str(path), b"magic" + stamp.encode()).save()
    installed = _dataclass_fast.install(str(path), b"magic")
    assert installed is not None and installed.recipes.read
    assert taken == [1]
    monkeypatch.setattr(dataclasses, "_process_class", fast.original)
    monkeypatch.setattr(_dataclass_fast, "_dataclasses_identity", lambda: identity + "0")
    assert _dataclass_fast.install(str(path), b"magic") is None
    assert taken == [1, 1]


@pytest.mark.parametrize("name", ["_tuple_str", "_field_assign", "_add_slots", "_get_field"])
def test_the_fingerprint_changes_with_a_mirrored_function(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    before = _dataclass_fast.fingerprint()
    real = getattr(dataclasses, name)

    def changed(*arguments: Any) -> Any:
        return real(*arguments)

    monkeypatch.setattr(dataclasses, name, changed)
    assert _dataclass_fast.fingerprint() != before


def test_installing_twice_keeps_the_one_in_place() -> None:
    fast = _fast()
    assert _dataclass_fast.install(None, b"") is fast
