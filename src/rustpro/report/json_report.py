"""`--format json`: the contract of shared/spec/JSON.md, version 1."""

from __future__ import annotations

from typing import Any

from rustpro.engine.audit import AuditResult
from rustpro.model import CheckpointResult, Finding, Severity
from rustpro.outcome import verdict
from rustpro.report.jsontext import dumps
from rustpro.report.statistics import rule_statistics
from rustpro.scoring import overall_score


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the contract spells it (extra keys only when they carry something)."""
    data: dict[str, Any] = {
        "rule": finding.rule,
        "checkpoint": finding.checkpoint.value,
        "severity": finding.severity.value,
        "source": finding.source,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "help": finding.help,
    }
    if finding.related:
        data["related"] = [
            {"path": r.path, "line": r.line, "column": r.column, "message": r.message}
            for r in finding.related
        ]
    if finding.also_reported_by:
        data["also_reported_by"] = list(finding.also_reported_by)
    if finding.group:
        data["group"] = finding.group  # an opt-in tier of its rule (`pedantic`)
    return data


def checkpoint_json(outcome: CheckpointResult, *, evidence: bool = True) -> dict[str, Any]:
    """A checkpoint as the report's `checkpoints` map holds it (SARIF's run properties leave
    out the `evidence`)."""
    entry: dict[str, Any] = {
        "status": outcome.status,
        "score": outcome.score,
        "findings": outcome.findings,
    }
    if outcome.reason:
        entry["reason"] = outcome.reason
    if evidence and (outcome.evidence or outcome.details):
        entry["evidence"] = [*outcome.evidence, *outcome.details]
    return entry


def report_to_dict(result: AuditResult) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    checkpoints = {
        checkpoint.value: checkpoint_json(outcome)
        for checkpoint, outcome in result.checkpoints.items()
    }
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    judged = verdict(result)
    return {
        "version": 1,
        "tool": {"name": "rustpro", "version": result.tool_version},
        "root": str(result.root),
        "mode": result.mode,
        "findings": [finding_to_dict(f) for f in result.findings],
        "checkpoints": checkpoints,
        "summary": {
            "files": result.files,
            "findings": len(result.findings),
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "notes": counts[Severity.NOTE],
            "seconds": round(result.seconds, 3),
            "lines": result.lines,
            "score": overall_score(result.checkpoints),
            "suppressed": result.suppressed,
            "parse_errors": len(result.parse_errors),
            "skipped_files": len(result.skipped_files),
            "crates": result.crates,
            "fail_on": result.config.fail_on,
            "not_compiled": result.not_compiled,
            "generated_files": len(result.generated_files),
            "docs_only_modules": result.docs_only_modules,
            "by_rule": [row.to_dict() for row in rule_statistics(result.findings)],
            "require": list(result.config.require),
            "min_score": result.config.min_score,
            "verdict": "pass" if judged.passed else "fail",
            "failed_gates": list(judged.failed_gates),
            "baseline_hidden": result.baseline_hidden,
            "baseline_fixed": result.baseline_fixed,
            "changed_hidden": result.changed_hidden,
        },
        "packages": [
            {
                "name": package.name,
                "path": package.path,
                "role": package.role.value,
                "evidence": package.evidence,
                "not_compiled": package.not_compiled,
            }
            for package in result.packages
        ],
    }


def render_json(result: AuditResult) -> str:
    """The report as pretty JSON text."""
    # json.dumps(..., indent=2)'s text, faster (rustpro.report.jsontext).
    return dumps(report_to_dict(result)) + "\n"
