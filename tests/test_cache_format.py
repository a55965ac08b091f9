"""The result cache holds data, never code, and treats any bad entry as a miss."""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.engine.cache import ResultCache
from rustpro.engine.codec import CodecError, decode, encode
from rustpro.engine.filepass import FileResult, analyze_source
from rustpro.model import Role
from tests.support import make_crate

SOURCE = b"""\
//! A crate.
pub mod net;
#[cfg(test)]
mod tests;
pub use net::Port;
// rustpro: allow(unwrap-in-production) -- checked above
pub fn port(text: &str) -> u16 { text.parse().unwrap() }
pub struct ParseError;
pub fn name(x: Option<&str>) -> &str { x.expect("a name") }
"""


def _entry(cache: ResultCache, key: str) -> Path:
    return cache.root / key[:2] / key


def test_results_round_trip_exactly(tmp_path: Path) -> None:
    result = analyze_source(SOURCE, "src/lib.rs", Role.PRODUCTION)
    assert result.candidates and result.structure.mod_decls and result.structure.suppressions
    assert decode(FileResult, json.loads(json.dumps(encode(result)))) == result
    cache = ResultCache(tmp_path)
    key = ResultCache.key(SOURCE, "src/lib.rs", Role.PRODUCTION)
    cache.put(key, result)
    assert cache.get(key) == result
    assert _entry(cache, key).read_bytes().startswith(b"{")  # JSON, not pickle


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch PWNED",))


def test_a_crafted_pickle_is_never_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cache = ResultCache(tmp_path / "cache")
    key = ResultCache.key(SOURCE, "src/lib.rs", Role.PRODUCTION)
    _entry(cache, key).parent.mkdir(parents=True)
    _entry(cache, key).write_bytes(pickle.dumps(_Boom()))
    assert cache.get(key) is None
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b'{"relpath": 1}',
        b'{"relpath": "a.rs", "role": "production"}',  # missing fields
        b'{"@": "os.system"}',
        b"[" * 100_000,  # nesting deeper than the decoder goes
        # Random bytes that begin with a pickle opcode: pickle.load raised ValueError
        # ("unsupported pickle protocol: 6") and OverflowError (a FRAME of 2**63 bytes),
        # which the pickle cache did not catch, so every audit exited 2 (issue 11, item 5).
        b"\x80\x06",
        b"\x95" + b"\x00" * 7 + b"\x80",
    ],
)
def test_bad_entries_are_misses(tmp_path: Path, payload: bytes) -> None:
    cache = ResultCache(tmp_path)
    key = ResultCache.key(SOURCE, "src/lib.rs", Role.PRODUCTION)
    _entry(cache, key).parent.mkdir(parents=True)
    _entry(cache, key).write_bytes(payload)
    assert cache.get(key) is None


def test_wrong_types_inside_a_valid_entry_are_misses(tmp_path: Path) -> None:
    result = analyze_source(SOURCE, "src/lib.rs", Role.PRODUCTION)
    data = encode(result)
    data["candidates"][0]["finding"]["line"] = "12"  # a string where an int belongs
    with pytest.raises(CodecError):
        decode(FileResult, data)
    data = encode(result)
    data["candidates"][0]["finding"]["severity"] = "fatal"  # no such severity
    with pytest.raises(CodecError):
        decode(FileResult, data)
    data = encode(result)
    data["role"] = True  # JSON true is no role and no int
    with pytest.raises(CodecError):
        decode(FileResult, data)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_are_misses(payload: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        cache = ResultCache(Path(directory))
        key = ResultCache.key(SOURCE, "src/lib.rs", Role.PRODUCTION)
        _entry(cache, key).parent.mkdir(parents=True)
        _entry(cache, key).write_bytes(payload)
        assert cache.get(key) is None


def test_a_corrupted_cache_file_does_not_stop_audits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    root = make_crate(tmp_path / "c", {"src/lib.rs": SOURCE.decode()})
    first = run_audit(root, AuditOptions(use_cache=True, workers=1))
    entries = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        # Random bytes, except that they begin the way a pickle does (PROTO 6): most random
        # bytes fail pickle's first check, which the old cache caught; these did not.
        entry.write_bytes(b"\x80\x06" + os.urandom(62))
    again = run_audit(root, AuditOptions(use_cache=True, workers=1))
    assert again.findings == first.findings
