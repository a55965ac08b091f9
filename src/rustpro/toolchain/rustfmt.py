"""`cargo fmt --all --check` output as the files rustfmt would change.

rustfmt prints one `Diff in /abs/path/src/lib.rs:12:` header per changed region (older
versions: `Diff in /abs/path at line 12:`); rustpro reports each file once, at its first
changed line.
"""

from __future__ import annotations

import re

from rustpro.errors import ToolError
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolchain.session import CargoSession

_DIFF_HEADER = re.compile(r"^Diff in (.+?)(?::(\d+):| at line (\d+):)\s*$")


def files_to_format(stdout: str) -> dict[str, int]:
    """Each file rustfmt would rewrite, as printed, mapped to its first changed line."""
    first_lines: dict[str, int] = {}
    for line in stdout.splitlines():
        match = _DIFF_HEADER.match(line.strip())
        if match is None:
            continue
        path = match.group(1)
        number = int(match.group(2) or match.group(3))
        first_lines[path] = min(first_lines.get(path, number), number)
    return first_lines


def run_fmt(session: CargoSession) -> None:
    """`cargo fmt --all --check`: one `rustfmt::diff` note per file that would change.

    Read-only: `--check` prints the diff and writes nothing.
    """
    args = ["fmt", "--all", "--check", "--", "--color", "never"]
    try:
        run = session.run("fmt", args, description="rustfmt --check")
    except ToolError as err:  # includes ToolTimeout
        session.report.note(Checkpoint.PROJECT, f"rustfmt: not run ({err})")
        session.report.warn(str(err))
        return
    if run.missing_component:
        session.report.note(Checkpoint.PROJECT, f"rustfmt: skipped ({run.last_error_line()})")
        return
    changed = files_to_format(run.stdout)
    if run.returncode != 0 and not changed:
        session.report.note(Checkpoint.PROJECT, f"rustfmt: failed ({run.last_error_line()})")
        session.report.warn(f"cargo fmt --check failed: {run.last_error_line()}")
        return
    findings = []
    for printed, line in changed.items():
        path = session.paths.relative(printed)
        if path is None:
            continue
        findings.append(
            Finding(
                rule="rustfmt::diff",
                checkpoint=Checkpoint.PROJECT,
                severity=Severity.NOTE,
                path=path,
                line=line,
                column=1,
                end_line=line,
                end_column=1,
                message="rustfmt would reformat this file (first change here)",
                help="run `cargo fmt`",
                source="rustfmt",
            )
        )
    session.report.add(findings)
    verdict = f"{len(findings)} file(s) would change" if findings else "clean"
    session.report.note(Checkpoint.PROJECT, f"rustfmt: {verdict} ({run.seconds:.1f} s)")
