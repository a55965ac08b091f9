"""The findings of an HTML report as one JSON document, which the page's script renders.

A report of 10,000 findings cannot build 10,000 code frames into the page up front: the
browser would lay out tens of thousands of lines before showing anything. The page embeds
this document instead and renders one page of findings at a time. It is built to stay small:
rule, file, checkpoint and severity names are stored once and referred to by index, and each
source line a frame shows is stored once per file however many frames show it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The lines of one file that frames show: `lines` by number (those longer than a frame
    apart, in `long`), and the number of the file's last line among those read."""

    lines: dict[int, str]
    long: frozenset[int]
    last: int

    @classmethod
    def of(cls, found: dict[int, str]) -> Excerpt:
        long = frozenset(n for n, text in found.items() if len(text) > FRAME_WIDTH)
        return cls(found, long, max(found, default=0))


def report_data(
    result_root: Path, findings: list[Finding], rule_pages: dict[str, Any]
) -> ReportData:
    """The document the page renders: names by index, findings, and the source lines of
    their frames (lines longer than a frame are stored clipped, with the finding)."""
    rules: dict[str, int] = {}
    files: dict[str, int] = {}
    wanted: dict[str, set[int]] = {}
    frames = [frame_lines(finding) for finding in findings]
    for finding, (first, last) in zip(findings, frames, strict=True):
        rules.setdefault(finding.rule, len(rules))
        path = finding.path
        if path:
            if path not in files:
                files[path] = len(files)
                wanted[path] = set()
            wanted[path].update(range(first, last + 1))
    excerpts = SourceExcerpts(result_root)
    read = {path: Excerpt.of(excerpts.read(path, numbers)) for path, numbers in wanted.items()}
    # Each file's lines as the JSON object `{"12": "text", ..}` (written as text, like the
    # rows: thousands of lines).
    sources = [
        "{"
        + ",".join(
            f'"{n}":{_STR(text)}'
            for n, text in read[path].lines.items()
            if n not in read[path].long
        )
        + "}"
        for path in files
    ]
    severity_index = {s: i for i, s in enumerate(SEVERITIES)}
    checkpoint_index = {c: i for i, c in enumerate(CHECKPOINTS)}
    nothing = Excerpt({}, frozenset(), 0)
    rows = [
        _finding_row_text(
            finding,
            frame,
            read.get(finding.path, nothing),
            f',"r":{rules[finding.rule]},"s":{severity_index[finding.severity]},'
            f'"c":{checkpoint_index[finding.checkpoint]},"f":{files.get(finding.path, -1)}}}',
        )
        for finding, frame in zip(findings, frames, strict=True)
    ]
    head = {
        "severities": [s.value for s in SEVERITIES],
        "checkpoints": [c.value for c in CHECKPOINTS],
        "rules": [rule_pages[name] for name in rules],
        "files": list(files),
        "sources": _SOURCES,
        "findings": _ROWS,
    }
    return ReportData(head, sources, rows)


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
        text = text.replace(_SOURCES_TEXT, '"sources":[' + ",".join(self.sources) + "]", 1)
        text = text.replace(_ROWS_TEXT, '"findings":[' + ",".join(self.rows) + "]", 1)
        return _script_safe(text)


# The places of the sources and rows in the dumped head, filled by `ReportData.script_json`:
# found with their keys, which no string can hold (a string's quotes are escaped).
_SOURCES = "\0sources\0"
_SOURCES_TEXT = '"sources":' + json.dumps(_SOURCES)
_ROWS = "\0rows\0"
_ROWS_TEXT = '"findings":' + json.dumps(_ROWS)
_STR = encode_basestring


def _finding_row_text(finding: Finding, frame: FrameLines, excerpt: Excerpt, tail: str) -> str:
    """`_finding_row` as compact JSON text, its closing `}` and what follows it in `tail`."""
    text = (
        f'{{"l":{finding.line},"k":{finding.column},"el":{finding.end_line},'
        f'"ek":{finding.end_column},"m":{_STR(finding.message)},"h":{_STR(finding.help)}'
    )
    if finding.line <= excerpt.last:
        last = min(frame.last, excerpt.last)
        text += f',"a":{frame.first},"b":{last}'
        if excerpt.long:
            clipped = _clipped_lines(finding, range(frame.first, last + 1), excerpt)
            if clipped:
                text += ',"x":' + json.dumps(clipped, ensure_ascii=False, separators=(",", ":"))
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
    if finding.group:
        text += f',"g":{_STR(finding.group)}'
    return text + tail


def _finding_row(finding: Finding, frame: FrameLines, excerpt: Excerpt) -> dict[str, Any]:
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
        row["a"], row["b"] = frame.first, min(frame.last, excerpt.last)
        if excerpt.long:
            clipped = _clipped_lines(finding, range(frame.first, row["b"] + 1), excerpt)
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
