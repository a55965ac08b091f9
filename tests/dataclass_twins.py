"""Every rustpro dataclass made twice, by `rustpro._dataclass_fast` and by `dataclasses`, and
the two compared attribute by attribute (tests/test_dataclass_fast.py).

`python -m tests.dataclass_twins` imports every rustpro module with a `_process_class` that,
for each class, copies the class as its `class` statement made it, lets `dataclasses` make the
copy and the fast path make the class, and prints as JSON how many classes were made, how
many the fast path handed to `dataclasses`, every difference found, and how many class shapes
its table of methods' code held and gained.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import pkgutil
import types
from typing import Any

FIELD_SLOTS = (
    "name",
    "type",
    "default",
    "default_factory",
    "init",
    "repr",
    "hash",
    "compare",
    "kw_only",
    "_field_type",
)


def twin(cls: type) -> type:
    """A copy of `cls` as its `class` statement made it (its `Field` objects copied too:
    `dataclasses` fills them in, and each way must fill in its own)."""
    own_slots = cls.__dict__.get("__slots__", ())
    namespace = {
        name: copy.copy(value) if isinstance(value, dataclasses.Field) else value
        for name, value in cls.__dict__.items()
        if name not in ("__dict__", "__weakref__") and name not in own_slots
    }
    made = type(cls)(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    return made


class Comparison:
    """The differences between a class made one way and its twin made the other; `pairs`
    maps the objects of one side that stand for objects of the other (the classes as their
    `class` statements made them)."""

    def __init__(self, pairs: dict[int, object]) -> None:
        self.pairs = pairs
        self.differences: list[str] = []

    def differ(self, where: str, ours: object, theirs: object) -> None:
        self.differences.append(f"{where}: {ours!r} != {theirs!r}")

    def same_object(self, where: str, ours: object, theirs: object) -> None:
        if ours is theirs or self.pairs.get(id(ours), ours) is theirs:
            return
        if isinstance(ours, types.FunctionType) and isinstance(theirs, types.FunctionType):
            self.function(where, ours, theirs)
        elif isinstance(ours, set | frozenset | tuple | str | int) and type(ours) is type(theirs):
            if ours != theirs:
                self.differ(where, ours, theirs)
        else:
            self.differ(where, ours, theirs)

    def function(self, where: str, ours: types.FunctionType, theirs: types.FunctionType) -> None:
        for name in ("__name__", "__qualname__", "__module__", "__doc__"):
            if getattr(ours, name) != getattr(theirs, name):
                self.differ(f"{where}.{name}", getattr(ours, name), getattr(theirs, name))
        if list(ours.__annotations__.items()) != list(theirs.__annotations__.items()):
            self.differ(f"{where}.__annotations__", ours.__annotations__, theirs.__annotations__)
        if ours.__builtins__ is not theirs.__builtins__:
            self.differ(f"{where}.__builtins__", "one", "another")
        if ours.__code__ != theirs.__code__:
            self.differ(f"{where}.__code__", ours.__code__, theirs.__code__)
        if ours.__globals__ is not theirs.__globals__:
            self.differ(f"{where}.__globals__", "module", "another")
        self.sequence(f"{where}.__defaults__", ours.__defaults__, theirs.__defaults__)
        self.mapping(f"{where}.__kwdefaults__", ours.__kwdefaults__, theirs.__kwdefaults__)
        self.mapping(f"{where}.__dict__", ours.__dict__, theirs.__dict__)
        ours_cells = [cell.cell_contents for cell in ours.__closure__ or ()]
        theirs_cells = [cell.cell_contents for cell in theirs.__closure__ or ()]
        self.sequence(f"{where}.__closure__", ours_cells, theirs_cells)

    def sequence(self, where: str, ours: Any, theirs: Any) -> None:
        if ours is None or theirs is None or len(ours) != len(theirs):
            if ours != theirs:
                self.differ(where, ours, theirs)
            return
        for index, (one, other) in enumerate(zip(ours, theirs, strict=True)):
            self.same_object(f"{where}[{index}]", one, other)

    def mapping(self, where: str, ours: Any, theirs: Any) -> None:
        if ours is None or theirs is None or list(ours) != list(theirs):
            if ours != theirs:
                self.differ(where, ours, theirs)
            return
        for key in ours:
            self.same_object(f"{where}[{key!r}]", ours[key], theirs[key])

    def field(
        self, where: str, ours: dataclasses.Field[Any], theirs: dataclasses.Field[Any]
    ) -> None:
        if type(ours) is not type(theirs):
            self.differ(where, type(ours), type(theirs))
        for name in FIELD_SLOTS:
            self.same_object(f"{where}.{name}", getattr(ours, name), getattr(theirs, name))
        if ours.metadata != theirs.metadata or type(ours.metadata) is not type(theirs.metadata):
            self.differ(f"{where}.metadata", ours.metadata, theirs.metadata)

    def made(self, ours: type, theirs: type) -> list[str]:
        """Compare two made classes; returns the differences found."""
        name = ours.__qualname__
        for attribute in ("__name__", "__qualname__", "__module__", "__bases__", "__doc__"):
            mine, other = getattr(ours, attribute), getattr(theirs, attribute)
            if mine != other:
                self.differ(f"{name}.{attribute}", mine, other)
        if type(ours) is not type(theirs):
            self.differ(f"{name} metaclass", type(ours), type(theirs))
        if list(ours.__dict__) != list(theirs.__dict__):
            self.differ(f"{name}.__dict__ keys", list(ours.__dict__), list(theirs.__dict__))
            return self.differences
        for key, value in ours.__dict__.items():
            other = theirs.__dict__[key]
            where = f"{name}.{key}"
            if key == "__dataclass_fields__":
                if list(value) != list(other):
                    self.differ(where, list(value), list(other))
                    continue
                for field_name in value:
                    self.field(f"{where}[{field_name}]", value[field_name], other[field_name])
            elif key == "__dataclass_params__":
                if repr(value) != repr(other) or type(value) is not type(other):
                    self.differ(where, value, other)
            elif isinstance(value, types.MemberDescriptorType | types.GetSetDescriptorType):
                # A slot's or `__dict__`'s descriptor: each class has its own.
                if type(other) is not type(value) or value.__name__ != other.__name__:
                    self.differ(where, value, other)
            elif key == "__annotations__":
                if value != other:
                    self.differ(where, value, other)
            elif key in ("__slots__", "__match_args__", "__doc__", "__module__"):
                if value != other or type(value) is not type(other):
                    self.differ(where, value, other)
            else:
                self.same_object(where, value, other)
        return self.differences


def compare(ours: type, theirs: type, ours_before: type, theirs_before: type) -> list[str]:
    """The differences between `ours` and `theirs`, made from `ours_before` and its twin
    `theirs_before` (a frozen class's `__setattr__` names the class it was made from)."""
    return Comparison({id(ours_before): theirs_before}).made(ours, theirs)


def main() -> None:
    import rustpro  # puts the fast path in place

    process = dataclasses._process_class  # type: ignore[attr-defined]
    fast = getattr(process, "__self__", None)
    report: dict[str, Any] = {"installed": fast is not None, "classes": 0, "differences": []}
    if fast is None:
        print(json.dumps(report))
        return
    original = fast.original

    def both_ways(cls: type, *parameters: Any) -> type:
        before_fallbacks = fast.fallbacks
        copied = twin(cls)
        ours: type = fast.process_class(cls, *parameters)
        theirs: type = original(copied, *parameters)
        report["classes"] += 1
        if fast.fallbacks != before_fallbacks:
            report.setdefault("handed_over", []).append(cls.__qualname__)
        report["differences"].extend(compare(ours, theirs, cls, copied))
        return ours

    dataclasses._process_class = both_ways  # type: ignore[attr-defined]
    names = sorted(
        module.name
        for module in pkgutil.walk_packages(rustpro.__path__, "rustpro.")
        if module.name != "rustpro.__main__"  # runs the command
    )
    for name in names:
        importlib.import_module(name)
    dataclasses._process_class = process  # type: ignore[attr-defined]
    report["modules"] = len(names)
    report["shapes_loaded"] = len(fast.recipes.codes) - fast.recipes.added
    report["shapes_added"] = fast.recipes.added
    print(json.dumps(report))


if __name__ == "__main__":
    main()
