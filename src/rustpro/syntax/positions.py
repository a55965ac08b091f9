"""Byte offsets (tree-sitter) to 1-based lines and character columns (rustc, SARIF)."""

from __future__ import annotations

import bisect

from rustpro.model import Span


class LineIndex:
    """Converts byte offsets of one file to 1-based line and character columns.

    tree-sitter counts columns in bytes; rustc and SARIF count characters. Converting here,
    once, keeps every other module free of that difference.
    """

    __slots__ = ("_source", "_starts")

    def __init__(self, source: bytes) -> None:
        self._source = source
        starts = [0]
        find = source.find
        pos = find(b"\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        """Number of lines, counting a last line without a newline."""
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        """The 1-based line holding byte `offset`."""
        return bisect.bisect_right(self._starts, offset)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, character column) of byte `offset`."""
        line = bisect.bisect_right(self._starts, offset)
        start = self._starts[line - 1]
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
        if line < 1 or line > len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self._source)
        return self._source[start:end].decode("utf-8", errors="replace").rstrip("\r")

    def line_start(self, line: int) -> int:
        """Byte offset where 1-based `line` starts."""
        return self._starts[line - 1]
