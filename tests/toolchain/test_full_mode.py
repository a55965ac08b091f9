"""Full mode on real fixture crates with real cargo: findings, checkpoints and evidence."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.report.json_report import report_to_dict
from rustpro.report.text import render_text
from tests.toolchain.conftest import FullAudit, audit_full, full_options

pytestmark = pytest.mark.cargo


def _tool_findings(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.source != "rustpro" or f.also_reported_by]


def _evidence(result: AuditResult, checkpoint: Checkpoint) -> str:
    outcome = result.checkpoints[checkpoint]
    return " | ".join([*outcome.evidence, *outcome.details])


def test_clean_crate_passes_every_step(full_audit: FullAudit) -> None:
    result = full_audit("clean")
    assert result.mode == "full"
    assert _tool_findings(result) == []
    assert all(outcome.status == "pass" for outcome in result.checkpoints.values())
    assert "compiles: yes (clippy" in _evidence(result, Checkpoint.MEMORY)
    assert "clippy: clean" in _evidence(result, Checkpoint.ERRORS)
    assert "2 passed, 0 failed, 0 ignored" in _evidence(result, Checkpoint.TESTING)
    assert "doctests fixture_clean: 1 passed" in _evidence(result, Checkpoint.TESTING)
    assert "docs build: yes, 0 rustdoc warning(s)" in _evidence(result, Checkpoint.DOCS)
    project = _evidence(result, Checkpoint.PROJECT)
    assert "rustfmt: clean" in project
    assert "cargo metadata: 1 package(s), 1 target(s) confirmed" in project


def test_crate_that_does_not_compile_fails_memory_with_rustc_errors(full_audit: FullAudit) -> None:
    result = full_audit("broken")
    errors = sorted((f.rule, f.line) for f in result.findings if f.source == "rustc")
    assert errors == [("rustc::E0308", 12), ("rustc::E0502", 6)]
    assert result.checkpoints[Checkpoint.MEMORY].status == "fail"
    assert "compiles: no, 2 error(s)" in _evidence(result, Checkpoint.MEMORY)
    assert "clippy: clean so far (incomplete" in _evidence(result, Checkpoint.MEMORY)
    assert "tests: not run (the project does not compile)" in _evidence(result, Checkpoint.TESTING)
    assert "docs build: not run" in _evidence(result, Checkpoint.DOCS)


def test_failing_test_and_doctest_become_testing_errors(full_audit: FullAudit) -> None:
    result = full_audit("failing")
    failed = sorted(
        (f.path, f.line, f.message) for f in result.findings if f.rule == "cargo-test::failed"
    )
    assert [(path, line) for path, line, _ in failed] == [("src/lib.rs", 5), ("src/lib.rs", 34)]
    doctest, unit = (message for _, _, message in failed)
    assert doctest.startswith("test `src/lib.rs - double (line 5)` failed: assertion")
    assert "three twos are six" in unit
    assert all(
        f.severity is Severity.ERROR and f.checkpoint is Checkpoint.TESTING
        for f in result.findings
        if f.rule == "cargo-test::failed"
    )
    assert result.checkpoints[Checkpoint.TESTING].status == "fail"
    evidence = _evidence(result, Checkpoint.TESTING)
    assert "2 passed, 2 failed, 1 ignored (2 test binaries" in evidence
    assert "unittests src/lib.rs (fixture_failing): 1 passed, 1 failed, 1 ignored" in evidence


def test_unformatted_crate_gets_one_rustfmt_note_per_file(full_audit: FullAudit) -> None:
    result = full_audit("unformatted")
    notes = [f for f in result.findings if f.rule == "rustfmt::diff"]
    assert [(f.path, f.line, f.severity) for f in notes] == [("src/lib.rs", 2, Severity.NOTE)]
    assert "rustfmt: 1 file(s) would change" in _evidence(result, Checkpoint.PROJECT)


def test_rustdoc_warnings_fail_docs(full_audit: FullAudit) -> None:
    result = full_audit("docwarn")
    docs = sorted((f.rule, f.line) for f in result.findings if f.source == "rustdoc")
    assert docs == [("rustdoc::broken_intra_doc_links", 3), ("rustdoc::invalid_html_tags", 5)]
    assert result.checkpoints[Checkpoint.DOCS].status == "fail"
    assert "docs build: yes, 2 rustdoc warning(s)" in _evidence(result, Checkpoint.DOCS)


def test_crates_io_dependency_builds_and_twins_merge(full_audit: FullAudit) -> None:
    result = full_audit("withdep")
    assert "compiles: yes (clippy" in _evidence(result, Checkpoint.MEMORY)
    assert "2 passed, 0 failed" in _evidence(result, Checkpoint.TESTING)
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["unwrap-in-production"].also_reported_by == ("clippy::unwrap_used",)
    # clippy's twin findings are counted apart from its own: they are shown under
    # rustpro's rules (or judged away with them), never as a count with no findings.
    errors = _evidence(result, Checkpoint.ERRORS)
    assert "clippy: clean, and 1 twin finding(s) left to rustpro's rules" in errors
    assert by_rule["ref-vec-param"].also_reported_by == ("clippy::ptr_arg",)
    # Merged twins leave no clippy copy behind, and test code's unwrap is nobody's finding.
    assert "clippy::unwrap_used" not in by_rule
    assert "clippy::ptr_arg" not in by_rule
    places = Counter((f.path, f.line) for f in result.findings if f.path.endswith(".rs"))
    assert places[("src/lib.rs", 34)] == 1
    assert ("src/lib.rs", 43) not in places


@pytest.mark.parametrize("name", ["clean", "broken", "failing", "docwarn", "withdep"])
def test_no_finding_is_reported_twice(full_audit: FullAudit, name: str) -> None:
    result = full_audit(name)
    keys = Counter((f.rule, f.path, f.line, f.column) for f in result.findings)
    assert [key for key, count in keys.items() if count > 1] == []


SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "report-v1.schema.json"


@pytest.mark.parametrize(
    "name", ["clean", "broken", "failing", "unformatted", "docwarn", "withdep"]
)
def test_full_mode_reports_keep_the_json_contract(full_audit: FullAudit, name: str) -> None:
    report = report_to_dict(full_audit(name))
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [error.message for error in validator.iter_errors(report)] == []
    assert report["mode"] == "full"
    assert all(report["checkpoints"][c]["evidence"] for c in ("memory", "testing", "project"))


def test_workspace_members_get_paths_under_their_own_directories(full_audit: FullAudit) -> None:
    result = full_audit("workspace")
    failed = sorted(
        (f.path, f.line, f.message) for f in result.findings if f.rule == "cargo-test::failed"
    )
    assert [(path, line) for path, line, _ in failed] == [
        ("crates/alpha/src/lib.rs", 5),  # the doctest
        ("crates/alpha/src/lib.rs", 26),  # the unit test's panic
        ("crates/beta/tests/api.rs", 4),  # `fn greets_politely`: an `Err` has no panic place
    ]
    assert 'Error: "impolite: hello ada"' in failed[2][2]
    merged = next(f for f in result.findings if f.rule == "unwrap-in-production")
    assert (merged.path, merged.also_reported_by) == (
        "crates/alpha/src/lib.rs",
        ("clippy::unwrap_used",),
    )
    evidence = _evidence(result, Checkpoint.TESTING)
    assert "0 passed, 3 failed, 0 ignored (5 test binaries" in evidence
    assert "unittests src/lib.rs (ws_alpha): 0 passed, 1 failed, 0 ignored" in evidence
    assert "cargo metadata: 2 package(s), 3 target(s) confirmed" in _evidence(
        result, Checkpoint.PROJECT
    )


def test_one_member_audited_alone_builds_only_itself(
    cargo_crates: Path, cargo_target_dir: Path
) -> None:
    result = audit_full(
        cargo_crates / "workspace" / "crates" / "alpha", full_options(cargo_target_dir)
    )
    failed = sorted((f.path, f.line) for f in result.findings if f.rule == "cargo-test::failed")
    # Paths are relative to the member, though cargo prints them from the workspace root.
    assert failed == [("src/lib.rs", 5), ("src/lib.rs", 26)]
    assert "0 passed, 2 failed, 0 ignored (2 test binaries" in _evidence(result, Checkpoint.TESTING)
    assert "cargo metadata: 1 package(s), 1 target(s) confirmed" in _evidence(
        result, Checkpoint.PROJECT
    )


def test_text_table_shows_one_line_of_test_evidence_and_json_every_binary(
    full_audit: FullAudit,
) -> None:
    result = full_audit("workspace")  # five test binaries
    text = render_text(result, color=False)
    table = text[text.index("\ncheckpoint ") :].splitlines()
    start = next(i for i, line in enumerate(table) if line.startswith("testing "))
    end = next(i for i, line in enumerate(table) if line.startswith("docs "))
    testing_rows = table[start:end]
    assert len(testing_rows) <= 2, testing_rows  # the summary line, wrapped at most once
    assert "unittests" not in " ".join(testing_rows)
    evidence = report_to_dict(result)["checkpoints"]["testing"]["evidence"]
    assert evidence[0].startswith("0 passed, 3 failed, 0 ignored (5 test binaries")
    assert "unittests src/lib.rs (ws_alpha): 0 passed, 1 failed, 0 ignored" in evidence
