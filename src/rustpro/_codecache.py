"""The compiled code of the methods `dataclasses` writes, kept between runs like bytecode.

`@dataclass` writes `__init__`, `__repr__`, `__eq__`, `__hash__` and, when frozen,
`__setattr__` and `__delattr__` as source text and compiles each with `exec`: for rustpro's
eighty-odd classes that was about a third of a one-file audit's start-up, every run, for the
same few hundred texts. `install()` gives the `dataclasses` module an `exec` that compiles a
text once and keeps its code object in a file beside rustpro's own bytecode (where Python's
`__pycache__` and `PYTHONPYCACHEPREFIX` put it; nothing is written when
`PYTHONDONTWRITEBYTECODE` says so). The code is keyed by its whole source text and the
interpreter's bytecode tag, so it is exactly what compiling the text gives; a file that is
missing, unreadable or not such a table is ignored and rewritten. It holds code like any
`.pyc` beside it, and is trusted like them.

Regular expressions are the same story: `re.compile` parses a pattern and writes its matcher's
code in Python, for every pattern of every module rustpro imports (its own, tomllib's,
click's: about seventy at each start, a tenth of a one-file audit). `install()` also keeps
what `re` hands the regex engine (`_sre.compile`'s arguments) for each pattern and flags in a
second table, stamped with the interpreter and regex engine versions; a pattern is parsed
only the first time it is met. Patterns whose parse warns (`FutureWarning: Possible nested
set`) are never kept, so that they warn in every run as without the cache.

`parsed_toml` does the same for the TOML files rustpro ships (the rule catalog: 2.5 ms of
`tomllib` at every start): what `tomllib` made of a text is kept, marshalled, under the
whole text.

`typing` compiles the text of every forward reference it makes (`ForwardRef`: click's typed
dicts alone make two dozen at each start, and a `compile` costs about as much as parsing a
regular expression does, 3% of a one-file audit all told): those expressions are kept in the
first table too, under a key no source text can have.
"""

from __future__ import annotations

import builtins
import importlib
import marshal
import os
import sys
from types import CodeType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # only for annotations: this module loads at every start
    from collections.abc import Callable

# Entries kept at most: a table grown past this by many versions' classes starts again, with
# the entries of the run that saved it (`_bounded`).
_MAX_ENTRIES = 4096
_NAME = "_dataclass_methods"
# After the bytecode magic in the first table's file: its version. 2: code compiled without
# this module's `from __future__` flags (version 1's carried `annotations`, which the methods
# `dataclasses` compiles itself do not: their `__annotations__` were names, not types).
_CODE_TABLE_VERSION = b"rustpro code table 2\n"
# What begins the key of an expression `typing` compiled: no source text holds a NUL (Python
# refuses to compile one), so the key cannot be a dataclass method's.
_EVAL_KEY = "\0eval\0"
_REGEX_NAME = "_regex_codes"
_RECIPES_NAME = "_dataclass_recipes"
_TOML_NAME = "_parsed_toml"


class _CodeCache:
    """Source text -> code object, loaded from `path` and saved back when it grew."""

    def __init__(self, path: str | None, magic: bytes) -> None:
        self.path = path
        self.magic = magic  # the interpreter's bytecode version, first in the file
        self.codes: dict[str, CodeType] = _load(path, magic) if path is not None else {}
        self.used: set[str] = set()  # the keys this process looked up
        self.added = 0

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None) -> None:
        """`exec` as `dataclasses` calls it, compiling each source text once."""
        if type(source) is not str:
            builtins.exec(source, globals, locals)
            return
        self.used.add(source)
        code = self.codes.get(source)
        if code is None:
            # `dont_inherit`: as `exec` compiles text for `dataclasses`, whose module has no
            # `from __future__` imports (this one has).
            code = self._added(source, compile(source, "<string>", "exec", dont_inherit=True))
        builtins.exec(code, globals, locals)

    def compile_expression(self, source: str) -> CodeType:
        """`compile(source, "<string>", "eval")` as `typing` calls it (its module has no
        `from __future__` imports either), compiling each text once."""
        key = _EVAL_KEY + source
        self.used.add(key)
        code = self.codes.get(key)
        if code is None:  # raises SyntaxError as ever, and nothing is kept
            code = self._added(key, compile(source, "<string>", "eval", dont_inherit=True))
        return code

    def _added(self, key: str, code: CodeType) -> CodeType:
        self.codes[key] = code
        self.added += 1
        if self.added == 1:
            save_at_exit(self.path, self.save)
        return code

    def save(self) -> None:
        """Write the table atomically; a directory that cannot be written is skipped."""
        if self.path is not None:
            _write(self.path, self.magic, _bounded(self.codes, self.used))


def save_at_exit(path: str | None, save: Callable[[], None]) -> None:
    """Have `save` write a table when the interpreter exits (asked at the table's first
    addition), unless it has no place or bytecode is not written (`PYTHONDONTWRITEBYTECODE`)."""
    if path is not None and not sys.dont_write_bytecode:
        import atexit

        atexit.register(save)


_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


def _bounded(table: dict[_Key, _Value], used: set[_Key]) -> dict[_Key, _Value]:
    """What to save of `table`: all of it while it holds at most `_MAX_ENTRIES`; past that,
    the entries this process used. Every entry is loaded at each start, and one that grew
    full used to stay so: never saved again, each run compiling what it had no room for."""
    if len(table) <= _MAX_ENTRIES:
        return table
    return {key: table[key] for key in used if key in table}


def _write(path: str, stamp: bytes, table: dict[Any, Any]) -> None:
    """Write `table` after `stamp` to `path` atomically; a directory that cannot be written
    is skipped."""
    try:
        data = stamp + marshal.dumps(table)
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except (OSError, ValueError):
        return


def _load(path: str, magic: bytes) -> dict[str, CodeType]:
    table = _read_table(path, magic)
    if type(table) is not dict or not all(
        type(source) is str and type(code) is CodeType for source, code in table.items()
    ):
        return {}
    return table


def _read_table(path: str, stamp: bytes) -> object:
    """What the file at `path` holds after `stamp`; None when it is missing, unreadable or
    stamped otherwise."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if not data.startswith(stamp):
            return None
        return marshal.loads(data[len(stamp) :])
    except (OSError, EOFError, ValueError, TypeError):
        return None


# `re` flags whose patterns are compiled as without the cache: DEBUG prints the parse, and
# LOCALE's matching depends on the locale (kept out rather than argued about).
_UNCACHED_FLAGS = 128 | 4  # re.DEBUG | re.LOCALE

# What `_sre.compile` takes after the pattern: flags, code, groups, groupindex, indexgroup.
_RegexArguments = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class _RegexCache:
    """(pattern, flags) -> the arguments `re` gives `_sre.compile` for it, loaded from `path`
    and saved back when it grew."""

    def __init__(self, path: str | None, stamp: bytes) -> None:
        self.path = path
        self.stamp = stamp  # interpreter and regex engine versions, first in the file
        self.arguments: dict[tuple[str | bytes, int], _RegexArguments] = (
            _load_regexes(path, stamp) if path is not None else {}
        )
        self.used: set[tuple[str | bytes, int]] = set()  # the keys this process looked up
        self.added = 0
        self.compiler: Any = importlib.import_module("re._compiler")
        self.parse = self.compiler.compile  # `re`'s own, used for every pattern not kept
        self.engine: Any = importlib.import_module("_sre")

    def compile(self, pattern: Any, flags: int = 0) -> Any:
        """`re._compiler.compile` as `re` calls it, parsing each pattern once."""
        if type(pattern) not in (str, bytes) or type(flags) is not int or flags & _UNCACHED_FLAGS:
            return self.parse(pattern, flags)  # `re` hands a plain int; anything else is not
        key = (pattern, flags)
        self.used.add(key)
        arguments = self.arguments.get(key)
        if arguments is not None:
            return self.engine.compile(pattern, *arguments)
        compiled = self.parse(pattern, flags)  # raises and warns as ever
        arguments = self._quiet_arguments(pattern, flags)
        if arguments is not None:
            self.arguments[key] = arguments
            self.added += 1
            if self.added == 1:
                save_at_exit(self.path, self.save)
        return compiled

    def _quiet_arguments(self, pattern: str | bytes, flags: int) -> _RegexArguments | None:
        """`_sre.compile`'s arguments for a pattern `re` just compiled, as
        `re._compiler.compile` computes them; None when its parse warns."""
        import warnings

        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            parsed = self.compiler._parser.parse(pattern, flags)
        if warned:
            return None
        # Plain ints: some of `re`'s opcodes are an int subclass that marshal cannot write.
        code = list(map(int, self.compiler._code(parsed, flags)))
        state = parsed.state
        indexgroup: list[str | None] = [None] * state.groups
        for name, index in state.groupdict.items():
            indexgroup[index] = name
        return (flags | state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup))

    def save(self) -> None:
        """Write the table atomically; a directory that cannot be written is skipped."""
        if self.path is not None:
            _write(self.path, self.stamp, _bounded(self.arguments, self.used))


def _load_regexes(path: str, stamp: bytes) -> dict[tuple[str | bytes, int], _RegexArguments]:
    table = _read_table(path, stamp)
    if type(table) is not dict or not all(map(_well_formed, table.items())):
        return {}
    return table


def _well_formed(entry: tuple[object, object]) -> bool:
    """A table entry of the shapes `_sre.compile` takes (a file is trusted like a `.pyc`; this
    only tells a table from something else)."""
    key, arguments = entry
    return (
        type(key) is tuple
        and len(key) == 2
        and type(key[0]) in (str, bytes)
        and type(key[1]) is int
        and type(arguments) is tuple
        and len(arguments) == 5
        and type(arguments[0]) is int
        and type(arguments[1]) is list
        and type(arguments[2]) is int
        and type(arguments[3]) is dict
        and type(arguments[4]) is tuple
    )


def _cache_path(name: str) -> str | None:
    """Where Python would put the bytecode of a module `name` of this package."""
    from importlib._bootstrap_external import cache_from_source  # see `_magic`

    try:
        return cache_from_source(os.path.join(os.path.dirname(__file__), f"{name}.py"))
    except (NotImplementedError, ValueError):  # no cache tag: this Python caches no bytecode
        return None


def _magic() -> bytes:
    """The interpreter's bytecode version (`importlib.util.MAGIC_NUMBER`), read where
    `importlib.util` takes it from (as is `cache_from_source`): importing `importlib.util`
    (and its abstract base classes, `importlib._abc`) was for these two names only."""
    from importlib._bootstrap_external import MAGIC_NUMBER

    return MAGIC_NUMBER


def _regex_stamp(magic: bytes) -> bytes:
    """What a regex table must begin with: the bytecode magic, the regex engine's version and
    code size, and the interpreter's whole version (the code `re` writes is theirs)."""
    engine = importlib.import_module("_sre")
    return magic + f"{engine.MAGIC} {engine.CODESIZE} {sys.version}\n".encode()


def install() -> None:
    """Let `dataclasses` and `re` compile through the caches (once per process)."""
    compiler: Any = importlib.import_module("re._compiler")
    if isinstance(getattr(compiler, "compile", None), _BoundCompile):
        return
    magic = _magic()
    regexes = _RegexCache(_cache_path(_REGEX_NAME), _regex_stamp(magic))
    compiler.compile = _BoundCompile(regexes)
    import dataclasses  # after: its own pattern is kept too

    cache = _CodeCache(_cache_path(_NAME), magic + _CODE_TABLE_VERSION)
    dataclasses.exec = _BoundExec(cache)  # type: ignore[attr-defined]
    from rustpro import _dataclass_fast

    _dataclass_fast.install(_cache_path(_RECIPES_NAME), magic)
    import typing

    typing.compile = _BoundEvalCompile(cache)  # type: ignore[attr-defined]


class _BoundExec:
    """The cache's `exec`, recognisable so that `install` runs once."""

    __slots__ = ("cache",)

    def __init__(self, cache: _CodeCache) -> None:
        self.cache = cache

    def __call__(
        self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None
    ) -> None:
        self.cache.exec(source, globals, locals)


class _BoundEvalCompile:
    """`compile` as the `typing` module sees it: the expressions of forward references come
    from the cache, any other call is the builtin's (flags as `typing`'s own: none)."""

    __slots__ = ("cache",)

    def __init__(self, cache: _CodeCache) -> None:
        self.cache = cache

    def __call__(
        self,
        source: Any,
        filename: Any,
        mode: str,
        flags: int = 0,
        dont_inherit: bool = False,
        optimize: int = -1,
        **options: Any,
    ) -> Any:
        if (
            type(source) is str
            and filename == "<string>"
            and mode == "eval"
            and flags == 0
            and optimize == -1
            and not options
        ):
            return self.cache.compile_expression(source)
        # Inheriting `typing`'s flags (none) is what `dont_inherit=True` does from here.
        return compile(source, filename, mode, flags, True, optimize, **options)


class _BoundCompile:
    """The regex cache's `compile`, recognisable so that `install` runs once."""

    __slots__ = ("cache",)

    def __init__(self, cache: _RegexCache) -> None:
        self.cache = cache

    def __call__(self, pattern: Any, flags: int = 0) -> Any:
        return self.cache.compile(pattern, flags)


class _TomlCache:
    """TOML text -> what `tomllib.loads` made of it, marshalled; loaded from `path` and saved
    back when it grew."""

    def __init__(self, path: str | None, magic: bytes) -> None:
        self.path = path
        self.magic = magic
        table = _read_table(path, magic) if path is not None else None
        self.parsed: dict[str, bytes] = (
            table
            if type(table) is dict
            and all(type(text) is str and type(data) is bytes for text, data in table.items())
            else {}
        )

    def loads(self, text: str) -> dict[str, Any]:
        """`tomllib.loads(text)`: a new value at every call, as `tomllib` gives."""
        data = self.parsed.get(text)
        if data is not None:
            value: dict[str, Any] = marshal.loads(data)
            return value
        import tomllib

        value = tomllib.loads(text)
        try:  # dates and times do not marshal: such a text is parsed in every run
            self.parsed[text] = marshal.dumps(value)
        except ValueError:
            return value
        if self.path is not None and not sys.dont_write_bytecode:
            self.save()
        return value

    def save(self) -> None:
        """Write the table atomically; a directory that cannot be written is skipped."""
        if self.path is not None and len(self.parsed) <= _MAX_ENTRIES:
            _write(self.path, self.magic, self.parsed)


_TOML: list[_TomlCache] = []  # made at the first call: most commands read no shipped TOML


def parsed_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads(text)` for a TOML file shipped with rustpro, parsed once and kept
    beside rustpro's bytecode; raises `tomllib.TOMLDecodeError` on a bad text."""
    if not _TOML:
        _TOML.append(_TomlCache(_cache_path(_TOML_NAME), _magic()))
    return _TOML[0].loads(text)


class KeptTexts:
    """Key text -> value text, kept beside rustpro's bytecode in the table `name`, for as
    long as the file begins with `stamp` (a table stamped otherwise reads as empty and is
    rewritten). Nothing is written when `PYTHONDONTWRITEBYTECODE` says so.

    The table is read when made, not held by the module: each user reads it once per use,
    so that what the use costs is what any run pays."""

    def __init__(self, name: str, stamp: bytes) -> None:
        self.path = _cache_path(name)
        self.stamp = stamp
        table = _read_table(self.path, stamp) if self.path is not None else None
        self.texts: dict[str, str] = (
            table
            if type(table) is dict
            and all(type(key) is str and type(text) is str for key, text in table.items())
            else {}
        )
        self.used: set[str] = set()  # the keys this use asked for
        self.added = False

    def get(self, key: str) -> str | None:
        """The text kept under `key`, or None."""
        self.used.add(key)
        return self.texts.get(key)

    def put(self, key: str, text: str) -> None:
        """Keep `text` under `key` (written by `save`)."""
        self.used.add(key)
        self.texts[key] = text
        self.added = True

    def save(self) -> None:
        """Write the table atomically when something was added; a directory that cannot be
        written is skipped, and a table grown past `_MAX_ENTRIES` keeps what this use asked
        for (`_bounded`)."""
        if not self.added or self.path is None or sys.dont_write_bytecode:
            return
        _write(self.path, self.stamp, _bounded(self.texts, self.used))
        self.added = False


def file_stamp(names: tuple[str, ...]) -> bytes:
    """What rustpro's own files `names` (relative to the package) are now, as Python's
    bytecode is judged by its source: each one's modification time and size, and the
    interpreter's bytecode version. A file that is missing is stamped as such."""
    here = os.path.dirname(__file__)
    parts = [_magic().hex()]
    for name in names:
        try:
            status = os.stat(os.path.join(here, name))
        except OSError:
            parts.append(f"{name}:missing")
            continue
        parts.append(f"{name}:{status.st_mtime_ns}:{status.st_size}")
    return ("\0".join(parts) + "\n").encode()
