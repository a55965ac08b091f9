"""Rules that match a shape in Python instead of a tree-sitter query pattern (tree-sitter's
analysis of nested patterns costs milliseconds of every run) must find exactly what the
pattern found: each is compared here with the pattern it replaces, on every candidate of
every rule fixture and of a few tricky sources."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import tree_sitter
from tree_sitter import Node

from rustpro.engine import structure
from rustpro.rules import concurrency
from rustpro.rules.async_ import unbounded_channel
from rustpro.rules.base import FileRule
from rustpro.rules.docs import missing_panics_doc
from rustpro.rules.errors import (
    anyhow_in_lib_api,
    boxed_error_in_lib_api,
    panic_in_production,
    panic_sites,
    signatures,
    string_error,
    unwrap_in_production,
)
from rustpro.rules.memory import static_mut, unsafe_fn_missing_safety_doc
from rustpro.rules.patterns import (
    Channel,
    Matcher,
    Pattern,
    macro_arg_methods,
    token_macro_calls,
    token_method_calls,
)
from rustpro.rules.perf import clone_in_loop_iterable, ref_vec_param
from rustpro.rules.registry import file_rules
from rustpro.rules.testing import no_unit_tests
from rustpro.rules.threads import arc_with_non_sync
from rustpro.syntax.parser import compile_query, parse, rooted_cursor
from rustpro.syntax.spelled import identifiers_spelled
from tests.support import FIXTURES, all_nodes

SOURCES = [path.read_bytes() for path in sorted((FIXTURES / "rules").rglob("*.rs"))]
TRICKY = [
    b"fn f(v: Vec<u8>) { for x in v.clone() {} for x in v.clone().iter() {} }",
    b"fn f() { for x in v.clone().into_iter() {} for x in v.clone().iter_mut() {} }",
    b"fn f() { for x in v.0.clone() {} for x in v.clone(1) {} for x in (v).clone() {} }",
    b"fn f() { for x in v.r#clone() {} for x in v . /* c */ clone ( ) . iter ( ) {} }",
    b"fn f() { for x in a.b.clone() {} for x in v.clone::<T>() {} for x in v.clone() .iter",
    b"fn f() { for x in v.clone().clone() {} for x in clone(v) {} for in v.clone() {} }",
]


def _nodes_of(kind: str, source: bytes) -> list[Node]:
    return [node for node in all_nodes(parse(source)) if node.type == kind]


_CLONE_IN_LOOP = """
(for_expression
  value: (call_expression
    function: (field_expression
      value: (identifier) @var field: (field_identifier) @clone)
    arguments: (arguments) @args) @iterable
  (#eq? @clone "clone")) @match
(for_expression
  value: (call_expression
    function: (field_expression
      value: (call_expression
        function: (field_expression
          value: (identifier) @var field: (field_identifier) @clone)
        arguments: (arguments) @args)
      field: (field_identifier) @iter)
    arguments: (arguments) @iter_args) @iterable
  (#eq? @clone "clone") (#any-of? @iter "iter" "into_iter")) @match
"""


def _ids(*nodes: Node | None) -> tuple[int | None, ...]:
    return tuple(None if node is None else node.id for node in nodes)


@pytest.mark.parametrize("source", SOURCES + TRICKY)
def test_clone_in_loop_matches_its_former_patterns(source: bytes) -> None:
    cursor = rooted_cursor(compile_query(_CLONE_IN_LOOP))
    for loop in _nodes_of("for_expression", source):
        expected = [
            _ids(c["var"][0], c["args"][0], c.get("iter_args", [None])[0], c["iterable"][0])
            for _, c in cursor.matches(loop)
        ]
        found = clone_in_loop_iterable._cloned_iterable(loop)
        assert ([] if found is None else [_ids(*found)]) == expected


def test_the_tricky_sources_hold_matches() -> None:
    cursor = rooted_cursor(compile_query(_CLONE_IN_LOOP))
    loops = [loop for source in TRICKY for loop in _nodes_of("for_expression", source)]
    assert sum(len(cursor.matches(loop)) for loop in loops) >= 4


def test_sources_exist() -> None:
    assert Path(FIXTURES / "rules").is_dir() and SOURCES


ARC_TRICKY = [
    b"fn f() { Arc::new(RefCell::new(1)); std::sync::Arc::new(Cell::new(2)); }",
    b"fn f() { Arc::new(RefCell::new(1), 2); Arc::new(/* c */ Rc::new(3)); Arc::new(x::new) }",
    b"fn f() { Arc::new(RefCell::default()); Arc::new(new()); Arc::new(a.new()); Arc::new() }",
    b"fn f() { Arc::from(Rc::new(1)); Arc::new(Rc::new::<u8>(1)); Arc::new(Rc::r#new(1)); }",
]
_ARC_NEW = """
(call_expression
  function: (scoped_identifier
    path: [(identifier) @arc_name (scoped_identifier name: (identifier) @arc_name)]
    name: (identifier) @new) @arc
  (#eq? @arc_name "Arc")
  (#eq? @new "new")
  arguments: (arguments .
    (call_expression
      function: (scoped_identifier name: (identifier) @inner_new) @inner
      (#eq? @inner_new "new")) .)) @match
"""


def _gated_arc_call(call: Node) -> bool:
    """The qualified-call gate for `Arc`: a call of a path whose qualifier ends in `Arc`."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "scoped_identifier":
        return False
    path = function.child_by_field_name("path")
    if path is not None and path.type == "scoped_identifier":
        path = path.child_by_field_name("name")
    return path is not None and path.type == "identifier" and path.text == b"Arc"


@pytest.mark.parametrize("source", SOURCES + ARC_TRICKY)
def test_arc_new_matches_its_former_pattern(source: bytes) -> None:
    rule = arc_with_non_sync.ArcWithNonSync
    pattern = next(p for p in rule.patterns if p.on.channel is Channel.QUALIFIED_CALL)
    former = rooted_cursor(compile_query(_ARC_NEW))
    assert pattern.matcher is not None
    for call in filter(_gated_arc_call, _nodes_of("call_expression", source)):
        expected = [
            _ids(c["match"][0], c["arc"][0], c["inner"][0]) for _, c in former.matches(call)
        ]
        got = [
            _ids(c["match"][0], c["arc"][0], inner)
            for c in pattern.matcher(call)
            if (inner := arc_with_non_sync._inner_new(c["inner_call"][0])) is not None
        ]
        assert got == expected


def test_the_arc_sources_hold_matches() -> None:
    former = rooted_cursor(compile_query(_ARC_NEW))
    calls = [c for source in ARC_TRICKY for c in _nodes_of("call_expression", source)]
    assert sum(len(former.matches(call)) for call in calls) >= 2


def _method_call_patterns() -> list[str]:
    """The method-call patterns that leave the function's kind to the gate (`(_ ..)`)."""
    return sorted(
        {
            pattern.query
            for rule in file_rules()
            for pattern in rule.gated_patterns()
            if pattern.on.channel is Channel.METHOD_CALL and "function: (_ " in pattern.query
        }
    )


def test_some_method_call_patterns_leave_the_kind_to_the_gate() -> None:
    assert len(_method_call_patterns()) >= 4


@pytest.mark.parametrize("source", SOURCES + TRICKY)
def test_method_call_patterns_match_as_with_the_kind_named(source: bytes) -> None:
    calls = [
        call
        for call in _nodes_of("call_expression", source)
        if (function := call.child_by_field_name("function")) is not None
        and function.type == "field_expression"
    ]
    for text in _method_call_patterns():
        named = text.replace("function: (_ ", "function: (field_expression ")
        former, now = rooted_cursor(compile_query(named)), rooted_cursor(compile_query(text))
        for call in calls:
            assert _shapes(now.matches(call)) == _shapes(former.matches(call))


def _shapes(found: list[tuple[int, dict[str, list[Node]]]]) -> list[list[tuple[str, list[int]]]]:
    return [sorted((k, [n.id for n in v]) for k, v in c.items()) for _, c in found]


TOKEN_TRICKY = [
    b"fn f() { m!(a.foo().unwrap()); m!(a.unwrap() + b.expect(x)); m!(a. /*c*/ unwrap()); }",
    b"fn f() { m!(a . , unwrap ()); m!(a.unwrap.unwrap()); m!(a.unwrap [] . unwrap {}); }",
    b'fn f() { m!(.unwrap()); m!(a.r#unwrap()); m!(a.unwrap_err(e).expect("x")); m!(a.) }',
    b"fn f() { m!(a.unwrap // c\n ()); m!(x => y.unwrap(), z.expect!()); m!{ a.unwrap() } }",
]
_TOKEN_METHODS = """
((token_tree "." . (identifier) @method . (token_tree) @args)
  (#any-of? @method "unwrap" "expect")) @match
"""


@pytest.mark.parametrize("source", SOURCES + TRICKY + TOKEN_TRICKY)
def test_token_method_calls_match_as_the_pattern(source: bytes) -> None:
    former = rooted_cursor(compile_query(_TOKEN_METHODS))
    matcher = token_method_calls("unwrap", "expect")
    for tree in _nodes_of("token_tree", source):
        assert _shapes([(0, c) for c in matcher(tree)]) == _shapes(former.matches(tree))


def test_the_token_sources_hold_matches() -> None:
    former = rooted_cursor(compile_query(_TOKEN_METHODS))
    trees = [tree for source in TOKEN_TRICKY for tree in _nodes_of("token_tree", source)]
    assert sum(len(former.matches(tree)) for tree in trees) >= 8


def test_a_pattern_has_a_query_or_a_matcher() -> None:
    from rustpro.engine import gates

    pattern = Pattern(macro_arg_methods("unwrap"), "(token_tree) @match", matcher=lambda _: [])
    sub = gates.Subscription(
        arc_with_non_sync.ArcWithNonSync(), pattern.on, False, 0, (), False, ()
    )
    with pytest.raises(TypeError, match="a query or a matcher"):
        gates._validate(sub, pattern)


def _gated(channel: Channel, source: bytes) -> list[Node]:
    """Every candidate of a named channel's gate (whatever its name), as the engine's gate
    pattern finds them."""
    from rustpro.engine import gates

    text = gates._GATE_PATTERNS[channel].replace(gates._NAME_FILTER, "")
    cursor = tree_sitter.QueryCursor(compile_query(text))
    return [c["gate.node"][0] for _, c in cursor.matches(parse(source).root_node)]


GATED_TRICKY = [
    b"fn f() { unbounded(); a::unbounded(); unbounded::<T>(); a::b::unbounded::<T>(); }",
    b"fn f() { mpsc::unbounded_channel::<u8>(); x.unbounded(); (unbounded)(); }",
    b'fn f() { panic!(); std::panic!("x"); core::todo!(); a::b::unimplemented!(); }',
    b"fn f() { log::todo!(); todo!{}; <T>::panic!(); }",
]
# Patterns rewritten with `(_ ..)` where their gate guarantees the kind: (rule, channel, the
# pattern as it was written with the kinds named).
_NAMED_KINDS = [
    (
        unbounded_channel.UnboundedChannel,
        Channel.FUNCTION_CALL,
        """
        (call_expression
          function: [(identifier) @name (scoped_identifier name: (identifier) @name)]
          (#any-of? @name "unbounded_channel" "unbounded")) @match
        (call_expression
          function: (generic_function
            function: [(identifier) @name (scoped_identifier name: (identifier) @name)])
          (#any-of? @name "unbounded_channel" "unbounded")) @match
        """,
    ),
    (
        panic_in_production.PanicInProduction,
        Channel.MACRO_CALL,
        """
        (macro_invocation
          macro: (identifier) @name
          (#any-of? @name "panic" "todo" "unimplemented")) @match
        (macro_invocation
          macro: (scoped_identifier path: (_) @path name: (identifier) @name)
          (#any-of? @name "panic" "todo" "unimplemented")) @match
        """,
    ),
]


@pytest.mark.parametrize("source", SOURCES + GATED_TRICKY)
@pytest.mark.parametrize(("rule", "channel", "named"), _NAMED_KINDS)
def test_patterns_match_on_their_gate_as_with_the_kinds_named(
    rule: type[FileRule], channel: Channel, named: str, source: bytes
) -> None:
    matcher = next(p.matcher for p in rule.patterns if p.on.channel is channel)
    assert matcher is not None
    former = rooted_cursor(compile_query(named))
    for node in _gated(channel, source):
        assert _shapes([(0, c) for c in matcher(node)]) == _shapes(former.matches(node))


def test_the_gated_sources_hold_matches() -> None:
    for rule, channel, named in _NAMED_KINDS:
        former = rooted_cursor(compile_query(named))
        nodes = [n for source in GATED_TRICKY for n in _gated(channel, source)]
        assert sum(len(former.matches(node)) for node in nodes) >= 3, rule.name


ARC_TYPES = [
    b"struct S { a: Arc<RefCell<u8>>, b: std::sync::Arc<Cell<u8>>, c: Arc<rc::Rc<u8>> }",
    b"fn f(a: Arc<u8>, b: Arc<Vec<u8>, A>, c: Arc</* c */ Rc<u8>>, d: Arc<Rc<u8>, >) {}",
    b"fn f(a: Arc<&Rc<u8>>, b: Arc<'a, Rc<u8>>, c: sync::Arc::<Rc<u8>>, d: Arcs<Rc<u8>>) {}",
]
_ARC_TYPE = """
(generic_type
  type: [(type_identifier) @arc_name
         (scoped_type_identifier name: (type_identifier) @arc_name)] @arc
  type_arguments: (type_arguments .
    (generic_type type: [(type_identifier) (scoped_type_identifier)] @inner) .)
  (#eq? @arc_name "Arc")) @match
"""


@pytest.mark.parametrize("source", SOURCES + ARC_TYPES)
def test_arc_types_match_as_their_former_pattern(source: bytes) -> None:
    rule = arc_with_non_sync.ArcWithNonSync
    pattern = next(p for p in rule.patterns if p.on.channel is Channel.TEXT)
    former = rooted_cursor(compile_query(_ARC_TYPE))
    assert pattern.matcher is not None
    for node in _nodes_of("generic_type", source):
        expected = [
            _ids(c["match"][0], c["arc"][0], c["inner"][0]) for _, c in former.matches(node)
        ]
        got = [
            _ids(c["match"][0], c["arc"][0], inner)
            for c in pattern.matcher(node)
            if (inner := arc_with_non_sync._arc_of_generic(c)) is not None
        ]
        assert got == expected


def test_the_arc_type_sources_hold_matches() -> None:
    former = rooted_cursor(compile_query(_ARC_TYPE))
    nodes = [n for source in ARC_TYPES for n in _nodes_of("generic_type", source)]
    assert sum(len(former.matches(node)) for node in nodes) >= 3


# Rules' own queries (run over a whole subtree) rewritten with `(_ ..)` where the grammar
# allows one kind only: (the query now, the query as it was written with the kinds named).
_CHANGES_QUERY = """
(call_expression
  function: (_ value: (_) @subject field: (field_identifier) @method)) @call
(assignment_expression left: (_) @subject) @call
(compound_assignment_expr left: (_) @subject) @call
"""
_OWN_QUERIES = [
    (
        _CHANGES_QUERY,
        """
        (call_expression
          function: (field_expression value: (_) @subject field: (field_identifier) @method)) @call
        (assignment_expression left: (_) @subject) @call
        (compound_assignment_expr left: (_) @subject) @call
        """,
    ),
]


@pytest.mark.parametrize("source", SOURCES + TRICKY + GATED_TRICKY)
@pytest.mark.parametrize(("text", "named"), _OWN_QUERIES)
def test_own_queries_match_as_with_the_kinds_named(text: str, named: str, source: bytes) -> None:
    root = parse(source).root_node
    now = tree_sitter.QueryCursor(compile_query(text)).matches(root)
    former = tree_sitter.QueryCursor(compile_query(named)).matches(root)
    assert _shapes(now) == _shapes(former)
    assert [index for index, _ in now] == [index for index, _ in former]


MOD_TRICKY = [
    b"m! { pub mod a; mod b ; mod /* c */ d; mod e // c\n ; mod r#f; }",
    b"m! { mod a , ; mod b c; mod; mod a mod b; mod mod c; (mod g;) mod h ;; mod i }",
    b"cfg_rt! { #[cfg(x)] pub(crate) mod rt; mod x = ; mod 1; }",
]
_MACRO_MOD = '(token_tree "mod" @mod . (identifier) @name . ";")'


@pytest.mark.parametrize("source", SOURCES + MOD_TRICKY)
def test_macro_mods_match_as_their_former_pattern(source: bytes) -> None:
    former = rooted_cursor(compile_query(_MACRO_MOD))
    for tree in _nodes_of("token_tree", source):
        expected = [_ids(c["mod"][0], c["name"][0]) for _, c in former.matches(tree)]
        assert [_ids(mod, name) for mod, name in structure.macro_mods(tree)] == expected


def test_the_macro_mod_sources_hold_matches() -> None:
    former = rooted_cursor(compile_query(_MACRO_MOD))
    trees = [tree for source in MOD_TRICKY for tree in _nodes_of("token_tree", source)]
    assert sum(len(former.matches(tree)) for tree in trees) >= 5


@pytest.mark.parametrize("source", SOURCES[:12] + TRICKY + GATED_TRICKY)
def test_descendants_find_what_a_one_node_query_finds(source: bytes) -> None:
    tree = parse(source)
    nodes = _nodes_of("let_declaration", source) + _nodes_of("block", source)
    nodes += [*_nodes_of("arguments", source), tree.root_node]
    for kind in ("identifier", "call_expression"):
        query = compile_query(f"({kind}) @x")
        for node in nodes:
            for start in (0, min(node.start_byte + 3, node.end_byte), node.end_byte // 2):
                cursor = tree_sitter.QueryCursor(query)
                cursor.set_byte_range(start, node.end_byte)
                expected = [
                    c["x"][0].id for _, c in cursor.matches(node) if c["x"][0].start_byte >= start
                ]
                found = unbounded_channel.descendants(node, kind, start)
                assert [n.id for n in found] == expected


MACRO_TRICKY = [
    b"fn f() { m!(panic , ! ()); m!(panic ! ! ()); m!(panic ; ! x ()); m!(panic ! /*c*/ ()); }",
    b"fn f() { m!(todo!() + panic!(x) todo ! []); m!(panic!); m!(a panic !! {} ) }",
    b"fn f() { m!(r#panic!()); m!(std::panic!(x)); m!(panic /*c*/ !()); m!(unimplemented!{}) }",
]
_TOKEN_MACROS = """
((token_tree (identifier) @name . "!" . (token_tree))
  (#any-of? @name "panic" "todo" "unimplemented")) @match
"""


@pytest.mark.parametrize("source", SOURCES + TOKEN_TRICKY + MACRO_TRICKY)
def test_token_macro_calls_match_as_the_pattern(source: bytes) -> None:
    former = rooted_cursor(compile_query(_TOKEN_MACROS))
    matcher = token_macro_calls("panic", "todo", "unimplemented")
    for tree in _nodes_of("token_tree", source):
        assert _shapes([(0, c) for c in matcher(tree)]) == _shapes(former.matches(tree))


def test_the_token_macro_sources_hold_matches() -> None:
    former = rooted_cursor(compile_query(_TOKEN_MACROS))
    trees = [tree for source in MACRO_TRICKY for tree in _nodes_of("token_tree", source)]
    assert sum(len(former.matches(tree)) for tree in trees) >= 6


# What `signatures.error_sources` replaced: the errors a function body makes.
_ERROR_SOURCES = """
(call_expression function: (identifier) @err (#eq? @err "Err") arguments: (arguments) @args)
(try_expression) @other
(call_expression
  function: (field_expression field: (field_identifier) @other
    (#match? @other "^(map_err|ok_or|ok_or_else|or_else)$")))
"""
ERROR_TRICKY = [
    b"fn f(e: &str) -> Result<(), &str> { if x { Err(e) } else { Err(e)? ; Ok(()) } }",
    b"fn f(e: String) -> R { let g = || Err(e); x.map_err(|_| e).ok_or(e)?; Err::<(), _>(e) }",
    b"fn f(e: E) -> R { r#Err(e); Err (e); Err(e, f); x.0.ok_or(e); x.or_else(y); Err }",
    b"fn f(e: E) -> R { m!(Err(e)); x /* c */ . map_err(f); Err(/* c */ e); Err(e",
    b"fn f(e: E) -> R { std::result::Result::Err(e); crate::Err(e); x.map_err::<T>(f) }",
]


def _error_sources_by_query(body: Node) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for _, captures in tree_sitter.QueryCursor(compile_query(_ERROR_SOURCES)).matches(body):
        if "other" in captures:
            found.append((captures["other"][0].start_byte, "other"))
        else:
            found.append((captures["args"][0].start_byte, "err"))
    return sorted(found)


def _error_sources_by_walk(body: Node) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for arguments in signatures.error_sources(body):
        found.append((arguments.start_byte, "err") if arguments is not None else (-1, "other"))
    return sorted(found)


@pytest.mark.parametrize("source", [*SOURCES, *ERROR_TRICKY])
def test_error_sources_walk_finds_what_the_query_found(source: bytes) -> None:
    for function in _nodes_of("function_item", source):
        body = function.child_by_field_name("body")
        if body is None:
            continue
        by_query, by_walk = _error_sources_by_query(body), _error_sources_by_walk(body)
        # The walk does not place the other sources (only their number counts): compare
        # the `Err(..)` arguments by place and the others by count.
        assert [s for s in by_walk if s[1] == "err"] == [s for s in by_query if s[1] == "err"]
        assert sum(s[1] == "other" for s in by_walk) == sum(s[1] == "other" for s in by_query)


# The default rules' gated patterns, each now matched in Python (tree-sitter's analysis of
# their one query cost ~130 M instructions of every run): (rule, the index of its pattern in
# `rule.patterns`, the pattern as it was written). Each matcher must find exactly what its
# pattern found, rooted at every node of the pattern's kind.
_GATED_REWRITES: list[tuple[type[FileRule], int, str]] = [
    (
        anyhow_in_lib_api.AnyhowInLibApi,
        0,
        r"""
        (use_declaration
          argument: (_) @use (#match? @use "^(::)?(anyhow|eyre|color_eyre)\\b")) @match
        """,
    ),
    (
        anyhow_in_lib_api.AnyhowInLibApi,
        1,
        """
        (function_item
          name: (_) @name return_type: (_) @ret (#match? @ret "(Result|Error|Report)")) @match
        """,
    ),
    (
        anyhow_in_lib_api.AnyhowInLibApi,
        2,
        """
        (function_signature_item
          name: (_) @name return_type: (_) @ret (#match? @ret "(Result|Error|Report)")) @match
        """,
    ),
    (
        arc_with_non_sync.ArcWithNonSync,
        0,
        """
        (generic_type
          type: (_) @arc
          type_arguments: (_ . (generic_type) @inner_type .) @arguments) @match
        """,
    ),
    (
        arc_with_non_sync.ArcWithNonSync,
        1,
        """
        (call_expression
          function: (_ name: (identifier) @new) @arc
          (#eq? @new "new")
          arguments: (_ . (call_expression) @inner_call .)) @match
        """,
    ),
    (
        boxed_error_in_lib_api.BoxedErrorInLibApi,
        0,
        """
        (function_item
          name: (_) @name return_type: (generic_type) @ret (#match? @ret "Box")) @match
        """,
    ),
    (
        boxed_error_in_lib_api.BoxedErrorInLibApi,
        1,
        """
        (function_signature_item
          name: (_) @name return_type: (generic_type) @ret (#match? @ret "Box")) @match
        """,
    ),
    (
        missing_panics_doc.MissingPanicsDoc,
        0,
        """
        (call_expression
          function: (_ field: (field_identifier) @method)
          arguments: (arguments) @args
          (#any-of? @method "unwrap" "expect")) @match
        """,
    ),
    (
        missing_panics_doc.MissingPanicsDoc,
        2,
        """
        (macro_invocation
          macro: [(identifier) (scoped_identifier)] @macro
          (#match? @macro "^((std|core)::)?(panic|assert|assert_eq|assert_ne)$")) @match
        """,
    ),
    (
        no_unit_tests.NoUnitTests,
        0,
        r"""
        (attribute_item (attribute [(identifier) (scoped_identifier)] @test.path
          (#match? @test.path "^(test|[A-Za-z_][A-Za-z0-9_:]*::test)$"))) @match
        (attribute_item (attribute (identifier) @test.attr
          (#any-of? @test.attr
            "rstest" "test_case" "quickcheck" "proptest" "wasm_bindgen_test"))) @match
        """,
    ),
    (
        no_unit_tests.NoUnitTests,
        1,
        r"""
        (macro_invocation macro: [(identifier) (scoped_identifier)] @test.macro
          (#match? @test.macro "(^|::)(proptest|quickcheck)$")) @match
        """,
    ),
    (
        panic_in_production.PanicInProduction,
        0,
        """
        (macro_invocation
          macro: (identifier) @name
          (#any-of? @name "panic" "todo" "unimplemented")) @match
        (macro_invocation
          macro: (_ path: (_) @path name: (identifier) @name)
          (#any-of? @name "panic" "todo" "unimplemented")) @match
        """,
    ),
    (static_mut.StaticMut, 0, "(static_item (mutable_specifier) @mut) @match"),
    (
        string_error.StringError,
        0,
        """
        (function_item
          name: (_) @name return_type: (generic_type) @ret (#match? @ret "(String|str)")) @match
        """,
    ),
    (
        string_error.StringError,
        1,
        """
        (function_signature_item
          name: (_) @name return_type: (generic_type) @ret (#match? @ret "(String|str)")) @match
        """,
    ),
    (
        unbounded_channel.UnboundedChannel,
        0,
        """
        (call_expression
          function: [(identifier) @name (_ name: (identifier) @name)]
          (#any-of? @name "unbounded_channel" "unbounded")) @match
        (call_expression
          function: (_ function: [(identifier) @name (_ name: (identifier) @name)])
          (#any-of? @name "unbounded_channel" "unbounded")) @match
        """,
    ),
    (
        unsafe_fn_missing_safety_doc.UnsafeFnMissingSafetyDoc,
        0,
        '(function_item (function_modifiers "unsafe") name: (_) @name) @match',
    ),
    (
        unsafe_fn_missing_safety_doc.UnsafeFnMissingSafetyDoc,
        1,
        '(function_signature_item (function_modifiers "unsafe") name: (_) @name) @match',
    ),
    (
        unsafe_fn_missing_safety_doc.UnsafeFnMissingSafetyDoc,
        2,
        '(trait_item "unsafe" name: (_) @name) @match',
    ),
    (
        unwrap_in_production.UnwrapInProduction,
        0,
        """
        (call_expression
          function: (_ field: (field_identifier) @method)
          arguments: (arguments) @args
          (#any-of? @method "unwrap" "unwrap_err")) @match
        """,
    ),
]
GATED_REWRITE_TRICKY = [
    b"use anyhow::Result; use ::eyre::{Report}; use anyhowx::A; use color_eyre as c; use e;",
    "use anyhow\u00e9::x; use eyre_\u00e9::y; use color_eyre\u00e9; use anyhow::*;".encode(),
    b"pub fn a() -> anyhow::Result<()> {} fn b() -> Error; fn c() -> Box<dyn E> {} fn d() {}",
    b"trait T { fn a(&self) -> Result<u8, String>; fn b() -> Box<str>; fn c() -> &str; }",
    b"fn a() -> Result</* Box */ u8, &'a str> {} fn b() -> impl Fn() -> Box<u8> {} fn r#c() {}",
    b"struct S { a: Arc<Rc<u8>>, b: Arc<Rc<u8>, A>, c: Arc</* c */ Rc<u8>>, d: Arc<Rc<u8> /**/> }",
    b"fn f() { Arc::new(Rc::new(1)); Arc::new(Rc::new(1), 2); Arc::new(/* c */ Rc::new(1)); }",
    b"fn f() { Arc::new(x.new()); a::Arc::new(f()); Arc::from(g()); Arc::<T>::new(h()); }",
    b'fn f() { x.unwrap(); x.expect("m"); x.unwrap_err(); x.0.unwrap(); x.unwrap::<T>(); }',
    b"fn f() { x . /* c */ unwrap ( ) ; x.r#unwrap(); unwrap(x); (x.unwrap)(); x.unwrap }",
    b'fn f() { panic!(); std::panic!("x"); core::assert_eq!(a, b); ::core::panic!(); }',
    b"fn f() { todo!(); a::b::unimplemented!(); ::todo!(); crate::panic!(); std :: panic!(); }",
    b"fn f() { proptest!{} quickcheck::quickcheck!{} x::proptest!(); proptests!(); }",
    b"#[test] #[tokio::test] #[rstest] #[test_case(1)] #[a::b::test] #[testing] fn f() {}",
    b'#[path = test] #[doc = "test"] #[cfg(test)] #[quickcheck = rstest] #[::test] fn g() {}',
    b"#[proptest::property_test] #[wasm_bindgen_test::wasm_bindgen_test] #[u8] fn h() {}",
    b'static mut A: u8 = 0; static B: u8 = 1; pub static mut C: &str = "";',
    b"extern { static mut D: u8; static E: u8; } static mut /* c */ F: u8 = 2;",
    b"struct S { a: Arc<Rc<u8>>, b: Arc<Vec<u8>>, c: sync::Arc<Cell<u8>>, d: Arc<u8> }",
    b"trait T { fn a() -> Box<dyn E>; unsafe fn b(); fn c() -> Result<(), String>; }",
    b"fn s() -> Result<u8, String> {} fn t() -> Option<&str> {} fn u() -> Strings<u8> {}",
    b'unsafe fn a() {} pub unsafe extern "C" fn b() {} const unsafe fn c() {} fn d() {}',
    b'extern "C" { fn e(); } trait T { unsafe fn f(); fn g(); } unsafe trait U {} trait V {}',
    b"pub(crate) unsafe trait W: X {} unsafe impl Send for S {} async unsafe fn h() {}",
    b"fn f() { unbounded(); a::unbounded(); unbounded::<T>(); a::b::unbounded_channel::<T>(); }",
    b"fn f() { mpsc::unbounded_channel::<u8>(); x.unbounded(); (unbounded)(); x.f::<T>(); }",
]


def _rewritten(rule: type[FileRule], index: int) -> tuple[str, Matcher]:
    pattern = rule.patterns[index]
    assert pattern.matcher is not None and not pattern.query, (rule.name, index)
    kinds = {
        Channel.METHOD_CALL: ("call_expression",),
        Channel.FUNCTION_CALL: ("call_expression",),
        Channel.QUALIFIED_CALL: ("call_expression",),
        Channel.MACRO_CALL: ("macro_invocation",),
        Channel.ATTRIBUTE: ("attribute_item",),
    }.get(pattern.on.channel, pattern.on.kinds)
    assert len(kinds) == 1
    return kinds[0], pattern.matcher


@pytest.mark.parametrize("source", SOURCES + TRICKY + GATED_TRICKY + GATED_REWRITE_TRICKY)
@pytest.mark.parametrize(("rule", "index", "former"), _GATED_REWRITES)
def test_gated_matchers_match_as_their_former_patterns(
    rule: type[FileRule], index: int, former: str, source: bytes
) -> None:
    kind, matcher = _rewritten(rule, index)
    cursor = rooted_cursor(compile_query(former))
    for node in _nodes_of(kind, source):
        assert _shapes([(0, c) for c in matcher(node)]) == _shapes(cursor.matches(node))


@pytest.mark.parametrize(("rule", "index", "former"), _GATED_REWRITES)
def test_the_gated_rewrite_sources_hold_matches(
    rule: type[FileRule], index: int, former: str
) -> None:
    kind, _ = _rewritten(rule, index)
    cursor = rooted_cursor(compile_query(former))
    nodes = [n for source in GATED_REWRITE_TRICKY for n in _nodes_of(kind, source)]
    assert sum(len(cursor.matches(node)) for node in nodes) >= 2, (rule.name, index)


def test_the_default_rules_compile_no_gated_pattern() -> None:
    from rustpro.config import AuditConfig
    from rustpro.engine import gates
    from rustpro.engine.ruleset import reportable_rules

    rules = reportable_rules(AuditConfig(), full_mode=False)
    assert rules, "the default rules are a subset of all rules"
    assert not [
        (rule.name, pattern.query)
        for rule in file_rules()
        if rule.name in rules
        for pattern in rule.gated_patterns()
        if pattern.query.strip()
    ]
    assert gates._pool(rules).pattern_count() == 0


# panic_sites' own queries, now a walk (`_changes`) and a byte search (`lets_before`).
_LETS = "(let_declaration pattern: (_) @pattern value: (_) @value) @let"
CHANGE_TRICKY = [
    b"fn f() { v.push(1); v = w; v += 1; v.0.pop(); x.y().z(); a.b(c.d()); v.clear(); }",
    b"fn f() { let a = { v.clear(); 1 }; let mut p = x; p.set_file_name(f(p.file_name())); }",
    b"fn f() { let q; let (a, b) = t; let _ = 2; let a = 1; letter = 2; // let c = 3;\n }",
    b"fn f() { let b = if let Some(x) = y { x } else { 0 }; let r#v = w.x(); let w: u8 = 1; }",
    b'fn f() { let s = "let t = 1;"; m!(let u = 2;); let x = y else { return }; }',
]


def _blocks(source: bytes) -> list[Node]:
    return _nodes_of("block", source)


def _ranges(block: Node) -> list[tuple[int, int]]:
    start, end = block.start_byte, block.end_byte
    middle = (start + end) // 2
    return [(start, end), (start + 1, end - 1), (middle, end), (start, middle), (middle, middle)]


@pytest.mark.parametrize("source", SOURCES + TRICKY + GATED_TRICKY + CHANGE_TRICKY)
def test_changes_walk_finds_what_its_query_found(source: bytes) -> None:
    query = compile_query(_CHANGES_QUERY)
    for block in _blocks(source):
        for start, end in _ranges(block):
            cursor = tree_sitter.QueryCursor(query)
            cursor.set_byte_range(start, end)
            expected = [
                (
                    c["call"][0].id,
                    c["subject"][0].id,
                    c["method"][0].text if "method" in c else None,
                )
                for _, c in cursor.matches(block)
            ]
            found = [
                (call.id, subject.id, None if method is None else method.encode())
                for call, subject, method in panic_sites._changes(block, start, end)
            ]
            assert found == expected


@pytest.mark.parametrize("source", SOURCES + TRICKY + GATED_TRICKY + CHANGE_TRICKY)
def test_lets_before_finds_what_its_query_found(source: bytes) -> None:
    query = compile_query(_LETS)
    for block in _blocks(source):
        for _, before in _ranges(block)[:-1]:
            cursor = tree_sitter.QueryCursor(query)
            cursor.set_byte_range(block.start_byte, before)
            expected = [
                _ids(c["let"][0], c["pattern"][0], c["value"][0])
                for _, c in cursor.matches(block)
                if c["let"][0].end_byte <= before
            ]
            found = [_ids(*found) for found in panic_sites.lets_before(block, before, source)]
            assert found == expected


def test_the_change_sources_hold_matches() -> None:
    changes = compile_query(_CHANGES_QUERY)
    lets = compile_query(_LETS)
    blocks = [block for source in CHANGE_TRICKY for block in _blocks(source)]
    assert sum(len(tree_sitter.QueryCursor(changes).matches(b)) for b in blocks) >= 10
    assert sum(len(tree_sitter.QueryCursor(lets).matches(b)) for b in blocks) >= 6


def _text_of(nodes: list[Node] | None) -> bytes | None:
    return nodes[0].text if nodes else None


# concurrency's own whole-file queries, now byte searches (`lock_calls`, `moved_arguments`).
_METHOD_CALLS = "(call_expression function: (field_expression)) @call"
_ARGUMENT_LISTS = "(arguments) @arguments"
LOCK_TRICKY = [
    b"fn f() { let g = m.lock().unwrap(); drop(g); a.lock().b.lock(); x.read(); y.write(1); }",
    b"fn f() { let g = m.read_to_string(); unlock(); x.r#lock(); lock(x); z . /* c */ lock ( ); }",
    b"fn f() { let w = a.write().unwrap(); f(w, w); g(&w); h(w.0); drop((w)); writer.lock(); }",
    b'fn f() { let l = "x.lock()"; // y.lock()\n m!(x.lock()); x.lock::<T>(); x.lock; }',
]
_LOCK_NAMES = {"lock", "read", "write"}


def _lock_calls_by_query(root: Node) -> list[Node]:
    """What `lock_calls` was: the query's captures, kept to the lock methods. `node_index`
    sorts them by start (the query's order of calls that start alike, a chain's, is its own:
    `lock_calls` gives each before the calls inside it)."""
    captured = tree_sitter.QueryCursor(compile_query(_METHOD_CALLS)).captures(root)
    calls = [
        call for call in captured.get("call", []) if concurrency.method_name(call) in _LOCK_NAMES
    ]
    return sorted(calls, key=lambda node: (node.start_byte, -node.end_byte))


@pytest.mark.parametrize("source", SOURCES + TRICKY + LOCK_TRICKY)
def test_lock_calls_find_what_the_query_found(source: bytes) -> None:
    root = parse(source).root_node
    for node in [root, *_nodes_of("block", source)[:8]]:
        assert [c.id for c in concurrency.lock_calls(node)] == [
            c.id for c in _lock_calls_by_query(node)
        ]


def _moved(root: Node, name: str) -> list[Node]:
    return concurrency.moved_arguments(root, name)


def _former_moved(root: Node, scope: Node, name: str, start: int) -> Node | None:
    """What `_dropped_at` read from the whole file's argument lists before."""
    lists = tree_sitter.QueryCursor(compile_query(_ARGUMENT_LISTS)).captures(root)
    found = sorted(
        (a for arguments in lists.get("arguments", []) for a in arguments.named_children),
        key=lambda node: node.start_byte,
    )
    for argument in found:
        if argument.type != "identifier":
            continue
        if start <= argument.start_byte < scope.end_byte and argument.text == name.encode():
            return argument
    return None


@pytest.mark.parametrize("source", SOURCES[:40] + TRICKY + LOCK_TRICKY)
def test_moved_arguments_find_what_the_argument_lists_held(source: bytes) -> None:
    tree = parse(source)
    root = tree.root_node
    nodes = all_nodes(tree)
    names = {node.text.decode() for node in nodes if node.type == "identifier" and node.text}
    for scope in [node for node in nodes if node.type == "block"][:6]:
        for name in sorted(names)[:30]:
            for start in (scope.start_byte, (scope.start_byte + scope.end_byte) // 2):
                expected = _former_moved(root, scope, name, start)
                moves = concurrency.node_index(root, "", functools.partial(_moved, name=name))
                found = concurrency.between(moves, start, scope.end_byte)[:1]
                assert _ids(*found) == (_ids(expected) if expected is not None else ())


def test_the_lock_sources_hold_matches() -> None:
    roots = [parse(source).root_node for source in LOCK_TRICKY]
    assert sum(len(list(concurrency.lock_calls(root))) for root in roots) >= 8
    moved = [concurrency.moved_arguments(root, name) for root in roots for name in ("g", "w")]
    assert sum(len(nodes) for nodes in moved) >= 3


# Identifiers found by their bytes (`identifiers_spelled`), for panic_sites' serialiser
# buffers and ref_vec_param's owned uses, which ran queries of their own.
_IDENTIFIERS = "(identifier) @id"
SPELLED_TRICKY = [
    b"fn f(v: &Vec<u8>) { v.capacity(); v as u8; S { v }; S { a: v }; v.len(); x.v.capacity(); }",
    b"fn f(v: &Vec<u8>) { vv.capacity(); r#v.capacity(); m!(v.capacity()); S { v: w }; }",
    b"fn f(v: &Vec<u8>) { (v).capacity(); v.capacity::<T>(); v . /* c */ capacity(); }",
    b'fn f() { let mut buf = Vec::new(); serde_json::to_writer(&mut buf, &v); buf.push(b"x"); }',
]


@pytest.mark.parametrize("source", SOURCES + TRICKY + SPELLED_TRICKY)
def test_identifiers_spelled_find_what_the_query_found(source: bytes) -> None:
    tree = parse(source)
    nodes = all_nodes(tree)
    names = sorted({n.text for n in nodes if n.type == "identifier" and n.text})[:25]
    for node in [tree.root_node, *[n for n in nodes if n.type == "block"][:6]]:
        middle = (node.start_byte + node.end_byte) // 2
        for start, end in ((node.start_byte, node.end_byte), (middle, node.end_byte)):
            cursor = tree_sitter.QueryCursor(compile_query(_IDENTIFIERS))
            cursor.set_byte_range(start, end)
            found = cursor.matches(node)
            for name in names:
                expected = [
                    c["id"][0].id
                    for _, c in found
                    if c["id"][0].text == name
                    and c["id"][0].start_byte >= start
                    and c["id"][0].end_byte <= end
                ]
                got = identifiers_spelled(node, name, start, end)
                assert [n.id for n in got] == expected


_OWNED_TYPE_USES = """
(call_expression
  function: (field_expression value: (identifier) @receiver field: (field_identifier) @method)
  (#eq? @method "capacity"))
(type_cast_expression value: (identifier) @receiver)
(shorthand_field_initializer (identifier) @receiver)
(field_initializer value: (identifier) @receiver)
"""


@pytest.mark.parametrize("source", SOURCES + TRICKY + SPELLED_TRICKY)
def test_owned_uses_match_as_their_former_query(source: bytes) -> None:
    tree = parse(source)
    captured = tree_sitter.QueryCursor(compile_query(_OWNED_TYPE_USES)).captures(tree.root_node)
    expected = sorted(node.id for node in captured.get("receiver", []))
    found = sorted(
        node.id
        for node in all_nodes(tree)
        if node.type == "identifier" and ref_vec_param._owned_use(node)
    )
    assert found == expected


def test_the_spelled_sources_hold_matches() -> None:
    trees = [parse(source) for source in SPELLED_TRICKY]
    captured = [
        tree_sitter.QueryCursor(compile_query(_OWNED_TYPE_USES)).captures(tree.root_node)
        for tree in trees
    ]
    assert sum(len(c.get("receiver", [])) for c in captured) >= 5
