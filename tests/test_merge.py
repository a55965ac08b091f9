"""One finding per problem: overlapping rules fold into one finding that says both."""

from __future__ import annotations

from pathlib import Path

from rustpro.engine.merge import merge_overlapping
from rustpro.model import Bundle, Checkpoint, Finding, Location, Severity
from tests.support import audit, make_crate

PORT = """\
//! Ports.
pub fn port(t: &str) -> Result<u16, std::num::ParseIntError> {
    t.parse()
}
"""


def _finding(
    rule: str,
    line: int,
    column: int = 5,
    severity: Severity = Severity.WARNING,
    related: tuple[Location, ...] = (),
    path: str = "src/lib.rs",
    bundle: Bundle | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        checkpoint=Checkpoint.DOCS,
        severity=severity,
        path=path,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 3,
        message=f"{rule} message",
        help="help",
        related=related,
        bundle=bundle,
    )


def test_section_rules_fold_into_missing_docs() -> None:
    merged = merge_overlapping(
        [
            _finding("missing-docs", 3),
            _finding("missing-errors-doc", 3),
            _finding("missing-panics-doc", 3, severity=Severity.NOTE),
            _finding("missing-errors-doc", 9),  # another function: kept
        ]
    )
    assert [(f.rule, f.line) for f in merged] == [("missing-docs", 3), ("missing-errors-doc", 9)]
    assert merged[0].message.endswith("its docs will need `# Errors` and `# Panics`")


def test_missing_panics_doc_folds_into_the_panic_site_it_points_at() -> None:
    site = _finding("unwrap-in-production", 7, column=12)
    doc = _finding(
        "missing-panics-doc",
        2,
        severity=Severity.NOTE,
        related=(Location("src/lib.rs", 7, 12, "panics here"),),
    )
    other = _finding(
        "missing-panics-doc", 20, related=(Location("src/lib.rs", 25, 3, "panics here"),)
    )
    merged = merge_overlapping([doc, site, other])
    assert [(f.rule, f.line) for f in merged] == [
        ("unwrap-in-production", 7),
        ("missing-panics-doc", 20),
    ]
    assert "missing-panics-doc message" in merged[0].message
    assert merged[0].severity is Severity.WARNING
    assert merged[0].related[-1].line == 2


def test_no_error_path_tests_says_nothing_no_unit_tests_has_not() -> None:
    untested = _finding("no-unit-tests", 1, path="a/Cargo.toml")
    merged = merge_overlapping(
        [
            untested,
            _finding("no-error-path-tests", 1, path="a/Cargo.toml"),
            _finding("no-error-path-tests", 1, path="b/Cargo.toml"),
        ]
    )
    assert [(f.rule, f.path) for f in merged] == [
        ("no-unit-tests", "a/Cargo.toml"),
        ("no-error-path-tests", "b/Cargo.toml"),
    ]


def test_an_undocumented_result_function_is_reported_once(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "c",
        {"src/lib.rs": PORT},
    )
    result = audit(root, select=("missing-docs", "missing-errors-doc"))
    assert [f.rule for f in result.findings] == ["missing-docs"]
    assert "`# Errors`" in result.findings[0].message


def test_an_ignored_rule_absorbs_nothing(tmp_path: Path) -> None:
    # Folding runs after selection: with missing-docs off, missing-errors-doc stands.
    root = make_crate(
        tmp_path / "c",
        {"src/lib.rs": PORT},
    )
    result = audit(root, select=("missing-errors-doc",))
    assert [f.rule for f in result.findings] == ["missing-errors-doc"]


def test_an_unwrap_in_an_undocumented_panicking_function_is_reported_once(
    tmp_path: Path,
) -> None:
    code = (
        "//! Ports.\n"
        "/// Reads a port.\n"
        "pub fn port(text: &str) -> u16 {\n"
        "    text\n"
        "        .trim()\n"
        "        .parse()\n"
        "        .unwrap()\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": code})
    result = audit(root, select=("unwrap-in-production", "missing-panics-doc"))
    assert [(f.rule, f.line) for f in result.findings] == [("unwrap-in-production", 7)]
    assert "no `# Panics`" in result.findings[0].message
    alone = audit(root, select=("missing-panics-doc",))
    assert [(f.rule, f.line) for f in alone.findings] == [("missing-panics-doc", 3)]


def _member(name: str, key: str = "table", minimum: int = 3) -> Bundle:
    return Bundle(key, minimum, "{count} constants have no docs", "document the table", name)


def test_a_large_group_is_one_finding_at_its_first_member() -> None:
    members = [
        _finding("missing-docs", line, bundle=_member(f"`C{line}`"), severity=severity)
        for line, severity in ((12, Severity.WARNING), (10, Severity.NOTE), (11, Severity.NOTE))
    ]
    other = _finding("missing-docs", 30, bundle=_member("`D`", key="other"))
    merged = merge_overlapping([*members, other])
    assert [(f.line, f.message) for f in merged] == [
        (10, "3 constants have no docs"),
        (30, "missing-docs message"),  # a group of one, below its minimum
    ]
    head = merged[0]
    assert head.help == "document the table"
    assert [(r.line, r.message) for r in head.related] == [(11, "`C11`"), (12, "`C12`")]
    assert head.severity is Severity.WARNING
    assert all(f.bundle is None for f in merged)


def test_groups_are_per_file_and_rule() -> None:
    merged = merge_overlapping(
        [
            _finding("missing-docs", 1, bundle=_member("`A`", minimum=2)),
            _finding("missing-docs", 1, bundle=_member("`B`", minimum=2), path="src/b.rs"),
            _finding("missing-errors-doc", 2, bundle=_member("`C`", minimum=2)),
        ]
    )
    assert len(merged) == 3
    assert not any(f.related for f in merged)


def _setters(count: int, documented: bool = True) -> str:
    lines = ["//! Sockets.", "use std::io;", "/// A socket.", "pub struct Socket;", "impl Socket {"]
    for index in range(count):
        if documented:
            lines.append(f"    /// Sets option {index}.")
        lines.append(f"    pub fn set_{index}(&self) -> io::Result<()> {{ Ok(()) }}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def test_a_type_documenting_no_errors_is_one_finding(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": _setters(9)})
    result = audit(root, select=("missing-errors-doc",))
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.line == 7
    assert finding.message.startswith("9 public functions of `Socket` return a `Result`")
    assert [r.message for r in finding.related] == [f"`set_{i}`" for i in range(1, 9)]


def test_a_suppressed_member_does_not_count(tmp_path: Path) -> None:
    code = _setters(8).replace(
        "    /// Sets option 3.\n",
        "    /// Sets option 3.\n    // rustpro: allow(missing-errors-doc) -- infallible\n",
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": code})
    result = audit(root, select=("missing-errors-doc",))
    assert len(result.findings) == 7  # below the bar again: one finding per function
    assert not any(f.related for f in result.findings)


def test_undocumented_functions_are_missing_docs_not_group_members(tmp_path: Path) -> None:
    # Their missing `# Errors` is part of each one's `missing-docs` finding already.
    root = make_crate(tmp_path / "c", {"src/lib.rs": _setters(9, documented=False)})
    result = audit(root, select=("missing-docs", "missing-errors-doc"))
    assert [f.rule for f in result.findings] == ["missing-docs"] * 9
    assert all("`# Errors`" in f.message for f in result.findings)


def test_the_text_report_lists_a_few_members_and_counts_the_rest(tmp_path: Path) -> None:
    from rustpro.report.text import RELATED_SHOWN, SourceLines, render_finding

    members = tuple(Location("src/lib.rs", line, 5, f"`C{line}`") for line in range(2, 14))
    finding = _finding("missing-docs", 1, related=members)
    lines = [text.plain for text in render_finding(finding, SourceLines(tmp_path))]
    notes = [line for line in lines if "= note" in line]
    assert len(notes) == RELATED_SHOWN + 1
    assert notes[-1].endswith(
        f"and {len(members) - RELATED_SHOWN} more (`--format json` lists them all)"
    )
