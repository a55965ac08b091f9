"""`--format json` keeps the contract of shared/spec/JSON.md (tests/schemas/report-v1.schema.json),
and its numbers agree with each other and with the files they point at."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]

from rustpro.model import Checkpoint
from rustpro.report.json_report import render_json
from tests.cli_support import isolated_cache, run_cli_process
from tests.report_support import fixed_result
from tests.support import audit, make_crate

__all__ = ["isolated_cache"]

SCHEMA_PATH = Path(__file__).parent / "schemas" / "report-v1.schema.json"

# A crate with something for many checkpoints, in production, test and binary code.
BUSY_LIB = """\
pub mod net;

pub fn port(text: &str) -> u16 {
    text.parse().unwrap()
}

pub fn name(text: Option<&str>) -> String {
    text.expect("a name").to_string()
}

pub unsafe fn raw(p: *const u8) -> u8 {
    *p
}

pub fn fail(flag: bool, other: bool) -> Result<(), String> {
    if flag && other { todo!() } else { Err("no".to_string()) }
}

static mut COUNTER: u32 = 0;

#[cfg(test)]
mod tests {
    #[test]
    fn nothing() {}
}
"""
BUSY_NET = "pub fn connect(addr: &String) -> std::io::Result<()> { let _ = addr; Ok(()) }\n"
BUSY_MAIN = 'fn main() {\n    let v = vec![1];\n    println!("{}", v.first().unwrap());\n}\n'


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(report: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(report)]


def _busy_report(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    root = make_crate(
        tmp_path / "busy",
        {"src/lib.rs": BUSY_LIB, "src/net.rs": BUSY_NET, "src/main.rs": BUSY_MAIN},
    )
    report = json.loads(render_json(audit(root)))
    assert isinstance(report, dict)
    return root, report


def test_fixed_result_matches_schema(tmp_path: Path) -> None:
    report = json.loads(render_json(fixed_result(tmp_path / "crate")))
    assert _errors(report) == []


def test_real_audit_matches_schema(tmp_path: Path) -> None:
    _, report = _busy_report(tmp_path)
    assert report["findings"], "the busy crate should produce findings"
    assert _errors(report) == []


def test_numbers_agree(tmp_path: Path) -> None:
    _, report = _busy_report(tmp_path)
    findings = report["findings"]
    summary = report["summary"]
    assert summary["findings"] == len(findings)
    for severity, key in (("error", "errors"), ("warning", "warnings"), ("note", "notes")):
        assert summary[key] == sum(1 for f in findings if f["severity"] == severity)
    assert list(report["checkpoints"]) == [c.value for c in Checkpoint]
    for name, entry in report["checkpoints"].items():
        mine = [f for f in findings if f["checkpoint"] == name]
        assert entry["findings"] == len(mine), name
        failing = any(f["severity"] in ("error", "warning") for f in mine)
        assert entry["status"] == ("fail" if failing else "pass"), name
        if not mine:
            assert entry["score"] == 100, name
    assert summary["files"] == 3
    assert report["mode"] == "static"


def test_positions_point_into_the_files(tmp_path: Path) -> None:
    root, report = _busy_report(tmp_path)
    assert Path(report["root"]) == root.resolve()
    for finding in report["findings"]:
        path = root / finding["path"]
        assert path.is_file(), finding
        lines = path.read_text(encoding="utf-8").splitlines()
        assert 1 <= finding["line"] <= max(len(lines), 1), finding
        assert (finding["end_line"], finding["end_column"]) >= (
            finding["line"],
            finding["column"],
        ), finding
        if finding["path"].endswith(".rs"):
            assert finding["column"] <= len(lines[finding["line"] - 1]) + 1, finding
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys), "findings are in a stable order"


def test_schema_is_not_vacuous(tmp_path: Path) -> None:
    good = json.loads(render_json(fixed_result(tmp_path / "crate")))
    mutations: list[Callable[[dict[str, Any]], object]] = [
        lambda r: r["checkpoints"].pop("async"),
        lambda r: r["findings"][0].update(path="/abs/src/lib.rs"),
        lambda r: r["findings"][0].update(path="src\\lib.rs"),
        lambda r: r["findings"][0].update(line=0),
        lambda r: r["findings"][0].update(severity="fatal"),
        lambda r: r["findings"][0].pop("help"),
        lambda r: r["checkpoints"]["testing"].pop("reason"),
        lambda r: r["summary"].pop("seconds"),
        lambda r: r.update(version=2),
        lambda r: r.update(mode="fast"),
    ]
    broken_reports: list[dict[str, Any]] = []
    for mutate in mutations:
        report = copy.deepcopy(good)
        mutate(report)
        broken_reports.append(report)
    for report in broken_reports:
        assert _errors(report), "the schema accepted a report that breaks the contract"


def test_json_from_the_cli_with_warnings_on_stderr(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(
        tmp_path / "c", {"src/lib.rs": BUSY_LIB + "mod bad;\n", "src/net.rs": BUSY_NET}
    )
    (root / "src" / "bad.rs").write_bytes(b"\xff\xfe")
    run = run_cli_process(
        ["audit", "--static", "--format", "json", str(root)],
        env={"RUSTPRO_CACHE_DIR": str(isolated_cache)},
    )
    assert run.code == 1
    report = json.loads(run.stdout)
    assert _errors(report) == []
    assert "src/bad.rs: not valid UTF-8" in run.stderr


def test_static_mode_is_reported(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "//! Docs.\n"})
    run = run_cli_process(
        ["audit", "--static", "--format", "json", "--fail-on", "none", str(root)],
        env={"RUSTPRO_CACHE_DIR": str(isolated_cache)},
    )
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["mode"] == "static"
