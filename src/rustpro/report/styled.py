"""Terminal output as plain strings, byte for byte what rich would print, without rich.

The text report printed each of its lines with rich's `Console.print`: on a report of a
thousand findings that cost as much as parsing the crate, and importing rich alone costs
more than the rest of a small report. Here a report is a list of `Line`s (styled parts) and
`Table`s, rendered with the ANSI codes rich writes for the standard colour system. What plain
strings cannot reproduce exactly goes to rich, imported only then: text with tabs, line breaks
or the control characters rich strips, rich markup and emoji codes in text printed as markup,
styles stacked on styles, a table that needs wrapping or holds non-ASCII text. Tests compare
both ways on generated input (tests/test_styled.py).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rich.console import Console

# Select Graphic Rendition codes of the styles reports use, as rich writes them for the
# standard colour system; other styles are asked of rich (`_sgr`).
_SGR: dict[str, str] = {
    "bold": "1",
    "dim": "2",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "cyan": "36",
    "bold red": "1;31",
    "bold green": "1;32",
    "bold yellow": "1;33",
    "bold blue": "1;34",
    "bold cyan": "1;36",
}
# Characters rich treats specially in any text: tabs are expanded, line breaks split lines,
# and bell, backspace, vertical tab, form feed and carriage return are stripped.
_RICH_SPECIAL = re.compile("[\t\n\x07\x08\x0b\x0c\r]")
# In text printed as markup, also `[tags]` and `:emoji:` codes (rich's own pattern, loosened).
_MARKUP_SPECIAL = re.compile("[\t\n\x07\x08\x0b\x0c\r\\[]|:\\S*:")

Part = tuple[str, str]  # (text, style); style "" is unstyled


@dataclass(frozen=True, slots=True)
class Line:
    """One line of output: parts with their styles, over a base style for the whole line.

    Like rich's `Text.assemble(*parts, style=style)`; `markup` lines are what rich prints for
    a plain `str` (its markup and emoji codes interpreted).
    """

    parts: tuple[Part, ...]
    style: str = ""
    markup: bool = False

    @classmethod
    def assemble(cls, *parts: str | Part, style: str = "") -> Line:
        """A line of parts, each a string or a `(text, style)` pair."""
        return cls(tuple((p, "") if isinstance(p, str) else p for p in parts if p), style)

    @classmethod
    def of(cls, text: str, style: str = "") -> Line:
        """A line of one text in one style."""
        return cls(((text, ""),) if text else (), style)

    @classmethod
    def from_markup(cls, text: str) -> Line:
        """A line printed the way rich prints a `str`: `[bold]` and `:smile:` interpreted."""
        return cls(((text, ""),) if text else (), markup=True)

    @property
    def plain(self) -> str:
        """The text without styles (before any interpretation of markup)."""
        return "".join(text for text, _ in self.parts)


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: its header and how its cells are justified."""

    header: str
    justify: Literal["left", "right"] = "left"


Cell = str | Line  # a `str` cell is markup, as in rich


@dataclass(slots=True)
class Table:
    """A table without borders, as rich draws `Table(box=None, show_edge=False,
    pad_edge=False, header_style="bold")`: columns two spaces apart, bold headers."""

    columns: Sequence[Column]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)

    def add_row(self, *cells: Cell) -> None:
        """Append a row (one cell per column)."""
        if len(cells) != len(self.columns):
            raise ValueError(f"a row of {len(cells)} cells in a table of {len(self.columns)}")
        self.rows.append(cells)


class Report:
    """Output assembled line by line; `text()` is the whole of it."""

    def __init__(self, *, color: bool, width: int = 100) -> None:
        self.color = color
        self.width = width
        self._out: list[str] = []
        self._console: Console | None = None

    def line(self, line: Line) -> None:
        """Print one line."""
        rendered = self._plain_line(line)
        if rendered is None:
            rendered = self._via_rich(_rich_text(line))
        else:
            rendered += "\n"
        self._out.append(rendered)

    def print(self, item: object = None) -> None:
        """Like rich's `Console.print`, for code written against it: a `Line` or a `Table`,
        a `str` (rich markup), nothing (an empty line), or any rich renderable (by rich)."""
        if item is None:
            self.blank()
        elif isinstance(item, Line):
            self.line(item)
        elif isinstance(item, Table):
            self.table(item)
        elif isinstance(item, str):
            self.line(Line.from_markup(item))
        else:
            self._out.append(self._via_rich(item))

    def lines(self, lines: Iterable[Line]) -> None:
        """Print each line."""
        for line in lines:
            self.line(line)

    def write(self, printed: str) -> None:
        """Text already rendered for this report (in `Palette.of(self.color)`)."""
        self._out.append(printed)

    def blank(self) -> None:
        """An empty line."""
        self._out.append("\n")

    def table(self, table: Table) -> None:
        """Print a table."""
        rendered = self._plain_table(table)
        self._out.append(rendered if rendered is not None else self._via_rich(_rich_table(table)))

    def text(self) -> str:
        """Everything printed so far."""
        return "".join(self._out)

    def _plain_line(self, line: Line) -> str | None:
        """The line as rich prints it, without its trailing newline; None when only rich can."""
        special = _MARKUP_SPECIAL if line.markup else _RICH_SPECIAL
        for text, _ in line.parts:
            if special.search(text) is not None:
                return None
        if not self.color:
            return "".join(text for text, _ in line.parts)
        if line.style:
            if any(style for _, style in line.parts):
                return None  # stacked styles: rich combines them
            return _styled(line.plain, line.style)
        return "".join(_styled(text, style) for text, style in line.parts)

    def _plain_table(self, table: Table) -> str | None:
        """The table as rich draws it when every cell fits on one line; else None."""
        cells: list[list[tuple[str, str]]] = [[(c.header, "") for c in table.columns]]
        for row in table.rows:
            found = [_plain_cell(cell) for cell in row]
            if any(cell is None for cell in found):
                return None
            cells.append([cell for cell in found if cell is not None])
        if any(not _plain_cell_text(c.header) for c in table.columns):
            return None
        widths = [max(len(row[i][0]) for row in cells) for i in range(len(table.columns))]
        if sum(widths) + 2 * (len(widths) - 1) > self.width:
            return None  # rich would wrap cells
        justify = [c.justify for c in table.columns]
        out = [self._table_row(cells[0], widths, justify, "bold")]
        out.extend(self._table_row(row, widths, justify, "") for row in cells[1:])
        return "".join(out)

    def _table_row(
        self,
        row: list[tuple[str, str]],
        widths: list[int],
        justify: Sequence[str],
        row_style: str,
    ) -> str:
        pieces: list[str] = []
        last = len(row) - 1
        for index, (text, style) in enumerate(row):
            width = widths[index]
            padded = text.rjust(width) if justify[index] == "right" else text.ljust(width)
            if index > 0:
                pieces.append(self._segment(" ", row_style))
            pieces.append(self._segment(padded, style or row_style))
            if index < last:
                pieces.append(self._segment(" ", row_style))
        return "".join(pieces) + "\n"

    def _segment(self, text: str, style: str) -> str:
        return _styled(text, style) if self.color else text

    def _via_rich(self, renderable: object) -> str:
        """What rich prints for `renderable` with the report's settings."""
        console = self._console
        if console is None:
            console = self._console = _console(self.color, self.width)
        console.print(renderable)
        buffer = console.file
        assert isinstance(buffer, io.StringIO)
        printed = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return printed


def _plain_cell(cell: Cell) -> tuple[str, str] | None:
    """A cell's text and style when the fast table can draw it, else None."""
    if isinstance(cell, str):
        return (cell, "") if _plain_cell_text(cell) else None
    if cell.markup or any(style for _, style in cell.parts):
        return None
    text = cell.plain
    return (text, cell.style) if _plain_cell_text(text) else None


def _plain_cell_text(text: str) -> bool:
    # ASCII (one column per character), printable (no control characters), no markup or
    # emoji codes, no leading or trailing blanks (rich's wrapping trims them).
    return (
        text.isascii()
        and text.isprintable()
        and _MARKUP_SPECIAL.search(text) is None
        and text == text.strip()
    )


def needs_rich(text: str) -> bool:
    """Whether rich prints `text` (in a `Line`) differently from the text itself."""
    # Every character rich treats specially is a control character: text without one (nearly
    # all) is answered by one scan in C.
    return not text.isprintable() and _RICH_SPECIAL.search(text) is not None


class Palette:
    """The codes rich writes around text of each style, or none without colour, for text
    that is not empty and does not `needs_rich`: written straight into f-strings."""

    __slots__ = ("_codes", "color")

    _CLOSE = "\x1b[0m"

    def __init__(self, color: bool) -> None:
        self.color = color
        self._codes: dict[str, tuple[str, str]] = {}

    @classmethod
    def of(cls, color: bool) -> Palette:
        """The palette with colour or without (one of each, so they can key caches)."""
        return _PALETTES[color]

    def codes(self, style: str) -> tuple[str, str]:
        """The codes that open and close text of `style`."""
        found = self._codes.get(style)
        if found is None:
            codes = (_SGR.get(style) or _sgr(style)) if self.color and style else ""
            found = self._codes[style] = (f"\x1b[{codes}m", self._CLOSE) if codes else ("", "")
        return found

    def paint(self, text: str, style: str) -> str:
        """`text` in `style` as rich prints it."""
        return _styled(text, style) if self.color else text


_PALETTES = {True: Palette(True), False: Palette(False)}


_SGR_FOUND: dict[str, str] = {}


def _styled(text: str, style: str) -> str:
    if not style or not text:
        return text
    codes = _SGR.get(style)
    if codes is None:
        codes = _sgr(style)
    return f"\x1b[{codes}m{text}\x1b[0m" if codes else text


def _sgr(style: str) -> str:
    """The codes rich writes for a style not in `_SGR`."""
    codes = _SGR_FOUND.get(style)
    if codes is None:
        from rich.color import ColorSystem
        from rich.style import Style

        codes = _SGR_FOUND[style] = Style.parse(style)._make_ansi_codes(ColorSystem.STANDARD)
    return codes


def _console(color: bool, width: int) -> Console:
    from rich.console import Console

    return Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        soft_wrap=True,
    )


def _rich_text(line: Line) -> Any:
    if line.markup:
        return line.plain
    from rich.text import Text

    return Text.assemble(
        *((text, style) if style else text for text, style in line.parts), style=line.style
    )


def _rich_table(table: Table) -> Any:
    from rich.table import Table as RichTable

    drawn = RichTable(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in table.columns:
        drawn.add_column(column.header, justify=column.justify)
    for row in table.rows:
        drawn.add_row(*(cell if isinstance(cell, str) else _rich_text(cell) for cell in row))
    return drawn
