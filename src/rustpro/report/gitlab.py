"""`--format gitlab`: GitLab's code-quality report (`artifacts: reports: codequality:`).

A JSON array with one issue per finding: `description` (the message), `check_name` (the
rule), `fingerprint` (rustpro's own, the one baselines use, so an issue keeps its identity
across commits and GitLab can tell new from fixed in a merge request), `severity` and
`location` (`path` relative to the top of the git repository, as the merge-request widget
matches it against the diff, and `lines.begin`). GitLab shows only one issue per
fingerprint, so fingerprints are made unique within a report.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from rustpro.engine.audit import AuditResult
from rustpro.fingerprint import fingerprint_findings, source_reader
from rustpro.model import Severity
from rustpro.report.repository import repository_paths

# GitLab's scale is info, minor, major, critical, blocker. An error is almost surely a bug
# (critical); a warning should be fixed (major); a note is worth a look (minor). `blocker`
# is left for what stops a release, which rustpro does not claim to know; `info` for what
# needs no change at all, which rustpro does not report.
SEVERITY = {
    Severity.ERROR: "critical",
    Severity.WARNING: "major",
    Severity.NOTE: "minor",
}


def render_gitlab(result: AuditResult) -> str:
    """The findings as a GitLab code-quality report (JSON text)."""
    paths = repository_paths(result.root)
    fingerprints = unique(
        fingerprint_findings(result.findings, source_reader(result.root), result.known_places)
    )
    issues: list[dict[str, Any]] = [
        {
            "description": finding.message,
            "check_name": finding.rule,
            "fingerprint": fingerprint,
            "severity": SEVERITY[finding.severity],
            "location": {
                "path": paths.path(finding.path),
                "lines": {"begin": max(finding.line, 1)},
            },
        }
        for finding, fingerprint in zip(result.findings, fingerprints, strict=True)
    ]
    # Compact, as json's C encoder writes it: indenting thousands of issues costs ten times as
    # long.
    return json.dumps(issues, ensure_ascii=False, separators=(",", ":")) + "\n"


def unique(fingerprints: Sequence[str]) -> list[str]:
    """The fingerprints, with any repeat (two findings rustpro cannot tell apart) replaced by
    a hash of it and its repeat count, so each finding is its own issue in GitLab."""
    seen = set(fingerprints)
    counts: dict[str, int] = {}
    result = []
    for fingerprint in fingerprints:
        repeat = counts.get(fingerprint, 0)
        counts[fingerprint] = repeat + 1
        candidate = fingerprint
        while repeat and candidate in seen:
            material = f"{fingerprint}\0{repeat}".encode()
            candidate = hashlib.sha256(material).hexdigest()[: max(len(fingerprint), 16)]
            repeat += 1
        seen.add(candidate)
        result.append(candidate)
    return result
