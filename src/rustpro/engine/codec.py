"""Dataclasses to JSON and back, checked against their type hints: the result cache's format.

The cache is read back from a directory anyone with write access to it (or to a CI cache it
was restored from) may have filled. So it stores data only: JSON that decodes into the
declared dataclass shapes or not at all. Nothing in a cache file can name a class to build or
code to run, which pickle allows; a file of the wrong shape raises `CodecError`, and the
cache treats that as a miss.

Supported in type hints: `str`, `int`, `bool`, `float`, `None`, `enum.Enum` subclasses,
`list[T]`, `set[T]`, `tuple[T, ...]`, fixed tuples, `dict[str, T]`, dataclasses, and unions of
those (a union of several dataclasses is tagged with the class name under `"@"`). A decoder
per type is built once and reused.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar, Union

T = TypeVar("T")

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


class CodecError(ValueError):
    """The data does not have the shape the type hints declare."""


def encode(value: object) -> Any:
    """A JSON-ready form of a dataclass instance (recursively)."""
    encoder: Encoder = _encoder(typing.cast(Any, type(value)))
    return encoder(value)


def decode(cls: type[T], data: Any) -> T:
    """Rebuild a `cls` from `encode`'s output; raises `CodecError` on any mismatch."""
    try:
        decoder: Decoder = _decoder(typing.cast(Any, cls))
        result = decoder(data)
    except CodecError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise CodecError(f"cannot decode {cls.__name__}: {err}") from None
    return typing.cast(T, result)


# ----- encoding ------------------------------------------------------------------------------
# Names of dataclasses that meet other dataclasses in unions: encoded with their name.
_TAGGED: set[str] = set()


def register_tagged(*classes: type) -> None:
    """Tag these dataclasses with their name when encoded: they meet in unions."""
    _TAGGED.update(cls.__name__ for cls in classes)
    _encoder.cache_clear()


@functools.cache
def _encoder(cls: type) -> Encoder:
    if dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
        tag = cls.__name__ if cls.__name__ in _TAGGED else None

        def encode_dataclass(value: Any) -> Any:
            out = {name: _encode_any(getattr(value, name)) for name in names}
            if tag is not None:
                out["@"] = tag
            return out

        return encode_dataclass
    return _encode_any


def _encode_any(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [_encode_any(item) for item in items]
    if isinstance(value, dict):
        return {str(key): _encode_any(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _encoder(type(value))(value)
    raise CodecError(f"cannot encode a {type(value).__name__}")


# ----- decoding ------------------------------------------------------------------------------
@functools.cache
def _decoder(hint: Any) -> Decoder:
    origin = typing.get_origin(hint)
    if hint is type(None) or hint is None:
        return _expect_none
    if hint in (str, bool, int, float):
        return _scalar(hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return _enum(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _dataclass(hint)
    if origin in (Union, types.UnionType):
        return _union(typing.get_args(hint))
    if origin in (list, set, frozenset):
        (item,) = typing.get_args(hint)
        return _sequence(origin, _decoder(item))
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(tuple, _decoder(args[0]))
        return _fixed_tuple(tuple(_decoder(a) for a in args))
    if origin is dict:
        key, item = typing.get_args(hint)
        if key is not str:
            raise TypeError(f"dict keys must be str, not {key}")
        return _mapping(_decoder(item))
    raise TypeError(f"the cache cannot hold {hint!r}")


def _expect_none(data: Any) -> None:
    if data is not None:
        raise CodecError("expected null")


def _scalar(kind: type) -> Decoder:
    def decode_scalar(data: Any) -> Any:
        # `bool` is an `int` in Python; JSON keeps them apart, and so do we.
        if type(data) is not kind and not (kind is float and type(data) is int):
            raise CodecError(f"expected {kind.__name__}, got {type(data).__name__}")
        return data

    return decode_scalar


def _enum(kind: type[enum.Enum]) -> Decoder:
    def decode_enum(data: Any) -> Any:
        try:
            return kind(data)
        except ValueError:
            raise CodecError(f"{data!r} is no {kind.__name__}") from None

    return decode_enum


def _sequence(kind: Any, item: Decoder) -> Decoder:
    def decode_sequence(data: Any) -> Any:
        if type(data) is not list:
            raise CodecError("expected a list")
        return kind(item(value) for value in data)

    return decode_sequence


def _fixed_tuple(items: tuple[Decoder, ...]) -> Decoder:
    def decode_tuple(data: Any) -> Any:
        if type(data) is not list or len(data) != len(items):
            raise CodecError(f"expected a list of {len(items)}")
        return tuple(decode(value) for decode, value in zip(items, data, strict=True))

    return decode_tuple


def _mapping(item: Decoder) -> Decoder:
    def decode_mapping(data: Any) -> Any:
        if type(data) is not dict:
            raise CodecError("expected an object")
        return {key: item(value) for key, value in data.items()}

    return decode_mapping


def _dataclass(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(cls) if f.init]
    expected = {name for name, _ in fields} | {"@"}

    def decode_dataclass(data: Any) -> Any:
        if type(data) is not dict:
            raise CodecError(f"expected an object for {cls.__name__}")
        if not data.keys() <= expected:
            raise CodecError(
                f"unexpected keys for {cls.__name__}: {sorted(data.keys() - expected)}"
            )
        tag = data.get("@")
        if tag is not None and tag != cls.__name__:
            raise CodecError(f"expected {cls.__name__}, got {tag}")
        return cls(**{name: decode(data[name]) for name, decode in fields})

    return decode_dataclass


def _union(options: tuple[Any, ...]) -> Decoder:
    decoders = [(option, _decoder(option)) for option in options]
    by_tag = {
        option.__name__: decode
        for option, decode in decoders
        if isinstance(option, type) and dataclasses.is_dataclass(option)
    }

    def decode_union(data: Any) -> Any:
        if type(data) is dict and "@" in data:
            decode = by_tag.get(data["@"])
            if decode is None:
                raise CodecError(f"unknown tag {data['@']!r}")
            return decode(data)
        for _, decode in decoders:
            try:
                return decode(data)
            except CodecError:
                continue
        raise CodecError("matches no member of the union")

    return decode_union
