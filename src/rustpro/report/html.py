"""`--format html`: one self-contained page a reviewer opens in a browser.

Everything is inside the file: the style sheet, the charts (inline SVG and plain HTML bars)
and a small script; the page loads nothing, and its Content-Security-Policy forbids it to
(no CDN, no web font, no image). The summary (grade, checkpoint chart, findings by rule and
by file) is static HTML; the findings are one JSON document (`html_data`) that the script
renders a page at a time, so a report of 10,000 findings opens as fast as one of ten.
Every text from the audit is escaped: HTML text as `html.escape` does, the JSON with
`html_data.ReportData.script_json`, and the script builds its elements with `textContent` only.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable

from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, CheckpointResult, Finding, Severity
from rustpro.outcome import verdict as judge_result
from rustpro.packaged_data import read_text
from rustpro.report.gates import gate_settings
from rustpro.report.html_data import SEVERITIES, report_data
from rustpro.report.rule_pages import rule_pages
from rustpro.report.statistics import rule_statistics
from rustpro.scoring import overall_score

# The letter of an overall score, as school grades go.
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"), (0, "F"))
# Bars shown in the "by rule" and "by file" charts; the rest are counted under them.
BARS_SHOWN = 12
# Lines listed under "Not audited" and the like before "and N more".
LISTED = 20

# No request of any kind: styles, scripts and images only from the page itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def grade_letter(score: int) -> str:
    """The letter for an overall score 0-100 (A from 90, B from 80, ... F below 60)."""
    return next(letter for floor, letter in GRADES if score >= floor)


@functools.cache
def _asset(name: str) -> str:
    return read_text("report", "html_assets", name)


def _e(text: object) -> str:
    """`html.escape(str(text), quote=True)`, written out: the `html` module imports
    `html.entities` (two thousand named character references, 2 ms) for `unescape`, which
    a report never calls. The same replacements in the same order (tests/test_html_report.py
    holds the two equal)."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def render_html(result: AuditResult, *, statistics: bool = False) -> str:
    """The whole report as one HTML document; `statistics` adds the `--statistics` table
    (one row per rule: count, checkpoint, severity) above the findings, which stay: the
    page's filters work on them."""
    findings = result.findings
    pages = rule_pages(f.rule for f in findings)
    data = report_data(result.root, findings, pages)
    score = overall_score(result.checkpoints)
    title = f"rustpro: {_project_name(result)}, score {score} ({grade_letter(score)})"
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        '<meta name="color-scheme" content="light dark">\n',
        # Without an icon of its own, a browser asks the server for /favicon.ico.
        '<link rel="icon" href="data:,">\n',
        f"<title>{_e(title)}</title>\n<style>\n{_asset('report.css')}</style>\n</head>\n",
        "<body>\n",
        _header(result),
        "<main>\n",
        '<section class="row">\n',
        _overview(result, score),
        _checkpoint_card(result.checkpoints),
        "</section>\n",
        '<section class="row">\n',
        _by_rule_card(findings),
        _by_file_card(findings),
        "</section>\n",
        _statistics_card(findings) if statistics else "",
        _findings_section(findings),
        _rules_section(findings, [rule["name"] for rule in data.head["rules"]]),
        _notes_section(result),
        "</main>\n",
        _footer(result),
        f'<script type="application/json" id="report-data">{data.script_json()}</script>\n',
        f"<script>\n{_asset('report.js')}</script>\n",
        "</body>\n</html>\n",
    ]
    return "".join(parts)


def _project_name(result: AuditResult) -> str:
    if len(result.crates) == 1:
        return result.crates[0]
    return result.root.name or str(result.root)


def _header(result: AuditResult) -> str:
    crates = result.crates
    shown = ", ".join(crates[:6]) + (f" and {len(crates) - 6} more" if len(crates) > 6 else "")
    return (
        '<header class="top">\n<div class="brand">'
        '<svg class="logo" viewBox="0 0 24 24" aria-hidden="true">'
        '<path d="M12 2 21 7v10l-9 5-9-5V7z"/>'
        '<path class="logo-in" d="m8 12 3 3 5-6"/></svg>'
        '<span>rustpro</span> <span class="muted">audit report</span></div>\n'
        f"<h1>{_e(_project_name(result))}</h1>\n"
        f'<p class="meta"><span title="{_e(result.root)}">{_e(result.root)}</span>'
        f" · {_e(result.mode)} mode · {len(crates)} crate{'s' if len(crates) != 1 else ''}"
        f"{': ' + _e(shown) if len(crates) > 1 else ''}</p>\n</header>\n"
    )


def _overview(result: AuditResult, score: int) -> str:
    findings = result.findings
    counts = Counter(f.severity for f in findings)
    # The same verdict as the exit code: every gate (fail-on, require, min-score).
    judged = judge_result(result)
    verdict = "pass" if judged.passed else "fail"
    letter = grade_letter(score)
    if judged.passed:
        because = f"every gate passed ({gate_settings(result.config)})"
    else:
        because = "; ".join(judged.failed_gates)
    radius = 52
    circumference = 2 * math.pi * radius
    filled = circumference * score / 100
    ring = (
        f'<svg class="ring grade-{letter}" viewBox="0 0 128 128" role="img" '
        f'aria-label="overall score {score} of 100, grade {letter}">'
        f'<circle class="ring-track" cx="64" cy="64" r="{radius}"/>'
        f'<circle class="ring-fill" cx="64" cy="64" r="{radius}" '
        f'stroke-dasharray="{filled:.1f} {circumference:.1f}" transform="rotate(-90 64 64)"/>'
        f'<text class="ring-letter" x="64" y="70">{letter}</text>'
        f'<text class="ring-score" x="64" y="94">{score}/100</text></svg>'
    )
    stats = [
        ("findings", len(findings), ""),
        ("errors", counts[Severity.ERROR], "error"),
        ("warnings", counts[Severity.WARNING], "warning"),
        ("notes", counts[Severity.NOTE], "note"),
        ("files", result.files, ""),
        ("lines", result.lines, ""),
    ]
    tiles = "".join(
        f'<li class="stat {cls}"><b>{value:,}</b><span>{label}</span></li>'
        for label, value, cls in stats
    )
    extra = _overview_extras(result)
    return (
        '<div class="card overview" id="overview">\n'
        f"{ring}\n"
        '<div class="verdict-box">'
        f'<p class="verdict verdict-{verdict}" id="verdict">{verdict.upper()}</p>'
        f'<p class="because">{_e(because)}</p>'
        f'<p class="muted small">score {score}, grade {letter}: the lowest checkpoint score</p>'
        "</div>\n"
        f'<ul class="stats">{tiles}</ul>\n'
        f"{extra}"
        "</div>\n"
    )


def _overview_extras(result: AuditResult) -> str:
    notes = []
    if result.suppressed:
        notes.append(f"{result.suppressed} suppressed in the code")
    # Baseline and changed-files facts, shown when this build of the audit records them.
    for attribute, text in (
        ("baseline_hidden", "{} hidden by the baseline"),
        ("baseline_fixed", "{} baseline entries now fixed"),
        ("changed_hidden", "{} outside the changed files"),
    ):
        value = getattr(result, attribute, 0)
        if isinstance(value, int) and value:
            notes.append(text.format(value))
    if not notes:
        return ""
    return f'<p class="muted small extras">{_e(" · ".join(notes))}</p>\n'


def _status_class(outcome: CheckpointResult) -> str:
    if outcome.status == "skipped":
        return "off"
    if outcome.status == "pass":
        return "good"
    return "warn" if outcome.score >= 75 else "bad"


def _checkpoint_card(checkpoints: dict[Checkpoint, CheckpointResult]) -> str:
    return (
        '<div class="card chart-card" id="checkpoints">\n<h2>Checkpoints</h2>\n'
        f"{checkpoint_chart(checkpoints)}\n{_evidence_table(checkpoints)}</div>\n"
    )


def checkpoint_chart(checkpoints: dict[Checkpoint, CheckpointResult]) -> str:
    """An SVG column chart of the checkpoint scores; each column filters the findings."""
    left, top, height, slot, bar = 34, 16, 150, 58, 34
    width = left + slot * len(checkpoints) + 6
    bottom = top + height
    out = [
        f'<svg class="cp-chart" viewBox="0 0 {width} {bottom + 44}" role="img" '
        'aria-label="score of each checkpoint, 0 to 100">'
    ]
    for tick in (0, 25, 50, 75, 100):
        y = bottom - height * tick / 100
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - 4}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}">{tick}</text>'
        )
    for index, (checkpoint, outcome) in enumerate(checkpoints.items()):
        x = left + slot * index + (slot - bar) / 2
        centre = x + bar / 2
        skipped = outcome.status == "skipped"
        shown = 0 if skipped else outcome.score
        bar_height = max(height * shown / 100, 0 if skipped else 2)
        status = "not run" if skipped else outcome.status
        tip = f"{checkpoint.heading}: {status}"
        if not skipped:
            tip += f", score {outcome.score}"
        tip += f", {outcome.findings} finding{'s' if outcome.findings != 1 else ''}"
        if outcome.reason:
            tip += f"; {outcome.reason}"
        out.append(
            f'<g class="cp cp-{_status_class(outcome)}" data-checkpoint="{checkpoint.value}" '
            f'tabindex="0" role="button" aria-label="{_e(tip)}"><title>{_e(tip)}</title>'
            f'<rect class="track" x="{x:.1f}" y="{top}" width="{bar}" height="{height}" rx="4"/>'
        )
        if not skipped:
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{bottom - bar_height:.1f}" width="{bar}" '
                f'height="{bar_height:.1f}" rx="4"/>'
            )
        value = "–" if skipped else str(outcome.score)
        value_y = max(bottom - bar_height - 5, top + 12) if not skipped else bottom - 6
        inside = not skipped and bottom - bar_height - 5 < top + 12
        out.append(
            f'<text class="val{" inside" if inside else ""}" x="{centre:.1f}" '
            f'y="{value_y + (14 if inside else 0):.1f}">{value}</text>'
            f'<text class="name" x="{centre:.1f}" y="{bottom + 16}">{checkpoint.value}</text>'
            f'<text class="status" x="{centre:.1f}" y="{bottom + 31}">{_e(status)}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _evidence_table(checkpoints: dict[Checkpoint, CheckpointResult]) -> str:
    rows = []
    for checkpoint, outcome in checkpoints.items():
        notes = "; ".join(outcome.evidence)
        if outcome.reason:
            notes = f"{outcome.reason}; {notes}" if notes else outcome.reason
        skipped = outcome.status == "skipped"
        rows.append(
            f'<tr><th scope="row">{_e(checkpoint.heading)}</th>'
            f'<td><span class="pill pill-{_status_class(outcome)}">'
            f"{'not run' if skipped else outcome.status}</span></td>"
            f'<td class="num">{"–" if skipped else outcome.score}</td>'
            f'<td class="num">{outcome.findings}</td><td>{_e(notes)}</td></tr>'
        )
    return (
        '<details class="evidence"><summary>Scores and evidence</summary>'
        '<table><thead><tr><th>checkpoint</th><th>status</th><th class="num">score</th>'
        '<th class="num">findings</th><th>evidence</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>\n"
    )


def _severity_counts(findings: Iterable[Finding], key: str) -> dict[str, Counter[Severity]]:
    # One Counter over pairs: counting runs in C, where a Counter per finding did not.
    pairs = Counter((f.rule if key == "rule" else f.path, f.severity) for f in findings)
    by: dict[str, Counter[Severity]] = {}
    for (name, severity), count in pairs.items():
        by.setdefault(name, Counter())[severity] = count
    return by


def _bar_rows(counts: dict[str, Counter[Severity]], kind: str) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    if not ranked:
        return '<p class="muted empty">No findings.</p>'
    most = sum(ranked[0][1].values())
    rows = []
    for name, by_severity in ranked[:BARS_SHOWN]:
        total = sum(by_severity.values())
        segments = "".join(
            f'<span class="seg seg-{s.value}" style="width:{100 * by_severity[s] / most:.2f}%">'
            "</span>"
            for s in SEVERITIES
            if by_severity[s]
        )
        label = name or "(no file)"
        tip = ", ".join(f"{by_severity[s]} {s.value}" for s in SEVERITIES if by_severity[s])
        rows.append(
            f'<li><button type="button" class="bar-row" data-{kind}="{_e(name)}" '
            f'title="{_e(label)}: {_e(tip)}"><span class="bar-label">{_e(label)}</span>'
            f'<span class="bar-track">{segments}</span><span class="bar-count">{total:,}</span>'
            "</button></li>"
        )
    rest = ranked[BARS_SHOWN:]
    more = ""
    if rest:
        hidden = sum(sum(c.values()) for _, c in rest)
        noun = "rules" if kind == "rule" else "files"
        more = (
            f'<p class="muted small more">and {len(rest):,} more {noun} ({hidden:,} findings)</p>'
        )
    return f'<ol class="bars">{"".join(rows)}</ol>{more}'


_LEGEND = (
    '<p class="legend" aria-hidden="true">'
    + "".join(f'<span><i class="dot dot-{s.value}"></i>{s.value}</span>' for s in SEVERITIES)
    + "</p>"
)


def _by_rule_card(findings: list[Finding]) -> str:
    return (
        '<div class="card" id="by-rule">\n'
        f'<div class="card-head"><h2>Findings by rule</h2>{_LEGEND}</div>\n'
        f"{_bar_rows(_severity_counts(findings, 'rule'), 'rule')}\n</div>\n"
    )


def _by_file_card(findings: list[Finding]) -> str:
    return (
        '<div class="card" id="by-file">\n'
        f'<div class="card-head"><h2>Findings by file</h2>{_LEGEND}</div>\n'
        f"{_bar_rows(_severity_counts(findings, 'path'), 'path')}\n</div>\n"
    )


def _statistics_card(findings: list[Finding]) -> str:
    rows = "".join(
        f'<tr><th scope="row">{_e(row.rule)}</th><td class="num">{row.count:,}</td>'
        f"<td>{_e(row.checkpoint.heading)}</td>"
        f'<td class="sev-{row.severity.value}"><span class="sev">{row.severity.value}</span>'
        "</td></tr>"
        for row in rule_statistics(findings)
    )
    body = (
        '<table><thead><tr><th>rule</th><th class="num">count</th><th>checkpoint</th>'
        f"<th>severity</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else '<p class="muted empty">No findings.</p>'
    )
    return (
        '<section class="card" id="statistics">\n'
        f'<div class="card-head"><h2>Statistics</h2></div>\n{body}\n</section>\n'
    )


def _findings_section(findings: list[Finding]) -> str:
    return (
        '<section class="card findings" id="findings">\n'
        '<div class="findings-head"><h2>Findings</h2>'
        '<p class="count" id="count" aria-live="polite"></p></div>\n'
        '<div class="filters" id="filters">\n'
        '<div class="chips" id="severity-filter" role="group" aria-label="severity">'
        '<span class="chips-label">severity</span></div>\n'
        '<div class="chips" id="checkpoint-filter" role="group" aria-label="checkpoint">'
        '<span class="chips-label">checkpoint</span></div>\n'
        '<div class="controls">'
        '<label><span class="sr">rule</span><select id="rule-filter"></select></label>'
        '<label class="search"><span class="sr">path</span>'
        '<input id="path-filter" type="search" placeholder="Filter by path…" '
        'autocomplete="off" spellcheck="false"></label>'
        '<label><span class="sr">order</span><select id="order">'
        '<option value="severity">most severe first</option><option value="place">by place</option>'
        '<option value="rule">by rule</option></select></label>'
        '<button type="button" id="reset" hidden>Reset filters</button></div>\n'
        "</div>\n"
        '<ol class="finding-list" id="finding-list"></ol>\n'
        '<nav class="pager" id="pager" aria-label="pages of findings"></nav>\n'
        f"<noscript><p>{len(findings):,} findings: this page shows them with JavaScript; "
        "<code>rustpro audit --format json</code> lists them without.</p></noscript>\n"
        "</section>\n"
    )


def _rules_section(findings: list[Finding], order: list[str]) -> str:
    """A page per rule, empty until opened: `data-rule` is the rule's index in the embedded
    document's `rules` (`order`), whose Markdown the script renders then."""
    if not order:
        return ""
    counts = Counter(f.rule for f in findings)
    items = []
    for index, rule in enumerate(order):
        count = counts[rule]
        items.append(
            f'<details class="rule-page" id="rule-{_e(rule)}" data-rule="{index}">'
            f'<summary><code>{_e(rule)}</code><span class="muted">{count:,} '
            f"finding{'s' if count != 1 else ''}</span></summary>"
            '<div class="md"></div></details>'
        )
    return (
        '<section class="card" id="rules">\n<h2>Rules</h2>\n'
        '<p class="muted small">What each rule reported here looks for, why it matters, and '
        "how to fix or silence it (the text of <code>rustpro explain RULE</code>).</p>\n"
        f"{''.join(items)}\n</section>\n"
    )


def _notes_section(result: AuditResult) -> str:
    blocks = []
    if result.parse_errors:
        blocks.append(
            _listing("Files with syntax errors, audited as far as they parse", result.parse_errors)
        )
    if result.skipped_files:
        blocks.append(_listing("Files skipped", result.skipped_files))
    not_audited = []
    if result.not_compiled:
        not_audited.append(f"{result.not_compiled} .rs file(s) no target compiles (data, not code)")
    if result.generated_files:
        not_audited.append(f"{len(result.generated_files)} generated file(s)")
    if result.docs_only_modules:
        not_audited.append(f"{result.docs_only_modules} docs-only module(s) (cfg(docsrs))")
    if not_audited:
        blocks.append(_listing("Not audited", not_audited))
    if result.warnings:
        blocks.append(_listing("Warnings", result.warnings))
    if result.packages:
        blocks.append(
            _listing(
                "Packages",
                [
                    f"{p.name} ({p.path}): {p.role.description}, {p.evidence}"
                    for p in result.packages
                ],
            )
        )
    if not blocks:
        return ""
    return (
        '<section class="card notes" id="notes">\n<h2>Notes</h2>\n'
        + "".join(blocks)
        + "</section>\n"
    )


def _listing(title: str, lines: list[str]) -> str:
    shown = "".join(f"<li>{_e(line)}</li>" for line in lines[:LISTED])
    more = f'<li class="muted">and {len(lines) - LISTED:,} more</li>' if len(lines) > LISTED else ""
    return (
        f'<details><summary>{_e(title)} <span class="muted">({len(lines):,})</span></summary>'
        f"<ul>{shown}{more}</ul></details>\n"
    )


def _footer(result: AuditResult) -> str:
    return (
        f'<footer><p class="muted small">rustpro {_e(result.tool_version)} · {_e(result.mode)} '
        f"mode · {_e(gate_settings(result.config))} · {result.files:,} files, "
        f"{result.lines:,} lines audited in {result.seconds:.2f} s · "
        "this file makes no network request</p></footer>\n"
    )
