"""Merging clippy twins into rustpro's findings."""

from __future__ import annotations

from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolchain.twins import merge_twins


def _finding(
    rule: str, line: int, column: int, end_line: int | None = None, **extra: object
) -> Finding:
    values: dict[str, object] = {
        "rule": rule,
        "checkpoint": Checkpoint.ERRORS,
        "severity": Severity.WARNING,
        "path": "src/lib.rs",
        "line": line,
        "column": column,
        "end_line": end_line or line,
        "end_column": column + 8,
        "message": rule,
        "help": "",
        "source": rule.split("::")[0] if "::" in rule else "rustpro",
    }
    values.update(extra)
    return Finding(**values)  # type: ignore[arg-type]


def test_twin_at_the_same_place_becomes_one_finding_naming_both() -> None:
    own = _finding("unwrap-in-production", 34, 38)
    clippy = _finding("clippy::unwrap_used", 34, 5)
    (merged,) = merge_twins([own], [clippy])
    assert merged.rule == "unwrap-in-production"
    assert merged.source == "rustpro"
    assert merged.also_reported_by == ("clippy::unwrap_used",)
    assert merged.column == 38


def test_two_unwraps_on_one_line_pair_by_nearest_column() -> None:
    left, right = _finding("unwrap-in-production", 5, 10), _finding("unwrap-in-production", 5, 40)
    tool = [_finding("clippy::unwrap_used", 5, 30), _finding("clippy::unwrap_used", 5, 2)]
    merged = merge_twins([left, right], tool)
    assert len(merged) == 2
    assert all(f.also_reported_by == ("clippy::unwrap_used",) for f in merged)


def test_non_twins_and_other_places_stay_apart() -> None:
    own = _finding("unwrap-in-production", 10, 5)
    elsewhere = _finding("clippy::unwrap_used", 12, 5)
    other_file = _finding("clippy::unwrap_used", 10, 5, path="src/main.rs")
    unrelated = _finding("clippy::ptr_arg", 10, 5)
    merged = merge_twins([own], [elsewhere, other_file, unrelated])
    assert merged == [own, elsewhere, other_file, unrelated]


def test_a_multi_line_tool_span_meets_the_static_line_and_keeps_rustpros_severity() -> None:
    # The same code must get the same verdict from --static and full mode: clippy's level
    # (rustpro's own -W flag, or the project's lint table) does not change the finding's.
    own = _finding("missing-panics-doc", 21, 8, checkpoint=Checkpoint.DOCS, severity=Severity.NOTE)
    clippy = _finding("clippy::missing_panics_doc", 20, 1, end_line=22, severity=Severity.WARNING)
    (merged,) = merge_twins([own], [clippy])
    assert merged.severity is Severity.NOTE
    assert merged.also_reported_by == ("clippy::missing_panics_doc",)
