"""Findings as verify keeps them: fingerprinted, small, and stored as JSON.

A `FindingRecord` is what a starting point remembers of a finding (its fingerprint, and
enough to name it in a report). Records are cached under rustpro's cache dir keyed by the
content of the tree they were found in; an entry that is unreadable or of the wrong shape is
a miss, never an error.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rustpro.cachedir import cache_root, put_json
from rustpro.fingerprint import SourceReader, fingerprint_findings
from rustpro.model import Finding, Severity


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One finding by fingerprint, with its place and words for the report."""

    fingerprint: str
    rule: str
    source: str
    severity: str
    path: str
    line: int
    end_line: int
    message: str
    help: str

    def to_json(self) -> dict[str, Any]:
        """A plain dict for JSON."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> FindingRecord:
        """The record `to_json` wrote; raises ValueError for anything else."""
        if not isinstance(data, dict):
            raise ValueError("a finding record is an object")
        try:
            record = cls(
                fingerprint=str(data["fingerprint"]),
                rule=str(data["rule"]),
                source=str(data["source"]),
                severity=str(data["severity"]),
                path=str(data["path"]),
                line=int(data["line"]),
                end_line=int(data["end_line"]),
                message=str(data["message"]),
                help=str(data["help"]),
            )
        except (KeyError, TypeError) as err:
            raise ValueError(f"a finding record lacks {err}") from None
        return record


def at_least_warning(finding: Finding) -> bool:
    """True for warnings and errors: notes never fail a verify."""
    return finding.severity.rank >= Severity.WARNING.rank


def to_records(findings: Sequence[Finding], read_source: SourceReader) -> list[FindingRecord]:
    """Each finding with its fingerprint (`rustpro.fingerprint`)."""
    prints = fingerprint_findings(findings, read_source)
    return [
        FindingRecord(
            fingerprint=print_,
            rule=f.rule,
            source=f.source,
            severity=f.severity.value,
            path=f.path,
            line=f.line,
            end_line=f.end_line,
            message=f.message,
            help=f.help,
        )
        for f, print_ in zip(findings, prints, strict=True)
    ]


def records_from_json(data: object) -> list[FindingRecord]:
    """A list of records; raises ValueError when `data` is not one."""
    if not isinstance(data, list):
        raise ValueError("finding records are a list")
    return [FindingRecord.from_json(item) for item in data]


class RecordStore:
    """Finding records of trees by content key, in one directory of the cache (`kind`:
    `rustpro` for the static audit of a starting point, `clippy` for clippy's findings of a
    tree verify has built)."""

    def __init__(self, kind: str, root: Path | None = None) -> None:
        self.directory = (root or cache_root()) / "verify" / kind

    def get(self, key: str) -> list[FindingRecord] | None:
        """The records stored under `key`, or None (missing or unreadable)."""
        try:
            text = (self.directory / f"{key}.json").read_text(encoding="utf-8")
            return records_from_json(json.loads(text))
        except (OSError, ValueError):
            return None

    def put(self, key: str, records: Sequence[FindingRecord]) -> None:
        """Store `records` (best effort: a cache that cannot be written is no error)."""
        put_json(self.directory / f"{key}.json", [r.to_json() for r in records])
