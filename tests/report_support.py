"""A fixed `AuditResult` for report snapshots and contract tests: every report feature once
(multi-line span, non-ASCII, tabs, related locations, a tool finding, a skipped checkpoint),
with a fixed elapsed time so that rendered output never changes between runs."""

from __future__ import annotations

from pathlib import Path

from rustpro.config import AuditConfig
from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.scoring import score_checkpoints
from tests.support import make_crate

SNAPSHOT_LIB = """\
//! Snapshot crate.

pub fn port(text: &str) -> u16 {
    text.parse().unwrap()
}

pub fn greet(name: &str) -> String {
    let prefix = "wörld";
    format!("{prefix} héllo {}", name.chars().next().expect("name"))
}

pub fn tabbed(x: Option<u8>) -> u8 {
\tx.unwrap()
}
"""

SNAPSHOT_MAIN = """\
static mut COUNTER: u32 = 0;

fn main() {
    unsafe {
        COUNTER += 1;
    }
}
"""


def _finding(
    rule: str,
    checkpoint: Checkpoint,
    severity: Severity,
    path: str,
    span: tuple[int, int, int, int],
    message: str,
    **extra: object,
) -> Finding:
    line, column, end_line, end_column = span
    return Finding(
        rule=rule,
        checkpoint=checkpoint,
        severity=severity,
        path=path,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        message=message,
        help=f"see `rustpro explain {rule}`",
        **extra,  # type: ignore[arg-type]
    )


def fixed_findings() -> list[Finding]:
    """Findings at real places of the snapshot crate, in report order."""
    findings = [
        _finding(
            "missing-rust-version",
            Checkpoint.PROJECT,
            Severity.NOTE,
            "Cargo.toml",
            (1, 1, 1, 1),
            "no `rust-version` (MSRV) is declared",
        ),
        _finding(
            "unwrap-in-production",
            Checkpoint.ERRORS,
            Severity.WARNING,
            "src/lib.rs",
            (4, 18, 4, 26),
            "`.unwrap()` panics on `None`/`Err` in production code",
            also_reported_by=("clippy",),
        ),
        _finding(
            "expect-in-production",
            Checkpoint.ERRORS,
            Severity.NOTE,
            "src/lib.rs",
            (9, 54, 9, 68),
            "`.expect(..)` panics in production code (after non-ASCII text)",
        ),
        _finding(
            "unwrap-in-production",
            Checkpoint.ERRORS,
            Severity.WARNING,
            "src/lib.rs",
            (13, 4, 13, 12),
            "`.unwrap()` panics on `None`/`Err` in production code (tab-indented)",
        ),
        _finding(
            "static-mut",
            Checkpoint.MEMORY,
            Severity.WARNING,
            "src/main.rs",
            (1, 1, 1, 29),
            "`static mut` is a data race waiting to happen",
            related=(Location("src/main.rs", 5, 9, "written here"),),
        ),
        _finding(
            "undocumented-unsafe-block",
            Checkpoint.MEMORY,
            Severity.WARNING,
            "src/main.rs",
            (4, 5, 6, 6),
            "`unsafe` block without a `// SAFETY:` comment",
        ),
        _finding(
            "clippy::needless_return",
            Checkpoint.PERF,
            Severity.ERROR,
            "src/main.rs",
            (3, 1, 3, 10),
            "an error reported by a tool, to show its source line",
            source="clippy",
        ),
    ]
    return sorted(findings, key=Finding.sort_key)


def fixed_result(tmp_root: Path) -> AuditResult:
    """The fixed result over a snapshot crate written under `tmp_root`."""
    root = make_crate(tmp_root, {"src/lib.rs": SNAPSHOT_LIB, "src/main.rs": SNAPSHOT_MAIN})
    findings = fixed_findings()
    checkpoints = score_checkpoints(findings, lines=23)
    skipped = checkpoints[Checkpoint.TESTING]
    skipped.status, skipped.reason = "skipped", "cargo test did not run (--static)"
    checkpoints[Checkpoint.DOCS].evidence.append("2 public items, all documented")
    return AuditResult(
        root=root,
        mode="static",
        findings=findings,
        checkpoints=checkpoints,
        config=AuditConfig(),
        files=2,
        lines=23,
        seconds=0.42,
        crates=["fixture"],
        parse_errors=["src/broken.rs:3"],
        skipped_files=["src/huge.rs: skipped: 10.0 MiB is over the 4 MiB limit"],
        warnings=[],
        suppressed=1,
    )
