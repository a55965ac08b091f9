"""The verify report as text, Markdown and JSON (docs/verify-json.md).

The text report is written to be read by a model as well as a person: the verdict first,
then each failed check with every problem as `path:line`, what is wrong and what to do, then
one line for each check that passed, was not run or was skipped.
"""

from __future__ import annotations

import json
from typing import Any

from rustpro import __version__
from rustpro.verify.result import Check, Problem, Status, VerifyReport

JSON_VERSION = 1
# A report for a Stop hook's reason, or a terminal, stays readable: the rest is counted.
MAX_PROBLEMS_SHOWN = 20

_MARK = {
    Status.PASS: "pass",
    Status.FAIL: "FAIL",
    Status.NOT_RUN: "not run",
    Status.SKIPPED: "skipped",
    Status.NOTE: "note",
}


def headline(report: VerifyReport) -> str:
    """`rustpro verify: FAIL (2 of 6 checks failed: tests pass, ...)` against the start."""
    failed = report.failed
    against = f"against {report.start.label}, {len(report.changed_files)} file(s) changed"
    if not failed:
        return f"rustpro verify: PASS: the change is done ({against})"
    names = ", ".join(c.title for c in failed)
    return (
        f"rustpro verify: FAIL: {len(failed)} of {len(report.checks)} checks failed "
        f"({names}; {against})"
    )


def render_text(report: VerifyReport) -> str:
    """The plain-text report."""
    lines = [headline(report), ""]
    for check in report.failed:
        lines.append(f"FAIL  {check.title}: {check.summary}")
        lines.extend(_problem_lines(check.problems, "      "))
        lines.append("")
    for check in report.checks:
        if check.status is Status.FAIL:
            continue
        lines.append(f"{_MARK[check.status]:<7} {check.title}: {check.summary}")
        lines.extend(_problem_lines(check.notes, "        "))
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _problem_lines(problems: list[Problem], indent: str) -> list[str]:
    lines: list[str] = []
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        # A problem of the whole tree (the count of tests) has no place to name.
        place = f"{problem.place}: " if problem.place else ""
        lines.append(f"{indent}{place}{problem.message}")
        if problem.fix:
            lines.append(f"{indent}  what to do: {problem.fix}")
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"{indent}... and {len(problems) - MAX_PROBLEMS_SHOWN} more (--format json)")
    return lines


def render_markdown(report: VerifyReport) -> str:
    """The report as Markdown (a pull-request comment)."""
    verdict = "PASS" if report.verdict == "pass" else "FAIL"
    lines = [
        f"## rustpro verify: {verdict}",
        "",
        f"Against {report.start.label}, {len(report.changed_files)} file(s) changed.",
        "",
        "| check | status | summary |",
        "|---|---|---|",
    ]
    for check in report.checks:
        summary = check.summary.replace("|", "\\|")
        lines.append(f"| {check.title} | {_MARK[check.status]} | {summary} |")
    for check in report.checks:
        problems = check.problems or check.notes
        if not problems:
            continue
        lines += ["", f"### {check.title}", ""]
        for problem in problems[:MAX_PROBLEMS_SHOWN]:
            message = problem.message.replace("\n", " ")
            place = f"`{problem.place}`: " if problem.place else ""
            lines.append(f"- {place}{message}")
            if problem.fix:
                lines.append(f"  - what to do: {problem.fix}")
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines.append(f"- ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "\n".join(lines) + "\n"


def report_json(report: VerifyReport) -> dict[str, Any]:
    """The report as the JSON object of docs/verify-json.md."""
    tests = report.tests
    return {
        "version": JSON_VERSION,
        "tool": "rustpro",
        "tool_version": __version__,
        "command": "verify",
        "verdict": report.verdict,
        "exit_code": report.exit_code,
        "root": report.root,
        "start": {
            "kind": report.start.kind,
            "label": report.start.label,
            "ref": report.start.ref,
            "commit": report.start.commit,
            "snapshot": report.start.snapshot,
        },
        "changed_files": report.changed_files,
        "checks": [_check_json(check) for check in report.checks],
        "tests": None
        if tests is None
        else {
            "passed": tests.passed,
            "failed": tests.failed,
            "ignored": tests.ignored,
            "binaries": tests.binaries,
            "declared_at_start": tests.declared_at_start,
        },
        "warnings": report.warnings,
        "seconds": round(report.seconds, 3),
    }


def _check_json(check: Check) -> dict[str, Any]:
    return {
        "id": check.id,
        "title": check.title,
        "status": check.status.value,
        "summary": check.summary,
        "problems": [_problem_json(p) for p in check.problems],
        "notes": [_problem_json(p) for p in check.notes],
        "evidence": check.evidence,
    }


def _problem_json(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "name": problem.name,
        "message": problem.message,
        "fix": problem.fix,
    }


def render_json(report: VerifyReport) -> str:
    """The JSON report, one object, indented."""
    return json.dumps(report_json(report), indent=2) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
