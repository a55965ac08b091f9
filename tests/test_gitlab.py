"""`--format gitlab`: GitLab's code-quality report, one issue per finding with a fingerprint of
its own (regenerate the snapshot with `RUSTPRO_UPDATE_SNAPSHOTS=1 pytest tests/test_gitlab.py`
and review the diff)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.fingerprint import fingerprint_findings, source_reader
from rustpro.model import Severity
from rustpro.report.gitlab import SEVERITY, render_gitlab, unique
from tests.cli_support import isolated_cache, run_cli
from tests.report_support import fixed_result
from tests.sarif_support import check_snapshot
from tests.support import audit, make_crate

__all__ = ["isolated_cache"]

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}
# Two parses that panic on bad input: warnings, on one line.
UNWRAPS = (
    "pub fn f(a: &str, b: &str) -> u16 {\n"
    "    a.parse::<u16>().unwrap() + b.parse::<u16>().unwrap()\n"
    "}\n"
)


def _issues(text: str) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = json.loads(text)
    assert isinstance(issues, list)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"] and issue["check_name"] and issue["fingerprint"]
        assert issue["severity"] in GITLAB_SEVERITIES
        assert set(issue["location"]) == {"path", "lines"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
    return issues


def test_gitlab_snapshot(tmp_path: Path) -> None:
    issues = _issues(render_gitlab(fixed_result(tmp_path / "crate")))
    check_snapshot("report.gitlab.json", json.dumps(issues, indent=2, ensure_ascii=False) + "\n")


def test_one_issue_per_finding_with_rustpros_fingerprint(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    issues = _issues(render_gitlab(result))
    assert len(issues) == len(result.findings)
    expected = fingerprint_findings(result.findings, source_reader(result.root))
    for finding, issue, fingerprint in zip(result.findings, issues, expected, strict=True):
        assert issue["check_name"] == finding.rule
        assert issue["description"] == finding.message
        assert issue["severity"] == SEVERITY[finding.severity]
        assert issue["location"] == {"path": finding.path, "lines": {"begin": finding.line}}
        assert issue["fingerprint"] == fingerprint
    assert {f.source for f in result.findings} > {"rustpro"}  # tool findings are issues too


def test_fingerprints_are_unique_even_for_findings_rustpro_cannot_tell_apart(
    tmp_path: Path,
) -> None:
    result = fixed_result(tmp_path / "crate")
    twin = result.findings[1]
    result.findings = [twin, twin, twin]  # same rule, same place, same text
    issues = _issues(render_gitlab(result))
    assert len({issue["fingerprint"] for issue in issues}) == 3


@given(st.lists(st.sampled_from(["a", "b", "c", "", "0"]), max_size=40))
def test_unique_keeps_first_occurrences_and_never_repeats(fingerprints: list[str]) -> None:
    made = unique(fingerprints)
    assert len(made) == len(fingerprints)
    assert len(set(made)) == len(made)
    for index, (original, kept) in enumerate(zip(fingerprints, made, strict=True)):
        if fingerprints.index(original) == index:
            assert kept == original  # a finding's first occurrence keeps rustpro's fingerprint


def test_paths_are_relative_to_the_git_top_level(tmp_path: Path) -> None:
    (tmp_path / ".git").write_text("gitdir: elsewhere\n")  # a worktree's or submodule's
    crate = make_crate(tmp_path / "crates" / "net", {"src/lib.rs": UNWRAPS})
    result = audit(crate, select=("unwrap-in-production",))
    issues = _issues(render_gitlab(result))
    assert [i["location"]["path"] for i in issues] == ["crates/net/src/lib.rs"] * 2
    assert [i["location"]["lines"]["begin"] for i in issues] == [2, 2]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_cli_prints_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_cache: Path
) -> None:
    crate = make_crate(tmp_path / "c", {"src/lib.rs": UNWRAPS})
    run = run_cli(
        ["audit", "--static", "--select", "unwrap-in-production", "--format", "gitlab", str(crate)],
        capsys,
    )
    assert run.code == 1
    issues = _issues(run.stdout)
    assert {i["check_name"] for i in issues} == {"unwrap-in-production"}


def test_a_clean_crate_is_an_empty_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_cache: Path
) -> None:
    crate = make_crate(tmp_path / "c", {"src/lib.rs": "//! Nothing.\n"})
    run = run_cli(
        ["audit", "--static", "--select", "unwrap-in-production", "--format", "gitlab", str(crate)],
        capsys,
    )
    assert run.code == 0
    assert json.loads(run.stdout) == []


def test_every_severity_has_a_gitlab_severity() -> None:
    from rustpro.model import Severity

    assert set(SEVERITY) == set(Severity)
    assert set(SEVERITY.values()) <= GITLAB_SEVERITIES


_TEXTS = st.text(st.characters(codec="utf-8"), max_size=20)
_PATHS = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=12)


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(_TEXTS, _TEXTS, _PATHS, st.integers(-3, 10**6), st.sampled_from(Severity)),
        max_size=5,
    )
)
def test_issues_written_as_text_are_what_json_writes(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, str, int, Severity]]
) -> None:
    """Each issue is written out as text: the report is `json.dumps` of the issues."""
    from rustpro.report.gitlab import issue
    from rustpro.report.repository import repository_paths

    result = fixed_result(tmp_path_factory.mktemp("crate"))
    base = result.findings[0]
    result.findings = [
        replace(base, message=message, rule=rule, path=path, line=line, severity=severity)
        for message, rule, path, line, severity in rows
    ]
    prints = unique(fingerprint_findings(result.findings, source_reader(result.root)))
    paths = repository_paths(result.root)
    issues = [issue(f, p, paths.path(f.path)) for f, p in zip(result.findings, prints, strict=True)]
    expected = json.dumps(issues, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert render_gitlab(result) == expected
