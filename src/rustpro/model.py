"""The vocabulary every stage shares: checkpoints, severities, findings and file roles.

Everything here is a frozen dataclass or an enum so that results can cross process
boundaries (pickle, between worker processes) and be cached (JSON, `engine.codec`) without
defensive copies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Checkpoint(enum.StrEnum):
    """The nine areas a report is scored on, in report order."""

    MEMORY = "memory"
    THREADS = "threads"
    ERRORS = "errors"
    TYPES = "types"
    PERF = "perf"
    ASYNC = "async"
    TESTING = "testing"
    DOCS = "docs"
    PROJECT = "project"

    @property
    def heading(self) -> str:
        """A human heading for the checkpoint."""
        return _CHECKPOINT_TITLES[self]


_CHECKPOINT_TITLES = {
    Checkpoint.MEMORY: "memory safety",
    Checkpoint.THREADS: "thread safety",
    Checkpoint.ERRORS: "error handling",
    Checkpoint.TYPES: "type safety",
    Checkpoint.PERF: "performance",
    Checkpoint.ASYNC: "async correctness",
    Checkpoint.TESTING: "testing",
    Checkpoint.DOCS: "documentation",
    Checkpoint.PROJECT: "project hygiene",
}


class Severity(enum.StrEnum):
    """How sure and how serious a finding is; ordered error > warning > note."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Larger is more severe, for `>=` comparisons against `--fail-on`."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.NOTE: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Role(enum.StrEnum):
    """What a source file is for; only `production` code is held to production rules."""

    PRODUCTION = "production"
    TEST = "test"
    BENCH = "bench"
    EXAMPLE = "example"
    BUILD_SCRIPT = "build-script"


@dataclass(frozen=True, slots=True)
class Location:
    """A related place for a finding (the other half of a lock-order inversion, say)."""

    path: str
    line: int
    column: int
    message: str = ""


@dataclass(frozen=True, slots=True)
class Bundle:
    """A finding's place in a group that a reviewer states once when it is large.

    Nine hundred undocumented constants of one table are one problem ("this table has no
    docs"), not nine hundred. Members of a group share `key` (within one file and rule); when
    at least `minimum` of them survive suppressions and the selection, the engine reports one
    finding at the first member, with `message` (`{count}` is the number of members) and
    `help`, and the others as its related locations, each labelled with its `member` text.
    Smaller groups keep their own findings.
    """

    key: str
    minimum: int
    message: str
    help: str
    member: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place, from rustpro or from a tool it ran.

    `path` is relative to the audited root with `/` separators; lines and columns are
    1-based and columns count characters, as rustc and SARIF do.
    """

    rule: str
    checkpoint: Checkpoint
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    help: str
    source: str = "rustpro"
    related: tuple[Location, ...] = ()
    # Other tools that reported the same thing at the same place (merged twins).
    also_reported_by: tuple[str, ...] = ()
    # The rule group this finding belongs to when it is not its rule's (catalog) group: a
    # rule's less certain findings can sit in an opt-in group (`pedantic`), reported when
    # that group or the rule itself is selected. "" means the rule's group.
    group: str = ""
    # The group this finding is one member of, folded into one finding when large
    # (`engine.merge`); None once the report is final.
    bundle: Bundle | None = None

    @classmethod
    def probe(
        cls,
        rule: str,
        checkpoint: Checkpoint,
        severity: Severity = Severity.WARNING,
        *,
        source: str = "rustpro",
        group: str = "",
    ) -> Finding:
        """A finding of `rule` nowhere in particular: what a selection is asked about
        (`AuditConfig.keeps` / `may_keep`) before any real finding exists."""
        return cls(rule, checkpoint, severity, "", 1, 1, 1, 1, "", "", source=source, group=group)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by place, then rule, for stable reports."""
        return (self.path, self.line, self.column, self.rule)


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based line/character-column range inside one file."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(slots=True)
class CheckpointResult:
    """How one checkpoint fared: status, 0-100 score, counts and evidence lines."""

    checkpoint: Checkpoint
    status: str = "pass"
    score: int = 100
    findings: int = 0
    reason: str | None = None
    evidence: list[str] = field(default_factory=list)
    # Finer evidence (one line per test binary): the JSON report lists it after `evidence`;
    # the text table shows only `evidence`, one line per checkpoint.
    details: list[str] = field(default_factory=list)
