"""The terminal report: rustc-style findings with code frames, a checkpoint table, totals."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rustpro.engine.audit import AuditResult
from rustpro.model import Finding, Severity
from rustpro.outcome import failing
from rustpro.scoring import overall_score

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


def _frame(finding: Finding, sources: SourceLines, gutter: int) -> list[Text]:
    code = sources.line(finding.path, finding.line)
    pad = " " * gutter
    out = [Text(f"{pad} |", style="bold blue")]
    if code is None:
        return out
    column = max(finding.column - 1, 0)  # a character index into the line
    if finding.end_line == finding.line and finding.end_column > finding.column:
        span = finding.end_column - finding.column
    else:
        span = max(len(code.rstrip()) - column, 1)
    first, last = _window(len(code), column)
    lead = _ELLIPSIS if first > 0 else ""
    tail = _ELLIPSIS if last < len(code) else ""
    shown = lead + code[first:last].replace("\t", "    ") + tail
    out.append(Text.assemble((f"{finding.line:>{gutter}} | ", "bold blue"), shown))
    # Tabs are shown as four spaces, so the marker moves three columns per tab before it.
    start = len(lead) + (column - first) + code[first:column].count("\t") * 3
    width = span if tail == "" else max(min(span, last - column), 1)
    marker_style = _SEVERITY_STYLE[finding.severity]
    out.append(Text.assemble((f"{pad} | ", "bold blue"), " " * start, ("^" * width, marker_style)))
    return out


def _window(length: int, column: int) -> tuple[int, int]:
    """The characters `[first, last)` of a line of `length` shown around `column`."""
    if length <= FRAME_WIDTH:
        return 0, length
    first = max(0, min(column - _FRAME_LEAD, length - FRAME_WIDTH))
    return first, first + FRAME_WIDTH


# Related locations printed under a finding; the rest are counted.
RELATED_SHOWN = 8


def render_finding(finding: Finding, sources: SourceLines) -> list[Text]:
    """One finding, the way rustc prints a diagnostic."""
    gutter = max(len(str(finding.line)), 2)
    pad = " " * gutter
    head = Text.assemble(
        (f"{finding.severity.value}[{finding.rule}]", _SEVERITY_STYLE[finding.severity]),
        (f": {finding.message}", "bold"),
    )
    lines = [
        head,
        Text.assemble(
            (f"{pad}--> ", "bold blue"), f"{finding.path}:{finding.line}:{finding.column}"
        ),
    ]
    lines.extend(_frame(finding, sources, gutter))
    for related in finding.related[:RELATED_SHOWN]:
        lines.append(
            Text.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                f": {related.message} at {related.path}:{related.line}:{related.column}",
            )
        )
    hidden = len(finding.related) - RELATED_SHOWN
    if hidden > 0:
        # A finding that stands for a group (a table of 900 constants) lists it in JSON.
        lines.append(
            Text.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                f": and {hidden} more (`--format json` lists them all)",
            )
        )
    if finding.also_reported_by:
        lines.append(
            Text.assemble(
                (f"{pad} = ", "bold blue"),
                ("note", "bold"),
                ": also reported by " + ", ".join(finding.also_reported_by),
            )
        )
    if finding.source != "rustpro":
        lines.append(
            Text.assemble((f"{pad} = ", "bold blue"), ("source", "bold"), f": {finding.source}")
        )
    lines.append(Text.assemble((f"{pad} = ", "bold blue"), ("help", "bold"), f": {finding.help}"))
    return lines


def checkpoint_table(result: AuditResult) -> Table:
    """The nine checkpoints with status, score, counts and evidence (one line of evidence
    per step; finer evidence, such as one line per test binary, is in the JSON report)."""
    table = Table(title=None, show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("checkpoint")
    table.add_column("status")
    table.add_column("score", justify="right")
    table.add_column("findings", justify="right")
    table.add_column("evidence")
    for checkpoint, outcome in result.checkpoints.items():
        notes = "; ".join(outcome.evidence)
        if outcome.reason:
            notes = f"{outcome.reason}; {notes}" if notes else outcome.reason
        skipped = outcome.status == "skipped"
        table.add_row(
            f"{checkpoint.value:<8} {checkpoint.heading}",
            Text(
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


def package_lines(result: AuditResult) -> list[Text]:
    """What rustpro decided each package is for, and why (rules apply by role)."""
    packages = result.packages
    if not packages:
        return []
    if len(packages) <= _PACKAGES_LISTED:
        lines = [Text("Packages:", style="bold")]
        for package in packages:
            lines.append(
                Text(
                    f"  {package.name} ({package.path}): {package.role.description}, "
                    f"{package.evidence}"
                )
            )
        return [*lines, Text("")]
    groups: dict[tuple[str, str], list[str]] = {}
    for package in packages:
        groups.setdefault((package.role.description, package.evidence), []).append(package.name)
    lines = [Text(f"Packages ({len(packages)}):", style="bold")]
    for (description, evidence), names in groups.items():
        shown = ", ".join(names[:_NAMES_SHOWN])
        more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
        lines.append(Text(f"  {description} ×{len(names)} ({evidence}): {shown}{more}"))
    return [*lines, Text("")]


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


def render_text(result: AuditResult, *, color: bool, width: int = 100) -> str:
    """The whole report as terminal text (ANSI styles only when `color`)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=width,
        highlight=False,
        soft_wrap=True,
    )
    sources = SourceLines(result.root)
    for finding in result.findings:
        for line in render_finding(finding, sources):
            console.print(line)
        console.print()
    console.print(checkpoint_table(result))
    console.print()
    for line in package_lines(result):
        console.print(line)
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    summary = (
        f"{result.files} files, {result.lines} lines, {len(result.crates)} crate(s): "
        f"{len(result.findings)} findings ({counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.NOTE]} notes)"
    )
    if result.suppressed:
        summary += f", {result.suppressed} suppressed"
    console.print(Text(summary, style="bold"))
    narrowed = _narrowed(result)
    if narrowed:
        console.print(f"Not reported: {narrowed}")
    if result.parse_errors:
        console.print(
            f"{len(result.parse_errors)} file(s) had syntax errors and were audited "
            f"as far as they parse: {', '.join(result.parse_errors)}"
        )
    if result.skipped_files:
        console.print(f"{len(result.skipped_files)} file(s) skipped (see stderr)")
    left_out = _left_out(result)
    if left_out:
        console.print(f"Not audited: {left_out}")
    threshold = result.config.fail_threshold
    verdict = "FAIL" if failing(result.findings, threshold) else "PASS"
    console.print(
        Text.assemble(
            (f"{verdict}", "bold red" if verdict == "FAIL" else "bold green"),
            f"  score {overall_score(result.checkpoints)}/100, fail-on {result.config.fail_on}, "
            f"{result.mode} mode, {result.seconds:.2f} s",
        )
    )
    return buffer.getvalue()
