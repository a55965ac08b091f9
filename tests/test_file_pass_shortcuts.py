"""The file pass's shortcuts (questions answered from the bytes first, words skipped where
nobody wants them) must give exactly the answers of the plain way: each is compared here
with the plain way on every rule fixture and on tricky sources."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Node

from rustpro.engine import filepass, gates, structure
from rustpro.engine.context import FileContext
from rustpro.engine.filepass import FileResult, analyze_source
from rustpro.engine.finder import Hit
from rustpro.model import Role
from rustpro.rules.base import Scope
from rustpro.rules.errors import panic_sites
from rustpro.rules.patterns import Pattern
from rustpro.rules.registry import file_rules
from rustpro.syntax import items
from rustpro.syntax.ancestry import active
from rustpro.syntax.parser import parse
from rustpro.syntax.positions import LineIndex
from tests.support import FIXTURES, all_nodes

SOURCES = [path.read_bytes() for path in sorted((FIXTURES / "rules").rglob("*.rs"))]
# Test regions of every shape the engine records, with code every production rule reads
# inside and outside them.
TEST_REGIONS = [
    b"""\
pub fn outside(x: Option<u8>) -> u8 { assert!(x.is_some()); x.unwrap() }
#[cfg(test)]
mod tests {
    use super::*;
    #[test] fn t() { let v: Option<u8> = None; v.unwrap(); assert_eq!(1, 1); panic!("x"); }
    pub fn helper(flag: bool, id: u64) -> Result<(), String> { m.lock().unwrap(); Ok(()) }
    static S: u8 = 0;
}
pub fn after(x: Option<u8>) -> u8 { x.expect("no value") }
""",
    b"""\
#[test]
// a comment between
#[ignore]
fn t() { x.unwrap(); for i in v.clone() {} }
pub fn f(y: Option<u8>) { y.unwrap(); }
#[tokio::test] async fn t2() { y.lock().unwrap().read(); }
#[cfg(any(test, feature = "test-util"))]
pub fn util(x: Option<u8>) -> u8 { x.unwrap() }
mod testing { pub fn g(x: Option<u8>) -> u8 { x.unwrap() } }
pub mod r#mock { pub fn h(x: Option<u8>) { x.unwrap(); todo!() } }
pub fn last(x: Option<u8>) -> u8 { m!(x.unwrap()); x.unwrap() }
""",
    b"""\
pub fn f(v: Vec<u8>) -> u8 {
    #[cfg(test)]
    let y = v.first().unwrap();
    let z = g(#[cfg(test)] v.last().unwrap(), v.first().unwrap());
    #[cfg(test)] { assert!(v.is_empty()); }
    v[0].checked_add(1).unwrap()
}
#[cfg(test)] impl S { pub fn s(&self, flag: bool) { self.0.lock().unwrap(); } }
#[cfg(doc)] pub fn docs_only(x: Option<u8>) -> u8 { x.unwrap() }
#[cfg(not(test))] pub fn not_tests(x: Option<u8>) -> u8 { x.unwrap() }
""",
]
PRODUCTION_RULES = frozenset(rule.name for rule in file_rules() if rule.scope is Scope.PRODUCTION)


def _plain_region_ends(ctx: FileContext) -> None:
    return None  # the word finder then skips nothing


def _same(one: FileResult, other: FileResult) -> None:
    assert one.candidates == other.candidates
    assert one.facts == other.facts
    assert one.structure == other.structure
    assert one.rule_errors == other.rule_errors == []


@pytest.mark.parametrize("rules", [None, PRODUCTION_RULES], ids=["all-rules", "production"])
@pytest.mark.parametrize("role", [Role.PRODUCTION, Role.TEST])
def test_words_skipped_in_test_regions_change_no_result(
    rules: frozenset[str] | None, role: Role, monkeypatch: pytest.MonkeyPatch
) -> None:
    shortcut = [analyze_source(s, "src/lib.rs", role, rules) for s in [*SOURCES, *TEST_REGIONS]]
    monkeypatch.setattr(filepass, "_region_ends", _plain_region_ends)
    plain = [analyze_source(s, "src/lib.rs", role, rules) for s in [*SOURCES, *TEST_REGIONS]]
    for one, other in zip(shortcut, plain, strict=True):
        _same(one, other)


def test_test_regions_do_skip_words() -> None:
    """The comparison above proves something: the production plan skips words there."""
    plan = gates.plan(True, PRODUCTION_RULES)
    source = TEST_REGIONS[0]
    tree = parse(source)
    ctx = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    with active(ctx.ancestry):
        region_ends = filepass._region_ends(ctx)
        skipped, _ = plan.words.find(tree.root_node, source, ctx.ancestry, region_ends)
        every, _ = plan.words.find(tree.root_node, source)
    found = {(node.start_byte, node.type) for node, _, _ in skipped}
    assert found < {(node.start_byte, node.type) for node, _, _ in every}


def _plain_panics_text(docs: str | None) -> str:
    """`panics_text` before it looked for the word first."""
    if not docs:
        return ""
    if items.has_doc_section(docs, "Panics"):
        return docs[docs.find("Panics") :]
    prose = panic_sites._fence().sub("", docs)
    found = panic_sites._panics_prose().search(prose)
    return prose[found.start() :] if found is not None else ""


_DOC_WORDS = [
    "panic", "Panics", "PANICS", "pan\u0130c", "pan\u0131cs", "**Panics**", "# Panics",
    "this will panic", "never panics", "```", "~~~", "\n", ". ", "if", "x", " ",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_DOC_WORDS) | st.text(max_size=8), max_size=20))
def test_panics_text_equals_the_plain_search(parts: list[str]) -> None:
    docs = "".join(parts)
    assert panic_sites.panics_text(docs) == _plain_panics_text(docs)


_HIDDEN_SOURCES = [
    *SOURCES,
    b"#[doc(hidden)] pub fn a() {} pub fn b() {} #[cfg_attr(x, doc(hidden))] pub struct C;",
    b"#![doc(hidden)]\npub fn a() {} pub mod m { pub fn b() {} }",
    b'/// hidden in docs only\npub fn a() {} #[doc(alias = "x")] pub fn b() {}',
]


@pytest.mark.parametrize("source", _HIDDEN_SOURCES)
def test_public_gates_equal_those_read_from_every_attribute(
    source: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gates_of(ctx: FileContext) -> list[object]:
        with active(ctx.ancestry):
            return [
                ctx.public_gate(node)
                for node in all_nodes(ctx.tree)
                if node.is_named and node.type in items.ITEM_KINDS
            ]

    tree = parse(source)
    shortcut = gates_of(FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source)))
    # The plain way: every file may spell `hidden`, so every item's attributes are read.
    monkeypatch.setattr(FileContext, "mentions", lambda self, word: True)
    plain = gates_of(FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source)))
    assert shortcut == plain


def test_sources_hold_the_shapes_compared() -> None:
    assert any(re.search(rb"#\[cfg\(test\)\]", s) for s in TEST_REGIONS)
    assert any(b"hidden" in s for s in _HIDDEN_SOURCES)


def _unwrap_sites(tree_nodes: list[Node]) -> list[tuple[Node, Node, Node | None]]:
    """Each `.unwrap()`/`.expect(..)` call: the call, its method name, its receiver."""
    found: list[tuple[Node, Node, Node | None]] = []
    for node in tree_nodes:
        function = node.child_by_field_name("function") if node.type == "call_expression" else None
        field = function.child_by_field_name("field") if function is not None else None
        if function is not None and field is not None and field.text in (b"unwrap", b"expect"):
            found.append((node, field, function.child_by_field_name("value")))
    return found


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS])
def test_judged_unwraps_are_those_judged_afresh(source: bytes) -> None:
    tree = parse(source)
    sites = _unwrap_sites(all_nodes(tree))
    remembered = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    with active(remembered.ancestry):
        twice = [
            [
                panic_sites.judge_unwrap(
                    remembered, site, panic_sites.operation_of(value), "", method, value
                )
                for site, method, value in sites
            ]
            for _ in range(2)
        ]
    afresh = []
    for site, method, value in sites:
        ctx = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
        with active(ctx.ancestry):
            operation = panic_sites.operation_of(value)
            afresh.append(panic_sites._judge_unwrap(ctx, site, operation, "", method, value))
    assert twice[0] == twice[1] == afresh


PUBLIC_AND_NOT = [
    b"/// ```\n/// assert_eq!(f(), 1);\n/// ```\npub fn f() -> u8 { 1 }\n",
    b"""\
/// ```
/// assert!(true); // a doctest
/// ```
pub fn documented() {}
#[test] fn t() {} #[test] fn u() {}
proptest! { fn p(x in 0..1) {} }
m! { #[test] fn v() {} }
/// assert_eq!(1, 1);
fn g() {}
""",
    b"""\
use anyhow::Result;
pub fn a(x: bool, y: bool, id: u64, other_id: u64) -> Result<(), String> { Ok(()) }
fn b(x: bool, y: bool, id: u64, other_id: u64) -> Result<(), String> { Ok(()) }
pub(crate) fn c(x: bool, y: bool) -> Result<(), Box<dyn std::error::Error>> { Ok(()) }
pub unsafe fn d() {} unsafe fn e() {}
pub fn f() -> Result<u8> { Ok(1) } fn g() -> Result<u8> { Ok(1) }
pub trait T { fn t(x: bool, y: bool) -> Result<(), String>; unsafe fn u(); }
pub unsafe trait U {} unsafe trait V {}
impl T for S { fn t(x: bool, y: bool) -> Result<(), String> { Ok(()) } unsafe fn u() {} }
impl S { pub fn s(user_id: u32, group_id: u32) -> Result<(), Box<dyn Error>> { Ok(()) } }
mod m { pub fn h(a: bool, b: bool) -> Result<(), String> { Ok(()) } }
pub mod n { pub fn i(a: bool, b: bool) -> anyhow::Result<()> { Ok(()) } }
""",
]


@pytest.mark.parametrize("rules", [None, PRODUCTION_RULES], ids=["all-rules", "production"])
def test_candidates_skipped_as_no_public_api_or_after_a_rule_is_done_change_no_result(
    rules: frozenset[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = [*SOURCES, *PUBLIC_AND_NOT]
    shortcut = [analyze_source(s, "src/lib.rs", Role.PRODUCTION, rules) for s in sources]
    # The plain way: no subscription is public-only or done with a file after a fact, so
    # each sees every candidate (and every text search runs).
    subscriptions = gates._subscriptions

    def seeing_all(
        production: bool, names: frozenset[str] | None
    ) -> list[tuple[gates.Subscription, Pattern]]:
        found = subscriptions(production, names)
        return [
            (dataclasses.replace(sub, public_only=False, until_fact=""), pattern)
            for sub, pattern in found
        ]

    monkeypatch.setattr(gates, "_subscriptions", seeing_all)
    gates._plan.cache_clear()
    try:
        plain = [analyze_source(s, "src/lib.rs", Role.PRODUCTION, rules) for s in sources]
    finally:
        gates._plan.cache_clear()
    for one, other in zip(shortcut, plain, strict=True):
        _same(one, other)
    reported = {c.finding.rule for c in shortcut[-1].candidates}
    assert {"bool-params", "string-error", "unsafe-fn-missing-safety-doc"} <= reported
    if rules is None:  # no-unit-tests runs
        assert shortcut[-2].facts.get("testing.has-tests") == ["yes"]
        assert shortcut[-3].facts.get("testing.has-tests") == ["yes"]  # a doctest alone


def _plain_relevant(
    runner: filepass._RuleRunner,
    subs: tuple[gates.Subscription, ...],
    in_test: bool,
    may_hold_tests: bool,
) -> tuple[gates.Subscription, ...]:
    """`_RuleRunner._relevant` worked out afresh for each candidate."""
    wanted = runner.inside if in_test else runner.outside
    return tuple(
        sub
        for sub in subs
        if (
            wanted[sub.scope]
            or not (sub.direct or in_test or sub.scope != gates.TESTS or not may_hold_tests)
        )
        and (not sub.file_needs or any(needle in runner.ctx.source for needle in sub.file_needs))
    )


@pytest.mark.parametrize("rules", [None, PRODUCTION_RULES], ids=["all-rules", "production"])
def test_relevance_kept_across_files_equals_the_plain_one(
    rules: frozenset[str] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    relevant = filepass._RuleRunner._relevant
    asked: list[bool] = []

    def compared(
        runner: filepass._RuleRunner,
        subs: tuple[gates.Subscription, ...],
        in_test: bool,
        may_hold_tests: bool,
    ) -> tuple[gates.Subscription, ...]:
        found = relevant(runner, subs, in_test, may_hold_tests)
        assert found == _plain_relevant(runner, subs, in_test, may_hold_tests)
        asked.append(in_test)
        return found

    monkeypatch.setattr(filepass._RuleRunner, "_relevant", compared)
    for _ in range(2):  # the second round reads what the first kept
        for source in [*SOURCES, *TEST_REGIONS, *PUBLIC_AND_NOT]:
            for role in (Role.PRODUCTION, Role.TEST, Role.EXAMPLE):
                analyze_source(source, "src/lib.rs", role, rules)
    assert True in asked and False in asked


_ATTRIBUTES = b"""\
#[test] #[bench] #[tokio::test] #[cfg(test)] #[cfg(not(test))] #[cfg(feature = "x")]
#[cfg(all(test, unix))] #[cfg(docsrs)] #[cfg_attr(test, allow(x))] #[test_case(1)]
#[doc = "test"] #[cfg(any(test, feature = "test-util"))] #[my::bench] #[inline] #[cfg(loom)]
fn f() {}
"""


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS, _ATTRIBUTES])
def test_test_attributes_read_after_the_byte_test_are_those_read_plainly(source: bytes) -> None:
    tree = parse(source)
    ctx = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    with active(ctx.ancestry):
        for attr in (n for n in all_nodes(tree) if n.type == "attribute_item"):
            is_test = items.is_test_attribute(attr)
            limited = is_test or items.cfg_limit(attr) is not None
            found = structure._test_attribute(attr, ctx)
            assert (found is not None) == limited
            assert found is None or found[0] == is_test


_LINE_PIECES = [
    b"///", b"//!", b"//", b"/", b"!", b" assert", b"assert", b"_assert", b"assert_eq!(x)",
    b"\n", b" ", b"x", b'"', b"fn f() {}", b"// assert", b"\xc3\xa9",
]  # fmt: skip


def _text_searches_with_line_needs() -> list[gates.TextSearch]:
    return [search for search in gates.plan(True, None).texts if search.line_needs]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=40))
def test_searching_only_the_lines_that_spell_a_word_finds_every_match(parts: list[bytes]) -> None:
    source = b"".join(parts)
    searches = _text_searches_with_line_needs()
    assert searches  # no-unit-tests' doc comment asserts
    for search in searches:
        whole = [(m.start(), m.end()) for m in search.regex.finditer(source)]
        lines = items.hits_in_lines(search.regex, source, search.line_needs)
        assert [(m.start(), m.end()) for m in lines] == whole


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS])
def test_line_searches_find_the_nodes_of_the_whole_search(source: bytes) -> None:
    root = parse(source).root_node
    for search in _text_searches_with_line_needs():
        needs = search.line_needs
        lines = items.nodes_at(root, source, search.regex, search.kind, line_needs=needs)
        assert lines == items.nodes_at(root, source, search.regex, search.kind)


def test_text_searches_nobody_can_see_are_skipped() -> None:
    """A search whose every subscription needs bytes the file lacks finds nothing; the plain
    search finds candidates that `_relevant` would drop."""
    (race,) = [s for s in gates.plan(True, None).texts if s.regex.pattern == rb"race\b"]
    assert race.file_needs == ((b"once_cell",),)
    source = b"fn f() { race(); }"
    root = parse(source).root_node
    assert race.candidates(root, source) == []
    assert items.nodes_at(root, source, race.regex, race.kind)
    with_crate = b"use once_cell::race; fn f() { race::OnceBox::new(); }"
    assert race.candidates(parse(with_crate).root_node, with_crate)


_USES = b"""\
use a::b; pub use c::d; pub(crate) use e::f; pub /* c */ use g::h;
pub
use i::j;
mod m { pub use super::k; use l; }
trait T { } impl S { }
"""


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS, _USES])
def test_uses_turned_away_by_their_bytes_re_export_nothing(source: bytes) -> None:
    tree = parse(source)
    ctx = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    uses = [n for n in all_nodes(tree) if n.type == "use_declaration"]
    assert all(ctx.may_be_public(use) or not items.is_plain_pub(use) for use in uses)
    if source == _USES:
        assert sum(items.is_plain_pub(use) for use in uses) == 4


@pytest.mark.parametrize("file_test_only", [False, True])
@pytest.mark.parametrize("role", list(Role))
def test_scopes_kept_across_files_equal_those_worked_out_per_file(
    role: Role, file_test_only: bool
) -> None:
    """`_scopes_seen` (kept by two booleans) answers as the per-file dicts by scope did."""
    production_file = role is Role.PRODUCTION and not file_test_only
    test_file = role is Role.TEST or file_test_only
    outside = {Scope.PRODUCTION: production_file, Scope.TESTS: test_file, Scope.ALL: True}
    inside = {Scope.PRODUCTION: False, Scope.TESTS: True, Scope.ALL: True}
    for _ in range(2):  # worked out, then kept
        seen_outside, seen_inside, by_scope = filepass._scopes_seen(role, file_test_only)
        assert seen_outside == tuple(outside[scope] for scope in gates.SCOPES)
        assert seen_inside == tuple(inside[scope] for scope in gates.SCOPES)
        assert by_scope is filepass._RELEVANT_BY_SCOPE[seen_outside]


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS])
def test_test_ranges_set_with_the_empty_shortcut_equal_the_plain_merge(source: bytes) -> None:
    tree = parse(source)
    plain = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    shortcut = FileContext("src/lib.rs", Role.PRODUCTION, source, tree, LineIndex(source))
    ranges = [(n.start_byte, n.end_byte) for n in all_nodes(tree) if n.type == "mod_item"]
    for step in ([], ranges, [], []):
        shortcut.set_test_ranges(list(step))
        # The plain merge, written out: sorted, overlapping ranges joined.
        merged: list[tuple[int, int]] = []
        for start, end in sorted(step):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        plain.test_ranges, plain._test_starts = merged, [start for start, _ in merged]
        assert shortcut.test_ranges == plain.test_ranges
        assert shortcut._test_starts == plain._test_starts
        assert not shortcut._gates
        for node in all_nodes(tree):
            assert shortcut.in_test_region(node) == plain.in_test_region(node)


@pytest.mark.parametrize(
    "relpath",
    [
        "src/lib.rs",
        "src/generated/x.rs",
        "generated/x.rs",
        "src/a/autogen/b/c.rs",
        "src/generated.rs",
        "src/x.pb.rs",
        "src/autogenerated",
        "a/b/c/d.rs",
        "",
    ],
)
def test_generated_paths_equal_the_plain_check(relpath: str) -> None:
    from rustpro.rules import generated_code

    plain = relpath.endswith(generated_code._GENERATED_SUFFIXES) or any(
        part in generated_code._GENERATED_DIRS for part in relpath.split("/")[:-1]
    )
    assert generated_code.is_generated_path(relpath) == plain


@pytest.mark.parametrize("size", [0, 1, 100, (1 << 20) - 1, (1 << 20) + 5])
@pytest.mark.parametrize("grown", [0, 7])
def test_reads_sized_by_fstat_equal_the_plain_read(size: int, grown: int, tmp_path: Path) -> None:
    """The first read asks for the size `fstat` gave plus one; the bytes are those of reads
    by the megabyte, whether the file has grown since or not, and the limit still holds."""
    import os

    from rustpro.engine import reading

    path = tmp_path / "f.rs"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data + b"y" * grown)
    for limit in (size + grown + 1, size + 1, max(size // 2, 1)):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            sized = reading._read_at_most(descriptor, limit, size + 1)
        finally:
            os.close(descriptor)
        descriptor = os.open(path, os.O_RDONLY)
        try:
            plain = reading._read_at_most(descriptor, limit)
        finally:
            os.close(descriptor)
        assert sized == plain == (data + b"y" * grown)[:limit]


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS, b"/// x\nfn f() {}", b""])
def test_text_searches_turned_away_by_their_line_bytes_find_what_the_plain_search_finds(
    source: bytes,
) -> None:
    root = parse(source).root_node
    for role in (True, False):
        for search in gates.plan(role, None).texts:
            plain = (
                []
                if search.file_needs is not None
                and not any(n in source for needles in search.file_needs for n in needles)
                else items.nodes_at(root, source, search.regex, search.kind)
            )
            assert [node for node, _, _ in search.candidates(root, source)] == plain


_BANNERS = [
    b"// @generated by x\nfn f() {}",
    b"#![allow(x)]\n/* automatically generated by rust-bindgen */\nfn f() {}",
    b"//! Generated by xtask, do not edit\nfn f() {}",
    b"//! Docs: the generated by-products\nfn f() {}",
    b"/// The file is generated\nfn f() {}",
    b"#[derive(X)]\n// DO NOT EDIT\nstruct S;",
    b"// a\n// b\n// c\n// d\n// e\n// @generated\n",
    b"fn f() {}\n// @generated\n",
    b"",
]


def _plain_header_marks_generated(root: Node) -> bool:
    """`generated_code._header_marks_generated` reading `Node.type`, as it did."""
    from rustpro.rules import generated_code

    seen = 0
    for index in range(min(root.child_count, 2 * generated_code._HEADER_COMMENTS)):
        child = root.child(index)
        if child is None:
            return False
        if child.type not in ("line_comment", "block_comment"):
            if child.type in ("inner_attribute_item", "attribute_item"):
                continue
            return False
        is_doc = child.child_by_field_name("doc") is not None
        marker = generated_code._DOC_MARKER if is_doc else generated_code._MARKER
        if marker.search(items.text(child)):
            return True
        seen += 1
        if seen >= generated_code._HEADER_COMMENTS:
            return False
    return False


@pytest.mark.parametrize("source", [*SOURCES, *_BANNERS])
def test_generated_headers_read_by_kind_ids_equal_those_read_by_type(source: bytes) -> None:
    from rustpro.rules import generated_code

    root = parse(source).root_node
    assert generated_code._header_marks_generated(root) == _plain_header_marks_generated(root)
    if source in _BANNERS[:3]:
        assert generated_code._header_marks_generated(root)


@dataclasses.dataclass(frozen=True)
class _Placed:
    start_byte: int


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), max_size=30))
def test_hits_put_in_document_order_as_the_plain_sort_puts_them(starts: list[int]) -> None:
    hits = [(_Placed(start), index, b"") for index, start in enumerate(starts)]
    plain = sorted(hits, key=lambda hit: hit[0].start_byte)  # stable, as `list.sort`
    found = filepass._in_document_order(cast("list[Hit]", hits))
    assert [hit[1] for hit in found] == [hit[1] for hit in plain]  # each hit by its index


def _literal_searches() -> list[tuple[re.Pattern[bytes], bytes]]:
    """Every regex searched from its literal (`items.literal_hits`), with that literal."""
    found = [(structure._MACRO_MOD_TEXT, b"mod")]
    for production in (True, False):
        found += [(s.regex, s.literal) for s in gates.plan(production, None).texts if s.literal]
    return found


_LITERAL_PIECES = [
    b"mod a;",
    b"mod\n r#b ;",
    b"mod mod c;",
    b"#![x]",
    b"# /* c */ ! [y]",
    b"#[z]",
    b"!(",
    b"! {",
    b"!=",
    b"x!",
    b"Arc <T>",
    b"Arc\n<",
    b"Arcs",
    b"Result<",
    b"let _ = 1;",
    b"let mut x",
    b"_ =",
    b"_ =>",
    b"Err(e)",
    b"type E = Error;",
    b"race ",
    b"// c\n",
    b" ",
    b"\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LITERAL_PIECES), max_size=30))
def test_regexes_tried_where_their_literal_stands_find_every_match(parts: list[bytes]) -> None:
    source = b"".join(parts)
    for regex, literal in _literal_searches():
        whole = [(m.start(), m.end()) for m in regex.finditer(source)]
        assert [(m.start(), m.end()) for m in items.literal_hits(regex, literal, source)] == whole


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS])
def test_regexes_tried_where_their_literal_stands_find_every_match_in_fixtures(
    source: bytes,
) -> None:
    searches = _literal_searches()
    assert any(literal == b"Arc" for _, literal in searches)  # a text search has one
    for regex, literal in searches:
        whole = [(m.start(), m.end()) for m in regex.finditer(source)]
        assert [(m.start(), m.end()) for m in items.literal_hits(regex, literal, source)] == whole


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        (rb"Arc\s*<", b"Arc"),
        (rb"race\b", b"race"),
        (rb"//[/!][^\n]*\bassert", b""),
        (rb"foo|bar", b""),
        (rb"ab?c", b"a"),
        (rb"a{2}b", b""),
        (rb"(a|b)c", b""),
        (rb"abc[|]d", b"abc"),
        (rb"ab\|c", b"ab"),
        (rb"x[^]|]y|z", b""),
        (rb"x[]|]y", b"x"),
        (rb"(?i)abc", b""),
    ],
)
def test_literal_prefixes_are_what_every_match_begins_with(pattern: bytes, literal: bytes) -> None:
    assert items.literal_prefix(pattern) == literal


_FEATURE_ATTRIBUTES = b"""\
#[cfg(feature = "x")] #[cfg(all(feature = "a", feature = "b"))] #[cfg(any(feature = "a"))]
#[cfg(not(feature = "x"))] #[cfg_attr(feature = "x", allow(y))] #[doc(feature = "x")]
#[cfg( feature="x" )] #[cfg(feature = "x", )] #[cfg(/* c */ feature = "x")]
#[ cfg(feature = "x")] #[cfg(feature = "x"] fn f() {}
#[cfg(feature = "y")] #[cfg(feature = "y")] struct S;
#[cfg(feature = "z"
"""


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS, _FEATURE_ATTRIBUTES])
def test_feature_attributes_remembered_by_their_bytes_are_those_read_plainly(
    source: bytes,
) -> None:
    tree = parse(source)
    attrs = [n for n in all_nodes(tree) if n.type == "attribute_item"]
    for _ in range(2):  # the second round answers from what the first remembered
        for attr in attrs:
            plain = structure.plain_feature_attribute(attr)
            assert structure.feature_attribute(attr, source) == plain


def test_feature_attributes_with_an_error_are_not_remembered() -> None:
    source = b'#[cfg(feature = "x"]\n#[cfg(feature = "w")] fn g() {}\n'
    tree = parse(source)
    attrs = [n for n in all_nodes(tree) if n.type == "attribute_item"]
    assert [a.has_error for a in attrs] == [True, False]
    for attr in attrs:
        structure.feature_attribute(attr, source)
    remembered = structure._FEATURE_ATTRIBUTES
    assert source[attrs[0].start_byte : attrs[0].end_byte] not in remembered
    assert remembered[source[attrs[1].start_byte : attrs[1].end_byte]] == ("w",)


@pytest.mark.parametrize("source", [*SOURCES, *TEST_REGIONS, _ATTRIBUTES, _FEATURE_ATTRIBUTES])
def test_test_attributes_remembered_by_their_bytes_are_those_read_plainly(source: bytes) -> None:
    tree = parse(source)
    attrs = [n for n in all_nodes(tree) if n.type == "attribute_item"]
    for _ in range(2):  # the second round answers from what the first remembered
        for attr in attrs:
            plain = structure.plain_test_limits(attr, source)
            remembered = structure._remembered(
                structure._TEST_LIMITS, attr, source, structure.plain_test_limits
            )
            assert remembered == plain
            is_test = items.is_test_attribute(attr)
            assert plain == (is_test, is_test or items.cfg_limit(attr) is not None)
