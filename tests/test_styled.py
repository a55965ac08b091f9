"""The plain-string renderers print what rich printed, byte for byte, on generated input.

`rustpro.report.styled` reproduces rich's output for the text report without rich, and hands
rich what it cannot reproduce; `text.finding_text` writes a finding's lines directly. Both are
compared here with rich itself (or with the general path) on text that includes what rich
treats specially: tabs, line breaks, stripped control characters, markup and emoji codes,
non-ASCII and wide characters, blanks at the ends of table cells, tables wider than the page.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import ColorSystem
from rich.console import Console
from rich.errors import MarkupError
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text

from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.report import styled
from rustpro.report.styled import Column, Line, Report, Table
from rustpro.report.text import SourceLines, finding_text, render_finding

STYLES = ["", "bold", "dim", "red", "green", "bold red", "bold blue", "bold cyan", "italic"]
# Letters, blanks and everything rich treats specially.
TEXT = st.text(
    alphabet=st.sampled_from(list("ab Z09-:.[]/\\\t\n\x07\x08\x0b\x0c\r\x1béü日😀")), max_size=12
)
CELL = st.text(alphabet=st.sampled_from(list("ab Z09-:.[]é日")), max_size=30)


def _rich(renderable: object, color: bool, width: int = 100) -> str:
    console = Console(
        file=io.StringIO(),
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        soft_wrap=True,
    )
    console.print(renderable)
    buffer = console.file
    assert isinstance(buffer, io.StringIO)
    return buffer.getvalue()


def _report(color: bool, width: int = 100) -> Report:
    return Report(color=color, width=width)


def test_known_styles_are_rich_codes() -> None:
    for style, codes in styled._SGR.items():
        assert Style.parse(style)._make_ansi_codes(ColorSystem.STANDARD) == codes, style


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(st.tuples(TEXT, st.sampled_from(STYLES)), max_size=5),
    base=st.sampled_from(STYLES),
    color=st.booleans(),
)
def test_lines_print_as_rich_prints_them(
    parts: list[tuple[str, str]], base: str, color: bool
) -> None:
    line = Line.assemble(*parts, style=base)
    report = _report(color)
    report.line(line)
    expected = _rich(
        Text.assemble(*((text, style) if style else text for text, style in parts), style=base),
        color,
    )
    assert report.text() == expected


@settings(max_examples=200, deadline=None)
@given(text=TEXT, color=st.booleans())
def test_markup_lines_print_as_rich_prints_a_str(text: str, color: bool) -> None:
    report = _report(color)
    try:
        expected = _rich(text, color)
    except MarkupError:  # bad markup (`[/]`): rich raises, and so does the report
        with pytest.raises(MarkupError):
            report.line(Line.from_markup(text))
        return
    report.line(Line.from_markup(text))
    assert report.text() == expected


def _tables(
    cells: list[list[tuple[str, str]]], justify: list[bool], widths: int
) -> tuple[Table, RichTable]:
    columns = [Column(f"h{n}", "right" if right else "left") for n, right in enumerate(justify)]
    ours = Table(columns)
    theirs = RichTable(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in columns:
        theirs.add_column(column.header, justify=column.justify)
    for row in cells:
        row = (row + [("", "")] * len(columns))[: len(columns)]
        ours.add_row(*(Line.of(text, style) if style else text for text, style in row))
        theirs.add_row(*(Text(text, style=style) if style else text for text, style in row))
    return ours, theirs


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(st.lists(st.tuples(CELL, st.sampled_from(STYLES)), max_size=5), max_size=6),
    justify=st.lists(st.booleans(), min_size=1, max_size=5),
    width=st.integers(min_value=20, max_value=110),
    color=st.booleans(),
)
def test_tables_print_as_rich_prints_them(
    cells: list[list[tuple[str, str]]], justify: list[bool], width: int, color: bool
) -> None:
    ours, theirs = _tables(cells, justify, width)
    report = _report(color, width)
    report.table(ours)
    assert report.text() == _rich(theirs, color, width)


@settings(max_examples=300, deadline=None)
@given(
    cells=st.lists(
        st.lists(
            st.tuples(
                st.text(alphabet=st.sampled_from(list("ab Z09-.")), max_size=30),
                st.sampled_from(STYLES),
            ),
            max_size=5,
        ),
        max_size=6,
    ),
    justify=st.lists(st.booleans(), min_size=1, max_size=5),
    width=st.integers(min_value=20, max_value=110),
    color=st.booleans(),
)
def test_ascii_tables_print_as_rich_prints_them(
    cells: list[list[tuple[str, str]]], justify: list[bool], width: int, color: bool
) -> None:
    # Mostly drawn without rich (blanks inside cells, several columns, near the page width).
    ours, theirs = _tables(cells, justify, width)
    report = _report(color, width)
    report.table(ours)
    assert report.text() == _rich(theirs, color, width)


def test_a_table_that_fits_exactly_is_drawn_without_rich() -> None:
    # Two columns of 49 characters and their two-space gap: exactly 100 columns.
    ours, theirs = _tables([[("a" * 49, ""), ("b" * 49, "red")]], [False, True], 100)
    report = _report(True)
    assert report._plain_table(ours) is not None
    report.table(ours)
    assert report.text() == _rich(theirs, True)


FINDING_TEXT = st.text(alphabet=st.sampled_from(list("ab Z0:.[]`\té日\x07")), max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    message=FINDING_TEXT,
    help_=FINDING_TEXT,
    code=st.one_of(
        st.none(), st.text(alphabet=st.sampled_from(list("ab (){}\t.é日")), max_size=200)
    ),
    line=st.integers(min_value=-3, max_value=120000),
    column=st.integers(min_value=1, max_value=150),
    span=st.integers(min_value=0, max_value=40),
    multi_line=st.booleans(),
    related=st.lists(st.tuples(FINDING_TEXT, st.integers(1, 99)), max_size=10),
    also=st.lists(FINDING_TEXT, max_size=2),
    source=st.sampled_from(["rustpro", "clippy"]),
    severity=st.sampled_from(list(Severity)),
    color=st.booleans(),
)
def test_finding_text_is_render_finding_printed(
    message: str,
    help_: str,
    code: str | None,
    line: int,
    column: int,
    span: int,
    multi_line: bool,
    related: list[tuple[str, int]],
    also: list[str],
    source: str,
    severity: Severity,
    color: bool,
) -> None:
    finding = Finding(
        rule="some-rule",
        checkpoint=Checkpoint.ERRORS,
        severity=severity,
        path="src/lib.rs",
        line=line,
        column=column,
        end_line=line + 1 if multi_line else line,
        end_column=column + span,
        message=message,
        help=help_,
        source=source,
        related=tuple(Location("src/a.rs", n, 1, text) for text, n in related),
        also_reported_by=tuple(also),
    )
    sources = _FixedLine(code)
    fast = finding_text(finding, code, styled.Palette.of(color))
    general = _report(color)
    general.lines(render_finding(finding, sources))
    general.blank()
    if fast is not None:
        assert fast == general.text()
    else:  # only when rich has to step in
        assert styled.needs_rich("".join([message, help_, *also, *(t for t, _ in related)]))


class _FixedLine(SourceLines):
    """Every line of every file is `code` (None: the file cannot be read)."""

    def __init__(self, code: str | None) -> None:
        super().__init__(Path("."))
        self.code = code

    def line(self, path: str, number: int) -> str | None:
        return self.code


def test_print_takes_what_console_print_takes() -> None:
    # Code written against rich's Console (a str of markup, a Text, nothing) prints the same.
    report = _report(True)
    report.print("[bold]x[/bold] y")
    report.print()
    report.print(Text("z", style="red"))
    expected = _rich("[bold]x[/bold] y", True) + "\n" + _rich(Text("z", style="red"), True)
    assert report.text() == expected
