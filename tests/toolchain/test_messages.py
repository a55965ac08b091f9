"""The JSON diagnostic parser on recorded clippy, rustc and rustdoc streams."""

from __future__ import annotations

import json

from rustpro.model import Checkpoint, Severity
from rustpro.toolchain.clippy import is_compile_error
from rustpro.toolchain.messages import message_findings, parse_stream, rule_name
from tests.toolchain.recorded_support import paths_for, recorded


def test_clippy_stream_gives_one_finding_per_place_across_targets() -> None:
    stream = parse_stream(recorded("clippy-withdep.jsonl"))
    assert stream.success is True
    assert stream.errors == 0
    findings = message_findings(stream, paths_for("withdep"))
    # lib and lib-test both report ptr_arg and the production unwrap: once each here.
    places = sorted((f.rule, f.line, f.column) for f in findings)
    assert places == [
        ("clippy::ptr_arg", 33, 27),
        ("clippy::unwrap_used", 34, 5),
        ("clippy::unwrap_used", 43, 24),
    ]
    ptr_arg = next(f for f in findings if f.rule == "clippy::ptr_arg")
    assert ptr_arg.source == "clippy"
    assert ptr_arg.checkpoint is Checkpoint.PERF
    assert ptr_arg.severity is Severity.WARNING
    assert ptr_arg.path == "src/lib.rs"
    assert (ptr_arg.end_line, ptr_arg.end_column) == (33, 39)
    assert "`&[String]`" in ptr_arg.help
    assert "rust-clippy" in ptr_arg.help


def test_compile_errors_are_memory_errors_with_rustc_codes() -> None:
    stream = parse_stream(recorded("clippy-broken.jsonl"))
    assert stream.success is False
    findings = message_findings(stream, paths_for("broken"))
    assert sorted((f.rule, f.line) for f in findings) == [("rustc::E0308", 12), ("rustc::E0502", 6)]
    assert all(f.checkpoint is Checkpoint.MEMORY for f in findings)
    assert all(f.severity is Severity.ERROR and f.source == "rustc" for f in findings)
    borrow = next(f for f in findings if f.rule == "rustc::E0502")
    assert borrow.message.startswith("cannot borrow `*values` as mutable")
    assert borrow.help == "see `rustc --explain E0502`"


def test_rustdoc_warnings_are_docs_findings() -> None:
    findings = message_findings(parse_stream(recorded("doc-docwarn.jsonl")), paths_for("docwarn"))
    assert sorted((f.rule, f.line, f.checkpoint) for f in findings) == [
        ("rustdoc::broken_intra_doc_links", 3, Checkpoint.DOCS),
        ("rustdoc::invalid_html_tags", 5, Checkpoint.DOCS),
    ]
    assert {f.source for f in findings} == {"rustdoc"}


def test_macro_expansions_are_parsed_and_user_spans_kept() -> None:
    stream = parse_stream(recorded("clippy-macro.jsonl"))
    in_macro = next(m for m in stream.messages if m.spans and m.spans[0].line == 4)
    assert in_macro.spans[0].expanded_from is not None
    assert in_macro.spans[0].expanded_from.line == 10
    findings = message_findings(stream, paths_for("macros"))
    assert sorted((f.rule, f.line) for f in findings) == [("rustc::E0308", 4), ("rustc::E0308", 15)]


def _record(span: dict[str, object], level: str = "warning", code: str | None = None) -> str:
    message = {
        "message": "something",
        "code": {"code": code, "explanation": None} if code else None,
        "level": level,
        "spans": [span],
        "children": [],
    }
    return json.dumps({"reason": "compiler-message", "message": message})


def _span(file: str, line: int, expansion: dict[str, object] | None = None) -> dict[str, object]:
    return {
        "file_name": file,
        "line_start": line,
        "line_end": line,
        "column_start": 3,
        "column_end": 9,
        "is_primary": True,
        "expansion": expansion,
    }


def test_a_span_outside_the_root_follows_its_expansion_back_to_user_code() -> None:
    call_site = _span("src/lib.rs", 7)
    std_span = _span(
        "/rustc/abc/library/core/src/macros/mod.rs",
        40,
        {"span": call_site, "macro_decl_name": "assert_eq!"},
    )
    stream = parse_stream(_record(std_span, code="clippy::panic"))
    (finding,) = message_findings(stream, paths_for("crate"))
    assert (finding.path, finding.line, finding.column) == ("src/lib.rs", 7, 3)
    assert finding.checkpoint is Checkpoint.ERRORS


def test_code_outside_the_root_and_summaries_are_not_findings() -> None:
    registry = _span("/cargo-home/registry/src/index/serde-1.0.0/src/lib.rs", 3)
    summary = json.dumps(
        {
            "reason": "compiler-message",
            "message": {"message": "2 warnings emitted", "code": None, "level": "warning",
                        "spans": [], "children": []},
        }
    )  # fmt: skip
    text = "\n".join(
        [_record(registry), summary, "not json: a build script printed this", "{broken"]
    )
    stream = parse_stream(text)
    assert stream.success is None
    assert message_findings(stream, paths_for("crate")) == []


def test_rule_names_keep_tool_prefixes() -> None:
    assert rule_name("clippy::ptr_arg", "warning") == "clippy::ptr_arg"
    assert rule_name("E0502", "error") == "rustc::E0502"
    assert rule_name("unused_variables", "warning") == "rustc::unused_variables"
    assert rule_name(None, "error") == "rustc::error"
    stream = parse_stream(_record(_span("src/lib.rs", 2), level="error"))
    (finding,) = message_findings(stream, paths_for("crate"))
    assert finding.rule == "rustc::error"
    assert finding.checkpoint is Checkpoint.MEMORY


def test_only_rustc_errors_mean_the_code_does_not_compile() -> None:
    broken = message_findings(parse_stream(recorded("clippy-broken.jsonl")), paths_for("broken"))
    assert broken
    assert all(is_compile_error(f) for f in broken)
    denied_lint = parse_stream(
        _record(_span("src/lib.rs", 3), level="error", code="clippy::unwrap_used")
    )
    (finding,) = message_findings(denied_lint, paths_for("crate"))
    assert finding.severity is Severity.ERROR
    assert not is_compile_error(finding)
