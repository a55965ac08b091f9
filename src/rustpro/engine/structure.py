"""What the engine itself records of every file before rules run.

Test-only regions, `mod` declarations, `pub use` re-exports, inner attributes and inner doc
comments come from the same gates the rules use (`ENGINE_KINDS`, `ENGINE_ATTRIBUTES`, found by
words: `finder.WordFinder`), so one search serves both. Inline suppression comments are found
by a byte scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tree_sitter import Node

from rustpro.engine.context import FileContext, PublicGate
from rustpro.engine.places import ModulePlace
from rustpro.syntax import items
from rustpro.syntax.ancestry import NodeFold
from rustpro.syntax.cfg import CfgOnly, cfg_only, required_features

# Nodes the engine records from the gates (`record_node`), shared with the rules that ask for
# the same kinds: one gate serves both.
ENGINE_KINDS = (
    "inner_attribute_item",
    "mod_item",
    "use_declaration",
    "struct_item",
    "enum_item",
    "union_item",
    "trait_item",
    "type_item",
)
# Attributes by the last segment of their path: `#[test]`, `#[tokio::test]`, `#[cfg(..)]`.
ENGINE_ATTRIBUTES = ("test", "bench", "cfg")
_PUB_TYPES = frozenset({"struct_item", "enum_item", "union_item", "trait_item", "type_item"})
# Modules whose name says they hold test support (helpers, mocks, fixtures), compiled or not
# under `cfg(test)`: reviewers read them as test code.
TEST_SUPPORT_MODULES = frozenset(
    {
        # `pub mod test;` without `#[cfg(test)]`: a library's helpers for its users' tests
        # (`actix_web::test`). Not `tests`: without `#[cfg(test)]`, that module is compiled
        # into the product like any other (tests/test_discovery.py).
        "test",
        "test_utils",
        "test_util",
        "testutil",
        "testutils",
        "test_helpers",
        "test_helper",
        "test_support",
        "testing",
        "test_fixtures",
        "fixtures",
        "mock",
        "mocks",
    }
)
# Bytes a cfg predicate must spell to limit code to tests or docs (see `rustpro.syntax.cfg`).
_CFG_LIMIT_WORDS = re.compile(rb"test|loom|fuzz|miri|kani|shuttle|doc|mock")


@dataclass(frozen=True, slots=True)
class ModDecl:
    """`mod name;` (a file module) as declared in this file."""

    name: str
    chain: tuple[str, ...]  # inline modules around the declaration
    is_pub: bool  # the declaration and its inline chain are all plainly `pub`
    path_attr: str | None
    # Compiled only for tests (`#[cfg(test)]`, a test-support cfg, a `test_utils` module...).
    test_only: bool
    doc_hidden: bool
    # Lints `#[allow]`ed / `#[expect]`ed on the declaration or its inline modules: they hold
    # in the whole module file.
    allows: tuple[str, ...] = ()
    # Compiled only for rustdoc (`#[cfg(docsrs)]`): a documentation shim, not code.
    docs_only: bool = False
    # `#[cfg_attr(.., path = "..")]` alternatives, tried when there is no plain `#[path]`.
    conditional_paths: tuple[str, ...] = ()
    # Features the declaration's `#[cfg(..)]` certainly requires (`feature = "x"`).
    features: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reexport:
    """One path of a `pub use` declaration, e.g. ("self", "inner", "Item") or (.., "*")."""

    chain: tuple[str, ...]
    chain_pub: bool
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FeatureRegion:
    """Lines compiled only when every one of `features` is enabled (`#[cfg(feature = "x")]`
    and the item it is on, attribute line to the item's last line)."""

    first_line: int
    last_line: int
    features: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    """`// rustpro: allow(rules) -- reason` and the lines it covers."""

    line: int
    column: int
    first_line: int
    last_line: int
    rules: tuple[str, ...]
    reason: str
    well_formed: bool


@dataclass(slots=True)
class FileStructure:
    """Per-file facts the crate pass needs: module tree, re-exports, crate attributes."""

    mod_decls: list[ModDecl] = field(default_factory=list)
    reexports: list[Reexport] = field(default_factory=list)
    inner_attributes: list[tuple[str, str]] = field(default_factory=list)  # (path, args)
    has_inner_docs: bool = False
    test_fns: int = 0
    pub_types: list[PublicGate] = field(default_factory=list)  # may be public API
    suppressions: list[SuppressionComment] = field(default_factory=list)
    # Lint names of `#![allow(..)]` / `#![expect(..)]` at the top of the file (not nested).
    root_allows: list[str] = field(default_factory=list)
    # `include!("file.rs")` at module level: the included file is part of this module.
    includes: list[str] = field(default_factory=list)
    # The file says it is generated (a banner, its name or directory): no rule looks at it.
    generated: bool = False
    # Items behind `#[cfg(feature = "x")]`, and the features a top-level `#![cfg(..)]` of
    # the file requires: code that compiles only when those features exist and are enabled.
    feature_regions: list[FeatureRegion] = field(default_factory=list)
    file_features: list[str] = field(default_factory=list)


_SUPPRESSION = re.compile(
    r"^//\s*rustpro:\s*allow\(\s*(?P<rules>[^)]*)\)\s*(?:--\s*(?P<reason>.*\S))?\s*$"
)


# `mod x;` inside a macro call's tokens: found by its bytes, then matched on its token tree
# (a token-tree pattern in a file query would be tried on every token of every macro call).
_MACRO_MOD_TEXT = re.compile(rb"mod\s+(?:r#)?[A-Za-z_][A-Za-z0-9_]*\s*;")


def record_macro_mods(ctx: FileContext, out: FileStructure) -> None:
    """Fold every `mod x;` written inside a macro call (`cfg_rt! { pub mod rt; }`) into `out`."""
    root = ctx.tree.root_node
    found = items.nodes_at(root, ctx.source, _MACRO_MOD_TEXT, "token_tree", literal=b"mod")
    for tokens in found:
        for mod, name in macro_mods(tokens):
            _record_macro_mod(mod, name, out, ctx.places)


def macro_mods(tokens: Node) -> list[tuple[Node, Node]]:
    """The `mod` token and the name of each `mod x;` among a token tree's own tokens.

    The matches of the query `(token_tree "mod" @mod . (identifier) @name . ";")` rooted at
    the tree, found in Python: compiling that query cost ~2 ms of each run that met one. Its
    anchors (`.`) skip anonymous tokens but no named node (a comment breaks the chain).
    """
    found: list[tuple[Node, Node]] = []
    children = tokens.children
    for index, child in enumerate(children):
        if child.type != "mod" or child.is_named:
            continue
        name_at = _next_named(children, index)
        if name_at < 0 or children[name_at].type != "identifier":
            continue
        for after in children[name_at + 1 :]:
            if after.is_named:
                break
            if after.type == ";":
                found.append((child, children[name_at]))
                break
    return found


def _next_named(children: list[Node], index: int) -> int:
    """The index of the first named node after `index` in `children`, -1 if none."""
    for after in range(index + 1, len(children)):
        if children[after].is_named:
            return after
    return -1


def record_node(
    node: Node,
    ctx: FileContext,
    out: FileStructure,
    test_ranges: list[tuple[int, int]],
) -> None:
    """Fold one node of `ENGINE_KINDS` or an attribute of `ENGINE_ATTRIBUTES` into `out`."""
    kind = node.type
    if kind == "attribute_item":
        limit = _test_attribute(node, ctx)
        if limit is not None:
            is_test, target = limit
            if target is not None:
                test_ranges.append((node.start_byte, target.end_byte))
                if is_test and target.type == "function_item":
                    out.test_fns += 1
        elif _spells_feature(ctx, node):
            features = feature_attribute(node, ctx.source)
            if features:
                _record_feature_region(node, features, ctx, out)
    elif kind == "inner_attribute_item":
        path, args = items.attribute_path(node), items.attribute_arguments(node)
        out.inner_attributes.append((path, args))
        at_root = items.parent(node) == ctx.tree.root_node
        if path == "cfg" and cfg_only(args) is not None and at_root:
            ctx.file_test_only = True
        if path == "cfg" and at_root:
            out.file_features.extend(required_features(args))
        if path == "doc" and not args.startswith("(") and at_root:
            out.has_inner_docs = True
        if path in ("allow", "expect") and at_root:
            ctx.file_allows.update(items.lint_names(node))
            out.root_allows.extend(items.lint_names(node))
    elif kind == "mod_item":
        if _names_test_support(node):
            test_ranges.append((node.start_byte, node.end_byte))
        if node.child_by_field_name("body") is None:
            record_mod_declaration(node, out, ctx.places)
    elif kind == "use_declaration":
        # Only a plainly `pub` use re-exports anything, and its `pub` comes first: most uses
        # are turned away by their bytes (`may_be_public`) before their children are read.
        if ctx.may_be_public(node):
            _record_use(node, out, ctx.places)
    elif kind in _PUB_TYPES and items.visibility(node):
        gate = ctx.public_gate(node)
        if gate is not None:
            out.pub_types.append(gate)


def test_region_end(node: Node, ctx: FileContext) -> int:
    """Where the test region that `record_node` records for `node` ends, -1 if it records
    none: the word finder skips what no rule wants there before the regions are known."""
    kind = node.type
    if kind == "attribute_item":
        limit = _test_attribute(node, ctx)
        target = limit[1] if limit is not None else None
        return target.end_byte if target is not None else -1
    if kind == "mod_item" and _names_test_support(node):
        return node.end_byte
    return -1


_TEST_ATTRIBUTES = "structure/test-attributes"


def _test_attribute(attr: Node, ctx: FileContext) -> tuple[bool, Node | None] | None:
    """For an attribute that limits its item to tests or docs: whether it is a test
    attribute (`#[test]`), and the node it is on; None for other attributes. Worked out
    once per attribute: the word finder asks first (`test_region_end`), `record_node` later.
    """
    memo: dict[int, tuple[bool, Node | None] | None] = ctx.memo(_TEST_ATTRIBUTES)
    if attr.id in memo:
        return memo[attr.id]
    # Most `#[cfg(..)]`s are about features: no test or docs word in their bytes, no
    # reading them. Test-only and docs-only items are both outside production code. A test
    # attribute's path spells `test` (a limiting word) or `bench`, so an attribute that
    # spells neither is not read at all.
    found: tuple[bool, Node | None] | None = None
    start, end = attr.start_byte, attr.end_byte
    source = ctx.source
    if _CFG_LIMIT_WORDS.search(source, start, end) or source.find(b"bench", start, end) >= 0:
        is_test, limited = _remembered(_TEST_LIMITS, attr, source, plain_test_limits)
        if limited:
            found = (is_test, _attributed_node(attr))
    memo[attr.id] = found
    return found


def plain_test_limits(attr: Node, source: bytes) -> tuple[bool, bool]:
    """Whether an attribute is a test attribute (`#[test]`, `#[tokio::test]`), and whether
    it limits its item to tests or docs (a test attribute, or a `#[cfg(..)]` that does)."""
    is_test = items.is_test_attribute(attr)
    limits = _CFG_LIMIT_WORDS.search(source, attr.start_byte, attr.end_byte) is not None
    return is_test, is_test or (limits and items.cfg_limit(attr) is not None)


T = TypeVar("T")
# What `plain_test_limits` and `plain_feature_attribute` answered, by the attribute's bytes
# (`_remembered`).
_TEST_LIMITS: dict[bytes, tuple[bool, bool]] = {}
_FEATURE_ATTRIBUTES: dict[bytes, tuple[str, ...]] = {}
_REMEMBERED_LIMIT = 4096


def _remembered(
    table: dict[bytes, T], attr: Node, source: bytes, plain: Callable[[Node, bytes], T]
) -> T:
    """`plain(attr, source)`, remembered in `table` by the attribute's bytes: a crate writes
    the same few attributes (`#[test]`, `#[cfg(feature = "x")]`) hundreds of times, and
    reading one's path and arguments builds nodes and strings. An attribute's subtree is a
    function of its bytes alone, unless tree-sitter recovered from an error inside it: an
    attribute with an error is always read afresh. Bounded: past the limit, nothing is added.
    """
    key = source[attr.start_byte : attr.end_byte]
    found = table.get(key)
    if found is None:
        found = plain(attr, source)
        if len(table) < _REMEMBERED_LIMIT and not attr.has_error:
            table[key] = found
    return found


def _names_test_support(mod: Node) -> bool:
    return items.item_name(mod).removeprefix("r#") in TEST_SUPPORT_MODULES


def _spells_feature(ctx: FileContext, attr: Node) -> bool:
    return ctx.source.find(b"feature", attr.start_byte, attr.end_byte) >= 0


def feature_attribute(attr: Node, source: bytes) -> tuple[str, ...]:
    """The features a `#[cfg(..)]` attribute certainly requires (`required_features`), ()
    for other attributes: `plain_feature_attribute` remembered by the attribute's bytes."""
    return _remembered(_FEATURE_ATTRIBUTES, attr, source, plain_feature_attribute)


def plain_feature_attribute(attr: Node, source: bytes = b"") -> tuple[str, ...]:
    """`feature_attribute` read from the attribute's nodes."""
    if items.attribute_path(attr) != "cfg":
        return ()
    return required_features(items.attribute_arguments(attr))


def _record_feature_region(
    attr: Node, features: tuple[str, ...], ctx: FileContext, out: FileStructure
) -> None:
    """`#[cfg(feature = "x")]` and its item: lines that compile only with feature `x`."""
    target = _attributed_node(attr)
    if target is None:
        return
    first = ctx.lines.line_of(attr.start_byte)
    last = ctx.lines.line_of(max(target.end_byte - 1, target.start_byte))
    out.feature_regions.append(FeatureRegion(first, last, features))


def _attributed_node(attr: Node) -> Node | None:
    sibling = items.next_named(attr)
    while sibling is not None and sibling.type in (
        "attribute_item",
        "line_comment",
        "block_comment",
    ):
        sibling = items.next_named(sibling)
    return sibling


def record_mod_declaration(node: Node, out: FileStructure, places: NodeFold[ModulePlace]) -> None:
    """Fold one `mod name;` declaration (a `mod_item` without a body) into `out.mod_decls`."""
    place = places.around(node)
    if place.too_deep:
        return  # the module file would sit more than `MAX_INLINE_MODULES` directories down
    chain, chain_pub, hidden = _inline_chain(place)
    attrs = items.attributes_of(node)
    path_attr: str | None = None
    conditional: list[str] = []
    limits: set[CfgOnly] = set()
    features: list[str] = []
    for attr in attrs:
        path = items.attribute_path(attr)
        if path == "path":
            path_attr = items.attribute_arguments(attr).strip().strip('"')
        elif path == "cfg_attr":
            conditional.extend(_cfg_attr_paths(items.attribute_arguments(attr)))
        elif path == "cfg":
            limit = items.cfg_limit(attr)
            if limit is not None:
                limits.add(limit)
            features.extend(required_features(items.attribute_arguments(attr)))
    name = items.item_name(node)
    out.mod_decls.append(
        ModDecl(
            name=name,
            chain=chain,
            is_pub=chain_pub and items.is_plain_pub(node),
            path_attr=path_attr,
            # `limits` is mostly empty: asked first, no enum member is hashed (a Python
            # `Enum.__hash__` call each) for a plain `mod x;`.
            test_only=bool(limits and CfgOnly.TEST in limits)
            or name.removeprefix("r#") in TEST_SUPPORT_MODULES,
            doc_hidden=hidden or any(items.is_doc_hidden(a) for a in attrs),
            allows=_allowed_on(node, place),
            docs_only=bool(limits) and limits == {CfgOnly.DOCS},
            conditional_paths=tuple(conditional),
            features=tuple(sorted(set(features))),
        )
    )


_CFG_ATTR_PATH = re.compile(r',\s*path\s*=\s*"([^"]+)"\s*\)?\s*$')


def _cfg_attr_paths(arguments: str) -> list[str]:
    """`(unix, path = "unix.rs")` -> ["unix.rs"]: the file a `cfg_attr` may point `mod` at."""
    found = _CFG_ATTR_PATH.search(arguments.strip().removesuffix(")"))
    return [found.group(1)] if found else []


def _inline_chain(place: ModulePlace) -> tuple[tuple[str, ...], bool, bool]:
    """The inline modules around a module-level node, whether all are `pub`, whether one is
    `#[doc(hidden)]`; inside a function body, `((), False, True)`: no module of the tree."""
    if place.in_function:
        return (), False, True
    return place.chain, place.chain_pub, place.hidden


def _record_macro_mod(
    keyword: Node, name: Node, out: FileStructure, places: NodeFold[ModulePlace]
) -> None:
    """`mod x;` written inside a macro call at module level (tokio's `cfg_rt! { pub mod rt; }`).

    Macro arguments are unparsed token trees, so visibility and attributes are read from the
    tokens before `mod`: `pub` (not `pub(crate)`), and `#[cfg(test)]`, `#[doc(hidden)]`,
    `#[path = ".."]` groups.
    """
    place = places.around(keyword)
    if place.in_function or place.too_deep:
        return  # a macro call inside a function body declares no module of the tree
    chain, chain_pub, hidden = _inline_chain(place)
    before = items.previous(keyword)
    is_pub = before is not None and before.type == "pub"
    if before is not None and before.type == "token_tree" and items.text(before).startswith("("):
        before = items.previous(before)  # `pub(crate)`: restricted, so not public
        is_pub = False
    if before is not None and before.type == "pub":
        before = items.previous(before)
    test_only = items.text(name).removeprefix("r#") in TEST_SUPPORT_MODULES
    docs_only = False
    path_attr: str | None = None
    while before is not None and before.type == "token_tree":
        hash_mark = items.previous(before)
        if hash_mark is None or hash_mark.type != "#":
            break
        attribute = items.text(before).replace(" ", "")
        if attribute.startswith("[cfg("):
            limit = cfg_only(attribute[len("[cfg") : -1])
            test_only = test_only or limit is CfgOnly.TEST
            docs_only = docs_only or limit is CfgOnly.DOCS
        hidden = hidden or attribute == "[doc(hidden)]"
        if attribute.startswith("[path="):
            path_attr = attribute[len("[path=") : -1].strip('"')
        before = items.previous(hash_mark)
    out.mod_decls.append(
        ModDecl(
            name=items.text(name),
            chain=chain,
            is_pub=chain_pub and is_pub,
            path_attr=path_attr,
            test_only=test_only,
            doc_hidden=hidden,
            docs_only=docs_only and not test_only,
        )
    )


# `include!("x.rs")`: the literal path of an included file. `include!(concat!(env!("OUT_DIR"),
# ..))` names a build output, which is not in the tree.
_INCLUDE_TEXT = re.compile(rb"include\s*!")  # at a word's start (`nodes_at`)


def record_includes(ctx: FileContext, out: FileStructure) -> None:
    """Fold every module-level `include!("path")` of the file into `out.includes`."""
    if b"include" not in ctx.source:
        return
    root = ctx.tree.root_node
    calls = items.nodes_at(root, ctx.source, _INCLUDE_TEXT, "macro_invocation", word_start=True)
    for call in calls:
        if items.macro_name(call) not in ("include", "std::include", "core::include"):
            continue
        if ctx.places.around(call).in_function:
            continue  # an expression include (a table, a body) declares no module items
        arguments = next((c for c in call.named_children if c.type == "token_tree"), None)
        literal = arguments.named_child(0) if arguments is not None else None
        if literal is None or literal.type != "string_literal" or arguments is None:
            continue
        if arguments.named_child_count != 1:
            continue
        path = items.text(literal)[1:-1]
        if path.endswith(".rs"):
            out.includes.append(path)


# Functions whose name says they exist for tests (`new_for_tests`, `build_pool_for_testing`).
_TEST_SUPPORT_FN = re.compile(rb"fn\s+\w*_for_test(?:s|ing)?\b")  # at a word's start


def record_test_support_functions(ctx: FileContext, test_ranges: list[tuple[int, int]]) -> None:
    """Add the byte ranges of test-support functions (`*_for_tests`) to `test_ranges`."""
    if b"_for_test" not in ctx.source:
        return
    root = ctx.tree.root_node
    functions = items.nodes_at(root, ctx.source, _TEST_SUPPORT_FN, "function_item", word_start=True)
    for function in functions:
        test_ranges.append((function.start_byte, function.end_byte))


def _allowed_on(node: Node, place: ModulePlace) -> tuple[str, ...]:
    """Lint names allowed on `node` and on the inline modules around it."""
    return (*items.allowed_lints(node), *place.module_allows)


def _record_use(node: Node, out: FileStructure, places: NodeFold[ModulePlace]) -> None:
    if not items.is_plain_pub(node):
        return
    chain, chain_pub, hidden = _inline_chain(places.around(node))
    # `#[doc(hidden)] pub use ..` re-exports for the crate's own macros or binaries, not
    # for users: what it names is no public API.
    if hidden or any(items.is_doc_hidden(a) for a in items.attributes_of(node)):
        return
    argument = node.child_by_field_name("argument")
    if argument is None:
        return
    for path in _flatten_use(argument, ()):
        out.reexports.append(Reexport(chain, chain_pub, path))


def _flatten_use(node: Node, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every path a use tree names, each as its segments (`a::{b, c::*}` -> a::b, a::c::*).

    With an explicit stack rather than recursion: a use tree can nest as deep as its text
    is long, and Python's recursion limit is no bound on input.
    """
    found: list[tuple[str, ...]] = []
    pending: list[tuple[Node, tuple[str, ...]]] = [(node, prefix)]
    while pending:
        current, base = pending.pop()
        kind = current.type
        if kind in ("identifier", "self", "crate", "super", "metavariable"):
            found.append((*base, items.text(current)))
        elif kind == "scoped_identifier":
            found.append((*base, *items.text(current).replace(" ", "").split("::")))
        elif kind == "use_as_clause":
            path = current.child_by_field_name("path")
            if path is not None:
                pending.append((path, base))
        elif kind == "use_wildcard":
            head = current.named_children
            wild = tuple(items.text(head[0]).replace(" ", "").split("::")) if head else ()
            found.append((*base, *wild, "*"))
        elif kind == "scoped_use_list":
            path_node = current.child_by_field_name("path")
            segments = (
                tuple(items.text(path_node).replace(" ", "").split("::")) if path_node else ()
            )
            list_node = current.child_by_field_name("list")
            if list_node is not None:
                pending.append((list_node, (*base, *segments)))
        elif kind == "use_list":
            # Reversed onto the stack, so the paths come out in the order written.
            pending.extend((child, base) for child in reversed(current.named_children))
    return found


# Suppression comments are rare: a byte scan finds them, where a query pattern would test every
# comment of every file with a regex (one Python call per comment, 13% of all predicate calls).
_SUPPRESSION_START = re.compile(rb"//[ \t]*rustpro:")
# No file without these bytes holds a suppression comment.
SUPPRESSION_MARK = b"rustpro:"


def record_suppressions(ctx: FileContext, out: FileStructure) -> None:
    """Fold every `// rustpro: ...` line comment of the file into `out.suppressions`."""
    if SUPPRESSION_MARK not in ctx.source:
        return
    root = ctx.tree.root_node
    for found in _SUPPRESSION_START.finditer(ctx.source):
        start = found.start()
        node = root.descendant_for_byte_range(start, start + 2)
        while node is not None and node.type != "line_comment" and node.start_byte == start:
            node = items.parent(node)
        # Only a comment that starts right here: not `// rustpro:` inside a string or `///`.
        if node is not None and node.type == "line_comment" and node.start_byte == start:
            _record_suppression(node, ctx, out)


def _record_suppression(node: Node, ctx: FileContext, out: FileStructure) -> None:
    comment = items.text(node).strip()
    line, column = ctx.lines.position(node.start_byte)
    match = _SUPPRESSION.match(comment)
    rules: tuple[str, ...] = ()
    reason = ""
    if match:
        rules = tuple(r.strip() for r in match.group("rules").split(",") if r.strip())
        reason = (match.group("reason") or "").strip()
    trailing = _has_code_before(node, ctx)
    if trailing:
        first, last = line, line
    else:
        target = items.next_named(node)
        while target is not None and target.type in ("line_comment", "block_comment"):
            target = items.next_named(target)
        if target is None:
            first, last = line + 1, line + 1
        else:
            first = ctx.lines.line_of(target.start_byte)
            last = ctx.lines.line_of(max(target.end_byte - 1, target.start_byte))
    out.suppressions.append(
        SuppressionComment(
            line=line,
            column=column,
            first_line=first,
            last_line=last,
            rules=rules,
            reason=reason,
            well_formed=match is not None and bool(rules),
        )
    )


def _has_code_before(node: Node, ctx: FileContext) -> bool:
    start = ctx.lines.line_start(ctx.lines.line_of(node.start_byte))
    return bool(ctx.source[start : node.start_byte].strip())
