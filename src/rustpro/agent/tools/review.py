"""rustpro's own tools for the model: audit, profile, explain and verify.

audit and profile read the workspace statically (nothing of it is built or run); explain
documents a rule; verify runs the gate's check now, against the state before the first
edit, so the model can see what the gate will say before it says it is done.
"""

from __future__ import annotations

from typing import Any

from rustpro.agent.gate import Gate
from rustpro.agent.tools.base import Tool, ToolFailure, schema, string
from rustpro.agent.workspace import Workspace
from rustpro.errors import RustproError

MAX_FINDINGS_SHOWN = 60
MAX_PROFILE_CHARS = 12_000


def review_tools(workspace: Workspace, gate: Gate) -> list[Tool]:
    """audit, profile, explain and verify over `workspace`."""

    def audit(args: dict[str, Any]) -> str:
        from rustpro.discovery.target import locate
        from rustpro.engine.audit import AuditOptions, run_audit

        located = locate((workspace.resolve(args.get("path", ".")),))
        select = tuple(s.strip() for s in str(args.get("select", "")).split(",") if s.strip())
        options = AuditOptions(static=True, workers=1, select=select, files=located.files)
        result = run_audit(located.path, options)
        findings = sorted(result.findings, key=lambda f: (f.path, f.line, f.column))
        counts: dict[str, int] = {}
        for finding in findings:
            counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no findings"
        lines = [f"rustpro audit --static: {summary}"]
        for finding in findings[:MAX_FINDINGS_SHOWN]:
            lines.append(
                f"{finding.path}:{finding.line}:{finding.column}: {finding.severity.value} "
                f"{finding.rule}: {finding.message}"
            )
            if finding.help:
                lines.append(f"    help: {finding.help}")
        if len(findings) > MAX_FINDINGS_SHOWN:
            lines.append(f"... and {len(findings) - MAX_FINDINGS_SHOWN} more (narrow with select)")
        return "\n".join(lines)

    def profile(args: dict[str, Any]) -> str:
        from rustpro.profile import build_profile
        from rustpro.profile.render_markdown import render_markdown

        target = workspace.resolve(args.get("path", "."))
        text = render_markdown(build_profile(target, workers=1))
        if len(text) > MAX_PROFILE_CHARS:
            text = text[:MAX_PROFILE_CHARS] + "\n... (cut; profile a single package for more)"
        return text

    def explain(args: dict[str, Any]) -> str:
        from rustpro.docsgen import explain_markdown

        return explain_markdown(args["rule"])

    def verify(args: dict[str, Any]) -> str:
        from rustpro.verify.render import render_text

        if not workspace.changed:
            return "nothing changed yet: there is nothing to verify against the start"
        try:
            return render_text(gate.check())
        except RustproError as err:
            raise ToolFailure(f"verify could not run: {err}") from None

    path = string("A crate directory or .rs file in the workspace (default: the root).")
    return [
        Tool(
            "audit",
            "rustpro's static audit: findings (rule, place, message, help) a senior Rust "
            "reviewer would flag, by checkpoint.",
            schema(
                {},
                {
                    "path": path,
                    "select": string("Only these rules, checkpoints or groups, comma-separated."),
                },
            ),
            "read",
            audit,
        ),
        Tool(
            "profile",
            "rustpro profile: the crate's facts (edition, MSRV, async runtime, error style, "
            "ownership, concurrency, tests, unsafe), each with its evidence, and the open "
            "questions the code cannot answer.",
            schema({}, {"path": path}),
            "read",
            profile,
        ),
        Tool(
            "explain",
            "Explain a rule by name (rustpro's, or clippy::NAME, rustc::E0308): what it "
            "flags, why, a bad and a good example.",
            schema({"rule": string("The rule's name.")}),
            "read",
            explain,
        ),
        Tool(
            "verify",
            "Run the gate's check now: rustpro verify against the state before the first "
            "edit (builds, tests pass, no new clippy warnings or rustpro findings, tests not "
            "weakened, formatted).",
            schema({}),
            "serial",
            verify,
        ),
    ]
