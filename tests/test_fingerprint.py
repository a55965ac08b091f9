"""Fingerprints (v2) of findings survive unrelated edits and tell findings apart.

The fixture crate `tests/fixtures/baseline/ledger` is audited, edited in each of the ways a
baseline must survive (lines inserted above findings, other functions reformatted, other items
renamed, a function moved within its file) and audited again; each test names exactly which
findings are new. A property test inserts blank lines and unrelated items at random places
above findings: no finding may become new.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.fingerprint import (
    FINGERPRINT_LENGTH,
    fingerprint,
    fingerprint_findings,
    normalized_code,
    source_reader,
)
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.syntax.anchor import item_path
from rustpro.syntax.parser import parse
from tests.support import FIXTURES

LEDGER = FIXTURES / "baseline" / "ledger"
OPTIONS = AuditOptions(static=True, use_cache=False, workers=1, select=("all",))
ANCHORED = dataclasses.replace(OPTIONS, anchors=True)  # as SARIF and GitLab audit
PATH = "src/lib.rs"


def _finding(line: int, column: int, end_line: int, end_column: int, rule: str = "r") -> Finding:
    return Finding(
        rule=rule,
        checkpoint=Checkpoint.ERRORS,
        severity=Severity.WARNING,
        path=PATH,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        message=f"found at line {line}",  # messages that mention lines must not matter
        help="",
    )


def _prints(source: str, findings: list[Finding]) -> list[str]:
    return fingerprint_findings(findings, {PATH: source}.get)


# -- the parts of a fingerprint ---------------------------------------------------------------


ITEMS = """\
mod net {
    pub fn connect() {
        fn inner() { z.unwrap(); }
    }
}
impl<T> Ledger<T> where T: Clone {
    fn apply(&self) { a.unwrap() }
}
impl fmt::Display
    for Ledger {
    fn fmt(&self) {}
}
trait Store { fn get(&self) { b.unwrap() } }
extern "C" { fn abs(x: i32) -> i32; }
const LIMIT: u8 = 1;
"""


@pytest.mark.parametrize(
    ("needle", "path"),
    [
        ("z.unwrap", "mod net::fn connect::fn inner"),
        ("a.unwrap", "impl Ledger<T>::fn apply"),
        ("fn fmt", "impl fmt::Display for Ledger::fn fmt"),
        ("b.unwrap", "trait Store::fn get"),
        ("abs", "extern::fn abs"),
        ("1;", "const LIMIT"),
        ("mod net", "mod net"),
    ],
)
def test_item_paths_name_the_items_around_a_place(needle: str, path: str) -> None:
    source = ITEMS.encode()
    tree = parse(source)
    assert item_path(tree.root_node, source.index(needle.encode())) == path


def test_outside_every_item_the_path_is_empty() -> None:
    source = b"\n\n// a comment\n\nfn f() {}\n"
    tree = parse(source)
    assert item_path(tree.root_node, 0) == ""
    assert item_path(tree.root_node, source.index(b"// a")) == ""


def test_the_flagged_expression_is_whole_when_on_the_span_lines() -> None:
    source = "fn f() {\n    let x = (left.parse().unwrap(), right.parse().unwrap());\n}\n"
    line = source.split("\n")[1]
    spans = [line.index("unwrap") + 1, line.rindex("unwrap") + 1]
    findings = [_finding(2, column, 2, column + len("unwrap()")) for column in spans]
    # Two `unwrap()` spans in one function, told apart by their receivers, not by order.
    assert _prints(source, findings) == [
        fingerprint("r", PATH, "fn f", "left.parse().unwrap()", 0),
        fingerprint("r", PATH, "fn f", "right.parse().unwrap()", 0),
    ]


def test_a_macro_name_span_flags_the_whole_invocation() -> None:
    source = 'fn f() {\n    panic!("bad {}", x);\n}\n'
    assert _prints(source, [_finding(2, 5, 2, 10)]) == [
        fingerprint("r", PATH, "fn f", 'panic!("bad {}", x)', 0)
    ]


def test_an_expression_reaching_other_lines_leaves_the_span_text() -> None:
    source = "fn f() {\n    let x = value\n        .parse()\n        .unwrap();\n}\n"
    assert _prints(source, [_finding(4, 10, 4, 18)]) == [
        fingerprint("r", PATH, "fn f", "unwrap()", 0)
    ]


def test_multi_line_spans_hash_all_their_lines_and_zero_width_ones_the_line() -> None:
    source = "fn f() {\n    unsafe {\n        *p\n    }\n}\n"
    assert _prints(source, [_finding(2, 5, 4, 6), _finding(3, 9, 3, 9)]) == [
        fingerprint("r", PATH, "fn f", "unsafe { *p }", 0),
        fingerprint("r", PATH, "fn f", "*p", 0),
    ]


def test_manifest_findings_are_keyed_by_their_table() -> None:
    manifest = '# comment\n[package]\nname = "x"\nedition = "2018"\n\n[dependencies]\n'
    finding = dataclasses.replace(_finding(4, 1, 4, 1), path="Cargo.toml")
    moved = dataclasses.replace(finding, line=7, end_line=7)
    edited = "# more\n# comments\n" + manifest.replace('name = "x"', 'name = "x"\nversion = "1"')
    assert fingerprint_findings([finding], {"Cargo.toml": manifest}.get) == [
        fingerprint("r", "Cargo.toml", "package", 'edition = "2018"', 0)
    ]
    assert fingerprint_findings([finding], {"Cargo.toml": manifest}.get) == (
        fingerprint_findings([moved], {"Cargo.toml": edited}.get)
    )


@given(
    text=st.text(alphabet=string.ascii_letters + "(){}[],.;: \t\n", max_size=40),
    spaces=st.lists(st.sampled_from([" ", "\t", "\n", "  "]), max_size=4),
)
def test_whitespace_and_trailing_commas_do_not_count(text: str, spaces: list[str]) -> None:
    # rustfmt adds or drops one trailing comma; a text that already has one before `)` would
    # get two (`,,)`), which no formatter writes.
    assume(not re.search(r",\s*\)", text))
    respaced = "".join(spaces) + text.replace(" ", " \n\t ").replace(")", ",)") + "".join(spaces)
    assert normalized_code(respaced) == normalized_code(text)


RUSTISH = st.text(alphabet="fn mod impl{}()[];:.!\n\t xyz_0123\"'#/é", max_size=300)
POSITION = st.tuples(
    st.integers(-1, 40), st.integers(-1, 90), st.integers(-1, 40), st.integers(-1, 90)
)


@settings(max_examples=300, deadline=None)
@given(source=RUSTISH, spans=st.lists(POSITION, max_size=6), path=st.sampled_from([PATH, "a.toml"]))
def test_any_text_and_any_span_get_a_fingerprint(
    source: str, spans: list[tuple[int, int, int, int]], path: str
) -> None:
    findings = [dataclasses.replace(_finding(*span), path=path) for span in spans]
    prints = fingerprint_findings(findings, {path: source}.get)
    assert len(prints) == len(findings)
    assert all(len(p) == FINGERPRINT_LENGTH for p in prints)


def test_rule_path_item_code_and_ordinal_all_count() -> None:
    base = fingerprint("unwrap-in-production", "src/a.rs", "fn f", "x.unwrap()", 0)
    assert fingerprint("expect-in-production", "src/a.rs", "fn f", "x.unwrap()", 0) != base
    assert fingerprint("unwrap-in-production", "src/b.rs", "fn f", "x.unwrap()", 0) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "fn g", "x.unwrap()", 0) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "fn f", "y.unwrap()", 0) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "fn f", "x.unwrap()", 1) != base
    assert fingerprint("unwrap-in-production", "src/a.rs", "fn f", " x . unwrap ( ) ", 0) == base
    assert len(base) == FINGERPRINT_LENGTH and set(base) <= set(string.hexdigits)


def test_identical_findings_in_one_item_get_ordinals_in_file_order() -> None:
    source = "fn f() {\n    x.unwrap();\n    x.unwrap(); x.unwrap();\n}\n"
    findings = [_finding(2, 5, 2, 15), _finding(3, 5, 3, 15), _finding(3, 17, 3, 27)]
    forward = _prints(source, findings)
    assert len(set(forward)) == 3
    assert _prints(source, findings[::-1]) == forward[::-1]  # the order given does not matter


def test_unreadable_files_and_lines_past_the_end_still_get_fingerprints() -> None:
    missing = dataclasses.replace(_finding(3, 1, 3, 5), path="src/gone.rs")
    past_end = _finding(99, 1, 99, 5)
    prints = _prints("fn main() {}", [missing, past_end])
    assert prints == [
        fingerprint("r", "src/gone.rs", "", "", 0),
        fingerprint("r", PATH, "", "", 0),
    ]


def test_form_feeds_do_not_shift_lines() -> None:
    source = "// page one\x0cpage two\nfn f() { x.unwrap(); }\n"
    assert _prints(source, [_finding(2, 12, 2, 20)]) == [
        fingerprint("r", PATH, "fn f", "x.unwrap()", 0)
    ]


def test_source_reader_stays_inside_the_root(tmp_path: Path) -> None:
    (tmp_path / "inside").mkdir()
    (tmp_path / "inside" / "a.rs").write_text("fn a() {}\n")
    (tmp_path / "secret.txt").write_text("outside\n")
    read = source_reader(tmp_path / "inside")
    assert read("a.rs") == "fn a() {}\n"
    assert read("../secret.txt") is None
    assert read("missing.rs") is None


# -- a real crate, edited -----------------------------------------------------------------------


def _ledger(tmp_path: Path) -> Path:
    root = tmp_path / "ledger"
    shutil.copytree(LEDGER, root)
    return root


def _audit(root: Path) -> dict[str, tuple[str, str, int]]:
    """fingerprint -> (rule, path, line) of every finding."""
    result = run_audit(root, OPTIONS)
    prints = fingerprint_findings(result.findings, source_reader(root))
    assert len(set(prints)) == len(prints)
    return {p: (f.rule, f.path, f.line) for p, f in zip(prints, result.findings, strict=True)}


def _edit(root: Path, relpath: str, old: str, new: str) -> None:
    path = root / relpath
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _new_after(root: Path, *edits: tuple[str, str, str]) -> list[tuple[str, str, int]]:
    """The findings (rule, path, line) whose fingerprints were not there before `edits`."""
    before = _audit(root)
    for edit in edits:
        _edit(root, *edit)
    after = _audit(root)
    return sorted(where for p, where in after.items() if p not in before)


def test_the_fixture_has_findings_of_every_kind(tmp_path: Path) -> None:
    rules = {rule for rule, _, _ in _audit(_ledger(tmp_path)).values()}
    assert {"unwrap-in-production", "missing-docs", "undocumented-unsafe-block"} <= rules
    assert {"expect-in-production", "no-unit-tests"} <= rules  # another file, the manifest


def test_inserting_lines_above_findings_makes_nothing_new(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    block = "\n".join(f"// note {i}" for i in range(12))
    assert not _new_after(
        root,
        (PATH, "mod net;", f"{block}\n\nmod net;\n\nfn spare() -> u8 {{\n    1\n}}\n"),
        (PATH, "        let value", "\n\n        let value"),
        ("src/net.rs", "/// Connects", "// Ports are u16.\n\n/// Connects"),
        ("Cargo.toml", "[package]", "# The fixture.\n\n[package]"),
    )


def test_reformatting_other_functions_makes_nothing_new(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    assert not _new_after(
        root,
        (
            PATH,
            "    pub fn total(&self) -> u64 {\n        self.entries.iter().sum()\n    }",
            "    pub fn total(\n        &self,\n    ) -> u64 { self.entries\n .iter().sum() }",
        ),
        (
            PATH,
            "fn helper(values: &[u8]) -> u8 {\n    values.iter().copied().max().unwrap_or(0)\n}",
            "fn helper(values: &[u8]) -> u8 { values.iter().copied().max().unwrap_or(0) }",
        ),
    )


def test_reformatting_the_flagged_code_itself_makes_nothing_new(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    assert not _new_after(
        root,
        (PATH, "(left.parse().unwrap(), right", "(left.parse().unwrap(),\n            right"),
        (PATH, "        *values\n            .as_ptr()", "        *values.as_ptr()"),
    )


def test_renaming_other_items_makes_nothing_new(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    assert not _new_after(
        root,
        (PATH, "struct Unrelated;", "struct Renamed;"),
        (PATH, "fn helper(", "fn helper_renamed("),
        (PATH, "let _ = helper(", "let _ = helper_renamed("),
    )


def test_renaming_the_enclosing_item_renews_exactly_its_findings(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    new = _new_after(root, (PATH, "pub fn pair(", "pub fn pair_of("))
    assert [(rule, line) for rule, _, line in new] == [
        ("unwrap-in-production", 24),
        ("unwrap-in-production", 24),
    ]


def test_moving_a_function_within_its_file_makes_nothing_new(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    text = (root / PATH).read_text()
    moved = "/// The first byte" + text.split("/// The first byte")[1]
    assert not _new_after(
        root, (PATH, moved, ""), (PATH, "struct Unrelated;", f"{moved}\nstruct Unrelated;")
    )


def test_editing_a_flagged_expression_renews_exactly_that_finding(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    new = _new_after(root, (PATH, "right.parse().unwrap()", "right.trim().parse().unwrap()"))
    assert new == [("unwrap-in-production", PATH, 24)]


def test_one_more_unwrap_is_one_new_finding_where_it_was_added(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    added = "        let _n: u8 = left.trim().parse().unwrap();\n"
    new = _new_after(root, (PATH, "        (left.parse()", f"{added}        (left.parse()"))
    assert new == [("unwrap-in-production", PATH, 24)]


# -- random unrelated insertions above findings -------------------------------------------------

# The fixture's lines after which an item may go (the line ends an item or a statement, or opens
# a body of items or statements, and no doc comment or attribute waits for the next item).
ITEM_SLOTS = (
    "mod net;",
    "pub use net::connect;",
    "struct Unrelated;",
    "impl Ledger {",
    "        self.entries.push(value);",
    "    }",
    "}",
    "    let _ = helper(values);",
)
UNRELATED_ITEMS = st.sampled_from(
    [
        "fn unrelated_{n}() {{}}",
        "const UNRELATED_{n}: u8 = {n};",
        "fn unrelated_{n}(x: u8) -> u8 {{\n    x + 1\n}}",
        "// an unrelated comment {n}",
        "",
    ]
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_blank_lines_and_unrelated_items_make_nothing_new(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = _ledger(tmp_path_factory.mktemp("ledger"))
    before = _audit(root)
    lines = (root / PATH).read_text().split("\n")
    slots = [i + 1 for i, line in enumerate(lines) if line in ITEM_SLOTS]
    inserts = data.draw(
        st.lists(
            st.one_of(
                st.tuples(st.integers(0, len(lines) - 1), st.just("")),
                st.tuples(st.sampled_from(slots), UNRELATED_ITEMS),
            ),
            min_size=1,
            max_size=8,
        )
    )
    # From the bottom up, so each index still names a line of the original file.
    for n, (at, template) in enumerate(sorted(inserts, key=lambda pair: -pair[0])):
        lines[at:at] = template.format(n=n).split("\n")
    (root / PATH).write_text("\n".join(lines))
    after = _audit(root)
    assert set(before) <= set(after), "\n".join(lines)


# -- places recorded by the file pass ------------------------------------------------------------


def test_places_recorded_by_the_file_pass_give_the_same_fingerprints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SARIF, GitLab and baselines fingerprint with the places the file pass recorded while it
    had the tree (`AuditResult.known_places`): the same fingerprints as reading and parsing
    each file again, without parsing any file again."""
    result = run_audit(LEDGER, ANCHORED)
    known = result.known_places
    rust = [f for f in result.findings if f.path.endswith(".rs")]
    assert rust and all(known(f) is not None for f in rust)
    expected = fingerprint_findings(result.findings, source_reader(LEDGER))

    def no_parsing(source: bytes) -> None:
        raise AssertionError("a file was parsed again")

    monkeypatch.setattr("rustpro.syntax.parser.parse", no_parsing)
    assert fingerprint_findings(result.findings, source_reader(LEDGER), known) == expected


def test_findings_of_crate_rules_are_placed_by_reading_their_files() -> None:
    """Crate and workspace rules report after every tree is gone (a lock-order inversion, a
    suppression without a reason): their findings are placed by reading the file again,
    and every fingerprint is the same either way."""
    showcase = FIXTURES.parent.parent / "examples" / "showcase"
    result = run_audit(showcase, ANCHORED)
    unknown = {f.rule for f in result.findings if result.known_places(f) is None}
    assert {"lock-order-inversion", "suppression-without-reason"} <= unknown
    assert fingerprint_findings(
        result.findings, source_reader(showcase), result.known_places
    ) == fingerprint_findings(result.findings, source_reader(showcase))


def test_a_file_with_carriage_returns_is_placed_by_reading_it(tmp_path: Path) -> None:
    """Reports read files with universal newlines, where a lone carriage return ends a line;
    the file pass leaves such files to them rather than risk a different place."""
    root = _ledger(tmp_path)
    lib = root / "src" / "lib.rs"
    lib.write_bytes(lib.read_bytes().replace(b"\n", b"\r\n"))
    result = run_audit(root, ANCHORED)
    in_lib = [f for f in result.findings if f.path == "src/lib.rs"]
    assert in_lib and all(result.known_places(f) is None for f in in_lib)
    assert fingerprint_findings(
        result.findings, source_reader(root), result.known_places
    ) == fingerprint_findings(result.findings, source_reader(root))


def test_an_audit_records_places_only_when_asked(tmp_path: Path) -> None:
    root = _ledger(tmp_path)
    assert not run_audit(root, OPTIONS).anchors
    assert run_audit(root, ANCHORED).anchors
    baseline = tmp_path / "baseline.json"
    written = dataclasses.replace(OPTIONS, write_baseline=baseline)
    assert run_audit(root, written).anchors  # a baseline fingerprints every finding


@given(st.binary(max_size=300))
def test_sha256_hasher_is_hashlibs(data: bytes) -> None:
    """The SHA-256 fingerprints use (Python's own, sparing the import of `hashlib` and
    OpenSSL) digests as `hashlib.sha256` does."""
    import hashlib

    from rustpro.fingerprint import sha256_hasher

    assert sha256_hasher()(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_anchored_places_are_the_read_ones_on_non_ascii_lines() -> None:
    """`anchor_places` decodes only the lines it reads (`_Utf8Lines`) and takes offsets from
    the bytes: the places are those of the file read as text, multi-line, zero-width and
    out-of-range spans included."""
    from rustpro.fingerprint import anchor_places, known_places

    text = (
        'fn déjà() {\n    let s = "ünï";\n    let v = vec![\n        1,\n    ];\n}\n'
        'mod m {\n    fn f() { g("é", 2).unwrap(); }\n}\n'
    )
    source = text.encode("utf-8")
    spans = [
        (1, 4, 1, 8),
        (2, 13, 2, 18),
        (3, 13, 5, 6),
        (8, 14, 8, 31),
        (6, 1, 6, 1),
        (40, 1, 40, 2),
        (7, 5, 2, 1),
        (9, 1, 9, 2),
        (10, 1, 10, 1),
    ]
    findings = [_finding(*span) for span in spans]
    anchored = anchor_places(PATH, source, parse(source), findings)
    known = known_places({PATH: anchored})
    assert fingerprint_findings(findings, lambda _: text, known) == fingerprint_findings(
        findings, lambda _: text
    )
    assert all(known(f) is not None for f in findings)
