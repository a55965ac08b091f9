"""`cargo ... --message-format=json` records from clippy, rustc and rustdoc, as findings.

Each stdout line is one JSON record. `compiler-message` records carry a rustc diagnostic
(its `code` may be null; spans inside macro expansions lead back to the user's code through
`expansion.span`); `compiler-artifact` records name what was built (a test executable has
`profile.test` and an `executable` path); `build-finished` says whether the build
succeeded. The same diagnostic arrives once per target that compiles the file (lib and lib
test), so findings are deduplicated by rule, place and message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rustpro.model import Finding, Severity
from rustpro.toolchain.lints import rule_checkpoint
from rustpro.toolchain.paths import ReportPaths

# Diagnostic levels that are findings; notes and helps only explain a parent diagnostic.
_SEVERITIES = {
    "error": Severity.ERROR,
    "error: internal compiler error": Severity.ERROR,
    "warning": Severity.WARNING,
}
_HELP_LIMIT = 300


@dataclass(frozen=True, slots=True)
class MessageSpan:
    """A span as rustc prints it: 1-based lines, 1-based character columns."""

    file_name: str
    line: int
    column: int
    end_line: int
    end_column: int
    is_primary: bool
    # The macro call this span was expanded from, when it lies inside a macro expansion.
    expanded_from: MessageSpan | None


@dataclass(frozen=True, slots=True)
class CompilerMessage:
    """One top-level diagnostic."""

    code: str | None
    level: str
    message: str
    spans: tuple[MessageSpan, ...]
    helps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BuildStream:
    """Everything a JSON-emitting cargo command printed that rustpro uses."""

    messages: tuple[CompilerMessage, ...]
    # None when cargo stopped before reporting (a manifest error, say).
    success: bool | None
    # Absolute paths of the test executables built (`cargo test --no-run`).
    test_executables: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        """How many error diagnostics the compiler reported."""
        return sum(1 for m in self.messages if _SEVERITIES.get(m.level) is Severity.ERROR)


def parse_stream(stdout: str) -> BuildStream:
    """Read the JSON lines of a cargo build; lines that are not JSON records are ignored
    (a build script may print to cargo's stdout)."""
    messages: list[CompilerMessage] = []
    success: bool | None = None
    executables: list[str] = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        reason = record.get("reason")
        if reason == "compiler-message" and isinstance(record.get("message"), dict):
            messages.append(_message(record["message"]))
        elif reason == "compiler-artifact":
            executable = _test_executable(record)
            if executable is not None:
                executables.append(executable)
        elif reason == "build-finished":
            success = bool(record.get("success"))
    return BuildStream(tuple(messages), success, tuple(executables))


def _test_executable(record: dict[str, Any]) -> str | None:
    profile = record.get("profile")
    executable = record.get("executable")
    if isinstance(profile, dict) and profile.get("test") and isinstance(executable, str):
        return executable
    return None


def _message(raw: dict[str, Any]) -> CompilerMessage:
    code = raw.get("code")
    helps: list[str] = []
    for child in raw.get("children") or ():
        if child.get("level") != "help" or not child.get("message"):
            continue
        text = str(child["message"])
        suggestions = [
            s["suggested_replacement"]
            for s in child.get("spans") or ()
            if isinstance(s.get("suggested_replacement"), str)
        ]
        if suggestions and len(suggestions[0]) <= 80 and "\n" not in suggestions[0]:
            text += f": `{suggestions[0]}`"
        helps.append(text)
    return CompilerMessage(
        code=code.get("code") if isinstance(code, dict) else None,
        level=str(raw.get("level", "")),
        message=str(raw.get("message", "")),
        spans=tuple(_span(s) for s in raw.get("spans") or ()),
        helps=tuple(helps),
    )


def _span(raw: dict[str, Any]) -> MessageSpan:
    expansion = raw.get("expansion")
    parent = expansion.get("span") if isinstance(expansion, dict) else None
    return MessageSpan(
        file_name=str(raw.get("file_name", "")),
        line=int(raw.get("line_start", 1)),
        column=int(raw.get("column_start", 1)),
        end_line=int(raw.get("line_end", raw.get("line_start", 1))),
        end_column=int(raw.get("column_end", raw.get("column_start", 1))),
        is_primary=bool(raw.get("is_primary")),
        expanded_from=_span(parent) if isinstance(parent, dict) else None,
    )


def rule_name(code: str | None, level: str) -> str:
    """The report's rule for a diagnostic: tool codes keep their prefix (`clippy::ptr_arg`),
    rustc's error codes and lints get `rustc::`, an error without a code is `rustc::error`."""
    if code is None:
        return "rustc::error" if level.startswith("error") else "rustc::warning"
    return code if "::" in code else f"rustc::{code}"


def message_findings(stream: BuildStream, paths: ReportPaths) -> list[Finding]:
    """Findings for the stream's errors and warnings that point into the audited root,
    each reported once however many targets compiled its file."""
    findings: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    for message in stream.messages:
        severity = _SEVERITIES.get(message.level)
        if severity is None:
            continue
        placed = _user_span(message, paths)
        if placed is None:
            continue  # a summary line ("2 warnings emitted") or code outside the root
        path, span = placed
        rule = rule_name(message.code, message.level)
        key = (rule, path, span.line, span.column, message.message)
        if key in seen:
            continue
        seen.add(key)
        findings.append(
            Finding(
                rule=rule,
                checkpoint=rule_checkpoint(rule),
                severity=severity,
                path=path,
                line=span.line,
                column=span.column,
                end_line=span.end_line,
                end_column=span.end_column,
                message=message.message,
                help=_help(message, rule),
                source=rule.split("::", 1)[0],
            )
        )
    return findings


def _user_span(message: CompilerMessage, paths: ReportPaths) -> tuple[str, MessageSpan] | None:
    """The primary span, or the macro call it was expanded from, inside the audited root."""
    ordered = sorted(message.spans, key=lambda s: not s.is_primary)
    for span in ordered:
        current: MessageSpan | None = span
        while current is not None:
            path = paths.relative(current.file_name)
            if path is not None:
                return path, current
            current = current.expanded_from
    return None


def _help(message: CompilerMessage, rule: str) -> str:
    own = [h for h in message.helps if not h.startswith("for further information")]
    links = [h for h in message.helps if h.startswith("for further information")]
    text = "; ".join(own + links)
    if not text:
        code = rule.split("::", 1)[1]
        text = f"see `rustc --explain {code}`" if code[:1] == "E" else f"reported by {rule}"
    return text if len(text) <= _HELP_LIMIT else text[: _HELP_LIMIT - 1] + "…"
