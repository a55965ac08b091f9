"""The doc step: `cargo doc --no-deps`, with rustdoc's warnings as findings in docs."""

from __future__ import annotations

from rustpro.errors import ToolError
from rustpro.model import Checkpoint, Severity
from rustpro.toolchain.messages import message_findings, parse_stream
from rustpro.toolchain.session import CargoSession


def run_doc(session: CargoSession) -> None:
    """Build the audited crates' docs; record rustdoc's warnings (broken intra-doc links,
    invalid code blocks, unclosed HTML, and missing docs where the crate enables it)."""
    args = session.build_args("doc", "--no-deps", "--message-format=json")
    try:
        run = session.run("doc", args, description="cargo doc")
    except ToolError as err:  # includes ToolTimeout
        session.report.note(Checkpoint.DOCS, f"docs build: unknown ({err})")
        session.report.warn(str(err))
        return
    stream = parse_stream(run.stdout)
    findings = message_findings(stream, session.paths)
    session.report.add(findings)
    built = stream.success is True and run.returncode == 0
    warnings = sum(1 for f in findings if f.severity is not Severity.ERROR)
    if built:
        verdict = f"yes, {warnings} rustdoc warning(s)"
    else:
        verdict = f"no ({run.last_error_line()})"
        session.report.warn(f"cargo doc failed: {run.last_error_line()}")
    session.report.note(Checkpoint.DOCS, f"docs build: {verdict} (rustdoc, {run.seconds:.1f} s)")
