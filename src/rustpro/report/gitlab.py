"""`--format gitlab`: GitLab's code-quality report (`artifacts: reports: codequality:`).

A JSON array with one issue per finding: `description` (the message), `check_name` (the
rule), `fingerprint` (rustpro's own, the one baselines use, so an issue keeps its identity
across commits and GitLab can tell new from fixed in a merge request), `severity` and
`location` (`path` relative to the top of the git repository, as the merge-request widget
matches it against the diff, and `lines.begin`). GitLab shows only one issue per
fingerprint, so fingerprints are made unique within a report.
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import Any

from rustpro.engine.audit import AuditResult
from rustpro.fingerprint import fingerprint_findings, sha256_hasher, source_reader
from rustpro.model import Finding, Severity
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
    # Compact, as json's C encoder writes it (indenting thousands of issues costs ten times as
    # long), each issue written out: `json.dumps` of `issue(..)` (a test holds the two equal).
    located: dict[str, str] = {}  # report path -> `"path":..` as JSON
    texts = []
    for finding, fingerprint in zip(result.findings, fingerprints, strict=True):
        path = located.get(finding.path)
        if path is None:
            path = located[finding.path] = _STR(paths.path(finding.path))
        texts.append(
            f'{{"description":{_STR(finding.message)},"check_name":{_STR(finding.rule)},'
            f'"fingerprint":{_STR(fingerprint)},"severity":"{SEVERITY[finding.severity]}",'
            f'"location":{{"path":{path},"lines":{{"begin":{max(finding.line, 1)}}}}}}}'
        )
    return "[" + ",".join(texts) + "]\n"


def issue(finding: Finding, fingerprint: str, path: str) -> dict[str, Any]:
    """One finding as a code-quality issue (`path`: from the top of the repository)."""
    return {
        "description": finding.message,
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": SEVERITY[finding.severity],
        "location": {"path": path, "lines": {"begin": max(finding.line, 1)}},
    }


_STR = encode_basestring  # how json.dumps writes a string, non-ASCII kept


def unique(fingerprints: Sequence[str]) -> list[str]:
    """The fingerprints, with any repeat (two findings rustpro cannot tell apart) replaced by
    a hash of it and its repeat count, so each finding is its own issue in GitLab."""
    seen = set(fingerprints)
    counts: dict[str, int] = {}
    result = []
    sha256 = sha256_hasher()
    for fingerprint in fingerprints:
        repeat = counts.get(fingerprint, 0)
        counts[fingerprint] = repeat + 1
        candidate = fingerprint
        while repeat and candidate in seen:
            material = f"{fingerprint}\0{repeat}".encode()
            candidate = sha256(material).hexdigest()[: max(len(fingerprint), 16)]
            repeat += 1
        seen.add(candidate)
        result.append(candidate)
    return result
