"""The word finder finds exactly what the gate patterns it replaces would match."""

from __future__ import annotations

import re
from collections.abc import Callable

import tree_sitter
from hypothesis import given, settings
from hypothesis import strategies as st
from tree_sitter import Node

from rustpro.engine import finder
from rustpro.engine.gates import _GATE_PATTERNS, _NAME_FILTER
from rustpro.rules.patterns import Channel
from rustpro.syntax.parser import compile_query, kind_ids, parse

NAMES = ("read", "Arc", "test", "unwrap", "cfg", "spawn", "fs", "assert_eq")
NAMED = {
    Channel.METHOD_CALL: finder.method_call,
    Channel.FUNCTION_CALL: finder.function_call,
    Channel.QUALIFIED_CALL: finder.qualified_call,
    Channel.MACRO_CALL: finder.macro_call,
    Channel.ATTRIBUTE: finder.attribute,
}
KINDS = (*finder.KIND_KEYWORDS, "declaration_list", "inner_attribute_item")

Found = set[tuple[str, int, int, str, bytes]]


def _by_words(source: bytes) -> Found:
    words = finder.WordFinder()
    for kind in KINDS:
        words.want_kind(kind, kind)
    for channel, check in NAMED.items():
        for spelling in NAMES:
            words.want_name(spelling, check, channel.value)
    words.want_every_macro_call("every macro call")
    words.want_file_docs()
    words.seal()
    tree = parse(source)
    found: Found = set()
    hits, _ = words.find(tree.root_node, source)
    for node, target, word in hits:
        label = "inner doc" if target is None else str(target)
        # Kinds are found by keywords, which the query does not capture as a name.
        name = b"" if target in KINDS or target is None else word
        found.add((label, node.start_byte, node.end_byte, node.type, name))
    return found


def _by_query(source: bytes) -> Found:
    names = " ".join(f'"{name}"' for name in NAMES)
    pieces = [f"({kind}) @gate.node" for kind in KINDS]
    labels: list[str] = list(KINDS)
    for channel in NAMED:
        pieces.append(
            _GATE_PATTERNS[channel].replace(_NAME_FILTER, f"(#any-of? @gate.name {names})")
        )
        labels.append(channel.value)
    pieces.append(_GATE_PATTERNS[Channel.MACRO_CALL].replace(_NAME_FILTER, ""))
    labels.append("every macro call")
    pieces.append("(line_comment inner: (inner_doc_comment_marker)) @gate.node")
    pieces.append("(block_comment inner: (inner_doc_comment_marker)) @gate.node")
    labels += ["inner doc", "inner doc"]
    tree = parse(source)
    found: Found = set()
    query = tree_sitter.QueryCursor(compile_query("\n".join(pieces)))
    file_docs: list[Node] = []  # the word finder hands over the first only
    for index, captures in query.matches(tree.root_node):
        node = captures["gate.node"][0]
        if labels[index] == "inner doc":
            if node.parent == tree.root_node:  # the file's own docs (also under a broken root)
                file_docs.append(node)
            continue
        named = captures.get("gate.name")
        name = named[0].text or b"" if named else b""
        found.add((labels[index], node.start_byte, node.end_byte, node.type, name))
    if file_docs:
        first = min(file_docs, key=lambda doc: doc.start_byte)
        found.add(("inner doc", first.start_byte, first.end_byte, first.type, b""))
    return found


TRICKY = b"""\
//! Crate docs. fn in docs: fn fake() {}
/*! block inner doc */
///! an outer doc, not inner
// fn commented() { x.unwrap() }
#![allow(dead_code)]
# ! [ cfg_attr(test, allow(x)) ]
#!/not/a/shebang
use std::fs;
pub use self::inner::Thing;
extern crate alloc;
extern "C" { fn c_fn(x: i32); static C: i32; }
unsafe extern "C" fn callback() {}
const fn five() -> u8 { 5 }
const K: *const u8 = core::ptr::null();
static S: &'static str = "fn static struct";
struct S2 { read: u8 }
union U { a: u8 }
enum E { A }
type T = fn(u8) -> u8;
trait Tr { type Item; const N: usize; fn req(&self); fn pro(&self) {} }
unsafe trait Marker {}
unsafe impl Marker for S2 {}
impl<T> Tr for Vec<T> where for<'a> &'a T: Copy { type Item = T; const N: usize = 1; }
mod m { /*! inline module docs */ mod n; pub mod o {} }
mod file_mod;
macro_rules! mac { ($e:expr) => { fn in_macro() { $e.unwrap() } }; }
#[test] fn t() { assert_eq!(1, 1); }
#[tokio::test] async fn t2() {}
# [ test ] fn t3() {}
#[cfg(test)] mod tests { #[test] fn t() {} }
#[doc = "test"] fn d() {}
#[::core::prelude::v1::test] fn t4() {}
/* fn */ fn after_comment() { let _ = "fn unwrap"; read(1).unwrap(); } // fn read(1).unwrap()
fn calls(x: Option<u8>, p: &str) {
    x.unwrap();
    x . unwrap ();
    x.unwrap::<>();
    read(p);
    fs::read(p);
    std::fs::read::<&str>(p);
    read::<&str>(p);
    Arc::new(1);
    std::sync::Arc::new(1);
    a::Arc::new(1);
    Arc::<u8>::new(1);
    let read = 1;
    let s = "x.unwrap() read(p) Arc::new(1)";
    let r = r#"fn raw() {}"#;
    format!("{}", x.unwrap());
    assert_eq!(1, 1);
    std::assert_eq!(1, 1);
    assert_eq ! (1, 1);
    vec![1]; m!{ }; self::m!(); a != b; !(a);
    for i in 0..3 { unsafe { read(p) } }
    'l: for _ in x {}
    let f = |x: u8| x.spawn();
    r#fn(); r#read(p);
    x.0.unwrap();
    x /* c */ . /* c */ unwrap();
    spawn/* c */(async {});
    m!(x . unwrap (), Err(e), y.unwrap_err, panic !("no"), read);
    m!("x.unwrap() Err", // x.unwrap()
       [z.
        unwrap()]);
    m!(x.unwrapped(), my_Err, panic_now!(), .panic);
}
"""


def test_tricky_source_finds_what_the_gate_patterns_match() -> None:
    words, query = _by_words(TRICKY), _by_query(TRICKY)
    assert words == query
    # The sample exercises every route (else the comparison proves less than it seems).
    expected = {*KINDS, *(channel.value for channel in NAMED), "every macro call", "inner doc"}
    assert {label for label, *_ in query} == expected


TREE_NAMES = {
    finder.TokenShape.METHOD: ("unwrap", "unwrap_err", "panic"),
    finder.TokenShape.MACRO: ("panic", "read"),
    finder.TokenShape.IDENT: ("Err", "read"),
}
# How the names were found before the word finder: a regex per shape over the bytes.
# (That search also took `r#read` for `read`; no pattern could match it by name.)
TREE_REGEX = {
    finder.TokenShape.METHOD: rb"\.\s*(?P<name>{names})\b",
    finder.TokenShape.MACRO: rb"(?P<name>{names})\s*!",
    finder.TokenShape.IDENT: rb"(?P<name>{names})\b",
}

TreeFound = set[tuple[str, int, int, bytes]]


def _trees_by_words(source: bytes) -> TreeFound:
    words = finder.WordFinder()
    for shape, names in TREE_NAMES.items():
        for name in names:
            words.want_in_token_trees(name, shape, shape.value)
    words.seal()
    _, trees = words.find(parse(source).root_node, source)
    return {
        (str(target), tree.start_byte, tree.end_byte, name)
        for tree, target, names in trees
        for name in names
    }


def _trees_by_regex(source: bytes) -> TreeFound:
    root = parse(source).root_node
    found: TreeFound = set()
    for shape, names in TREE_NAMES.items():
        regex = TREE_REGEX[shape].replace(b"{names}", "|".join(names).encode())
        for hit in re.finditer(regex, source):
            start = hit.start("name")
            if start and source[start - 1] in b"_0123456789" + bytes(range(65, 91)) + bytes(
                range(97, 123)
            ):
                continue
            token = root.descendant_for_byte_range(start, start + 1)
            # An identifier that begins at the name (not `r#read` holding `read`): the only
            # kind the rules' token-tree patterns can match by name.
            if token is None or token.type != "identifier" or token.start_byte != start:
                continue
            tree = token.parent
            if tree is not None and tree.type == "token_tree":
                found.add((shape.value, tree.start_byte, tree.end_byte, hit.group("name")))
    return found


def test_names_in_token_trees_are_found_as_the_byte_regexes_found_them() -> None:
    found = _trees_by_words(TRICKY)
    assert found == _trees_by_regex(TRICKY)
    assert {shape for shape, *_ in found} == {shape.value for shape in TREE_NAMES}


_LINES = TRICKY.splitlines(keepends=True)
_BODY_START = _LINES.index(b"fn calls(x: Option<u8>, p: &str) {\n")
ITEMS = _LINES[:_BODY_START]
STATEMENTS = _LINES[_BODY_START + 1 : -1]
MARKS = [b"{", b"}", b"(", b")", b"!", b"#", b"[", b"]", b"::", b".", b" ", b"/*", b"*/", b'"']


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(ITEMS), max_size=12),
    st.lists(st.sampled_from(STATEMENTS), max_size=12),
)
def test_any_mix_of_items_and_statements_finds_what_the_gate_patterns_match(
    items: list[bytes], statements: list[bytes]
) -> None:
    source = b"".join(items) + b"fn f(x: Option<u8>, p: &str) {\n" + b"".join(statements) + b"}\n"
    assert _trees_by_words(source) == _trees_by_regex(source)
    # Some item lines do not parse in every order (`#!/not/a/shebang` after an item): error
    # recovery may then invent nodes no word names (a `macro_rules` read as a macro call),
    # so the exact agreement is promised for trees without errors, as for broken mixes.
    if not parse(source).root_node.has_error:
        assert _by_words(source) == _by_query(source)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_LINES + MARKS), min_size=1, max_size=25))
def test_broken_mixes_never_raise_and_agree_when_the_tree_has_no_errors(
    parts: list[bytes],
) -> None:
    source = b"".join(parts)
    found = _by_words(source)
    # Error recovery can invent a zero-width keyword (a MISSING `fn`) that no byte search
    # finds; on trees without errors the two must agree exactly.
    assert _trees_by_words(source) == _trees_by_regex(source)
    if not parse(source).root_node.has_error:
        assert found == _by_query(source)


def _macro_calls(source: bytes, named: Callable[[bytes], bool]) -> set[tuple[int, bytes]]:
    words = finder.WordFinder()
    words.want_every_macro_call("every macro call", named)
    words.seal()
    hits, _ = words.find(parse(source).root_node, source)
    return {(node.start_byte, name) for node, _, name in hits}


MACROS = """\
fn f() {
    format!("{}", 1); assert!(true); std::assert_eq!(1, 1); assert_eq ! (1, 1);
    assert_eq /* why */ !(1, 1); r#assert!(x); self::m!(); a != b; !(a); return !(b);
    vec![1]; m!{}; \u00e9assert!(1);
}
""".encode()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*STATEMENTS, MACROS]), max_size=10))
def test_macro_calls_dropped_by_name_are_those_the_tree_names_so(parts: list[bytes]) -> None:
    # The name read from the bytes before `!` decides only when it is what the tree says.
    source = b"fn g() {\n" + b"".join(parts) + b"}\n" + MACROS
    every = _macro_calls(source, lambda name: True)
    assert _macro_calls(source, lambda name: name.startswith(b"assert")) == {
        (start, name) for start, name in every if name.startswith(b"assert")
    }


def test_method_names_after_comments_and_line_breaks_are_still_found() -> None:
    # A name wanted only after `.` is ruled out by the bytes before it, but only on its own
    # line and without a comment in between.
    source = b"""\
fn f(x: Option<u8>) {
    x.
        // a comment between the dot and the name
        unwrap();
    x./* here too */unwrap();
    x . unwrap();
    let unwrap = 1; let r: &'static u8 = &unwrap; m!(x.unwrap(), unwrap);
}
"""
    words = finder.WordFinder()
    words.want_name("unwrap", finder.method_call, "method")
    words.want_in_token_trees("unwrap", finder.TokenShape.METHOD, "in macro")
    words.seal()
    hits, trees = words.find(parse(source).root_node, source)
    names = b'"unwrap"'
    pattern = _GATE_PATTERNS[Channel.METHOD_CALL].replace(
        _NAME_FILTER, f"(#any-of? @gate.name {names.decode()})"
    )
    query = tree_sitter.QueryCursor(compile_query(pattern))
    matches = query.matches(parse(source).root_node)
    expected = {captures["gate.node"][0].start_byte for _, captures in matches}
    assert {node.start_byte for node, *_ in hits} == expected
    assert len(expected) == 3
    assert len(trees) == 1


def test_every_kind_the_finder_knows_has_kind_ids() -> None:
    # Keywords are matched by `kind_id`: a misspelt kind would silently find nothing.
    assert all(kind_ids(kind) for kind in (*KINDS, "foreign_mod_item", "extern_modifier"))
    assert len(kind_ids("token_tree")) == 2  # an alias gives it a second id


def test_names_after_or_before_comments_and_line_breaks_are_still_found() -> None:
    # A name is ruled out by the bytes around it (no `!` after a macro's name, no `[` or
    # `::` before an attribute's path, ...), but only on its line and with no comment between.
    source = b"""\
#[/* c */ test] fn t1() {}
#[
    // a comment before the path
    test] fn t2() {}
#[tokio::/* c */test] fn t3() {}
#[tokio ::
    test] fn t4() {}
fn f(p: &str) {
    assert_eq /* c */ !(1, 1);
    assert_eq // c
        !(1, 1);
    read /* c */ (p); read
        (p); read::<&str>(p); read :: <&str> (p);
    Arc /* c */ ::new(1); Arc // c
        ::new(1);
    let x = [read, Arc, assert_eq, test, unwrap]; x.read; test(); unwrap!(); Arc; read!();
    x.read(); x /* c */ .unwrap(); x.
        unwrap(); fs::read(p); fs // c
        ::read(p);
}
fn test() {} // test read(p) Arc::new(1) assert_eq!(1, 1)
"""
    assert not parse(source).root_node.has_error
    assert _by_words(source) == _by_query(source)
    # One channel at a time: a word wanted by several is looked up when any may match.
    root = parse(source).root_node
    names = " ".join(f'"{name}"' for name in NAMES)
    for channel, check in NAMED.items():
        words = finder.WordFinder()
        for spelling in NAMES:
            words.want_name(spelling, check, channel.value)
        words.seal()
        hits, _ = words.find(root, source)
        pattern = _GATE_PATTERNS[channel].replace(_NAME_FILTER, f"(#any-of? @gate.name {names})")
        matches = tree_sitter.QueryCursor(compile_query(pattern)).matches(root)
        expected = {captures["gate.node"][0].start_byte for _, captures in matches}
        assert {node.start_byte for node, *_ in hits} == expected, channel
        assert len(expected) >= 3, channel
