"""`--format markdown`: the report as a pull-request comment or a `$GITHUB_STEP_SUMMARY`.

The verdict and score, the gates that failed, the checkpoint table, "Fix these first", the
statistics table (`--statistics`), then the findings grouped by rule (`path:line` and the
message; past the first ten of a rule, the rest inside `<details>`), and a total line.

GitHub refuses a comment over 65,536 characters, so the report is written to a budget
(`DEFAULT_BUDGET`, counted in UTF-8 bytes: never fewer than characters or UTF-16 units, however
GitHub counts). Every rule's heading and first ten findings are placed before any rule's
collapsed rest, so one noisy rule cannot push the others out; what does not fit is counted in
a closing line that says where the full report is.

Everything that comes from the audited code or a tool (messages, paths, rule names of tools)
is escaped: it can neither format the comment, nor open HTML, nor break out of a table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rustpro.engine.audit import AuditResult
from rustpro.model import Finding, Severity
from rustpro.outcome import verdict as judge_result
from rustpro.report.gates import gate_settings
from rustpro.report.priorities import gain_text, priorities_of
from rustpro.report.statistics import rule_statistics
from rustpro.scoring import overall_score

# GitHub's limit on a comment body, in characters.
COMMENT_LIMIT = 65_536
# What the report may use of it: the rest is for what a workflow wraps around it (a title,
# the hidden marker a sticky-comment action adds).
DEFAULT_BUDGET = 60_000
# Findings of one rule shown before the rest is collapsed.
SHOWN_OPEN = 10
# Longest message, path and table note shown, in characters (before escaping).
MESSAGE_CHARS = 300
PATH_CHARS = 200
NOTE_CHARS = 200
# Bytes held back for the closing lines, and per rule for its `<details>` wrapper and its
# "more not listed" line: what the plan below must always be able to add.
_CLOSING_RESERVE = 1_200
_GROUP_TAIL = 240
FULL_REPORT = "`rustpro audit` lists them all (in CI: upload its `--output` as an artifact)"

_SEVERITY_MARK = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTE: "🔵"}
_STATUS_MARK = {"pass": "✅ pass", "fail": "❌ fail", "skipped": "➖ not run"}

# Characters that mean something in Markdown inline text or a table cell; `&`, `<` and `>`
# become entities instead, so no HTML can open.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~#!$])")
# Control characters, line and paragraph separators, and bidirectional overrides (which
# can make a message read differently from what it says): each becomes a space.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BACKTICKS = re.compile("`+")


def text(value: str, limit: int = MESSAGE_CHARS) -> str:
    """`value` as literal Markdown text on one line, at most `limit` characters of it."""
    flat = _shorten(_UNPRINTABLE.sub(" ", value), limit)
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def code(value: str, limit: int = PATH_CHARS) -> str:
    """`value` as a code span (literal text, in monospace), at most `limit` characters."""
    flat = _shorten(_UNPRINTABLE.sub(" ", value), limit)
    # A fence one backtick longer than any run inside; padded when the text starts or ends
    # with a backtick (CommonMark strips one space from each side).
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or flat.startswith(" ") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def message(value: str, limit: int = MESSAGE_CHARS) -> str:
    """A finding's message: its `code` in code spans when the backticks pair up (rustpro's
    messages quote code that way), else all of it as literal text."""
    flat = _shorten(_UNPRINTABLE.sub(" ", value), limit)
    parts = flat.split("`")
    # Odd parts are code; an empty one would be a stray "``", and an unpaired backtick
    # leaves an even number of parts: either way, nothing is trusted as code.
    if len(parts) % 2 == 0 or any(not part for part in parts[1::2]):
        return text(flat, limit)
    return "".join(
        code(part, limit) if index % 2 else text(part, limit) for index, part in enumerate(parts)
    )


def cell(markdown: str) -> str:
    """A code span made safe in a table cell: GitHub splits cells on every `|`, even inside
    code, unless it is escaped (`text` escapes its own)."""
    return markdown.replace("|", "\\|")


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _plural(count: int, word: str) -> str:
    """`1 finding`, `1,284 findings`."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _size(line: str) -> int:
    """What a line costs against the budget, its newline included."""
    return len(line.encode("utf-8")) + 1


@dataclass(slots=True)
class _Page:
    """Lines written so far and the bytes they cost."""

    budget: int
    lines: list[str] = field(default_factory=list)
    used: int = 0

    def room(self) -> int:
        return self.budget - self.used

    def add(self, *lines: str) -> bool:
        """Append the lines when all of them fit; report whether they did."""
        cost = sum(_size(line) for line in lines)
        if cost > self.room():
            return False
        self.lines.extend(lines)
        self.used += cost
        return True


@dataclass(slots=True)
class _RuleGroup:
    """The findings of one rule, with the lines planned for them."""

    rule: str
    findings: list[Finding]
    severity: Severity  # the most severe of the findings
    tally: Counter[Severity]  # findings by severity
    heading: str = ""
    open_lines: list[str] = field(default_factory=list)
    rest_lines: list[str] = field(default_factory=list)

    @property
    def mixed(self) -> bool:
        """Whether the findings differ in severity (then each line says its own)."""
        return len(self.tally) > 1


def render_markdown(
    result: AuditResult,
    *,
    statistics: bool = False,
    budget: int = DEFAULT_BUDGET,
    full_report: str | None = None,
) -> str:
    """The report as GitHub-flavoured Markdown, at most `budget` UTF-8 bytes (keep it at
    least a few kilobytes); `full_report` says where all findings can be read (a URL, an
    artifact's name) when they do not fit."""
    page = _Page(budget - _CLOSING_RESERVE)
    _head(page, result)
    _checkpoints(page, result)
    _fix_first(page, result)
    if statistics:
        _statistics(page, result.findings)
    listed = _findings(page, result.findings)
    page.budget += _CLOSING_RESERVE
    _closing(page, result, listed, full_report or FULL_REPORT)
    return "\n".join(page.lines) + "\n"


def _head(page: _Page, result: AuditResult) -> None:
    judged = judge_result(result)
    verdict = "✅ PASS" if judged.passed else "❌ FAIL"
    score = overall_score(result.checkpoints)
    page.add(
        f"## rustpro: {verdict} · score {score}/100",
        "",
        f"{_counts(result.findings)} · {result.files:,} files, {result.lines:,} lines · "
        f"{result.mode} mode · {text(gate_settings(result.config))}",
        "",
    )
    if judged.failed_gates:
        page.add("**Failed gates**", "")
        for gate in judged.failed_gates:
            page.add(f"- {text(gate)}")
        page.add("")


def _counts(findings: list[Finding], *, bold: bool = True) -> str:
    """`**7 findings** (1 error, 4 warnings, 2 notes)`."""
    tally = Counter(f.severity for f in findings)
    parts = ", ".join(_plural(tally[severity], severity.value) for severity in Severity)
    stars = "**" if bold else ""
    return f"{stars}{_plural(len(findings), 'finding')}{stars} ({parts})"


def _checkpoints(page: _Page, result: AuditResult) -> None:
    page.add(
        "### Checkpoints",
        "",
        "| checkpoint | status | score | findings | notes |",
        "|:--|:--|--:|--:|:--|",
    )
    for checkpoint, outcome in result.checkpoints.items():
        notes = [*([outcome.reason] if outcome.reason else []), *outcome.evidence]
        score = "–" if outcome.status == "skipped" else str(outcome.score)
        page.add(
            f"| **{checkpoint.value}** {checkpoint.heading} "
            f"| {_STATUS_MARK.get(outcome.status, text(outcome.status))} | {score} "
            f"| {outcome.findings:,} | {text('; '.join(notes), NOTE_CHARS)} |"
        )
    page.add("")


def _fix_first(page: _Page, result: AuditResult) -> None:
    priorities = priorities_of(result)
    if not priorities:
        return
    page.add("### Fix these first", "")
    for number, item in enumerate(priorities, start=1):
        page.add(f"{number}. {code(item.rule)}: {text(gain_text(item))}: {code(item.command)}")
    page.add("")


def _statistics(page: _Page, findings: list[Finding]) -> None:
    rows = rule_statistics(findings)
    if not rows:
        return
    page.add("### Statistics", "", "| count | rule | checkpoint | severity |", "|--:|:--|:--|:--|")
    for index, row in enumerate(rows):
        line = (
            f"| {row.count:,} | {cell(code(row.rule))} | {row.checkpoint.value} "
            f"| {row.severity.value} |"
        )
        # Keep room for the line that counts the rows left out.
        if page.room() - _size(line) < _GROUP_TAIL or not page.add(line):
            left = len(rows) - index
            page.add(f"| … | {left:,} more rules (`--format json`: `summary.by_rule`) | | |")
            break
    page.add("")


def _groups(findings: Iterable[Finding]) -> list[_RuleGroup]:
    """The findings by rule, the most severe first within each (then in report order);
    errors' rules first, then by count, then by name."""
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    groups = []
    for rule, members in by_rule.items():
        tally = Counter(f.severity for f in members)
        if len(tally) > 1:
            members.sort(key=lambda f: -f.severity.rank)  # stable: report order within
        groups.append(_RuleGroup(rule, members, members[0].severity, tally))
    return sorted(groups, key=lambda g: (-g.severity.rank, -len(g.findings), g.rule))


def _finding_line(finding: Finding, group: _RuleGroup, messages: dict[str, str]) -> str:
    """A finding's line; `messages` holds the messages written so far (a rule's findings
    often say the same, and writing one takes a dozen regular-expression passes)."""
    where = place_code(finding.path, finding.line)
    severity = f"**{finding.severity.value}** " if group.mixed else ""
    source = f" ({text(finding.source, 40)})" if finding.source != "rustpro" else ""
    said = messages.get(finding.message)
    if said is None:
        said = messages[finding.message] = message(finding.message)
    return f"- {where} {severity}{said}{source}"


def place_code(path: str, line: int) -> str:
    """`code(f"{path}:{line}")`, written out for the paths it leaves as they are (nearly
    all): no backtick, no character it replaces, no leading space, not too long."""
    place = f"{path}:{line}"
    if (
        len(place) <= PATH_CHARS
        and "`" not in path
        and not path.startswith(" ")
        and _UNPRINTABLE.search(path) is None
    ):
        return f"`{place}`"
    return code(place)


def _heading(group: _RuleGroup) -> str:
    if group.mixed:
        kinds = ", ".join(_plural(group.tally[s], s.value) for s in Severity if group.tally[s])
    else:
        kinds = group.severity.value
    return (
        f"#### {_SEVERITY_MARK[group.severity]} {code(group.rule)} "
        f"· {group.findings[0].checkpoint.value} "
        f"· {_plural(len(group.findings), 'finding')} ({kinds})"
    )


def _findings(page: _Page, findings: list[Finding]) -> int:
    """Write as many findings as fit, rule by rule; how many were listed."""
    if not findings:
        return 0
    if not page.add("### Findings by rule", ""):
        return 0
    groups = _plan(_groups(findings), page.room())
    for group in groups:
        page.lines.extend([group.heading, "", *group.open_lines])
        rest = len(group.findings) - len(group.open_lines)
        if group.rest_lines:
            page.lines.extend(
                [
                    "",
                    f"<details><summary>{len(group.rest_lines):,} more</summary>",
                    "",
                    *group.rest_lines,
                    "",
                    "</details>",
                ]
            )
        unlisted = rest - len(group.rest_lines)
        if unlisted:
            page.lines.extend(["", f"*… and {unlisted:,} more not listed here*"])
        page.lines.append("")
    page.used = sum(_size(line) for line in page.lines)
    return sum(len(g.open_lines) + len(g.rest_lines) for g in groups)


def _plan(groups: list[_RuleGroup], room: int) -> list[_RuleGroup]:
    """Fill each group's lines within `room` bytes: first every rule's heading and first
    findings, then the collapsed rests a line from each rule in turn (so each rule's rest
    gets its share); the groups that got a heading."""
    planned: list[_RuleGroup] = []
    messages: dict[str, str] = {}
    for group in groups:
        heading = _heading(group)
        cost = _size(heading) + _size("") * 2 + _GROUP_TAIL
        if cost > room:
            break
        room -= cost
        group.heading = heading
        planned.append(group)
        for finding in group.findings[:SHOWN_OPEN]:
            line = _finding_line(finding, group, messages)
            if _size(line) > room:
                return planned
            room -= _size(line)
            group.open_lines.append(line)
    pending = [(group, iter(group.findings[SHOWN_OPEN:])) for group in planned]
    while pending:
        going_on = []
        for group, rest in pending:
            following = next(rest, None)
            if following is None:
                continue
            line = _finding_line(following, group, messages)
            if _size(line) > room:
                continue  # this rule's listing ends here; a shorter line of another may fit
            room -= _size(line)
            group.rest_lines.append(line)
            going_on.append((group, rest))
        pending = going_on
    return planned


def _closing(page: _Page, result: AuditResult, listed: int, full_report: str) -> None:
    total = f"**Total:** {_counts(result.findings, bold=False)}"
    extras = []
    if result.suppressed:
        extras.append(f"{result.suppressed:,} suppressed")
    if result.parse_errors:
        parsed = _plural(len(result.parse_errors), "file")
        extras.append(f"{parsed} with syntax errors")
    if result.skipped_files:
        extras.append(f"{_plural(len(result.skipped_files), 'file')} skipped")
    # Set by `--baseline` / `--changed-since` when those exist in this build.
    for attribute, words in (
        ("baseline_hidden", "hidden by the baseline"),
        ("baseline_fixed", "baseline entries now fixed"),
        ("changed_hidden", "outside the changed files"),
    ):
        value = getattr(result, attribute, 0)
        if isinstance(value, int) and value:
            extras.append(f"{value:,} {words}")
    lines = ["---", "", total + (f"; {', '.join(extras)}" if extras else "")]
    left_out = len(result.findings) - listed
    if left_out:
        lines += [
            "",
            f"**Truncated:** {left_out:,} of {len(result.findings):,} findings are not listed "
            f"(a GitHub comment holds {COMMENT_LIMIT:,} characters); {_shorten(full_report, 300)}.",
        ]
    page.add(*lines)
