"""The findings of an HTML report as one JSON document, which the page's script renders.

A report of 10,000 findings cannot build 10,000 code frames into the page up front: the
browser would lay out tens of thousands of lines before showing anything. The page embeds
this document instead and renders one page of findings at a time. It is built to stay small:
rule, file, checkpoint and severity names are stored once and referred to by index, and each
source line a frame shows is stored once per file however many frames show it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, NamedTuple

from rustpro.model import Checkpoint, Finding, Severity
from rustpro.report.frames import FRAME_WIDTH, window

# A frame shows this many lines around the finding's span, and at most this many of the
# span itself (an `unsafe` block of 300 lines is shown by its head).
FRAME_CONTEXT = 2
FRAME_SPAN_LINES = 6
# Related locations embedded per finding (a group of 900 constants is listed in JSON).
RELATED_EMBEDDED = 50

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.NOTE)
CHECKPOINTS = tuple(Checkpoint)


class FrameLines(NamedTuple):
    """The 1-based lines `first..last` a finding's frame shows (a tuple: one per finding,
    made by the thousand)."""

    first: int
    last: int


def frame_lines(finding: Finding) -> FrameLines:
    """Which lines the frame of `finding` shows (before the file's length is known)."""
    line = finding.line
    last_of_span = min(finding.end_line, line + FRAME_SPAN_LINES - 1)
    return FrameLines(max(1, line - FRAME_CONTEXT), max(last_of_span, line) + FRAME_CONTEXT)


class SourceExcerpts:
    """The lines of audited files that frames show: each file read once, and split only as
    far as its last needed line."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, path: str, numbers: Iterable[int]) -> dict[int, str]:
        """The text of the wanted 1-based lines of `path` that exist (empty if unreadable)."""
        wanted = sorted(set(numbers))
        if not wanted or not path:
            return {}
        try:
            raw = (self.root / path).read_bytes()
        except (OSError, ValueError):  # gone since the audit, a directory, a NUL in the name
            return {}
        # Lines end at `\n` as rustc and tree-sitter count them (not at `\r` alone or at
        # Unicode separators, which `str.splitlines` would also split on).
        # `split` stops after the last wanted line: the rest of the file stays one piece.
        parts = raw.split(b"\n", wanted[-1])
        count = len(parts)
        if count <= wanted[-1] and not parts[-1]:
            count -= 1  # the file ends with a newline: no line after it
        numbers = [number for number in wanted if number <= count]
        if not numbers:
            return {}
        # Decoded in one piece: an invalid byte sequence never spans a `\n`, so this is
        # each line decoded on its own.
        texts = b"\n".join([parts[number - 1] for number in numbers]).decode(
            "utf-8", errors="replace"
        )
        lines = texts.split("\n")
        if "\r" in texts:
            lines = [line.rstrip("\r") for line in lines]
        return dict(zip(numbers, lines, strict=True))

    def read_runs(self, path: str, runs: list[Span]) -> list[Run]:
        """What `read(path, the lines of runs)` gives, for `runs` in order and not touching
        (as `merged_runs` gives them), a run of lines at a time: the file is decoded in one
        piece and each run sliced out of its lines, where `read` takes a Python step per
        line."""
        if not runs or not path:
            return []
        try:
            raw = (self.root / path).read_bytes()
        except (OSError, ValueError):
            return []
        end = runs[-1][1]
        # Decoded whole: an invalid byte sequence never spans a `\n`, so each line decodes
        # as it would on its own.
        text = raw.decode("utf-8", errors="replace")
        parts = text.split("\n", end)
        count = len(parts)
        if count <= end and not parts[-1]:
            count -= 1  # the file ends with a newline: no line after it
        carriage_returns = "\r" in text
        found = []
        for first, last in runs:
            last = min(last, count)
            if first > last:
                break  # this run and the later ones start past the file's end
            lines = parts[first - 1 : last]
            if carriage_returns:
                lines = [line.rstrip("\r") for line in lines]
            found.append((first, lines))
        return found


# Lines `first..last` (1-based), as a plain tuple: a NamedTuple is built by a Python
# function, and report_data makes one per finding.
Span = tuple[int, int]
# Lines `first..` of a file.
Run = tuple[int, list[str]]


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The lines of one file that frames show: `lines` by number (those longer than a frame
    apart, in `long`), and the number of the file's last line among those read. Frames
    read only the long lines here (`report_data` keeps no others)."""

    lines: dict[int, str]
    long: frozenset[int]
    last: int

    @classmethod
    def of(cls, found: dict[int, str]) -> Excerpt:
        long = frozenset(n for n, text in found.items() if len(text) > FRAME_WIDTH)
        return cls(found, long, max(found, default=0))


def file_sources(runs: list[Run]) -> tuple[str, Excerpt]:
    """A file's lines read as `runs`, as the JSON object `{"12": "text\\ntext", ..}` (each
    run's first line number, and its lines joined by `\\n`; a line longer than a frame is
    left empty there, and kept in the `Excerpt`, which holds only such lines).

    A run is one string rather than a member per line: the page splits a file's runs into
    lines when it first shows one of its frames, where writing each line as a member of its
    own took a quarter of the report's time."""
    members: list[str] = []
    long: dict[int, str] = {}
    for first, lines in runs:
        # Long lines are rare: one pass in C says whether a run has any.
        if max(map(len, lines)) > FRAME_WIDTH:
            here = {n: line for n, line in enumerate(lines, first) if len(line) > FRAME_WIDTH}
            long.update(here)
            lines = ["" if len(line) > FRAME_WIDTH else line for line in lines]
        members.append(f'"{first}":{_STR(_NEWLINE.join(lines))}')
    last = runs[-1][0] + len(runs[-1][1]) - 1 if runs else 0
    return "{" + ",".join(members) + "}", Excerpt(long, frozenset(long), last)


_NEWLINE = "\n"  # (a backslash cannot stand in an f-string's expression before Python 3.12)


def report_data(
    result_root: Path, findings: list[Finding], rule_pages: dict[str, Any]
) -> ReportData:
    """The document the page renders: names by index, findings, and the source lines of
    their frames (lines longer than a frame are stored clipped, with the finding)."""
    rules: dict[str, int] = {}
    files: dict[str, int] = {}
    spans: dict[str, list[Span]] = {}
    frames = frame_spans(findings)
    for finding, frame in zip(findings, frames, strict=True):
        rules.setdefault(finding.rule, len(rules))
        path = finding.path
        if path:
            if path not in files:
                files[path] = len(files)
                spans[path] = []
            spans[path].append(frame)
    excerpts = SourceExcerpts(result_root)
    sources: list[str] = []
    read: dict[str, Excerpt] = {}
    for path, shown in spans.items():
        text, read[path] = file_sources(excerpts.read_runs(path, merged_runs(shown)))
        sources.append(text)
    rows = _rows_text(findings, frames, read, rules, files)
    head = {
        "severities": [s.value for s in SEVERITIES],
        "checkpoints": [c.value for c in CHECKPOINTS],
        "rules": [rule_pages[name] for name in rules],
        "files": list(files),
        "sources": _SOURCES,
        "findings": _ROWS,
    }
    return ReportData(head, sources, rows)


def _rows_text(
    findings: list[Finding],
    frames: list[Span],
    read: dict[str, Excerpt],
    rules: dict[str, int],
    files: dict[str, int],
) -> list[str]:
    """Each finding's row (`_finding_row_text`), with the indexes of its rule, severity,
    checkpoint and file."""
    severity_index = {s: i for i, s in enumerate(SEVERITIES)}
    checkpoint_index = {c: i for i, c in enumerate(CHECKPOINTS)}
    nothing = Excerpt({}, frozenset(), 0)
    # A rule's findings share their help and often their message, and a file's findings of
    # a rule their indexes: each is written once (numbers are slow to format).
    encode = cache(_STR)
    tails: dict[tuple[str, Severity, Checkpoint, str], str] = {}
    rows = []
    for finding, frame in zip(findings, frames, strict=True):
        key = (finding.rule, finding.severity, finding.checkpoint, finding.path)
        tail = tails.get(key)
        if tail is None:
            tail = tails[key] = (
                f',"r":{rules[finding.rule]},"s":{severity_index[finding.severity]},'
                f'"c":{checkpoint_index[finding.checkpoint]},"f":{files.get(finding.path, -1)}}}'
            )
        excerpt = read.get(finding.path, nothing)
        rows.append(_finding_row_text(finding, frame, excerpt, tail, encode))
    return rows


def frame_spans(findings: list[Finding]) -> list[Span]:
    """`frame_lines` of each finding, as plain tuples (written out: it runs per finding)."""
    spans = []
    for finding in findings:
        line = finding.line
        last = finding.end_line
        if last > line + FRAME_SPAN_LINES - 1:
            last = line + FRAME_SPAN_LINES - 1
        spans.append(
            (line - FRAME_CONTEXT if line > FRAME_CONTEXT else 1, max(last, line) + FRAME_CONTEXT)
        )
    return spans


def merged_runs(frames: list[Span]) -> list[Span]:
    """The lines `frames` show as runs of consecutive lines, in order, none touching."""
    runs: list[Span] = []
    for first, last in sorted(frames):
        if runs and first <= runs[-1][1] + 1:
            if last > runs[-1][1]:
                runs[-1] = (runs[-1][0], last)
        else:
            runs.append((first, last))
    return runs


@dataclass(frozen=True, slots=True)
class ReportData:
    """The document: everything but the findings as values (`head`), and each finding's row
    as the JSON text `json.dumps` writes of it (`_finding_row`, written as text: for
    thousands of findings, building the rows as dicts and encoding them took most of the
    report's time)."""

    head: dict[str, Any]
    sources: list[str]  # each file's `{"line": "text"}` object as JSON text
    rows: list[str]

    def script_json(self) -> str:
        """The document as `script_json` writes it."""
        text = json.dumps(self.head, ensure_ascii=False, separators=(",", ":"))
        # Spliced in one join (a `replace` per placeholder copied the megabytes twice), each
        # piece made safe on its own (what `_script_safe` replaces is one character, so no
        # replacement spans two pieces): the sources and rows are mostly ASCII, scanned and
        # copied at a byte per character, where the whole document (its rule pages hold
        # typographic characters) takes two or four.
        before, rest = text.split(_SOURCES_TEXT, 1)
        between, after = rest.split(_ROWS_TEXT, 1)
        return "".join(
            [
                _script_safe(before),
                '"sources":[',
                _script_safe(",".join(self.sources)),
                "]",
                _script_safe(between),
                '"findings":[',
                _script_safe(",".join(self.rows)),
                "]",
                _script_safe(after),
            ]
        )


# The places of the sources and rows in the dumped head, filled by `ReportData.script_json`:
# found with their keys, which no string can hold (a string's quotes are escaped).
_SOURCES = "\0sources\0"
_SOURCES_TEXT = '"sources":' + json.dumps(_SOURCES)
_ROWS = "\0rows\0"
_ROWS_TEXT = '"findings":' + json.dumps(_ROWS)
_STR = encode_basestring
Encode = Callable[[str], str]


def _finding_row_text(
    finding: Finding, frame: Span, excerpt: Excerpt, tail: str, encode: Encode = _STR
) -> str:
    """`_finding_row` as compact JSON text, its closing `}` and what follows it in `tail`
    (`encode` writes a string as `_STR` does: `report_data` remembers its messages').
    Written as one f-string of optional pieces, each "" when absent: it runs per finding,
    and each `+=` copied the row so far."""
    shown = ""
    if finding.line <= excerpt.last:
        first, last = frame
        last = min(last, excerpt.last)
        shown = f',"a":{first},"b":{last}'
        if excerpt.long:
            clipped = _clipped_lines(finding, range(first, last + 1), excerpt)
            if clipped:
                shown += ',"x":' + json.dumps(clipped, ensure_ascii=False, separators=(",", ":"))
    rare = ""
    if finding.source != "rustpro" or finding.related or finding.also_reported_by:
        rare = _rare_members(finding)
    group = f',"g":{encode(finding.group)}' if finding.group else ""
    return (
        f'{{"l":{finding.line},"k":{finding.column},"el":{finding.end_line},'
        f'"ek":{finding.end_column},"m":{encode(finding.message)},"h":{encode(finding.help)}'
        f"{shown}{rare}{group}{tail}"
    )


def _rare_members(finding: Finding) -> str:
    """A row's members for a tool's finding, related places and other tools' reports."""
    text = ""
    if finding.source != "rustpro":
        text += f',"src":{_STR(finding.source)}'
    if finding.related:
        text += ',"rel":[' + ",".join(
            f"[{_STR(r.path)},{r.line},{r.column},{_STR(r.message)}]"
            for r in finding.related[:RELATED_EMBEDDED]
        )
        text += "]"
        if len(finding.related) > RELATED_EMBEDDED:
            text += f',"more":{len(finding.related) - RELATED_EMBEDDED}'
    if finding.also_reported_by:
        text += ',"also":[' + ",".join(_STR(name) for name in finding.also_reported_by) + "]"
    return text


def _finding_row(finding: Finding, frame: Span, excerpt: Excerpt) -> dict[str, Any]:
    """A finding's row as a value (what `_finding_row_text` writes, without the indexes
    `report_data` adds: `r`, `s`, `c`, `f`)."""
    row: dict[str, Any] = {
        "l": finding.line,
        "k": finding.column,
        "el": finding.end_line,
        "ek": finding.end_column,
        "m": finding.message,
        "h": finding.help,
    }
    # The lines read are every wanted line up to the file's end: the frame is `a..b`.
    if finding.line <= excerpt.last:
        row["a"], row["b"] = frame[0], min(frame[1], excerpt.last)
        if excerpt.long:
            clipped = _clipped_lines(finding, range(frame[0], row["b"] + 1), excerpt)
            if clipped:
                row["x"] = clipped
    if finding.source != "rustpro":
        row["src"] = finding.source
    if finding.related:
        row["rel"] = [
            [r.path, r.line, r.column, r.message] for r in finding.related[:RELATED_EMBEDDED]
        ]
        if len(finding.related) > RELATED_EMBEDDED:
            row["more"] = len(finding.related) - RELATED_EMBEDDED
    if finding.also_reported_by:
        row["also"] = list(finding.also_reported_by)
    if finding.group:
        row["g"] = finding.group
    return row


def _clipped_lines(finding: Finding, shown: range, excerpt: Excerpt) -> dict[str, list[Any]]:
    """Lines too long for a frame, each as `[first character, text, more after]`, cut to the
    window around the finding's column (the same window on every line, so code stays
    aligned)."""
    clipped: dict[str, list[Any]] = {}
    column = max(finding.column - 1, 0)
    for number in excerpt.long.intersection(shown):
        text = excerpt.lines[number]
        first, last = window(len(text), column)
        clipped[str(number)] = [first, text[first:last], int(last < len(text))]
    return clipped


def script_json(data: Any) -> str:
    """`data` as JSON that is safe inside `<script>`: no `<`, `>` or `&` (so no `</script>`
    or `<!--` can end or bend the element) and no U+2028/U+2029 (line terminators in old
    JavaScript)."""
    return _script_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _script_safe(text: str) -> str:
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
