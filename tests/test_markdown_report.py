"""`--format markdown`: pinned by a snapshot (regenerate with `RUSTPRO_UPDATE_SNAPSHOTS=1
pytest tests/test_markdown_report.py` and review the diff), held under GitHub's comment limit
on 10,000 findings, and never formatted by what a message or a path holds."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from rustpro.config import AuditConfig
from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.report.markdown import (
    COMMENT_LIMIT,
    DEFAULT_BUDGET,
    SHOWN_OPEN,
    code,
    message,
    place_code,
    render_markdown,
    text,
)
from rustpro.scoring import score_checkpoints
from tests.report_support import fixed_result
from tests.test_text_snapshot import _check_snapshot

# GitHub's Markdown as far as the report uses it: CommonMark with raw HTML, tables and
# strikethrough (which an escaped `~` must not start).
GITHUB_LIKE = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# Every HTML element the rendered report may hold: Markdown's own, and `<details>`.
ALLOWED_TAGS = {
    *("h2", "h3", "h4", "p", "strong", "code", "ul", "ol", "li", "hr"),
    *("table", "thead", "tbody", "tr", "th", "td", "details", "summary"),
}
TRUNCATED = re.compile(r"\*\*Truncated:\*\* ([\d,]+) of ([\d,]+) findings are not listed")


def _synthetic(count: int, rules: int) -> list[Finding]:
    """`count` findings spread over `rules` rules, with messages of a realistic length."""
    severities = (Severity.ERROR, Severity.WARNING, Severity.NOTE)
    return [
        Finding(
            rule=f"rule-{index % rules:02d}",
            checkpoint=list(Checkpoint)[index % rules % 9],
            severity=severities[index % rules % 3],
            path=f"src/module_{index % 97}/file_{index}.rs",
            line=index + 1,
            column=5,
            end_line=index + 1,
            end_column=12,
            message=f"`.unwrap()` panics on `None`/`Err` here (case {index})",
            help="see `rustpro explain`",
        )
        for index in range(count)
    ]


def _result(findings: list[Finding], root: Path, **config: object) -> AuditResult:
    return AuditResult(
        root=root,
        mode="static",
        findings=findings,
        checkpoints=score_checkpoints(findings, lines=250_000),
        config=AuditConfig(**config),  # type: ignore[arg-type]
        files=500,
        lines=250_000,
        seconds=1.5,
        crates=["big"],
    )


def _listed(markdown: str) -> int:
    """Finding lines in the report (every one starts with `- ` and a code span)."""
    section = markdown.partition("### Findings by rule")[2]
    return sum(1 for line in section.splitlines() if line.startswith("- `"))


def test_markdown_report_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)  # the "Fix these first" commands name `.`
    _check_snapshot("report.md", render_markdown(result))


def test_statistics_table_in_markdown(tmp_path: Path) -> None:
    markdown = render_markdown(fixed_result(tmp_path / "crate"), statistics=True)
    table = markdown.partition("### Statistics")[2].partition("### Findings")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]
    assert rows[0] == "| 2 | `unwrap-in-production` | errors | warning |"
    assert len(rows) == 6  # one per rule
    assert "### Statistics" not in render_markdown(fixed_result(tmp_path / "again"))


def test_groups_collapse_past_the_first_ten(tmp_path: Path) -> None:
    findings = _synthetic(SHOWN_OPEN + 5, rules=1)
    markdown = render_markdown(_result(findings, tmp_path))
    before, _, inside = markdown.partition("<details><summary>5 more</summary>")
    assert _listed(before) == SHOWN_OPEN
    assert (
        sum(1 for line in inside.split("</details>")[0].splitlines() if line.startswith("- ")) == 5
    )
    assert TRUNCATED.search(markdown) is None
    assert "**Total:** 15 findings" in markdown


def test_mixed_severities_most_severe_first(tmp_path: Path) -> None:
    findings = [
        replace(finding, rule="mixed", severity=Severity.NOTE if index % 4 else Severity.WARNING)
        for index, finding in enumerate(_synthetic(40, rules=1))
    ]
    markdown = render_markdown(_result(findings, tmp_path))
    assert "#### 🟠 `mixed` · memory · 40 findings (10 warnings, 30 notes)" in markdown
    lines = [line for line in markdown.splitlines() if line.startswith("- `")]
    assert all("**warning**" in line for line in lines[:10])
    assert all("**note**" in line for line in lines[10:])


def test_collapsed_rests_share_the_room(tmp_path: Path) -> None:
    # Two rules of 3,000 findings each: neither rule's rest crowds out the other's.
    markdown = render_markdown(_result(_synthetic(6_000, rules=2), tmp_path))
    shown = [int(n.replace(",", "")) for n in re.findall(r"<summary>([\d,]+) more", markdown)]
    assert len(shown) == 2
    assert abs(shown[0] - shown[1]) <= 1


@pytest.mark.parametrize("rules", [1, 40])
def test_ten_thousand_findings_stay_under_the_comment_limit(tmp_path: Path, rules: int) -> None:
    findings = _synthetic(10_000, rules=rules)
    markdown = render_markdown(_result(findings, tmp_path))
    assert len(markdown) <= COMMENT_LIMIT
    assert len(markdown.encode("utf-8")) <= DEFAULT_BUDGET
    match = TRUNCATED.search(markdown)
    assert match is not None, "the report must say that it is truncated"
    left_out, total = (int(group.replace(",", "")) for group in match.groups())
    assert total == 10_000
    assert left_out == 10_000 - _listed(markdown)
    assert left_out > 0
    assert "`rustpro audit` lists them all" in markdown  # where the rest is
    assert "**Total:** 10,000 findings" in markdown
    # Each rule is introduced and shows its first findings before any rule's collapsed rest.
    headings = re.findall(r"^#### .*`(rule-\d+)`", markdown, re.M)
    assert len(headings) == rules


def test_a_pointer_to_the_full_report_can_be_given(tmp_path: Path) -> None:
    findings = _synthetic(3_000, rules=3)
    url = "https://github.com/o/r/actions/runs/1"
    markdown = render_markdown(_result(findings, tmp_path), full_report=f"the full report: {url}")
    assert f"the full report: {url}." in markdown


def test_escaping() -> None:
    assert text("a|b <script> & `x` *y* _z_ [l](u) ~s~ $m$ \\") == (
        "a\\|b &lt;script&gt; &amp; \\`x\\` \\*y\\* \\_z\\_ \\[l\\](u) \\~s\\~ \\$m\\$ \\\\"
    )
    assert text("line\nbreak\r\u202eevil") == "line break  evil"
    assert code("a`b") == "``a`b``"
    assert code("`edge`") == "`` `edge` ``"
    # Paired backticks stay code; an unpaired or empty pair makes the whole message text.
    assert message("`.unwrap()` on <T>") == "`.unwrap()` on &lt;T&gt;"
    assert message("stray ` backtick") == "stray \\` backtick"
    assert message("empty `` pair ``") == "empty \\`\\` pair \\`\\`"


def test_gates_and_failures_are_stated(tmp_path: Path) -> None:
    findings = _synthetic(30, rules=3)
    result = _result(findings, tmp_path, fail_on="none", require=("memory",), min_score=99)
    markdown = render_markdown(result)
    assert markdown.startswith("## rustpro: ❌ FAIL")
    assert "fail-on none, require memory, min-score 99" in markdown
    assert "- require memory: the checkpoint fails" in markdown
    assert "- min-score 99: the score is" in markdown
    passing = render_markdown(replace(result, config=AuditConfig(fail_on="none")))
    assert passing.startswith("## rustpro: ✅ PASS")
    assert "Failed gates" not in passing


def test_no_findings_no_fix_first(tmp_path: Path) -> None:
    markdown = render_markdown(_result([], tmp_path))
    assert "Fix these first" not in markdown
    assert "Findings by rule" not in markdown
    assert "**Total:** 0 findings" in markdown


# Pieces of hostile text: Markdown and HTML syntax, line breaks, control characters, a
# right-to-left override, non-ASCII (two-, three- and four-byte UTF-8).
HOSTILE = st.lists(
    st.sampled_from(
        [
            *"`|<>&*_[]()#!~$\\@:-. \n\r\t",
            *("</details>", "<script>", "\u202e", "\u2028", "é", "漢", "🦀", "\x00", "\x1b[31m"),
        ]
    ),
    max_size=80,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(HOSTILE, min_size=1, max_size=8),
    paths=st.lists(HOSTILE.filter(bool), min_size=1, max_size=4),
    rules=st.lists(HOSTILE.filter(bool), min_size=1, max_size=3),
    count=st.integers(min_value=1, max_value=600),
)
def test_hostile_messages_and_paths_keep_the_bound_and_the_structure(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[str],
    paths: list[str],
    rules: list[str],
    count: int,
) -> None:
    findings = [
        Finding(
            rule=rules[index % len(rules)],
            checkpoint=Checkpoint.ERRORS,
            severity=Severity.WARNING,
            path=paths[index % len(paths)],
            line=index + 1,
            column=1,
            end_line=index + 1,
            end_column=2,
            message=messages[index % len(messages)],
            help="",
            source="clippy" if index % 2 else "rustpro",
        )
        for index in range(count)
    ]
    markdown = render_markdown(_result(findings, tmp_path_factory.getbasetemp()), statistics=True)
    assert len(markdown.encode("utf-8")) <= DEFAULT_BUDGET
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u2028\u202e]", markdown)
    # Rendered, the input makes no element of its own: no HTML, no emphasis, no link.
    html = GITHUB_LIKE.render(markdown)
    # The report's own emphasis, when a rule's collapsed list is cut, is not the input's.
    own = re.sub(r"<em>… and [\d,]+ more not listed here</em>", "", html)
    tags = re.findall(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)", own)
    assert {name for _, name in tags} <= ALLOWED_TAGS, html
    opened = [name for slash, name in tags if not slash]
    assert opened.count("details") == sum(1 for slash, name in tags if slash and name == "details")
    # One list item per finding listed, each in the findings' lists.
    findings_html = html.partition("Findings by rule</h3>")[2]
    assert findings_html.count("<li>") == _listed(markdown)
    # Every finding is listed on its own line or counted as left out.
    match = TRUNCATED.search(markdown)
    left_out = int(match.group(1).replace(",", "")) if match else 0
    assert _listed(markdown) + left_out == count
    # Statistics rows keep their columns: a hostile rule name cannot shift a cell (a table
    # pads short rows and drops extra cells, so the cells' contents are what tells).
    statistics = html.partition("Statistics</h3>")[2].partition("</table>")[0]
    for row in re.findall(r"<tr>(.*?)</tr>", statistics, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[2:] in (["errors", "warning"], ["", ""]), row


@given(
    path=st.text(st.characters(codec="utf-8"), max_size=40)
    | st.sampled_from(["src/lib.rs", " lead.rs", "a`b.rs", "x" * 199, "x" * 197, "\u202ea.rs"]),
    line=st.integers(-5, 10**7),
)
def test_place_code_is_the_code_span_of_path_and_line(path: str, line: int) -> None:
    """A finding's `path:line` is written out for plain paths (`place_code`): the same
    as `code` writes of it, whatever the path holds."""
    assert place_code(path, line) == code(f"{path}:{line}")
