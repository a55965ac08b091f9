"""What verify reports: one verdict, six checks, each with its evidence and what to do."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from rustpro.outcome import EXIT_CLEAN, EXIT_FINDINGS


class Status(enum.StrEnum):
    """How one check ended."""

    PASS = "pass"
    FAIL = "fail"
    # Could not be answered: the work tree does not build, or a tool is missing.
    NOT_RUN = "not-run"
    # Left out on request (`--skip`).
    SKIPPED = "skipped"
    # Something worth reading that does not fail the change (unformatted files without
    # `--require fmt`).
    NOTE = "note"


# Checks in report order: (id, title).
CHECKS = (
    ("builds", "builds"),
    ("tests", "tests pass"),
    ("clippy", "no new clippy warnings"),
    ("rustpro", "no new rustpro findings"),
    ("weakening", "tests not weakened"),
    ("fmt", "formatted"),
)
TITLES = dict(CHECKS)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a check failed (or one note): a place, what is wrong, what to do."""

    path: str
    line: int
    message: str
    fix: str
    # The rule, test name or weakening kind it is about.
    name: str = ""

    @property
    def place(self) -> str:
        """`path:line`, or the path alone for a file-level problem."""
        return f"{self.path}:{self.line}" if self.line > 0 else self.path


@dataclass(slots=True)
class Check:
    """One check's outcome: its status, a one-line summary, evidence and problems."""

    id: str
    status: Status
    summary: str
    problems: list[Problem] = field(default_factory=list)
    # Listed, never failing: allowed value edits under --allow-test-edits, format notes.
    notes: list[Problem] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The check's name as the report shows it."""
        return TITLES[self.id]


@dataclass(frozen=True, slots=True)
class StartPoint:
    """What the work tree was compared with."""

    kind: str  # "git" or "snapshot"
    label: str  # `HEAD (1a2b3c4)`, `snapshot.json`
    ref: str | None = None
    commit: str | None = None
    snapshot: str | None = None


@dataclass(frozen=True, slots=True)
class TallyOfTests:
    """How many tests the work tree's `cargo test` ran, and the start's declared tests."""

    passed: int
    failed: int
    ignored: int
    binaries: int
    declared_at_start: int | None


@dataclass(slots=True)
class VerifyReport:
    """A finished verify."""

    root: str
    start: StartPoint
    checks: list[Check]
    changed_files: list[str]
    tests: TallyOfTests | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[Check]:
        """The checks that failed, in report order."""
        return [c for c in self.checks if c.status is Status.FAIL]

    @property
    def verdict(self) -> str:
        """`pass` when no check failed, else `fail`."""
        return "fail" if self.failed else "pass"

    @property
    def exit_code(self) -> int:
        """0 when every check passed (or was skipped, or only noted), 1 when one failed."""
        return EXIT_FINDINGS if self.failed else EXIT_CLEAN

    def check(self, check_id: str) -> Check:
        """The check with this id."""
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)
