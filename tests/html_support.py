"""Inputs for the HTML report's tests: a large synthetic result over real files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rustpro.config import AuditConfig
from rustpro.engine.audit import AuditResult
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.scoring import score_checkpoints
from tests.support import make_crate

_RULES = (
    ("unwrap-in-production", Checkpoint.ERRORS, Severity.WARNING),
    ("missing-docs", Checkpoint.DOCS, Severity.NOTE),
    ("undocumented-unsafe-block", Checkpoint.MEMORY, Severity.WARNING),
    ("blocking-in-async", Checkpoint.ASYNC, Severity.ERROR),
    ("clippy::needless_return", Checkpoint.PERF, Severity.NOTE),
)
# One line of each file is longer than a code frame shows.
LONG_LINE = 7


def _module(index: int, lines: int) -> str:
    out = [f"//! Module {index}."]
    for number in range(2, lines + 1):
        if number == LONG_LINE:
            out.append("const TABLE: &[u8] = &[" + ", ".join(["0"] * 200) + "];")
        else:
            out.append(f"    let value_{number} = compute({number}).unwrap(); // <tag> & more")
    return "\n".join(out) + "\n"


def synthetic_result(root: Path, findings: int = 10_000, files: int = 100) -> AuditResult:
    """`findings` findings spread evenly over `files` source files of a crate at `root`,
    one per line, cycling through rules, severities and checkpoints (and a tool's rule)."""
    per_file = -(-findings // files)
    lines = per_file + 10
    sources = {f"src/m{i:03}.rs": _module(i, lines) for i in range(files)}
    make_crate(root, sources)
    out = []
    for n in range(findings):
        path = f"src/m{n % files:03}.rs"
        line = 2 + n // files
        rule, checkpoint, severity = _RULES[n % len(_RULES)]
        column = 5 if line != LONG_LINE else 300
        out.append(
            Finding(
                rule=rule,
                checkpoint=checkpoint,
                severity=severity,
                path=path,
                line=line,
                column=column,
                end_line=line,
                end_column=column + 9,
                message=f"finding {n} says `<{rule}>` & more",
                help=f"see `rustpro explain {rule}`",
                source="clippy" if rule.startswith("clippy::") else "rustpro",
            )
        )
    out.sort(key=Finding.sort_key)
    total_lines = files * lines
    return AuditResult(
        root=root,
        mode="static",
        findings=out,
        checkpoints=score_checkpoints(out, total_lines),
        config=AuditConfig(),
        files=files,
        lines=total_lines,
        seconds=1.0,
        crates=["fixture"],
    )


def source_lines(data: dict[str, Any], index: int) -> dict[int, str]:
    """The lines of file `index` the report embeds, by number, as the page's script reads
    them (`fileLines` in report.js): each run of lines split at its newlines."""
    lines: dict[int, str] = {}
    for first, text in data["sources"][index].items():
        lines.update(enumerate(text.split("\n"), int(first)))
    return lines
