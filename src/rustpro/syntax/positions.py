"""Byte offsets (tree-sitter) to 1-based lines and character columns (rustc, SARIF)."""

from __future__ import annotations

import bisect
from itertools import accumulate

from rustpro.model import Span

_PLUS_ONE = (1).__add__  # a line's length plus its newline, mapped in C
# Bytes counted with `bytes.count` before the full table of line starts pays off: a count
# scans about eight times faster than the table is built (both in C), so two file lengths of
# counting cost far less than building the table for a file that needs a handful of positions.
_SCAN_BUDGET_FACTOR = 2


class LineIndex:
    """Converts byte offsets of one file to 1-based line and character columns.

    tree-sitter counts columns in bytes; rustc and SARIF count characters. Converting here,
    once, keeps every other module free of that difference.

    Most files need no position at all (no finding) or a few, so nothing is computed up
    front: a position is counted from the last one asked for (`bytes.count` over the bytes in
    between), and only a file that asks for many gets the table of line starts.
    """

    __slots__ = ("_budget", "_line_count", "_near", "_near_line", "_source", "_starts")

    def __init__(self, source: bytes) -> None:
        self._source = source
        self._starts: list[int] | None = None
        self._line_count: int | None = None
        # A known (offset, 1-based line) pair to count from, and bytes left to count.
        self._near = 0
        self._near_line = 1
        self._budget = _SCAN_BUDGET_FACTOR * len(source)

    @property
    def line_count(self) -> int:
        """Number of lines, counting a last line without a newline."""
        if self._line_count is None:
            self._line_count = self._source.count(b"\n") + 1
        return self._line_count

    def line_of(self, offset: int) -> int:
        """The 1-based line holding byte `offset`."""
        starts = self._starts
        if starts is not None:
            return bisect.bisect_right(starts, offset)
        near = self._near
        distance = offset - near if offset >= near else near - offset
        if offset < 0 or distance > self._budget:
            return bisect.bisect_right(self._line_starts(), offset)
        self._budget -= distance
        if offset >= near:
            line = self._near_line + self._source.count(b"\n", near, offset)
        else:
            line = self._near_line - self._source.count(b"\n", offset, near)
        self._near, self._near_line = offset, line
        return line

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of byte `offset`."""
        line = self.line_of(offset)
        starts = self._starts
        # Without the table, the line starts after the last newline before `offset`.
        start = starts[line - 1] if starts is not None else self._source.rfind(b"\n", 0, offset) + 1
        prefix = self._source[start:offset]
        if prefix.isascii():
            return line, len(prefix) + 1
        return line, len(prefix.decode("utf-8", errors="replace")) + 1

    def span(self, start_byte: int, end_byte: int) -> Span:
        """The 1-based span of the byte range [start_byte, end_byte)."""
        line, column = self.position(start_byte)
        end_line, end_column = self.position(end_byte)
        return Span(line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        """The text of 1-based `line`, without its newline."""
        starts = self._line_starts()
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self._source)
        return self._source[start:end].decode("utf-8", errors="replace").rstrip("\r")

    def line_start(self, line: int) -> int:
        """Byte offset where 1-based `line` starts."""
        return self._line_starts()[line - 1]

    def _line_starts(self) -> list[int]:
        """The byte offset of every line's start, built on first use."""
        if self._starts is None:
            # Splitting and summing lengths runs in C: a find() loop in Python costs ~60% more.
            starts = [0]
            starts += accumulate(map(_PLUS_ONE, map(len, self._source.split(b"\n"))))
            starts.pop()  # the end of the last line starts no line
            self._starts = starts
        return self._starts
