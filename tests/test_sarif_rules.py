"""The SARIF report's rule descriptors as kept between runs (`sarif_rules.descriptor_texts`):
each kept text is the one made afresh, a table is used only while the files it was made
from are unchanged, and nothing is written where bytecode is not."""

from __future__ import annotations

import json
import marshal
import sys
from pathlib import Path

import pytest

from rustpro import _codecache
from rustpro.catalog import catalog
from rustpro.report import sarif_rules
from rustpro.report.sarif_rules import catalog_descriptor, descriptor_texts


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@pytest.fixture
def kept_beside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Bytecode (and what is kept beside it) under `tmp_path`, written whatever the
    environment says about writing it."""
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return tmp_path


def _table_path() -> Path:
    path = _codecache._cache_path(sarif_rules._DESCRIPTOR_TABLE)
    assert path is not None
    return Path(path)


def test_every_kept_descriptor_is_the_one_made_afresh(kept_beside: Path) -> None:
    entries = list(catalog().values())
    fresh = {entry.name: _dump(catalog_descriptor(entry)) for entry in entries}
    assert descriptor_texts(entries, _dump) == fresh  # made, and kept
    path = _table_path()
    assert path.is_relative_to(kept_beside) and path.exists()
    kept = marshal.loads(path.read_bytes().split(b"\n", 1)[1])
    assert sorted(kept.values()) == sorted(fresh.values())
    assert descriptor_texts(entries, _dump) == fresh  # read back


def test_a_kept_text_is_used_while_its_table_s_stamp_holds(kept_beside: Path) -> None:
    """The table is read (a text planted under a rule's key comes back), and a table
    stamped otherwise (a file it was made from has changed since) is not."""
    entry = catalog()["static-mut"]
    descriptor_texts([entry], _dump)
    path = _table_path()
    stamp, table = path.read_bytes().split(b"\n", 1)
    (key,) = marshal.loads(table)
    path.write_bytes(stamp + b"\n" + marshal.dumps({key: "planted"}))
    assert descriptor_texts([entry], _dump) == {"static-mut": "planted"}
    path.write_bytes(stamp + b" changed\n" + marshal.dumps({key: "planted"}))
    assert descriptor_texts([entry], _dump) == {"static-mut": _dump(catalog_descriptor(entry))}


def test_a_changed_docstring_is_not_served_its_old_text(
    kept_beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rustpro.rules.registry import rule_class

    entry = catalog()["static-mut"]
    before = descriptor_texts([entry], _dump)["static-mut"]
    rule = rule_class("static-mut")
    assert rule is not None
    monkeypatch.setattr(rule, "__doc__", "A changed summary.\n\n" + (rule.__doc__ or ""))
    after = descriptor_texts([entry], _dump)["static-mut"]
    assert after != before and "A changed summary." in after
    assert after == _dump(catalog_descriptor(entry))


def test_the_stamp_follows_the_files_it_names(tmp_path: Path) -> None:
    names = ("report/sarif_rules.py", "catalog.toml")
    assert _codecache.file_stamp(names) == _codecache.file_stamp(names)
    assert _codecache.file_stamp(names) != _codecache.file_stamp(names[:1])
    assert b"no-such-file.py:missing" in _codecache.file_stamp(("no-such-file.py",))


def test_nothing_is_written_where_bytecode_is_not(
    kept_beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    entries = list(catalog().values())[:3]
    texts = descriptor_texts(entries, _dump)
    assert texts == {entry.name: _dump(catalog_descriptor(entry)) for entry in entries}
    assert not _table_path().exists()


@pytest.mark.parametrize("content", [b"", b"\xff" * 40, b"not a table\n"])
def test_a_bad_table_is_ignored_and_rewritten(kept_beside: Path, content: bytes) -> None:
    entries = list(catalog().values())[:2]
    path = _table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    texts = descriptor_texts(entries, _dump)
    assert texts == {entry.name: _dump(catalog_descriptor(entry)) for entry in entries}
    assert path.read_bytes() != content


def test_a_table_of_other_shapes_under_the_right_stamp_is_ignored(kept_beside: Path) -> None:
    entry = catalog()["static-mut"]
    descriptor_texts([entry], _dump)
    path = _table_path()
    stamp = path.read_bytes().split(b"\n", 1)[0] + b"\n"
    for table in ({"key": 1}, {2: "text"}, ["not", "a", "dict"]):
        path.write_bytes(stamp + marshal.dumps(table))
        assert descriptor_texts([entry], _dump) == {"static-mut": _dump(catalog_descriptor(entry))}


def test_a_full_table_keeps_what_this_use_asked_for(
    kept_beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `_MAX_ENTRIES`, the kept texts saved are the ones this use asked for or added
    (as the other kept tables: `_codecache._bounded`)."""
    monkeypatch.setattr(_codecache, "_MAX_ENTRIES", 2)
    table = _codecache.KeptTexts("_test_texts", b"stamp\n")
    for key in ("a", "b", "c"):
        table.put(key, key.upper())
    table.save()
    again = _codecache.KeptTexts("_test_texts", b"stamp\n")
    assert again.get("b") == "B"
    again.put("d", "D")  # three entries asked for or kept: past the bound
    again.save()
    assert _codecache.KeptTexts("_test_texts", b"stamp\n").texts == {"b": "B", "d": "D"}
