"""`--format sarif`: valid against the official SARIF 2.1.0 schema, one result per finding,
paths GitHub can match, and GitHub code scanning's upload limits kept.

The snapshot pins the rendering of the fixed findings of tests/report_support.py (regenerate
with `RUSTPRO_UPDATE_SNAPSHOTS=1 pytest tests/test_sarif.py` and review the diff)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import os
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.catalog import catalog
from rustpro.docsgen import rule_markdown
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.links import REPOSITORY_URL, rule_page_url
from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.report.repository import RepositoryPaths, repository_paths
from rustpro.report.sarif import FINGERPRINT_KEY, SRCROOT, UploadLimits, render_sarif
from rustpro.rules.registry import rule_class
from tests.cli_support import REPO, isolated_cache, run_cli
from tests.report_support import fixed_result
from tests.sarif_support import assert_valid_sarif, check_snapshot, uri_reference
from tests.support import audit, make_crate

__all__ = ["isolated_cache"]

SHOWCASE = REPO / "examples" / "showcase"


def _sarif(result: AuditResult, **options: Any) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render_sarif(result, **options))
    assert_valid_sarif(log)
    return log


def _run(log: dict[str, Any]) -> dict[str, Any]:
    assert len(log["runs"]) == 1
    run: dict[str, Any] = log["runs"][0]
    return run


def _rule_of(run: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """The reportingDescriptor a result points at, through its component and index."""
    component = result.get("rule", {}).get("toolComponent", {}).get("index")
    tool = run["tool"]["driver"] if component is None else run["tool"]["extensions"][component]
    descriptor: dict[str, Any] = tool["rules"][result["ruleIndex"]]
    return descriptor


def _notes(run: dict[str, Any]) -> list[str]:
    notes = run["invocations"][0].get("toolExecutionNotifications", [])
    return [note["message"]["text"] for note in notes]


# ----- the fixed findings: snapshot and structure ------------------------------------------------
def test_sarif_snapshot(tmp_path: Path) -> None:
    log = _sarif(fixed_result(tmp_path / "crate"))
    pinned = copy.deepcopy(log)
    run = _run(pinned)
    # Where the test runs, and the rule pages (pinned by docs/rules/ and test_rule_pages.py).
    run["originalUriBaseIds"][SRCROOT]["uri"] = "file:///<root>/"
    for rule in run["tool"]["driver"]["rules"]:
        if "markdown" in rule["help"]:
            rule["help"]["markdown"] = f"<docs/rules/{rule['id']}.md>"
    check_snapshot("report.sarif", json.dumps(pinned, indent=2, ensure_ascii=False) + "\n")


def test_one_result_per_finding_with_its_rule_level_and_place(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    run = _run(_sarif(result))
    assert len(run["results"]) == len(result.findings)
    for finding, entry in zip(result.findings, run["results"], strict=True):
        assert entry["ruleId"] == finding.rule
        assert _rule_of(run, entry)["id"] == finding.rule
        assert entry["level"] == finding.severity.value
        assert entry["message"]["text"].startswith(finding.message)
        (location,) = entry["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.path, "uriBaseId": SRCROOT}
        assert physical["region"] == {
            "startLine": finding.line,
            "startColumn": finding.column,
            "endLine": finding.end_line,
            "endColumn": finding.end_column,
        }
        assert entry["properties"]["checkpoint"] == finding.checkpoint.value
    assert run["columnKind"] == "unicodeCodePoints"


def test_related_places_are_related_locations_linked_from_the_message(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    run = _run(_sarif(result))
    (entry,) = [r for r in run["results"] if r["ruleId"] == "static-mut"]
    assert len(entry["locations"]) == 1  # never one location (or result) per span
    (related,) = entry["relatedLocations"]
    assert related["id"] == 1
    assert related["message"] == {"text": "written here"}
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "src/main.rs"
    assert related["physicalLocation"]["region"] == {"startLine": 5, "startColumn": 9}
    assert "[src/main.rs:5 written here](1)" in entry["message"]["text"]


def test_rules_describe_the_selected_catalog_with_pages_and_checkpoints(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    run = _run(_sarif(result))
    driver = run["tool"]["driver"]
    assert driver["name"] == "rustpro"
    assert driver["version"] == result.tool_version
    rules = {rule["id"]: rule for rule in driver["rules"]}
    default_rules = {n for n, e in catalog().items() if e.group == "default"}
    fired = {f.rule for f in result.findings if f.source == "rustpro"}
    assert set(rules) == default_rules | fired  # what ran, and whatever reported something
    for name, rule in rules.items():
        entry = catalog()[name]
        assert rule["helpUri"] == rule_page_url(name)
        assert (REPO / "docs" / "rules" / f"{name}.md").is_file()  # the page helpUri names
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert len(rule["fullDescription"]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] == entry.severity.value
        assert rule["properties"]["checkpoint"] == entry.checkpoint.value
        assert rule["properties"]["group"] == entry.group
        assert entry.checkpoint.value in rule["properties"]["tags"]
        cls = rule_class(name)
        assert cls is not None and rule["help"]["markdown"] == rule_markdown(cls)


def test_tool_findings_are_results_of_their_tool_component(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    tools = [
        _tool_finding("rustc::E0308", "rustc", Checkpoint.MEMORY, Severity.ERROR),
        _tool_finding("rustfmt::diff", "rustfmt", Checkpoint.PROJECT, Severity.NOTE),
        _tool_finding("cargo-test::failed", "cargo-test", Checkpoint.TESTING, Severity.ERROR),
        _tool_finding(
            "rustdoc::broken_intra_doc_links", "rustdoc", Checkpoint.DOCS, Severity.WARNING
        ),
        _tool_finding("clippy::brand_new_lint", "clippy", Checkpoint.PROJECT, Severity.WARNING),
    ]
    result.findings = sorted([*result.findings, *tools], key=Finding.sort_key)
    run = _run(_sarif(result))
    names = [component["name"] for component in run["tool"]["extensions"]]
    assert names == ["clippy", "rustc", "rustdoc", "rustfmt", "cargo-test"]
    for entry in run["results"]:
        source = entry["properties"]["source"]
        if source == "rustpro":
            assert "rule" not in entry
            continue
        component = entry["rule"]["toolComponent"]["index"]
        assert run["tool"]["extensions"][component]["name"] == source
        assert entry["rule"]["index"] == entry["ruleIndex"]
        descriptor = _rule_of(run, entry)
        assert descriptor["id"] == entry["ruleId"]
        assert descriptor["helpUri"].startswith("https://")
    by_id = {r["id"]: r for c in run["tool"]["extensions"] for r in c["rules"]}
    assert by_id["rustc::E0308"]["helpUri"].endswith("/error_codes/E0308.html")
    assert by_id["clippy::needless_return"]["helpUri"].endswith("#needless_return")
    assert by_id["rustdoc::broken_intra_doc_links"]["properties"]["checkpoint"] == "docs"


def _tool_finding(rule: str, source: str, checkpoint: Checkpoint, severity: Severity) -> Finding:
    return Finding(
        rule=rule,
        checkpoint=checkpoint,
        severity=severity,
        path="src/lib.rs",
        line=4,
        column=5,
        end_line=4,
        end_column=9,
        message=f"{rule} says so",
        help="",
        source=source,
    )


def test_fingerprints_are_rustpros_and_distinct(tmp_path: Path) -> None:
    from rustpro.fingerprint import fingerprint_findings, source_reader

    result = fixed_result(tmp_path / "crate")
    run = _run(_sarif(result))
    expected = fingerprint_findings(result.findings, source_reader(result.root))
    got = [entry["partialFingerprints"][FINGERPRINT_KEY] for entry in run["results"]]
    assert got == expected
    assert len(set(got)) == len(got)
    # GitHub computes primaryLocationLineHash itself; a made-up one would clash with it.
    assert all("primaryLocationLineHash" not in e["partialFingerprints"] for e in run["results"])


def test_invocation_records_exit_code_and_warnings(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.warnings = ["a member is missing"]
    run = _run(_sarif(result, exit_code=1))
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    assert invocation["exitCode"] == 1
    notes = _notes(run)
    assert "a member is missing" in notes
    assert any(n.startswith("src/huge.rs: skipped") for n in notes)
    assert "src/broken.rs:3: syntax error; audited the rest of the file" in notes
    clean = _run(_sarif(result, exit_code=0))
    assert clean["invocations"][0]["exitCode"] == 0


# ----- GitHub's limits ---------------------------------------------------------------------------
def _many(count: int, related: int = 0) -> list[Finding]:
    severities = (Severity.NOTE, Severity.WARNING, Severity.ERROR)
    return [
        Finding(
            rule="unwrap-in-production",
            checkpoint=Checkpoint.ERRORS,
            severity=severities[index % 3],
            path="src/lib.rs",
            line=index + 1,
            column=1,
            end_line=index + 1,
            end_column=5,
            # Text that compresses as badly as real prose and paths do, or worse.
            message=f"finding number {index} " + hashlib.sha256(bytes(index)).hexdigest() * 3,
            help="",
            related=tuple(Location("src/lib.rs", n + 1, 1, f"place {n}") for n in range(related)),
        )
        for index in range(count)
    ]


def test_more_results_than_a_run_takes_keeps_the_most_severe(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.findings = _many(30)
    run = _run(_sarif(result, limits=UploadLimits(results_per_run=10)))
    assert len(run["results"]) == 10
    assert {r["level"] for r in run["results"]} == {"error"}
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]]
    assert lines == sorted(lines)  # still in report order
    assert any("20 of 30 findings are left out" in n for n in _notes(run))


def test_a_file_over_the_gzip_limit_is_cut_to_fit(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.findings = _many(2000)
    whole = len(gzip.compress(render_sarif(result).encode("utf-8")))
    limit = whole * 4 // 5
    text = render_sarif(result, limits=UploadLimits(gzip_bytes=limit))
    assert len(gzip.compress(text.encode("utf-8"))) <= limit
    run = _run(json.loads(text))
    assert 1000 < len(run["results"]) < 2000
    assert any("gzipped" in n for n in _notes(run))
    assert_valid_sarif(json.loads(text))


def test_related_locations_are_capped_per_result(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.findings = _many(1, related=30)
    run = _run(_sarif(result, limits=UploadLimits(locations_per_result=20)))
    (entry,) = run["results"]
    assert len(entry["locations"]) + len(entry["relatedLocations"]) == 20
    assert "and 20 more" in entry["message"]["text"]  # 10 linked, the rest counted
    assert any("more than 19 related locations" in n for n in _notes(run))


def test_a_real_size_report_is_far_below_the_limits(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.findings = _many(25_000)
    text = render_sarif(result)
    assert len(json.loads(text)["runs"][0]["results"]) == 25_000
    assert len(gzip.compress(text.encode("utf-8"))) < 10_000_000


# ----- paths from the top of the repository ------------------------------------------------------
def test_paths_are_relative_to_the_git_top_level(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    crate = make_crate(
        tmp_path / "rust" / "my crate",
        {"src/lib.rs": "pub fn f(x: Option<u8>) -> u8 {\n    x.unwrap()\n}\n"},
    )
    result = audit(crate, select=("unwrap-in-production",))
    assert result.findings
    run = _run(_sarif(result))
    base = run["originalUriBaseIds"][SRCROOT]["uri"]
    assert base == tmp_path.resolve().as_uri() + "/"
    uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "rust/my%20crate/src/lib.rs"
    assert run["properties"]["auditRoot"] == "rust/my crate"


def test_paths_outside_git_are_relative_to_the_audited_root(tmp_path: Path) -> None:
    paths = repository_paths(tmp_path)
    if paths.in_git:
        pytest.skip("the temporary directory is inside a git repository here")
    assert paths.uri("src/é.rs") == "src/%C3%A9.rs"
    assert paths.top_uri() == tmp_path.resolve().as_uri() + "/"


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\0")))
def test_any_path_becomes_a_valid_relative_uri_that_decodes_back(name: str) -> None:
    paths = RepositoryPaths(Path("/repo"), "crates/a b/", in_git=True)
    uri = paths.uri(f"src/{name}.rs")
    assert uri_reference(uri)
    assert unquote(uri) == paths.path(f"src/{name}.rs")


def test_degenerate_spans_become_valid_regions(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    reversed_span = replace(result.findings[1], line=3, column=7, end_line=2, end_column=1)
    zero = replace(result.findings[1], line=0, column=0, end_line=0, end_column=0)
    result.findings = [reversed_span, zero]
    run = _run(_sarif(result))
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in run["results"]]
    assert regions == [
        {"startLine": 3, "startColumn": 7, "endLine": 3, "endColumn": 7},
        {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1},
    ]


# ----- real audits -------------------------------------------------------------------------------
def test_static_audit_of_the_showcase_is_valid_sarif() -> None:
    result = audit(SHOWCASE, select=("all",))
    run = _run(_sarif(result))
    assert len(run["results"]) == len(result.findings)
    top = Path(run["originalUriBaseIds"][SRCROOT]["uri"].removeprefix("file://"))
    for entry in run["results"]:
        uri = entry["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (top / uri).is_file(), uri  # GitHub finds the file under the top it checks out
        assert _rule_of(run, entry)["id"] == entry["ruleId"]


@pytest.mark.cargo
def test_full_audit_of_the_showcase_is_valid_sarif(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.environ.get("RUSTPRO_CARGO_TESTS") != "1":
        pytest.skip("set RUSTPRO_CARGO_TESTS=1 to build the showcase (downloads tokio)")
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    from rustpro.toolchain.full import FullMode
    from rustpro.toolchain.session import FullModeOptions

    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    copy_root = tmp_path / "showcase"
    shutil.copytree(SHOWCASE, copy_root)
    options = AuditOptions(static=False, use_cache=False, workers=1, fail_on="note")
    mode = FullMode(FullModeOptions(target_dir=tmp_path / "target", progress=False))
    result = run_audit(copy_root, options, extra=mode)
    tools = {f.source for f in result.findings} - {"rustpro"}
    assert tools, "full mode folded in no tool finding"
    run = _run(_sarif(result))
    assert len(run["results"]) == len(result.findings)
    assert {c["name"] for c in run["tool"]["extensions"]} == tools


# ----- the command line and the project's links --------------------------------------------------
def test_cli_prints_sarif_and_exits_as_the_invocation_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_cache: Path
) -> None:
    crate = make_crate(
        tmp_path / "c", {"src/lib.rs": "pub fn f(x: Option<u8>) -> u8 {\n    x.unwrap()\n}\n"}
    )
    run = run_cli(["audit", "--static", "--format", "sarif", str(crate)], capsys)
    log = json.loads(run.stdout)
    assert_valid_sarif(log)
    assert log["runs"][0]["invocations"][0]["exitCode"] == run.code == 1


def test_rules_command_does_not_take_report_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["rules", "--format", "sarif"], capsys).code == 2


def test_the_repository_address_is_the_one_pyproject_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Repository"] == REPOSITORY_URL


# ----- the results written as text ---------------------------------------------------------------
_TEXTS = st.text(st.characters(codec="utf-8"), max_size=30)
# Paths name files: no NUL (the file system refuses it before any report is written).
_PATHS = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=20)
_PLACES = st.builds(
    Location,
    path=_PATHS,
    line=st.integers(-2, 10**6),
    column=st.integers(-2, 500),
    message=_TEXTS,
)


@settings(max_examples=60, deadline=None)
@given(
    messages=st.lists(st.tuples(_PATHS, _TEXTS, _TEXTS), min_size=1, max_size=4),
    related=st.lists(_PLACES, max_size=14),
    spans=st.tuples(*(st.integers(-1, 10**6) for _ in range(4))),
    group=st.sampled_from(["", "pedantic"]),
    also=st.lists(_TEXTS, max_size=2),
)
def test_results_written_as_text_are_what_json_writes(
    tmp_path_factory: pytest.TempPathFactory,
    messages: list[tuple[str, str, str]],
    related: list[Location],
    spans: tuple[int, int, int, int],
    group: str,
    also: list[str],
) -> None:
    """`render_sarif` writes each result as text (`_RunBuilder.text`): the same text as
    `json.dumps` of the dict the builder describes it with, whatever the strings hold."""
    from rustpro.report import sarif

    result = fixed_result(tmp_path_factory.mktemp("crate"))
    line, column, end_line, end_column = spans
    extra = [
        Finding(
            rule=rule,
            checkpoint=Checkpoint.ERRORS,
            severity=Severity.WARNING,
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            message=message,
            help=message[::-1],
            related=tuple(related),
            also_reported_by=tuple(also),
            group=group,
        )
        for path, message, rule in messages
    ]
    tool = _tool_finding("clippy::brand_new_lint", "clippy", Checkpoint.PROJECT, Severity.NOTE)
    # The same findings again in another group and checkpoint: results share their messages
    # and properties, which the builder writes once.
    again = [
        replace(f, group="style" if f.group else "", checkpoint=Checkpoint.DOCS) for f in extra
    ]
    result.findings = [
        *result.findings,
        *extra,
        *again,
        *extra,
        replace(tool, related=tuple(related[:2])),
    ]
    limits = UploadLimits(locations_per_result=5)
    run = sarif._RunBuilder(result, 1, limits)
    kept = run.most_severe(len(result.findings))
    assert run.text(kept) == sarif._dump(run.log(kept))
    assert run.text(kept[1:], size_limited=True) == sarif._dump(
        run.log(kept[1:], size_limited=True)
    )


def test_text_that_spells_the_results_placeholder_stays_text(tmp_path: Path) -> None:
    result = fixed_result(tmp_path / "crate")
    result.warnings = ["\0results\0"]
    result.findings = [replace(result.findings[0], message="\0results\0")]
    run = _run(_sarif(result, exit_code=1))
    assert [entry["message"]["text"].split("\n")[0] for entry in run["results"]] == ["\0results\0"]
    assert "\0results\0" in _notes(run)
