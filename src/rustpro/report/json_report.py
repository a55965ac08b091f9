"""`--format json`: the contract of shared/spec/JSON.md, version 1."""

from __future__ import annotations

from json.encoder import encode_basestring_ascii
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


# How `jsontext.dumps` (`json.dumps`, ASCII) writes a string.
_STR = encode_basestring_ascii


def finding_text(finding: Finding) -> str:
    """`finding_to_dict(finding)` as `render_json` writes it inside the findings list (its
    lines indented by six spaces), written out: a report of thousands of findings spent most
    of its time building and encoding these dicts. A test holds the two to the same text."""
    text = (
        f'{{\n      "rule": {_STR(finding.rule)},'
        f'\n      "checkpoint": {_STR(finding.checkpoint)},'
        f'\n      "severity": {_STR(finding.severity)},'
        f'\n      "source": {_STR(finding.source)},'
        f'\n      "path": {_STR(finding.path)},'
        f'\n      "line": {finding.line},'
        f'\n      "column": {finding.column},'
        f'\n      "end_line": {finding.end_line},'
        f'\n      "end_column": {finding.end_column},'
        f'\n      "message": {_STR(finding.message)},'
        f'\n      "help": {_STR(finding.help)}'
    )
    if finding.related:
        text += ',\n      "related": [\n        ' + ",\n        ".join(
            f'{{\n          "path": {_STR(r.path)},\n          "line": {r.line},'
            f'\n          "column": {r.column},\n          "message": {_STR(r.message)}'
            "\n        }"
            for r in finding.related
        )
        text += "\n      ]"
    if finding.also_reported_by:
        listed = ",\n        ".join(_STR(name) for name in finding.also_reported_by)
        text += f',\n      "also_reported_by": [\n        {listed}\n      ]'
    if finding.group:
        text += f',\n      "group": {_STR(finding.group)}'
    return text + "\n    }"


def report_to_dict(result: AuditResult) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    return _report_dict(result, [finding_to_dict(f) for f in result.findings])


def _report_dict(result: AuditResult, findings: object) -> dict[str, Any]:
    """The report as a dict whose `findings` are `findings`."""
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
        "findings": findings,
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
    """The report as pretty JSON text: `json.dumps(report_to_dict(result), indent=2)`."""
    findings = result.findings
    data = _report_dict(result, _FINDINGS)
    # json.dumps(..., indent=2)'s text, faster (rustpro.report.jsontext); the findings are
    # written out (`finding_text`) where their key stands, which no string can spell.
    listed = (
        "[\n    " + ",\n    ".join([finding_text(f) for f in findings]) + "\n  ]"
        if findings
        else "[]"
    )
    return dumps(data).replace(_FINDINGS_TEXT, '"findings": ' + listed, 1) + "\n"


_FINDINGS = "\0findings\0"
_FINDINGS_TEXT = '"findings": ' + encode_basestring_ascii(_FINDINGS)
