"""Merging clippy twins into rustpro's findings."""

from __future__ import annotations

from pathlib import Path

from rustpro.discovery.layout import discover
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolchain.full import project_clippy_lints
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


def test_non_twins_stay_apart_and_lone_twins_do_not_overrule_rustpro() -> None:
    own = _finding("unwrap-in-production", 10, 5)
    elsewhere = _finding("clippy::unwrap_used", 12, 5, source="clippy")
    other_file = _finding("clippy::unwrap_used", 10, 5, path="src/main.rs", source="clippy")
    unrelated = _finding("clippy::ptr_arg", 10, 5, source="clippy")
    not_a_twin = _finding("clippy::needless_return", 10, 5, source="clippy")
    # A twin's lint at a place rustpro judged acceptable (or outside the rule's audience) is
    # rustpro's call: only the lint's own findings elsewhere stand.
    merged = merge_twins([own], [elsewhere, other_file, unrelated, not_a_twin])
    assert merged == [own, not_a_twin]
    # Unless the project enables the lint itself: its own policy stands.
    enabled = frozenset({"clippy::unwrap_used"})
    kept = merge_twins([own], [elsewhere, other_file, unrelated], project_lints=enabled)
    assert kept == [own, elsewhere, other_file]
    # ... also through a clippy group it enables (`ptr_arg` is in `clippy::style`).
    grouped = merge_twins([own], [unrelated], project_lints=frozenset({"clippy::style"}))
    assert grouped == [own, unrelated]


def test_a_multi_line_tool_span_meets_the_static_line_and_keeps_rustpros_severity() -> None:
    # The same code must get the same verdict from --static and full mode: clippy's level
    # (rustpro's own -W flag, or the project's lint table) does not change the finding's.
    own = _finding("missing-panics-doc", 21, 8, checkpoint=Checkpoint.DOCS, severity=Severity.NOTE)
    clippy = _finding("clippy::missing_panics_doc", 20, 1, end_line=22, severity=Severity.WARNING)
    (merged,) = merge_twins([own], [clippy])
    assert merged.severity is Severity.NOTE
    assert merged.also_reported_by == ("clippy::missing_panics_doc",)


def test_the_projects_own_clippy_lints(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "a" / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["a"]\n[workspace.lints.clippy]\nunwrap_used = "deny"\n'
        'pedantic = { level = "warn", priority = -1 }\nexpect_used = "allow"\n'
    )
    (root / "a" / "Cargo.toml").write_text(
        '[package]\nname = "a"\nversion = "0.1.0"\n[lints.clippy]\nptr-arg = "warn"\n'
    )
    (root / "a" / "src" / "lib.rs").write_text("//! a\n")
    assert project_clippy_lints(discover(root)) == {
        "clippy::unwrap_used",
        "clippy::pedantic",
        "clippy::ptr_arg",
    }
