"""Byte offsets become 1-based lines and *character* columns, as rustc and SARIF count them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.syntax.positions import LineIndex
from tests.support import audit, make_crate


def _offset(text: str, needle: str) -> int:
    return len(text[: text.index(needle)].encode("utf-8"))


def test_ascii_positions() -> None:
    text = "ab\ncd\n"
    index = LineIndex(text.encode())
    assert index.position(0) == (1, 1)
    assert index.position(1) == (1, 2)
    assert index.position(3) == (2, 1)
    assert index.position(len(text)) == (3, 1)
    assert index.line_count == 3


def test_columns_count_characters_not_bytes() -> None:
    # 2-, 3- and 4-byte UTF-8 characters before the target.
    text = 'let s = "é漢😀"; x.unwrap()\n'
    index = LineIndex(text.encode("utf-8"))
    line, column = index.position(_offset(text, "unwrap"))
    assert (line, column) == (1, text.index("unwrap") + 1)
    assert column == 18  # bytes would say 24


def test_span_across_lines_with_non_ascii() -> None:
    text = "fn ünïcode() {\n    «x».y\n}\n"
    data = text.encode("utf-8")
    index = LineIndex(data)
    span = index.span(_offset(text, "«"), _offset(text, "y") + 1)
    assert (span.line, span.column, span.end_line, span.end_column) == (2, 5, 2, 10)
    assert index.line_text(1) == "fn ünïcode() {"


def test_crlf_and_missing_final_newline() -> None:
    data = b"a\r\nb\r\nlast"
    index = LineIndex(data)
    assert index.line_count == 3
    assert index.line_text(1) == "a"
    assert index.line_text(3) == "last"
    assert index.position(data.index(b"last") + 2) == (3, 3)
    assert index.line_text(0) == ""
    assert index.line_text(4) == ""


def test_empty_source() -> None:
    index = LineIndex(b"")
    assert index.line_count == 1
    assert index.position(0) == (1, 1)
    assert index.line_text(1) == ""


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200), st.data())
def test_positions_agree_with_python_strings(text: str, data: st.DataObject) -> None:
    """For every character offset, LineIndex agrees with counting in the decoded string."""
    encoded = text.encode("utf-8")
    index = LineIndex(encoded)
    char_offset = data.draw(st.integers(min_value=0, max_value=len(text)))
    byte_offset = len(text[:char_offset].encode("utf-8"))
    before = text[:char_offset]
    expected_line = before.count("\n") + 1
    expected_column = len(before) - (before.rfind("\n") + 1) + 1
    assert index.position(byte_offset) == (expected_line, expected_column)


def test_findings_after_non_ascii_use_character_columns(tmp_path: Path) -> None:
    line = '    let _ = format!("{}", "Grüße, 世界 🌍"); v.parse().unwrap()'
    lib = "//! Positions.\npub fn f(v: &str) -> u8 {\n" + line + "\n}\n"
    root = make_crate(tmp_path / "c", {"src/lib.rs": lib})
    (finding,) = [f for f in audit(root).findings if f.rule == "unwrap-in-production"]
    assert finding.line == 3
    assert finding.column == line.index("unwrap") + 1
    assert finding.end_column == line.rindex("()") + 3


def _reference_position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, len(data[start:offset].decode("utf-8", errors="replace")) + 1


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(["a", "é", "😀", "\n", " ", "\r"]), max_size=300),
    picks=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=60),
)
def test_lazy_positions_match_a_fresh_count_in_any_order(text: str, picks: list[float]) -> None:
    # LineIndex counts from the last position asked for, and switches to a table of line
    # starts after counting a lot: any order of questions must give the same answers.
    data = text.encode("utf-8")
    index = LineIndex(data)
    for pick in picks:
        offset = int(pick * len(data))
        assert index.position(offset) == _reference_position(data, offset)
    assert index.line_count == data.count(b"\n") + 1
