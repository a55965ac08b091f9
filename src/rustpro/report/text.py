"""The terminal report: rustc-style findings with code frames, a checkpoint table, totals.

Each section is a function returning `Line`s (or a `Table`) of `rustpro.report.styled`, which
renders them as rich would, without rich; `render_text` prints the sections in order. A new
section is one more function and one more call there (`Report.print` also takes what rich's
`Console.print` takes, printed by rich).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from rustpro.model import Finding, Location, Severity
from rustpro.outcome import verdict as judge_result
from rustpro.report.gates import failed_gate_lines, gate_settings
from rustpro.report.priorities import priorities_of, priority_block
from rustpro.report.styled import Column, Line, Palette, Report, Table, needs_rich
from rustpro.scoring import overall_score

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditResult

_SEVERITY_STYLE = {
    Severity.ERROR: "bold red",
    Severity.WARNING: "bold yellow",
    Severity.NOTE: "bold cyan",
}
_STATUS_STYLE = {"pass": "green", "fail": "red", "skipped": "dim"}
# A skipped checkpoint (its rules not selected, its tool not run) checked nothing: its score
# means nothing either.
_STATUS_LABEL = {"skipped": "not run"}


class SourceLines:
    """Reads audited files lazily for code frames (read-only, once per file)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str | None:
        """The text of 1-based line `number` of `path`, or None."""
        if path not in self._cache:
            try:
                raw = (self.root / path).read_bytes()
                self._cache[path] = raw.decode("utf-8", errors="replace").splitlines()
            except OSError:
                self._cache[path] = []
        lines = self._cache[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


# A code frame shows at most this many characters of the line, this many of them before the
# finding's column: a generated file's single 48 KB line printed whole in every frame made
# the report grow with findings x line length (hundreds of MB).
FRAME_WIDTH = 120
_FRAME_LEAD = 40
_ELLIPSIS = "..."


def _frame(finding: Finding, sources: SourceLines, gutter: int) -> list[Line]:
    code = sources.line(finding.path, finding.line)
    pad = " " * gutter
    out = [Line.of(f"{pad} |", style="bold blue")]
    if code is None:
        return out
    shown, start, width = _frame_parts(finding, code)
    out.append(Line.assemble((f"{finding.line:>{gutter}} | ", "bold blue"), shown))
    marker_style = _SEVERITY_STYLE[finding.severity]
    out.append(Line.assemble((f"{pad} | ", "bold blue"), " " * start, ("^" * width, marker_style)))
    return out


def _frame_parts(finding: Finding, code: str) -> tuple[str, int, int]:
    """The code shown in the frame, and the marker's start and width under it."""
    column = max(finding.column - 1, 0)  # a character index into the line
    if finding.end_line == finding.line and finding.end_column > finding.column:
        span = finding.end_column - finding.column
    else:
        span = max(len(code.rstrip()) - column, 1)
    if len(code) <= FRAME_WIDTH and "\t" not in code:
        return code, column, span  # most lines: shown whole, as they are
    first, last = _window(len(code), column)
    lead = _ELLIPSIS if first > 0 else ""
    tail = _ELLIPSIS if last < len(code) else ""
    shown = lead + code[first:last].replace("\t", "    ") + tail
    # Tabs are shown as four spaces, so the marker moves three columns per tab before it.
    start = len(lead) + (column - first) + code[first:column].count("\t") * 3
    width = span if tail == "" else max(min(span, last - column), 1)
    return shown, start, width


def _window(length: int, column: int) -> tuple[int, int]:
    """The characters `[first, last)` of a line of `length` shown around `column`."""
    if length <= FRAME_WIDTH:
        return 0, length
    first = max(0, min(column - _FRAME_LEAD, length - FRAME_WIDTH))
    return first, first + FRAME_WIDTH


# Related locations printed under a finding; the rest are counted.
RELATED_SHOWN = 8


def render_finding(finding: Finding, sources: SourceLines) -> list[Line]:
    """One finding, the way rustc prints a diagnostic."""
    gutter = max(len(str(finding.line)), 2)
    pad = " " * gutter
    head = Line.assemble(
        (f"{finding.severity.value}[{finding.rule}]", _SEVERITY_STYLE[finding.severity]),
        (f": {finding.message}", "bold"),
    )
    lines = [
        head,
        Line.assemble(
            (f"{pad}--> ", "bold blue"), f"{finding.path}:{finding.line}:{finding.column}"
        ),
    ]
    lines.extend(_frame(finding, sources, gutter))
    for related in finding.related[:RELATED_SHOWN]:
        lines.append(
            Line.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                f": {related.message} at {related.path}:{related.line}:{related.column}",
            )
        )
    hidden = len(finding.related) - RELATED_SHOWN
    if hidden > 0:
        # A finding that stands for a group (a table of 900 constants) lists it in JSON.
        lines.append(
            Line.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                f": and {hidden} more (`--format json` lists them all)",
            )
        )
    if finding.also_reported_by:
        lines.append(
            Line.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                ": also reported by " + ", ".join(finding.also_reported_by),
            )
        )
    if finding.source != "rustpro":
        lines.append(
            Line.assemble((f"{pad} = ", "bold blue"), ("source", "bold"), f": {finding.source}")
        )
    lines.append(Line.assemble((f"{pad} = ", "bold blue"), ("help", "bold"), f": {finding.help}"))
    return lines


def finding_text(finding: Finding, code: str | None, palette: Palette) -> str | None:
    """`render_finding`'s lines and the blank line after them, as printed in `palette`'s
    colours (or none); None when its text needs rich (`styled.needs_rich`).

    The same layout as `render_finding`, written as string formatting: a report of a
    thousand findings is rendered in milliseconds. A test holds the two to the same output.
    """
    frame = _frame_parts(finding, code) if code is not None else None
    related = finding.related[:RELATED_SHOWN]
    texts = f"{finding.rule}{finding.message}{finding.path}{finding.help}{finding.source}"
    if related or finding.also_reported_by:
        texts += "".join((*finding.also_reported_by, *(r.message + r.path for r in related)))
    if needs_rich(texts if frame is None else texts + frame[0]):
        return None
    # The line number as text once: formatting a number costs more than copying its text.
    line = str(finding.line)
    gutter = len(line) if len(line) > 2 else 2
    arrow, frame_top, frame_bar, note, source, help_ = _chrome(gutter, palette)
    severity, end, bold, blue = _severity_codes(finding.severity, palette)
    shown_frame = ""
    if frame is not None:
        shown, start, width = frame
        shown_frame = (
            # `line` right-aligned in the gutter, written out (a format spec is parsed per call).
            f"{blue}{line if len(line) > 1 else ' ' + line} | {end}{shown}\n"
            f"{frame_bar}{' ' * start}{severity}{'^' * width}{end}\n"
        )
    notes = ""
    if related or finding.also_reported_by or finding.source != "rustpro":
        notes = _notes_text(finding, related, note, source)
    # One f-string of optional pieces ("" when absent): each `+=` copied the text so far.
    # The severity is a `StrEnum`: formatted, it is its value.
    return (
        f"{severity}{finding.severity}[{finding.rule}]{end}{bold}: {finding.message}{end}\n"
        f"{arrow}{finding.path}:{line}:{finding.column}\n{frame_top}\n"
        f"{shown_frame}{notes}{help_}: {finding.help}\n\n"
    )


def _notes_text(finding: Finding, related: tuple[Location, ...], note: str, source: str) -> str:
    """A finding's notes: its related places, other tools that reported it, its tool."""
    text = ""
    for r in related:
        text += f"{note}: {r.message} at {r.path}:{r.line}:{r.column}\n"
    hidden = len(finding.related) - RELATED_SHOWN
    if hidden > 0:
        text += f"{note}: and {hidden} more (`--format json` lists them all)\n"
    if finding.also_reported_by:
        text += f"{note}: also reported by {', '.join(finding.also_reported_by)}\n"
    if finding.source != "rustpro":
        text += f"{source}: {finding.source}\n"
    return text


@functools.cache
def _severity_codes(severity: Severity, palette: Palette) -> tuple[str, str, str, str]:
    """The codes that open and close a severity's text, and open bold and bold blue text."""
    opening, end = palette.codes(_SEVERITY_STYLE[severity])
    return opening, end, palette.codes("bold")[0], palette.codes("bold blue")[0]


@functools.cache
def _chrome(gutter: int, palette: Palette) -> tuple[str, str, str, str, str, str]:
    """The styled pieces of a finding that depend only on its gutter's width."""
    pad = " " * gutter
    paint = palette.paint
    bar = paint(f"{pad} = ", "bold blue")
    return (
        paint(f"{pad}--> ", "bold blue"),
        paint(f"{pad} |", "bold blue"),
        paint(f"{pad} | ", "bold blue"),
        bar + paint("note", "bold"),
        bar + paint("source", "bold"),
        bar + paint("help", "bold"),
    )


_CHECKPOINT_COLUMNS = (
    Column("checkpoint"),
    Column("status"),
    Column("score", justify="right"),
    Column("findings", justify="right"),
    Column("evidence"),
)


def checkpoint_table(result: AuditResult) -> Table:
    """The nine checkpoints with status, score, counts and evidence (one line of evidence
    per step; finer evidence, such as one line per test binary, is in the JSON report)."""
    table = Table(_CHECKPOINT_COLUMNS)
    for checkpoint, outcome in result.checkpoints.items():
        notes = "; ".join(outcome.evidence)
        if outcome.reason:
            notes = f"{outcome.reason}; {notes}" if notes else outcome.reason
        skipped = outcome.status == "skipped"
        table.add_row(
            f"{checkpoint.value:<8} {checkpoint.heading}",
            Line.of(
                _STATUS_LABEL.get(outcome.status, outcome.status),
                style=_STATUS_STYLE.get(outcome.status, ""),
            ),
            "-" if skipped else str(outcome.score),
            str(outcome.findings),
            notes,
        )
    return table


# Up to this many packages are listed one per line; more are grouped by role and evidence.
_PACKAGES_LISTED = 8
_NAMES_SHOWN = 6


def package_lines(result: AuditResult) -> list[Line]:
    """What rustpro decided each package is for, and why (rules apply by role)."""
    packages = result.packages
    if not packages:
        return []
    if len(packages) <= _PACKAGES_LISTED:
        lines = [Line.of("Packages:", style="bold")]
        for package in packages:
            lines.append(
                Line.of(
                    f"  {package.name} ({package.path}): {package.role.description}, "
                    f"{package.evidence}"
                )
            )
        return [*lines, Line.of("")]
    groups: dict[tuple[str, str], list[str]] = {}
    for package in packages:
        groups.setdefault((package.role.description, package.evidence), []).append(package.name)
    lines = [Line.of(f"Packages ({len(packages)}):", style="bold")]
    for (description, evidence), names in groups.items():
        shown = ", ".join(names[:_NAMES_SHOWN])
        more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
        lines.append(Line.of(f"  {description} ×{len(names)} ({evidence}): {shown}{more}"))
    return [*lines, Line.of("")]


def _left_out(result: AuditResult) -> str:
    parts = []
    if result.not_compiled:
        parts.append(f"{result.not_compiled} .rs file(s) no target compiles (data, not code)")
    if result.generated_files:
        parts.append(f"{len(result.generated_files)} generated file(s)")
    if result.docs_only_modules:
        parts.append(f"{result.docs_only_modules} docs-only module(s) (`cfg(docsrs)`)")
    return "; ".join(parts)


def _narrowed(result: AuditResult) -> str:
    parts = []
    if result.baseline_hidden or result.baseline_fixed:
        parts.append(
            f"{result.baseline_hidden} finding(s) in the baseline "
            f"(baseline entries now fixed: {result.baseline_fixed})"
        )
    if result.changed_hidden:
        parts.append(f"{result.changed_hidden} finding(s) outside the changed files")
    return "; ".join(parts)


def render_text(
    result: AuditResult, *, color: bool, width: int = 100, statistics: bool = False
) -> str:
    """The whole report as terminal text (ANSI styles only when `color`); `statistics`: one
    line per rule instead of the findings, as `ruff check --statistics` does."""
    report = Report(color=color, width=width)
    sources = SourceLines(result.root)
    palette = Palette.of(color)
    if statistics:
        # Imported here: only `--statistics` needs it, and every other report paid for it.
        from rustpro.report.statistics import statistics_block

        report.write(statistics_block(result.findings))
    for finding in () if statistics else result.findings:
        text = finding_text(finding, sources.line(finding.path, finding.line), palette)
        if text is None:
            report.lines(render_finding(finding, sources))
            report.blank()
        else:
            report.write(text)
    report.table(checkpoint_table(result))
    report.blank()
    report.lines(package_lines(result))
    report.lines(summary_lines(result))
    return report.text()


def summary_lines(result: AuditResult) -> list[Line]:
    """Totals, what was left out, and the verdict."""
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    summary = (
        f"{result.files} files, {result.lines} lines, {len(result.crates)} crate(s): "
        f"{len(result.findings)} findings ({counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.NOTE]} notes)"
    )
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    lines = [Line.of(summary, style="bold")]
    # Plain text, never markup: a path like `src/[id].rs` is printed as it is.
    narrowed = _narrowed(result)
    if narrowed:
        lines.append(Line.of(f"Not reported: {narrowed}"))
    if result.parse_errors:
        lines.append(
            Line.of(
                f"{len(result.parse_errors)} file(s) had syntax errors and were audited "
                f"as far as they parse: {', '.join(result.parse_errors)}"
            )
        )
    if result.skipped_files:
        lines.append(Line.of(f"{len(result.skipped_files)} file(s) skipped (see stderr)"))
    left_out = _left_out(result)
    if left_out:
        lines.append(Line.of(f"Not audited: {left_out}"))
    judged = judge_result(result)
    verdict = "PASS" if judged.passed else "FAIL"
    lines.append(
        Line.assemble(
            (f"{verdict}", "bold red" if verdict == "FAIL" else "bold green"),
            f"  score {overall_score(result.checkpoints)}/100, {gate_settings(result.config)}, "
            f"{result.mode} mode, {result.seconds:.2f} s",
        )
    )
    closing = [*failed_gate_lines(judged), *priority_block(priorities_of(result))]
    lines.extend(Line.of(line) for line in closing)
    return lines
