"""`@dataclass` for the classes rustpro writes, making each class as `dataclasses` does, faster.

With its methods' code kept between runs (`_codecache`), `@dataclass` still cost about 150
microseconds a class, some 10 ms of every start for rustpro's eighty-odd classes: for each
field three regular-expression lookups of its annotation text (is it a `ClassVar`, an
`InitVar`, `KW_ONLY`?) through five helper calls, and for each method its source text built
line by line through a dozen small helpers, hashed and looked up. `process_class` stands in
for `dataclasses._process_class` and takes the same steps for the shapes rustpro uses (no
dataclass bases, string annotations, plain fields, no ordering methods, no weakref slot),
with each annotation's regular-expression match kept for the process; the methods' code is
kept between runs under the class's shape (`Recipes`: what the texts depend on, so a class
met before gets its code without its texts being written), and each method is made from its
code as running `__create_fn__` would make it (closure, defaults, annotations). Any other
class, and any class that `dataclasses` would refuse, goes to `dataclasses` itself.

What it makes is what `dataclasses` makes, to the attribute: the same `__dataclass_fields__`
(the same `Field` objects), `__dataclass_params__`, methods (the code of the same texts, the
same closures, defaults, annotations and qualified names), `__match_args__`, `__hash__`,
`__doc__`, `__slots__` and attribute order (tests/test_dataclass_fast.py builds every rustpro
dataclass both ways and compares them). It mirrors the `dataclasses` of Python 3.11
(`_MIRRORED`): `install` puts it in place only when the `dataclasses` functions it mirrors
are, bytecode for bytecode, those it was written against (`_FINGERPRINT`); under any other
Python `dataclasses` works alone, as it always did.
"""

from __future__ import annotations

import abc
import dataclasses
import os
import sys
import types
from collections.abc import Callable
from typing import Any

# The `dataclasses` functions whose steps `process_class` repeats; `_FINGERPRINT` is their
# bytecode's, as Python 3.11.7 has them (`fingerprint()`).
_MIRRORED = (
    "dataclass",  # the order of `_process_class`'s arguments
    "_process_class",
    "_get_field",
    "_is_type",
    "_is_classvar",
    "_is_initvar",
    "_is_kw_only",
    "field",
    "_fields_in_init_order",
    "_init_fn",
    "_field_init",
    "_field_assign",
    "_init_param",
    "_create_fn",
    "_repr_fn",
    "_cmp_fn",
    "_tuple_str",
    "_frozen_get_del_attr",
    "_hash_fn",
    "_hash_add",
    "_hash_set_none",
    "_set_qualname",
    "_set_new_attribute",
    "_add_slots",
    "_get_slots",
)
_FINGERPRINT = 4227405295
# The version of the method texts this module writes (`_texts`), in the stamp of the table of
# their code (`Recipes`): raise it whenever they change, and set `_WRITERS_CHECKSUM` to
# `writers_checksum()` (a test compares them).
_TEXTS_VERSION = 1
_WRITERS_CHECKSUM = 1452900082

_MISSING: Any = dataclasses.MISSING
_Field: Any = dataclasses.Field
_FIELD: Any = dataclasses._FIELD  # type: ignore[attr-defined]
_FIELDS: str = dataclasses._FIELDS  # type: ignore[attr-defined]
_PARAMS: str = dataclasses._PARAMS  # type: ignore[attr-defined]
_DataclassParams: Any = dataclasses._DataclassParams  # type: ignore[attr-defined]
_HAS_DEFAULT_FACTORY: Any = dataclasses._HAS_DEFAULT_FACTORY  # type: ignore[attr-defined]
_KW_ONLY: Any = dataclasses.KW_ONLY
_InitVar: Any = dataclasses.InitVar
_FrozenInstanceError = dataclasses.FrozenInstanceError
_MemberDescriptor = types.MemberDescriptorType
_FunctionType = types.FunctionType
_Cell = types.CellType


def _code_fingerprint(code: types.CodeType, parts: list[bytes]) -> None:
    """Add to `parts` the bytecode, global names and constants of `code` and of the code it
    holds (not its file name or line numbers, which differ between installations)."""
    constants = []
    for constant in code.co_consts:
        if type(constant) is types.CodeType:
            _code_fingerprint(constant, parts)
        else:
            constants.append(constant)
    parts.append(code.co_code)
    parts.append(repr((code.co_names, constants)).encode())


def _mirrored(name: str) -> Any:
    """The `dataclasses` function `name` (`_process_class`: its own, once this module's
    stands in for it)."""
    function = getattr(dataclasses, name)
    owner = getattr(function, "__self__", None)
    return owner.original if isinstance(owner, FastDataclasses) else function


def fingerprint() -> int:
    """A checksum of the mirrored `dataclasses` functions' bytecode and of the tables and
    constants the steps read."""
    parts: list[bytes] = []
    for name in _MIRRORED:
        _code_fingerprint(_mirrored(name).__code__, parts)
    _code_fingerprint(dataclasses.Field.__init__.__code__, parts)
    _code_fingerprint(_DataclassParams.__init__.__code__, parts)
    hash_action = dataclasses._hash_action  # type: ignore[attr-defined]
    parts.append(
        repr(
            sorted((key, getattr(action, "__name__", None)) for key, action in hash_action.items())
        ).encode()
    )
    parts.append(dataclasses._MODULE_IDENTIFIER_RE.pattern.encode())  # type: ignore[attr-defined]
    parts.append(f"{_FIELDS} {_PARAMS} {dataclasses._POST_INIT_NAME}".encode())  # type: ignore[attr-defined]
    import zlib  # here: only a table not stamped as read needs a fingerprint

    return zlib.crc32(b"\1".join(parts))


def writers_checksum() -> int:
    """A checksum of the bytecode of the functions that write the method texts."""
    parts: list[bytes] = []
    for writer in (
        _texts,
        _shape,
        _init_text,
        _repr_text,
        _eq_text,
        _frozen_texts,
        _hash_text,
        _init_parameter,
        _tuple_text,
    ):
        _code_fingerprint(writer.__code__, parts)
    import zlib  # here: only tests ask (see `fingerprint`)

    return zlib.crc32(b"\1".join(parts))


# Annotation text -> its `_MODULE_IDENTIFIER_RE` match as (module name or None, identifier),
# None when it does not match: a function of the text alone, so kept for the process.
_IDENTIFIERS: dict[str, tuple[str | None, str] | None] = {}


def _identifier(annotation: str) -> tuple[str | None, str] | None:
    found = _IDENTIFIERS.get(annotation, _MISSING)
    if found is _MISSING:
        match = dataclasses._MODULE_IDENTIFIER_RE.match(annotation)  # type: ignore[attr-defined]
        found = None if match is None else (match.group(1), match.group(2))
        _IDENTIFIERS[annotation] = found
    return found  # type: ignore[no-any-return]


def _plain(annotation: object, namespace: dict[str, Any], typing: Any) -> bool:
    """Whether `dataclasses` takes a field annotated `annotation` in a module whose globals are
    `namespace` for a plain field: its `_is_type` finds no `KW_ONLY`, `ClassVar` or `InitVar`
    (an annotation naming a name of `typing` or `dataclasses` through its module is left to
    `dataclasses`)."""
    if type(annotation) is not str:
        return False
    found = _identifier(annotation)
    if found is None:
        return True
    module, name = found
    if module:
        return namespace.get(module) not in (typing, dataclasses)
    value: Any = namespace.get(name)
    return not (
        value is _KW_ONLY
        or value is typing.ClassVar
        or (type(value) is typing._GenericAlias and value.__origin__ is typing.ClassVar)
        or value is _InitVar
        or type(value) is _InitVar
    )


def _fields_of(
    cls: type, annotations: dict[str, Any], namespace: dict[str, Any], kw_only: bool
) -> list[Any] | None:
    """The `Field` of each annotation, as `_get_field` makes it; None when `dataclasses` must
    decide (a pseudo-field, a refused default)."""
    typing = sys.modules.get("typing")
    if typing is None:
        return None
    fields = []
    for name, annotation in annotations.items():
        if not _plain(annotation, namespace, typing):
            return None
        default = getattr(cls, name, _MISSING)
        if isinstance(default, _Field):
            field = default
            if field.default.__class__.__hash__ is None:
                return None  # a mutable default: `dataclasses` raises
            fields.append((field, name, annotation))
            continue
        if isinstance(default, _MemberDescriptor):
            default = _MISSING
        elif default.__class__.__hash__ is None:
            return None
        # `field(default=default)`
        made = _Field(default, _MISSING, True, True, None, True, None, _MISSING)
        fields.append((made, name, annotation))
    done = []
    for field, name, annotation in fields:
        field.name = name
        field.type = annotation
        field._field_type = _FIELD
        if field.kw_only is _MISSING:
            field.kw_only = kw_only
        done.append(field)
    return done


def _refused(cls: type, annotations: dict[str, Any], fields: list[Any]) -> bool:
    """Whether `dataclasses` would raise for these fields or take another path: a `Field`
    without annotation, a field named `self`, a non-default argument after a default one."""
    for name, value in cls.__dict__.items():
        if isinstance(value, _Field) and name not in annotations:
            return True
    seen_default = False
    for field in fields:
        if field.name == "self":
            return True
        if field.init and not field.kw_only:
            if not (field.default is _MISSING and field.default_factory is _MISSING):
                seen_default = True
            elif seen_default:
                return True
    return False


# The methods' code of a class of each shape (`_shape`): (`__init__`, `__repr__`, `__eq__`,
# `__setattr__`, `__delattr__`, `__hash__`), None for a method the shape does not have.
_Codes = tuple[types.CodeType | None, ...]
_METHODS = 6


class Recipes:
    """Class shape -> its methods' code, loaded from `path` and saved back when it grew.

    A method's text is a function of the shape alone (`_texts`), so its code is kept under
    the shape: a class whose shape was met before gets its code without its texts being
    written, hashed and looked up (two thirds of what this module's path still cost a class).
    The file's stamp carries the bytecode magic and `_TEXTS_VERSION`, which changes whenever
    the texts this module writes do (tests/test_dataclass_fast.py checks the texts' writers
    against `_WRITERS_CHECKSUM`); a file otherwise stamped, unreadable or of another shape is
    ignored and rewritten. The stamp also names the `dataclasses` module the code was made
    for (`_dataclasses_identity`): only a process whose `dataclasses` was found to be the
    mirrored one writes the table, so a table so stamped says this one is (`read`: the
    fingerprint need not be taken again, a hundredth of a one-file audit's start)."""

    def __init__(self, path: str | None, stamp: bytes) -> None:
        self.path = path
        self.stamp = stamp
        table = _load_recipes(path, stamp) if path else None
        self.read = table is not None  # a table so stamped was read
        self.codes: dict[tuple[Any, ...], _Codes] = {} if table is None else table
        self.used: set[tuple[Any, ...]] = set()  # the shapes this process looked up
        self.added = 0

    def codes_of(self, shape: tuple[Any, ...], fields: list[Any]) -> _Codes:
        """The methods' code of a class of `shape` whose fields are `fields`."""
        self.used.add(shape)
        codes = self.codes.get(shape)
        if codes is None:
            codes = tuple([_function_code(text) for text in _texts(shape, fields)])
            self.codes[shape] = codes
            self.added += 1
            if self.added == 1:
                from rustpro import _codecache

                _codecache.save_at_exit(self.path, self.save)
        return codes

    def save(self) -> None:
        """Write the table atomically; a directory that cannot be written is skipped."""
        if self.path is not None:
            from rustpro import _codecache

            _codecache._write(self.path, self.stamp, _codecache._bounded(self.codes, self.used))


def _load_recipes(path: str, stamp: bytes) -> dict[tuple[Any, ...], _Codes] | None:
    """The table at `path`; None when it is missing, unreadable, stamped otherwise or not such
    a table."""
    from rustpro import _codecache

    table = _codecache._read_table(path, stamp)
    if type(table) is not dict or not all(map(_well_formed, table.items())):
        return None
    return table


def _dataclasses_identity() -> str:
    """The interpreter and the `dataclasses` source file (path, modification time, size); empty
    when there is no such file."""
    location = getattr(dataclasses, "__file__", None)
    if not location:
        return ""
    try:
        status = os.stat(location)
    except OSError:
        return ""
    return f"{sys.version} {location} {status.st_mtime_ns} {status.st_size}"


def _well_formed(entry: tuple[object, object]) -> bool:
    """A table entry of the shapes this module writes (trusted like a `.pyc`: this only
    tells a table from something else)."""
    shape, codes = entry
    return (
        type(shape) is tuple
        and type(codes) is tuple
        and len(codes) == _METHODS
        and all(code is None or type(code) is types.CodeType for code in codes)
    )


def _function_code(text: str | None) -> types.CodeType | None:
    """The code of the one function the text `text` defines inside its `__create_fn__`, as
    `exec` of the text compiles it for `dataclasses` (whose module has no `from __future__`
    flags: `dont_inherit`)."""
    if text is None:
        return None
    outer = compile(text, "<string>", "exec", dont_inherit=True)
    (create,) = [c for c in outer.co_consts if type(c) is types.CodeType]
    (code,) = [c for c in create.co_consts if type(c) is types.CodeType]
    return code


def _shape(
    frozen: bool, slots: bool, eq: bool, post_init: bool, fields: list[Any]
) -> tuple[Any, ...]:
    """All that the texts of a class's methods depend on: per field, its name, whether it is
    in `__init__`, has a default, a default factory, is keyword-only, and is in the repr, the
    comparison and the hash (each as the test `dataclasses` applies to it)."""
    return (
        frozen,
        slots,
        eq,
        post_init,
        tuple(
            [
                (
                    f.name,
                    bool(f.init),
                    f.default is not _MISSING,
                    f.default_factory is not _MISSING,
                    bool(f.kw_only),
                    bool(f.repr),
                    bool(f.compare),
                    bool(f.compare if f.hash is None else f.hash),
                )
                for f in fields
            ]
        ),
    )


def _texts(shape: tuple[Any, ...], fields: list[Any]) -> tuple[str | None, ...]:
    """The texts `dataclasses` writes for a class of `shape` (whose fields are `fields`)."""
    frozen, slots, eq, post_init, _ = shape
    return (
        _init_text(fields, frozen, post_init, slots),
        _repr_text(fields),
        _eq_text(fields) if eq else None,
        *(_frozen_texts(fields) if frozen else (None, None)),
        _hash_text(fields) if eq and frozen else None,
    )


class FastDataclasses:
    """`process_class`, with the table of methods' code it makes classes from."""

    def __init__(self, recipes: Recipes, original: Callable[..., type]) -> None:
        self.recipes = recipes
        self.original = original  # `dataclasses._process_class`
        self.fallbacks = 0  # classes handed to `dataclasses` (tests read it)

    def process_class(self, cls: type, *flags: bool) -> type:
        """`dataclasses._process_class`, same arguments (`cls`, then `init`, `repr`, `eq`,
        `order`, `unsafe_hash`, `frozen`, `match_args`, `kw_only`, `slots`, `weakref_slot`,
        as `dataclasses` passes them), same result."""
        made = self._processed(cls, *flags)
        if made is not None:
            return made
        self.fallbacks += 1
        return self.original(cls, *flags)

    def _processed(
        self,
        cls: type,
        init: bool,
        repr: bool,
        eq: bool,
        order: bool,
        unsafe_hash: bool,
        frozen: bool,
        match_args: bool,
        kw_only: bool,
        slots: bool,
        weakref_slot: bool,
    ) -> type | None:
        if not (init and repr) or order or unsafe_hash or weakref_slot:
            return None
        module = sys.modules.get(cls.__module__)
        if module is None or cls.__mro__ != (cls, object):
            return None  # a base's fields and slots: `dataclasses`'s business
        own = cls.__dict__
        if "__slots__" in own or "__setattr__" in own or "__delattr__" in own:
            return None
        class_hash = own.get("__hash__", _MISSING)
        # With `unsafe_hash` false, `_hash_action` leaves an explicit `__hash__` alone.
        explicit_hash = not (class_hash is _MISSING or (class_hash is None and "__eq__" in own))
        globals = module.__dict__
        annotations = own.get("__annotations__", {})
        fields = _fields_of(cls, annotations, globals, kw_only)
        if fields is None or _refused(cls, annotations, fields):
            return None
        # From here on, the steps of `_process_class`, in its order.
        setattr(cls, _PARAMS, _DataclassParams(init, repr, eq, order, unsafe_hash, frozen))
        by_name = {}
        for field in fields:
            by_name[field.name] = field
            if isinstance(getattr(cls, field.name, None), _Field):
                if field.default is _MISSING:
                    delattr(cls, field.name)
                else:
                    setattr(cls, field.name, field.default)
        setattr(cls, _FIELDS, by_name)
        fields = list(by_name.values())
        post_init = hasattr(cls, "__post_init__")
        codes = self.recipes.codes_of(_shape(frozen, slots, eq, post_init, fields), fields)
        init_code, repr_code, eq_code, setter_code, deleter_code, hash_code = codes
        positional = tuple(f for f in fields if f.init and not f.kw_only)
        qualname = cls.__qualname__
        if "__init__" not in own:
            method = _init(init_code, fields, positional, globals)
            method.__qualname__ = f"{qualname}.__init__"
            cls.__init__ = method  # type: ignore[misc]
        if "__repr__" not in own:
            method = _FunctionType(repr_code, globals)  # type: ignore[arg-type]
            method = dataclasses._recursive_repr(method)  # type: ignore[attr-defined]
            if isinstance(method, _FunctionType):
                method.__qualname__ = f"{qualname}.__repr__"
            cls.__repr__ = method  # type: ignore[method-assign]
        if eq and "__eq__" not in own:
            method = _FunctionType(eq_code, globals)  # type: ignore[arg-type]
            method.__qualname__ = f"{qualname}.__eq__"
            cls.__eq__ = method  # type: ignore[method-assign]
        if frozen:
            # `_frozen_get_del_attr`'s: the class is the one given (not the one made with
            # slots below).
            names = {"cls": cls, "FrozenInstanceError": _FrozenInstanceError}
            for code in (setter_code, deleter_code):
                method = _FunctionType(code, globals, None, None, _closure(code, names))  # type: ignore[arg-type]
                method.__qualname__ = f"{qualname}.{method.__name__}"
                setattr(cls, method.__name__, method)
        if eq and not explicit_hash:
            if frozen:  # `_hash_add`
                method = _FunctionType(hash_code, globals)  # type: ignore[arg-type]
                method.__qualname__ = f"{qualname}.__hash__"
                cls.__hash__ = method  # type: ignore[method-assign]
            else:  # `_hash_set_none`
                cls.__hash__ = None  # type: ignore[assignment]
        if not cls.__doc__:
            cls.__doc__ = cls.__name__ + _signature_text(cls)
        if match_args and "__match_args__" not in own:
            cls.__match_args__ = tuple(f.name for f in positional)  # type: ignore[attr-defined,misc]
        if slots:
            cls = _with_slots(cls, frozen, fields)
        abc.update_abstractmethods(cls)
        return cls


def _closure(code: types.CodeType, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The cells of the `__create_fn__` locals `code` reads, as running it fills them."""
    return tuple([_Cell(values[name]) for name in code.co_freevars]) or None


def _init(
    code: Any, fields: list[Any], positional: tuple[Any, ...], globals: dict[str, Any]
) -> Any:
    """`_init_fn`'s `__init__`, made from its code as `__create_fn__` makes it: with its
    defaults and annotations as the `def` evaluates them (each parameter's `_dflt_<name>` or
    `_HAS_DEFAULT_FACTORY`, and `_type_<name>` in parameter order, then the return's) and the
    locals its body reads (`_dflt_<name>` of a default factory or of a field `__init__` does
    not take, `_HAS_DEFAULT_FACTORY`, `__dataclass_builtins_object__`) in its closure."""
    keyword = [f for f in fields if f.init and f.kw_only]
    defaults = tuple([_default_value(f) for f in positional if _has_default(f)]) or None
    closure = None
    if code.co_freevars:
        names: dict[str, Any] = {
            "_HAS_DEFAULT_FACTORY": _HAS_DEFAULT_FACTORY,
            "__dataclass_builtins_object__": object,
        }
        for f in fields:
            names[f"_dflt_{f.name}"] = (
                f.default_factory if f.default_factory is not _MISSING else f.default
            )
        closure = _closure(code, names)
    function = _FunctionType(code, globals, None, defaults, closure)
    if keyword:
        keyword_defaults = {f.name: _default_value(f) for f in keyword if _has_default(f)}
        if keyword_defaults:
            function.__kwdefaults__ = keyword_defaults
    annotations = {f.name: f.type for f in positional}
    for f in keyword:
        annotations[f.name] = f.type
    annotations["return"] = None
    function.__annotations__ = annotations
    return function


def _init_text(fields: list[Any], frozen: bool, post_init: bool, slots: bool) -> str:
    """`_init_fn`'s text (self named `self`: a field so named goes to `dataclasses`)."""
    local_names = [f"_type_{f.name}" for f in fields]
    local_names += ["MISSING", "_HAS_DEFAULT_FACTORY", "__dataclass_builtins_object__"]
    lines = []
    for f in fields:
        name = f.name
        if f.default_factory is not _MISSING:
            local_names.append(f"_dflt_{name}")
            if f.init:
                value = f"_dflt_{name}() if {name} is _HAS_DEFAULT_FACTORY else {name}"
            else:
                value = f"_dflt_{name}()"
        elif f.init:
            if f.default is not _MISSING:
                local_names.append(f"_dflt_{name}")
            value = name
        elif slots and f.default is not _MISSING:
            local_names.append(f"_dflt_{name}")
            value = f"_dflt_{name}"
        else:
            continue
        if frozen:
            lines.append(f"  __dataclass_builtins_object__.__setattr__(self,{name!r},{value})")
        else:
            lines.append(f"  self.{name}={value}")
    if post_init:
        lines.append("  self.__post_init__()")
    if not lines:
        lines.append("  pass")
    positional = [f for f in fields if f.init and not f.kw_only]
    keyword = [f for f in fields if f.init and f.kw_only]
    parameters = ["self", *map(_init_parameter, positional)]
    if keyword:
        parameters.append("*")
        parameters.extend(map(_init_parameter, keyword))
    local_names.append("_return_type")
    return (
        f"def __create_fn__({', '.join(local_names)}):\n"
        f" def __init__({','.join(parameters)})->_return_type:\n"
        + "\n".join(lines)
        + "\n return __init__"
    )


def _repr_text(fields: list[Any]) -> str:
    shown = ", ".join([f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr])
    return (
        "def __create_fn__():\n def __repr__(self):\n"
        f'  return self.__class__.__qualname__ + f"({shown})"\n return __repr__'
    )


def _eq_text(fields: list[Any]) -> str:
    compared = [f for f in fields if f.compare]
    return (
        "def __create_fn__():\n def __eq__(self,other):\n"
        "  if other.__class__ is self.__class__:\n"
        f"   return {_tuple_text('self', compared)}=={_tuple_text('other', compared)}\n"
        "  return NotImplemented\n return __eq__"
    )


def _frozen_texts(fields: list[Any]) -> tuple[str, str]:
    """`_frozen_get_del_attr`'s `__setattr__` and `__delattr__`."""
    names = "(" + ",".join([repr(f.name) for f in fields]) + ",)" if fields else "()"
    setter = (
        "def __create_fn__(cls, FrozenInstanceError):\n"
        " def __setattr__(self,name,value):\n"
        f"  if type(self) is cls or name in {names}:\n"
        '   raise FrozenInstanceError(f"cannot assign to field {name!r}")\n'
        "  super(cls, self).__setattr__(name, value)\n return __setattr__"
    )
    deleter = (
        "def __create_fn__(cls, FrozenInstanceError):\n"
        " def __delattr__(self,name):\n"
        f"  if type(self) is cls or name in {names}:\n"
        '   raise FrozenInstanceError(f"cannot delete field {name!r}")\n'
        "  super(cls, self).__delattr__(name)\n return __delattr__"
    )
    return setter, deleter


def _hash_text(fields: list[Any]) -> str:
    hashed = [f for f in fields if (f.compare if f.hash is None else f.hash)]
    return (
        "def __create_fn__():\n def __hash__(self):\n"
        f"  return hash({_tuple_text('self', hashed)})\n return __hash__"
    )


def _signature_text(cls: type) -> str:
    """The signature `_process_class` writes in the doc of a class that has none."""
    import inspect  # here: only a class without a docstring needs it, and none of rustpro's

    try:
        return str(inspect.signature(cls)).replace(" -> None", "")
    except (TypeError, ValueError):
        return ""


def _has_default(f: Any) -> bool:
    return f.default is not _MISSING or f.default_factory is not _MISSING


def _default_value(f: Any) -> Any:
    """The default `_init_param` gives the parameter of a field that has one."""
    return f.default if f.default is not _MISSING else _HAS_DEFAULT_FACTORY


def _init_parameter(f: Any) -> str:
    """`_init_param`."""
    if f.default is not _MISSING:
        return f"{f.name}:_type_{f.name}=_dflt_{f.name}"
    if f.default_factory is not _MISSING:
        return f"{f.name}:_type_{f.name}=_HAS_DEFAULT_FACTORY"
    return f"{f.name}:_type_{f.name}"


def _tuple_text(owner: str, fields: list[Any]) -> str:
    """`_tuple_str`."""
    if not fields:
        return "()"
    return f"({','.join([f'{owner}.{f.name}' for f in fields])},)"


def _with_slots(cls: type, frozen: bool, fields: list[Any]) -> type:
    """`_add_slots` for a class whose only base is `object` (no slots to inherit)."""
    namespace = dict(cls.__dict__)
    names = tuple(f.name for f in fields)
    namespace["__slots__"] = names
    for name in names:
        namespace.pop(name, None)
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    qualname = getattr(cls, "__qualname__", None)
    made: Any = type(cls)(cls.__name__, cls.__bases__, namespace)
    if qualname is not None:
        made.__qualname__ = qualname
    if frozen:
        if "__getstate__" not in namespace:
            made.__getstate__ = dataclasses._dataclass_getstate  # type: ignore[attr-defined]
        if "__setstate__" not in namespace:
            made.__setstate__ = dataclasses._dataclass_setstate  # type: ignore[attr-defined]
    return made  # type: ignore[no-any-return]


def install(path: str | None, magic: bytes) -> FastDataclasses | None:
    """Put `process_class` in place of `dataclasses._process_class` when `dataclasses` is the
    one it mirrors, with the table of methods' code at `path` (None: none kept); returns it
    (None when `dataclasses` is left as it is)."""
    current = dataclasses._process_class  # type: ignore[attr-defined]
    owner = getattr(current, "__self__", None)
    if isinstance(owner, FastDataclasses):
        return owner
    identity = _dataclasses_identity()
    stamp = f"rustpro dataclass recipes {_TEXTS_VERSION} {_FINGERPRINT} {identity}\n"
    recipes = Recipes(path if identity else None, magic + stamp.encode())
    if not recipes.read and fingerprint() != _FINGERPRINT:
        return None
    fast = FastDataclasses(recipes, current)
    dataclasses._process_class = fast.process_class  # type: ignore[attr-defined]
    return fast
