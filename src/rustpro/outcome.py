"""The exit status, decided in one place (black's `Report.return_code`, ruff's convention)."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.model import Finding, Severity

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


def exit_code(findings: Iterable[Finding], fail_threshold: Severity | None) -> int:
    """0 when nothing reaches `fail_threshold`, 1 when something does (None: never fails)."""
    if fail_threshold is None:
        return EXIT_CLEAN
    for finding in findings:
        if finding.severity.rank >= fail_threshold.rank:
            return EXIT_FINDINGS
    return EXIT_CLEAN


def failing(findings: Iterable[Finding], fail_threshold: Severity | None) -> list[Finding]:
    """The findings at or above the threshold."""
    if fail_threshold is None:
        return []
    return [f for f in findings if f.severity.rank >= fail_threshold.rank]
