"""What a profile is made of: answers with evidence and confidence, per crate and workspace."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "rustpro-profile/1"


class Confidence(enum.StrEnum):
    """How an answer is known.

    `declared`: written down by the project (a manifest key, an attribute, a dependency);
    `inferred`: read from how the code is written, and could be wrong in corner cases;
    `unknown`: the code does not say; the answer comes with a question to ask.
    """

    DECLARED = "declared"
    INFERRED = "inferred"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where an answer comes from: a source line, or a manifest key (with its line)."""

    path: str  # relative to the profiled root, `/` separators
    line: int | None = None
    key: str | None = None  # manifest key, e.g. `package.edition`
    note: str = ""

    @property
    def where(self) -> str:
        """`path:line`, `path [key]` or `path:line [key]` for reports."""
        place = f"{self.path}:{self.line}" if self.line else self.path
        return f"{place} [{self.key}]" if self.key else place


@dataclass(frozen=True, slots=True)
class Answer:
    """One expert question answered for one crate (or the workspace)."""

    id: int
    key: str
    question: str
    summary: str
    confidence: Confidence
    facts: dict[str, Any]  # JSON-ready values; the schema per key is in docs/profile-json.md
    evidence: tuple[Evidence, ...] = ()
    open_questions: tuple[str, ...] = ()


@dataclass(slots=True)
class SubjectProfile:
    """The answers for one crate, or for the whole workspace."""

    name: str
    kind: str  # lib, bin, lib+bin, proc-macro, workspace
    path: str  # relative to the profiled root ("." for the root)
    answers: list[Answer] = field(default_factory=list)

    def answer(self, key: str) -> Answer | None:
        """The answer with `key`, if present."""
        return next((a for a in self.answers if a.key == key), None)


@dataclass(slots=True)
class Profile:
    """A finished profile: the workspace (when there is one) and every crate."""

    root: str
    tool_version: str
    workspace: SubjectProfile | None
    crates: list[SubjectProfile]
    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
