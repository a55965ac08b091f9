"""Inline suppressions and clippy twins: what they silence, and what they leave alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.engine.audit import AuditResult
from rustpro.rules.registry import rule_class
from tests.support import audit, make_crate

UNWRAP = "unwrap-in-production"


def _audit_lib(tmp_path: Path, body: str, *rules: str) -> AuditResult:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "//! Suppressions.\n" + body})
    return audit(root, select=rules or (UNWRAP,))


def _lines(result: AuditResult, rule: str = UNWRAP) -> list[int]:
    return [f.line for f in result.findings if f.rule == rule]


def test_comment_on_the_line_before(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    // rustpro: allow(unwrap-in-production) -- checked by the caller\n"
        "    x.unwrap()\n"
        "}\n"
        "pub fn g(x: Option<u8>) -> u8 {\n"
        "    x.unwrap()\n"
        "}\n"
    )
    result = _audit_lib(tmp_path, body)
    assert _lines(result) == [7]
    assert result.suppressed == 1


def test_trailing_comment_covers_its_own_line_only(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<u8>, y: Option<u8>) -> u8 {\n"
        "    let a = x.unwrap(); // rustpro: allow(unwrap-in-production) -- never None here\n"
        "    a + y.unwrap()\n"
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == [4]


def test_comment_covers_a_whole_multi_line_statement(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<Option<u8>>) -> u8 {\n"
        "    // rustpro: allow(unwrap-in-production) -- nested options are always full\n"
        "    let v = x\n"
        "        .unwrap()\n"
        "        .unwrap();\n"
        "    v + x.unwrap().unwrap()\n"
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == [7, 7]


def test_comment_covers_a_whole_item(tmp_path: Path) -> None:
    body = (
        "// rustpro: allow(unwrap-in-production) -- a prototype, rewritten in #42\n"
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    x.unwrap() + x.unwrap()\n"
        "}\n"
    )
    result = _audit_lib(tmp_path, body)
    assert _lines(result) == []
    assert result.suppressed == 2


def test_other_rules_and_malformed_comments_do_not_silence(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    // rustpro: allow(expect-in-production) -- a different rule\n"
        "    let a = x.unwrap();\n"
        "    // rustpro: allow() -- names no rule\n"
        "    let b = x.unwrap();\n"
        "    // rustpro allow(unwrap-in-production) -- missing colon\n"
        "    a + b + x.unwrap()\n"
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == [4, 6, 8]


def test_one_comment_many_rules(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    // rustpro: allow(expect-in-production, unwrap-in-production) -- both fine here\n"
        '    x.unwrap() + x.expect("set")\n'
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == []


def test_suppression_is_per_file(tmp_path: Path) -> None:
    lib = "//! x\nmod other;\n// rustpro: allow(unwrap-in-production) -- here only\n"
    lib += "pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n"
    other = "pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n"
    root = make_crate(tmp_path / "c", {"src/lib.rs": lib, "src/other.rs": other})
    result = audit(root, select=(UNWRAP,))
    assert [(f.path, f.line) for f in result.findings] == [("src/other.rs", 1)]


@pytest.mark.parametrize(
    "attribute",
    [
        "#[allow(clippy::unwrap_used)]",
        '#[expect(clippy::unwrap_used, reason = "validated")]',
        "#[allow(clippy::expect_used, clippy::unwrap_used)]",
    ],
)
def test_clippy_twin_on_the_item(tmp_path: Path, attribute: str) -> None:
    body = (
        f"{attribute}\n"
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    x.unwrap()\n"
        "}\n"
        "pub fn g(x: Option<u8>) -> u8 {\n"
        "    x.unwrap()\n"
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == [7]


def test_clippy_twin_on_an_enclosing_impl_and_file(tmp_path: Path) -> None:
    body = (
        "pub struct S;\n"
        "#[allow(clippy::unwrap_used)]\n"
        "impl S {\n"
        "    pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n"
        "}\n"
    )
    assert _lines(_audit_lib(tmp_path, body)) == []
    file_level = "#![allow(clippy::unwrap_used)]\npub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n"
    assert _lines(_audit_lib(tmp_path / "file", file_level)) == []


def test_unrelated_clippy_allow_does_not_silence(tmp_path: Path) -> None:
    body = "#[allow(clippy::too_many_lines)]\npub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n"
    assert _lines(_audit_lib(tmp_path, body)) == [3]


def test_suppression_without_reason_still_silences_and_is_reported(tmp_path: Path) -> None:
    body = (
        "pub fn f(x: Option<u8>) -> u8 {\n"
        "    // rustpro: allow(unwrap-in-production)\n"
        "    x.unwrap()\n"
        "}\n"
    )
    rule = "suppression-without-reason"
    result = _audit_lib(tmp_path, body, UNWRAP, rule)
    assert _lines(result) == []
    if rule_class(rule) is None:
        pytest.skip(f"{rule} is not implemented yet")
    assert _lines(result, rule) == [3]


def test_only_real_line_comments_suppress(tmp_path: Path) -> None:
    body = (
        "/// rustpro: allow(unwrap-in-production) -- a doc comment is not a suppression\n"
        "pub fn f(x: Option<u8>) -> u8 {\n"
        '    let s = "// rustpro: allow(unwrap-in-production) -- nor is a string";\n'
        "    let _ = s;\n"
        "    x.unwrap()\n"
        "}\n"
        "pub fn g(x: Option<u8>) -> u8 {\n"
        "    //rustpro:allow(unwrap-in-production) -- spacing is free\n"
        "    x.unwrap()\n"
        "}\n"
        "pub fn h(x: Option<u8>) -> String {\n"
        "    format!(\n"
        '        "{}",\n'
        "        // rustpro: allow(unwrap-in-production) -- inside macro arguments too\n"
        "        x.unwrap()\n"
        "    )\n"
        "}\n"
    )
    result = _audit_lib(tmp_path, body)
    assert _lines(result) == [6]
    assert result.suppressed == 2
