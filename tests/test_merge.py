"""One finding per problem: overlapping rules fold into one finding that says both."""

from __future__ import annotations

from pathlib import Path

from rustpro.engine.merge import merge_overlapping
from rustpro.model import Checkpoint, Finding, Location, Severity
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
