"""The gate: the model's "done" is checked by `rustpro verify`, never believed.

The starting state is recorded as a verify snapshot (`rustpro verify --record`) just before
the run's first change, under rustpro's cache dir; the gate verifies the workspace against
it: it builds, the tests pass, no new clippy warning, no new rustpro finding at warning or
above, no test weakened (the formatting of changed files is a note). A refused gate's report
goes back to the model as its next message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from rustpro.agent.undo import workspace_key
from rustpro.engine.cache import cache_root
from rustpro.verify.render import render_text
from rustpro.verify.result import VerifyReport
from rustpro.verify.run import VerifyOptions, verify, verify_root

Emit = Callable[..., None]
# How the reports name the starting point (rather than the snapshot's file).
START_LABEL = "the state before the first edit"


def runs_dir(root: Path) -> Path:
    """Where a workspace's runs keep their starting snapshot."""
    return cache_root() / "agent" / "runs" / workspace_key(root)


class Gate:
    """Records the starting state of the crate at `root` and verifies changes against it."""

    def __init__(
        self,
        root: Path,
        options: VerifyOptions,
        emit: Emit,
        seconds_left: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.root = root
        self.options = options
        self.emit = emit
        self.seconds_left = seconds_left
        self.snapshot = runs_dir(root) / "start.json"
        self.recorded = False

    def record_start(self) -> None:
        """Record the starting state (before the first edit); raises `RustproError` when
        it cannot be recorded."""
        from rustpro.verify.recording import record_snapshot

        self.snapshot.parent.mkdir(parents=True, exist_ok=True)
        crate = verify_root(self.root)
        recorded, warnings = record_snapshot(crate, self._bounded(), self.snapshot)
        self.recorded = True
        self.emit(
            "snapshot",
            path=str(self.snapshot),
            files=len(recorded.files),
            rustpro_findings=len(recorded.rustpro),
            clippy_findings=None if recorded.clippy is None else len(recorded.clippy),
            declared_tests=recorded.declared_tests,
            warnings=warnings,
        )

    def check(self) -> VerifyReport:
        """verify against the starting state; raises `RustproError` when verify cannot run."""
        if not self.recorded:
            self.record_start()
        options = dataclasses.replace(self._bounded(), snapshot=self.snapshot, since=None)
        report = verify(self.root, options)
        report.start = dataclasses.replace(report.start, label=START_LABEL)
        return report

    def _bounded(self) -> VerifyOptions:
        """The options with cargo's steps cut to the run's remaining wall time."""
        left = self.seconds_left()
        if left is None:
            return self.options
        full = self.options.full
        timeout = min(full.timeout, left) if full.timeout is not None else left
        bounded = dataclasses.replace(full, timeout=max(timeout, 1.0))
        return dataclasses.replace(self.options, full=bounded)


def refusal(report: VerifyReport, attempt: int, max_attempts: int) -> str:
    """The message a refused gate sends the model."""
    left = max_attempts - attempt
    return (
        f'The gate refused "done" (attempt {attempt} of at most {max_attempts}: {left} more '
        "before the run ends as failed). rustpro verify, against the state before your first "
        "edit, reports:\n\n"
        f"{render_text(report)}\n"
        "Fix every failed check in the code (never by weakening, removing or ignoring a "
        "test), check with the verify tool, then finish again."
    )
