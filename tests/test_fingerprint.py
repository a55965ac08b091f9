"""Fingerprints of findings survive unrelated edits and tell identical lines apart."""

from __future__ import annotations

import dataclasses
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.fingerprint import (
    FINGERPRINT_LENGTH,
    fingerprint,
    fingerprint_findings,
    normalized_line,
    source_reader,
)
from rustpro.model import Checkpoint, Finding, Severity
from tests.support import make_crate

PATH = "src/lib.rs"
# Code-ish lines: the property tests build files from these.
LINE_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " ().;{}_!", max_size=30)


def _finding(line: int, column: int = 1, rule: str = "unwrap-in-production") -> Finding:
    return Finding(
        rule=rule,
        checkpoint=Checkpoint.ERRORS,
        severity=Severity.WARNING,
        path=PATH,
        line=line,
        column=column,
        end_line=line,
        end_column=column + 1,
        message=f"found at line {line}",  # messages that mention lines must not matter
        help="",
    )


def _reader(lines: list[str]) -> dict[str, str]:
    return {PATH: "\n".join(lines) + "\n"}


def _fingerprints(lines: list[str], findings: list[Finding]) -> list[str]:
    files = _reader(lines)
    return fingerprint_findings(findings, files.get)


@given(
    body=st.lists(LINE_TEXT, min_size=1, max_size=12),
    flagged=st.data(),
    inserted=st.lists(LINE_TEXT, min_size=1, max_size=8),
    where=st.data(),
)
@settings(max_examples=200)
def test_inserting_lines_elsewhere_keeps_every_fingerprint(
    body: list[str], flagged: st.DataObject, inserted: list[str], where: st.DataObject
) -> None:
    marked = flagged.draw(st.sets(st.integers(0, len(body) - 1), min_size=1))
    at = where.draw(st.integers(0, len(body)))
    before = [_finding(i + 1) for i in sorted(marked)]
    edited = body[:at] + inserted + body[at:]
    shift = len(inserted)
    after = [_finding(i + 1 + (shift if i >= at else 0)) for i in sorted(marked)]
    # Unless an inserted line repeats a flagged line's text above it (then the occurrence count
    # moves, as it should: that is a new identical line), nothing changes.
    repeated = {normalized_line(t) for t in inserted} & {normalized_line(body[i]) for i in marked}
    if not repeated:
        assert _fingerprints(body, before) == _fingerprints(edited, after)


@given(text=LINE_TEXT, copies=st.integers(2, 6), indent=st.integers(0, 8))
def test_identical_lines_get_distinct_fingerprints(text: str, copies: int, indent: int) -> None:
    lines = [" " * (indent * i) + text for i in range(copies)]  # same text, any indentation
    prints = _fingerprints(lines, [_finding(i + 1) for i in range(copies)])
    assert len(set(prints)) == copies
    assert all(len(p) == FINGERPRINT_LENGTH and set(p) <= set(string.hexdigits) for p in prints)


@given(text=LINE_TEXT, spaces=st.lists(st.sampled_from([" ", "\t", "  "]), max_size=4))
def test_whitespace_changes_keep_the_fingerprint(text: str, spaces: list[str]) -> None:
    respaced = "".join(spaces) + text.replace(" ", " \t ") + "".join(spaces)
    assert _fingerprints([text], [_finding(1)]) == _fingerprints([respaced], [_finding(1)])


def test_the_order_findings_come_in_does_not_matter() -> None:
    lines = ["x.unwrap();", "x.unwrap();", "y.unwrap(); y.unwrap();"]
    findings = [_finding(1), _finding(2), _finding(3, 1), _finding(3, 13)]
    forward = _fingerprints(lines, findings)
    backward = _fingerprints(lines, findings[::-1])
    assert backward == forward[::-1]
    assert len(set(forward)) == 4  # two on one line are two occurrences


def test_rule_path_and_text_all_count() -> None:
    base = fingerprint("unwrap-in-production", "src/a.rs", "x.unwrap();", 0)
    assert fingerprint("expect-in-production", "src/a.rs", "x.unwrap();", 0) != base
    assert fingerprint("unwrap-in-production", "src/b.rs", "x.unwrap();", 0) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "y.unwrap();", 0) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "x.unwrap();", 1) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "  x.unwrap();  ", 0) == base


def test_unreadable_files_and_lines_past_the_end_still_get_fingerprints() -> None:
    missing = dataclasses.replace(_finding(3), path="src/gone.rs")
    past_end = _finding(99)
    prints = _fingerprints(["fn main() {}"], [missing, past_end])
    assert prints == [
        fingerprint(missing.rule, "src/gone.rs", "", 0),
        fingerprint(past_end.rule, PATH, "", 0),
    ]


def test_form_feeds_do_not_shift_lines() -> None:
    lines = ["// page one\x0cpage two", "x.unwrap();"]
    assert _fingerprints(lines, [_finding(2)]) == [
        fingerprint("unwrap-in-production", PATH, "x.unwrap();", 0)
    ]


def test_source_reader_stays_inside_the_root(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "a.rs").write_text("fn a() {}\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    read = source_reader(tmp_path / "inside")
    assert read("a.rs") == "fn a() {}\n"
    assert read("../secret.txt") is None
    assert read("missing.rs") is None


def test_real_audit_fingerprints_survive_a_line_shift(tmp_path: Path) -> None:
    lib = (
        "pub fn first(v: Option<u8>) -> u8 {\n    v.unwrap()\n}\n\n"
        "pub fn second(v: Option<u8>) -> u8 {\n    v.unwrap()\n}\n"
    )
    root = make_crate(tmp_path / "crate", {"src/lib.rs": lib})
    # Every group: the manifest-level rule checked below is opt-in.
    options = AuditOptions(static=True, use_cache=False, workers=1, select=("all",))

    def audit() -> dict[str, tuple[str, int]]:
        result = run_audit(root, options)
        prints = fingerprint_findings(result.findings, source_reader(root))
        return {p: (f.rule, f.line) for p, f in zip(prints, result.findings, strict=True)}

    before = audit()
    (root / "src/lib.rs").write_text("//! Crate docs.\n\n// A comment.\n" + lib)
    manifest = root / "Cargo.toml"
    manifest.write_text("# A comment moves every manifest line.\n" + manifest.read_text())
    after = audit()
    unwraps = {p for p, (rule, _) in before.items() if rule == "unwrap-in-production"}
    assert len(unwraps) == 2  # two identical `v.unwrap()` lines, two fingerprints
    assert unwraps <= set(after)
    assert all(after[p][1] == before[p][1] + 3 for p in unwraps)
    project = {p for p, (rule, _) in before.items() if rule == "no-benchmarks"}
    assert len(project) == 1 and project <= set(after)
    assert all(after[p][1] == before[p][1] + 1 for p in project)
