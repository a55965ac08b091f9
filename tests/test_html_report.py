"""The HTML report without a browser: its snapshot, escaping, code frames, what it reads.

The snapshot pins the page for the fixed findings of `tests/report_support.py`; the style
sheet and the script are replaced by markers (they are files of their own), and the embedded
JSON is pretty-printed so that a change shows as a readable diff. Regenerate with
`RUSTPRO_UPDATE_SNAPSHOTS=1 pytest tests/test_html_report.py` and review the diff.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import os
import re
import tomllib
from collections import Counter
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.cli import cli
from rustpro.config import AuditConfig
from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.report import frames, html_data
from rustpro.report.html import _asset, grade_letter, render_html
from rustpro.report.html_data import SourceExcerpts, frame_lines, script_json
from rustpro.report.rule_pages import external_url, rule_pages
from rustpro.scoring import score_checkpoints
from tests.html_support import LONG_LINE, source_lines, synthetic_result
from tests.report_support import fixed_result
from tests.support import make_crate

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("RUSTPRO_UPDATE_SNAPSHOTS") == "1"
ROOT = Path(__file__).resolve().parents[1]


class _Page(HTMLParser):
    """The parts of a page the tests look at: script elements and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._script, self._body = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._body)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._body.append(data)
        else:
            self.text.append(data)


def parse_page(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def embedded_data(page: str) -> Any:
    """The JSON document the page's script renders."""
    parsed = parse_page(page)
    blobs = [body for attrs, body in parsed.scripts if attrs.get("id") == "report-data"]
    assert len(blobs) == 1
    return json.loads(blobs[0])


def _finding(message: str = "m", path: str = "src/lib.rs", **extra: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule": "unwrap-in-production",
        "checkpoint": Checkpoint.ERRORS,
        "severity": Severity.WARNING,
        "path": path,
        "line": 2,
        "column": 5,
        "end_line": 2,
        "end_column": 13,
        "message": message,
        "help": "h",
    }
    fields.update(extra)
    return Finding(**fields)


def _result(root: Path, findings: list[Finding], crates: tuple[str, ...] = ("c",)) -> AuditResult:
    return AuditResult(
        root=root,
        mode="static",
        findings=findings,
        checkpoints=score_checkpoints(findings, 100),
        config=AuditConfig(),
        files=1,
        lines=100,
        seconds=0.1,
        crates=list(crates),
    )


def _snapshot_text(page: str, root: Path) -> str:
    """The page as the snapshot keeps it: assets as markers, the JSON pretty-printed."""
    page = page.replace(_asset("report.css"), "/* html_assets/report.css */\n")
    page = page.replace(_asset("report.js"), "/* html_assets/report.js */\n")
    data = embedded_data(page)
    start = page.index('<script type="application/json" id="report-data">')
    end = page.index("</script>", start)
    pretty = json.dumps(data, indent=1, ensure_ascii=False)
    page = (
        page[:start] + '<script type="application/json" id="report-data">\n' + pretty + page[end:]
    )
    return page.replace(str(root), "{root}")


def test_html_report_snapshot(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    actual = _snapshot_text(render_html(result), result.root)
    path = SNAPSHOTS / "report.html"
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail("snapshot report.html was missing and has been written; review it")
        return
    assert actual == path.read_text(encoding="utf-8"), (
        "report.html differs from its snapshot; if the change is intended, rerun with "
        "RUSTPRO_UPDATE_SNAPSHOTS=1 and review the diff"
    )


def test_the_page_is_self_contained(tmp_path: Path) -> None:
    page = render_html(fixed_result(tmp_path / "crate"))
    # Nothing that would load: no src/href to anything but the page itself and `data:,`.
    assert not re.search(r"\ssrc=", page)
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert set(hrefs) <= {"data:,"}, hrefs
    assert "@import" not in page and "url(" not in _asset("report.css")
    assert not re.search(
        r"fetch\(|XMLHttpRequest|import\(|new Image|\.src\s*=", _asset("report.js")
    )
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert page.count("<script") == 2 and page.count("</script>") == 2


def test_summary_grade_chart_and_bars(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    page = render_html(result)
    assert page.count('class="cp cp-') == 9  # nine checkpoint columns
    assert 'data-checkpoint="testing"' in page and ">not run</text>" in page
    assert 'id="verdict">FAIL<' in page
    data = embedded_data(page)
    assert len(data["findings"]) == len(result.findings)
    rules = Counter(f.rule for f in result.findings)
    for rule in rules:
        assert f'data-rule="{rule}"' in page  # a bar per rule
        assert f'id="rule-{rule}"' in page  # and its page
    for path in {f.path for f in result.findings}:
        assert f'data-path="{path}"' in page


@pytest.mark.parametrize(
    ("score", "letter"),
    [(100, "A"), (90, "A"), (89, "B"), (80, "B"), (75, "C"), (60, "D"), (59, "F"), (0, "F")],
)
def test_grade_letters(score: int, letter: str) -> None:
    assert grade_letter(score) == letter


def test_tool_findings_are_rendered_like_rustpros(tmp_path: Path) -> None:
    page = render_html(fixed_result(tmp_path / "crate"))
    data = embedded_data(page)
    rows = [
        row for row in data["findings"] if data["rules"][row["r"]]["name"].startswith("clippy::")
    ]
    assert len(rows) == 1
    (row,) = rows
    assert row["src"] == "clippy"
    assert "a" in row and "b" in row  # its code frame, like any finding
    page_of = data["rules"][row["r"]]
    assert (
        page_of["url"]
        == "https://rust-lang.github.io/rust-clippy/master/index.html#needless_return"
    )
    assert page_of["md"].startswith("# clippy::needless_return")


@pytest.mark.parametrize(
    ("rule", "url"),
    [
        ("unwrap-in-production", None),
        (
            "clippy::unwrap_used",
            "https://rust-lang.github.io/rust-clippy/master/index.html#unwrap_used",
        ),
        ("rustc::E0308", "https://doc.rust-lang.org/error_codes/E0308.html"),
        ("rustc::dead_code", "https://doc.rust-lang.org/rustc/lints/listing/index.html"),
        (
            "rustdoc::broken_intra_doc_links",
            "https://doc.rust-lang.org/rustdoc/lints.html#broken_intra_doc_links",
        ),
        ("rustfmt::diff", None),
        ("cargo-test::failed", None),
    ],
)
def test_rule_links(rule: str, url: str | None) -> None:
    assert external_url(rule) == url
    page = rule_pages([rule])[rule]
    assert page["name"] == rule and page["md"].startswith(f"# {rule}")


def test_own_rule_pages_are_the_explain_text() -> None:
    from rustpro.docsgen import explain_markdown

    page = rule_pages(["static-mut"])["static-mut"]
    assert page["md"] == explain_markdown("static-mut")


HOSTILE = (
    "</script><script>alert(1)</script> <!-- & --> \u2028\u2029 "
    "<img src=x onerror=alert(1)> `</SCRIPT >`"
)


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    code = f'//! x\nlet s = "{HOSTILE}"; // </script>\n'
    root = make_crate(tmp_path / "c", {"src/<img>&amp;.rs": code})
    finding = _finding(HOSTILE, path="src/<img>&amp;.rs", help=HOSTILE, rule="static-mut")
    page = render_html(_result(root, [finding], crates=(HOSTILE,)))
    assert page.count("</script>") == 2 and page.lower().count("<script") == 2
    assert "<img" not in page
    parsed = parse_page(page)
    blob = next(body for attrs, body in parsed.scripts if attrs.get("id") == "report-data")
    assert "\u2028" not in blob and "\u2029" not in blob
    assert any(HOSTILE in text for text in parsed.text)  # the crate name, as text
    data = embedded_data(page)
    (row,) = data["findings"]
    assert row["m"] == HOSTILE and row["h"] == HOSTILE
    assert data["files"] == ["src/<img>&amp;.rs"]
    assert source_lines(data, 0)[2] == code.split("\n")[1]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=20,
    )
)
def test_script_json_round_trips_and_cannot_end_the_script(value: Any) -> None:
    text = script_json(value)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == value


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=0, max_size=60))
def test_any_message_survives_the_page(message: str) -> None:
    root = Path("/nonexistent")
    page = render_html(_result(root, [_finding(message)]))
    assert page.count("</script>") == 2
    assert embedded_data(page)["findings"][0]["m"] == message


def test_frame_lines_window_around_the_span() -> None:
    assert frame_lines(_finding(line=1, end_line=1)) == html_data.FrameLines(1, 3)
    assert frame_lines(_finding(line=10, end_line=12)) == html_data.FrameLines(8, 14)
    # A long span shows its head.
    head = frame_lines(_finding(line=10, end_line=400))
    assert head == html_data.FrameLines(8, 10 + html_data.FRAME_SPAN_LINES - 1 + 2)


def test_source_excerpts_read_only_wanted_lines(tmp_path: Path) -> None:
    (tmp_path / "a.rs").write_bytes(b"one\r\ntwo\nthree\xff\n\nfive\x0bstill five\n")
    excerpts = SourceExcerpts(tmp_path)
    assert excerpts.read("a.rs", [2, 3, 5, 6, 99]) == {
        2: "two",
        3: "three\ufffd",
        5: "five\x0bstill five",  # a vertical tab ends no line for rustc
    }
    assert excerpts.read("a.rs", [1]) == {1: "one"}
    assert excerpts.read("a.rs", [4]) == {4: ""}
    assert excerpts.read("missing.rs", [1]) == {}
    assert excerpts.read("", [1]) == {}
    (tmp_path / "b.rs").write_bytes(b"no newline at the end")
    assert excerpts.read("b.rs", [1, 2]) == {1: "no newline at the end"}


def test_long_lines_are_clipped_like_the_text_reports(tmp_path: Path) -> None:
    long_line = "x" * 1000 + "target" + "y" * 1000
    root = make_crate(tmp_path / "c", {"src/lib.rs": f"//! d\n{long_line}\nshort\n"})
    finding = _finding(line=2, column=1001, end_line=2, end_column=1007)
    data = embedded_data(render_html(_result(root, [finding])))
    (row,) = data["findings"]
    first, text, more = row["x"]["2"]
    assert (first, first + len(text)) == frames.window(len(long_line), 1000)
    assert "target" in text and len(text) == frames.FRAME_WIDTH and more == 1
    # The long line is left empty among the file's lines: the finding carries it clipped.
    assert source_lines(data, 0)[2] == "" and source_lines(data, 0)[3] == "short"


def test_frame_width_is_the_text_reports() -> None:
    from rustpro.report import text

    assert frames.FRAME_WIDTH == text.FRAME_WIDTH
    for length in (0, 50, 120, 121, 500, 5000):
        for column in (0, 10, 39, 40, 41, 200, 4990):
            assert frames.window(length, column) == text._window(length, column)


def test_each_source_file_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = synthetic_result(tmp_path / "c", findings=2000, files=20)
    reads: Counter[str] = Counter()
    original = Path.read_bytes

    def counting(path: Path) -> bytes:
        reads[path.name] += 1
        return original(path)

    monkeypatch.setattr(Path, "read_bytes", counting)
    render_html(result)
    assert len(reads) == 20 and set(reads.values()) == {1}


def test_ten_thousand_findings_stay_small(tmp_path: Path) -> None:
    result = synthetic_result(tmp_path / "c")
    page = render_html(result)
    data = embedded_data(page)
    assert len(data["findings"]) == 10_000
    # Each shown line is stored once per file, however many frames show it; the long line
    # is stored clipped with each finding on it.
    assert sum(len(source_lines(data, i)) for i in range(len(data["sources"]))) <= 100 * 112
    clipped = [row for row in data["findings"] if "x" in row]
    assert clipped and all(str(LONG_LINE) in row["x"] for row in clipped)
    assert len(page) < 4_000_000  # about 290 bytes per finding, frames included


def test_assets_are_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["rustpro.report"]
    assets = ROOT / "src" / "rustpro" / "report" / "html_assets"
    for asset in assets.iterdir():
        relative = f"html_assets/{asset.name}"
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative


def test_cli_writes_html(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "c", {"src/lib.rs": "//! d\npub fn f() { None::<u8>.unwrap(); }\n"}
    )
    run = CliRunner().invoke(
        cli, ["audit", "--static", "--no-cache", "--format", "html", str(root)]
    )
    assert run.exit_code in (0, 1), run.output
    assert run.output.startswith("<!DOCTYPE html>") and run.output.rstrip().endswith("</html>")
    assert "report-data" in run.output


def test_the_verdict_is_the_exit_codes_every_gate(tmp_path: Path) -> None:
    # fail-on none passes the findings, but min-score 101 cannot pass: the page says FAIL
    # and names the gate, as the exit code does.
    base = fixed_result(tmp_path / "crate")
    config = AuditConfig(fail_on="none", min_score=101)
    page = render_html(dataclasses.replace(base, config=config))
    assert 'id="verdict">FAIL<' in page
    assert "min-score 101" in page
    passing = render_html(dataclasses.replace(base, config=AuditConfig(fail_on="none")))
    assert 'id="verdict">PASS<' in passing and "every gate passed (fail-on none)" in passing


def test_statistics_add_a_table_of_rules_above_the_findings(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    assert 'id="statistics"' not in render_html(result)
    page = render_html(result, statistics=True)
    table = page[page.index('id="statistics"') : page.index('id="findings"')]
    rules = Counter(f.rule for f in result.findings)
    for rule, count in rules.items():
        assert f'<th scope="row">{rule}</th><td class="num">{count:,}</td>' in table
    assert len(embedded_data(page)["findings"]) == len(result.findings)  # filters keep them


def test_statistics_on_the_command_line_reach_the_html_page(tmp_path: Path) -> None:
    crate = make_crate(tmp_path / "crate", {"src/lib.rs": "//! Docs.\n"})
    run = CliRunner().invoke(
        cli,
        [
            *("audit", "--static", "--no-cache", "--fail-on", "none", "--format", "html"),
            "--statistics",
            str(crate),
        ],
    )
    assert run.exit_code == 0, run.output
    assert 'id="statistics"' in run.output


_ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=25)


@settings(max_examples=150)
@given(
    message=_ANY_TEXT,
    help_=_ANY_TEXT,
    span=st.tuples(*(st.integers(-1, 10**6) for _ in range(4))),
    related=st.lists(
        st.builds(
            Location,
            path=_ANY_TEXT,
            line=st.integers(0, 10**5),
            column=st.integers(0, 300),
            message=_ANY_TEXT,
        ),
        max_size=55,
    ),
    source=st.sampled_from(["rustpro", "clippy"]),
    also=st.lists(_ANY_TEXT, max_size=2),
    group=st.sampled_from(["", "pedantic"]),
    lines=st.dictionaries(st.integers(1, 40), _ANY_TEXT | st.just("x" * 300), max_size=8),
)
def test_rows_written_as_text_are_what_json_writes(
    message: str,
    help_: str,
    span: tuple[int, int, int, int],
    related: list[Any],
    source: str,
    also: list[str],
    group: str,
    lines: dict[int, str],
) -> None:
    """Each finding's row is written as text (`_finding_row_text`): the same text as
    `json.dumps` of the row as a value, whatever its strings hold."""
    line, column, end_line, end_column = span
    finding = _finding(
        message,
        help=help_,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        related=tuple(related),
        source=source,
        also_reported_by=tuple(also),
        group=group,
    )
    frame = frame_lines(finding)
    excerpt = html_data.Excerpt.of(lines)
    row = html_data._finding_row(finding, frame, excerpt)
    row.update(r=3, s=1, c=2, f=-1)
    expected = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    tail = ',"r":3,"s":1,"c":2,"f":-1}'
    assert html_data._finding_row_text(finding, frame, excerpt, tail) == expected


def test_text_that_spells_the_documents_placeholders_stays_text(tmp_path: Path) -> None:
    """The rows and the source lines are spliced into the dumped document where their keys
    stand: a line, message or help that spells a placeholder is just text."""
    lines = ["fn f() {", "\0rows\0", "\0sources\0", "}", ""]
    root = make_crate(tmp_path / "c", {"src/lib.rs": "\n".join(lines)})
    findings = [_finding("\0rows\0", help="\0sources\0", line=2, end_line=2)]
    data = embedded_data(render_html(_result(root, findings)))
    (row,) = data["findings"]
    assert (row["m"], row["h"]) == ("\0rows\0", "\0sources\0")
    assert data["sources"] == [{"1": "fn f() {\n\0rows\0\n\0sources\0\n}"}]


_SOURCE_BYTES = st.lists(
    st.sampled_from(
        [
            *(b"a", b"fn f() {", b"\\", b"\\n", b'"', b"\n", b"\r", b"\r\n", b"\xff"),
            *(b"\xe2\x82", b"\xe2\x82\xac", b"x" * 130, b"{}", b"%d", b"\t", b"\x00", b"<&>"),
            "é".encode(),
        ]
    ),
    max_size=60,
).map(b"".join)
_FRAMES = st.lists(
    st.tuples(st.integers(1, 30), st.integers(0, 8)).map(lambda span: (span[0], sum(span))),
    max_size=8,
)


@settings(max_examples=300)
@given(source=_SOURCE_BYTES, shown=_FRAMES)
def test_sources_read_by_runs_are_the_lines_read_one_by_one(
    source: bytes, shown: list[tuple[int, int]]
) -> None:
    """`report_data` reads each file's frames a run of lines at a time and writes them as
    JSON text (`read_runs`, `file_sources`): the same lines (those too long for a frame
    left empty) and excerpt as reading the wanted lines one by one (`read`)."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "a.rs").write_bytes(source)
        excerpts = SourceExcerpts(Path(scratch))
        found = excerpts.read("a.rs", [n for first, last in shown for n in range(first, last + 1)])
        runs = excerpts.read_runs("a.rs", html_data.merged_runs(shown))
    plain = html_data.Excerpt.of(found)
    text, excerpt = html_data.file_sources(runs)
    # The runs are written as one string each, split at their newlines by the page.
    embedded = source_lines({"sources": [json.loads(text)]}, 0)
    assert embedded == {n: "" if n in plain.long else line for n, line in found.items()}
    assert (excerpt.long, excerpt.last) == (plain.long, plain.last)
    assert excerpt.lines == {n: found[n] for n in plain.long}


@given(st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 60)), max_size=12))
def test_frame_spans_are_frame_lines(spans: list[tuple[int, int]]) -> None:
    findings = [_finding(line=line, end_line=end_line) for line, end_line in spans]
    assert html_data.frame_spans(findings) == [tuple(frame_lines(f)) for f in findings]


@given(_FRAMES)
def test_merged_runs_cover_the_frames_lines(shown: list[tuple[int, int]]) -> None:
    runs = html_data.merged_runs(shown)
    covered = [n for first, last in runs for n in range(first, last + 1)]
    assert covered == sorted({n for first, last in shown for n in range(first, last + 1)})
    assert all(later[0] > earlier[1] + 1 for earlier, later in itertools.pairwise(runs))


_SCRIPT_TEXT = st.text(st.sampled_from(list('ab<>&/"\\\u2028\u2029\0é日 ')), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    rules=st.lists(st.dictionaries(_SCRIPT_TEXT, _SCRIPT_TEXT, max_size=3), max_size=3),
    sources=st.lists(st.dictionaries(st.integers(1, 99), _SCRIPT_TEXT, max_size=4), max_size=3),
    files=st.lists(_SCRIPT_TEXT, max_size=3),
    rows=st.lists(st.dictionaries(_SCRIPT_TEXT, _SCRIPT_TEXT | st.integers(), max_size=3)),
)
def test_the_document_spliced_from_text_is_script_json_of_its_value(
    rules: list[dict[str, str]],
    sources: list[dict[int, str]],
    files: list[str],
    rows: list[dict[str, Any]],
) -> None:
    """`ReportData.script_json` splices the sources and rows (JSON text) into the dumped
    head and makes each piece safe on its own: the same text as `script_json` of the
    whole document as a value."""
    head = {
        "rules": rules,
        "sources": html_data._SOURCES,
        "files": files,
        "findings": html_data._ROWS,
    }
    dump = functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
    data = html_data.ReportData(head, [dump(s) for s in sources], [dump(r) for r in rows])
    value = {"rules": rules, "sources": sources, "files": files, "findings": rows}
    assert data.script_json() == script_json(value)


@pytest.mark.parametrize(
    "text",
    ["", "plain", "a & b < c > d \"e\" 'f'", "&amp; already", "<script>x</script>", 42, "é·…"],
)
def test_escape_is_html_escape(text: object) -> None:
    """The report's own escaping (which spares it `html.entities`) is `html.escape`'s."""
    import html

    from rustpro.report.html import _e

    assert _e(text) == html.escape(str(text), quote=True)
