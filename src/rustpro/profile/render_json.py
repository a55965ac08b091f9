"""The profile as JSON: the stable contract an agent reads (documented in docs/profile-json.md).

Keys are never renamed within a schema version; new keys may be added. Key order is fixed so
that two runs over the same code give byte-identical output, timings aside.
"""

from __future__ import annotations

import json
from typing import Any

from rustpro.profile.model import SCHEMA, Answer, Evidence, Profile, SubjectProfile


def evidence_dict(evidence: Evidence) -> dict[str, Any]:
    """One evidence entry: path, line, manifest key, note, and the `where` string."""
    return {
        "where": evidence.where,
        "path": evidence.path,
        "line": evidence.line,
        "key": evidence.key,
        "note": evidence.note,
    }


def answer_dict(answer: Answer) -> dict[str, Any]:
    """One answer as a JSON object."""
    return {
        "id": answer.id,
        "key": answer.key,
        "question": answer.question,
        "answer": answer.summary,
        "confidence": answer.confidence.value,
        "facts": answer.facts,
        "evidence": [evidence_dict(e) for e in answer.evidence],
        "open_questions": list(answer.open_questions),
    }


def subject_dict(subject: SubjectProfile) -> dict[str, Any]:
    """A crate's (or the workspace's) answers, keyed by answer key in question order."""
    return {
        "name": subject.name,
        "kind": subject.kind,
        "path": subject.path,
        "answers": {a.key: answer_dict(a) for a in subject.answers},
    }


def profile_dict(profile: Profile, *, timings: bool = True) -> dict[str, Any]:
    """The whole profile as plain JSON-ready data."""
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "rustpro", "version": profile.tool_version},
        "root": profile.root,
        "files": profile.files,
        "lines": profile.lines,
        "workspace": subject_dict(profile.workspace) if profile.workspace else None,
        "crates": [subject_dict(c) for c in profile.crates],
        "warnings": list(profile.warnings),
    }
    if timings:
        data["seconds"] = round(profile.seconds, 3)
    return data


def render_json(profile: Profile, *, timings: bool = True) -> str:
    """The profile as indented JSON text ending in a newline."""
    return json.dumps(profile_dict(profile, timings=timings), indent=2, ensure_ascii=False) + "\n"
