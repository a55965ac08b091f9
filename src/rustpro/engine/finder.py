"""Finding a file's candidates by the words that begin them, without walking its tree.

A tree-sitter query visits every node of a file, punctuation included: on its own that walk
costs about a third of the parse. But every candidate the gates hand to rules begins with, or
is named by, a word of the source: an item by its keyword (`fn`, `impl`, `struct`, ...), a
call, macro call or attribute by its name, every macro call by its `!`, an inner doc comment
by `//!`. So the file's bytes are searched for those words (one Aho-Corasick pass in native
code for all of them), the tree is asked for the token at each hit, and the hit is kept only
when that token sits exactly where the gate pattern would have matched it (the kind of its
parent, the field it fills). Hits in comments, strings, longer words or macro token trees land
on other tokens and are dropped, so the candidates are those the gate patterns matched.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import ahocorasick_rs
from tree_sitter import Node

from rustpro.syntax import items
from rustpro.syntax.ancestry import Ancestry
from rustpro.syntax.parser import kind_ids

# The keyword each node kind has as a direct child, always present: searching for the
# keyword finds every node of the kind.
KIND_KEYWORDS: dict[str, bytes] = {
    "function_item": b"fn",
    "function_signature_item": b"fn",
    "impl_item": b"impl",
    "struct_item": b"struct",
    "enum_item": b"enum",
    "union_item": b"union",
    "trait_item": b"trait",
    "type_item": b"type",
    "associated_type": b"type",
    "const_item": b"const",
    "static_item": b"static",
    "mod_item": b"mod",
    "use_declaration": b"use",
    "for_expression": b"for",
    "unsafe_block": b"unsafe",
    "macro_definition": b"macro_rules!",
}
# Kinds found through another kind: a `declaration_list` is the body of one of these.
_BODY_OF = ("mod_item", "impl_item", "trait_item", "foreign_mod_item")
# `extern "C" { .. }`: its `extern` sits in an `extern_modifier` child.
_EXTERN = b"extern"
# Found by a regular expression instead of a word: `#`, then `!` and `[` (comments and
# whitespace may come between tokens; possessive, so a run of comments cannot backtrack).
_GAP = rb"(?:\s++|//[^\n]*+|/\*(?:[^*]|\*++(?!/))*+\*/)*+"
_INNER_ATTRIBUTE = re.compile(rb"#(?=" + _GAP + rb"!" + _GAP + rb"\[)")
# Every macro call (for rules that filter macro names themselves): `!` before its brackets.
_MACRO_BANG = re.compile(rb"!(?=" + _GAP + rb"[(\[{])")
_INNER_DOC_NEEDLES = (b"//!", b"/*!")
_WORD_BYTES = items.IDENTIFIER_BYTES | frozenset(range(0x80, 0x100))
# Bytes that, right before a word, make it part of another token: a longer name, or the
# `'` of a lifetime or label (`'static` is no `static` item).
_LEFT_BLOCKERS = _WORD_BYTES | frozenset(b"'")


_BODY_OF_IDS = frozenset().union(*(kind_ids(kind) for kind in _BODY_OF))
_EXTERN_MODIFIER_IDS = kind_ids("extern_modifier")
# Nodes that hold no token of code: a word inside one is in a comment or a string.
_COMMENT_OR_STRING_IDS = frozenset().union(
    *(
        kind_ids(kind)
        for kind in (
            "line_comment",
            "block_comment",
            "doc_comment",
            "string_content",
            "string_literal",
            "raw_string_literal",
            "char_literal",
        )
    )
)

Parent = Callable[[Node], Node | None]  # `Node.parent`, answered from what the finder met
# The candidate a word's token stands for, if any; climbing with the finder's `Parent`.
Verify = Callable[[Node, Parent], Node | None]
# Where the test region a hit opens ends (the byte after it), or -1: see `WordFinder.find`.
RegionEnd = Callable[[Node, object, bytes], int]
_SPACE = frozenset(b" \t\n\r\x0b\x0c")  # what `\s` matches in a bytes regex
_DOT_OR_UNSURE = frozenset(b"./\n\r\x0b\x0c")  # see `_may_follow_dot`


class TokenShape(enum.Enum):
    """How a name is written inside a macro's token tree (macro arguments are unparsed)."""

    METHOD = "method"  # `.name`, spaces allowed after the dot
    MACRO = "macro"  # `name!`, spaces allowed before the bang
    IDENT = "ident"  # the name alone


def method_call(token: Node, parent: Parent) -> Node | None:
    """`x.name(..)`: the call whose function is a field expression naming `token`."""
    if token.type != "field_identifier":
        return None
    field_expr = parent(token)
    if field_expr is None or field_expr.type != "field_expression":
        return None
    call = parent(field_expr)
    # A field expression that is a child of a call is its `function` (the rest is `arguments`).
    return call if call is not None and call.type == "call_expression" else None


def function_call(token: Node, parent: Parent) -> Node | None:
    """`name(..)`, `path::name(..)`, `name::<T>(..)`, `path::name::<T>(..)`."""
    if token.type != "identifier":
        return None
    node = _as_name(token, parent)
    above = parent(node)
    if above is not None and above.type == "generic_function":
        node, above = above, parent(above)
    return above if above is not None and above.type == "call_expression" else None


def qualified_call(token: Node, parent: Parent) -> Node | None:
    """`name::f(..)` and `path::name::f(..)`: the call whose function's path ends in `token`."""
    if token.type != "identifier":
        return None
    node = _as_name(token, parent)
    path_of = parent(node)
    # The path is the first child of a scoped identifier; the name is its last.
    if (
        path_of is None
        or path_of.type != "scoped_identifier"
        or path_of.start_byte != node.start_byte
        or path_of.end_byte == node.end_byte
    ):
        return None
    call = parent(path_of)
    return call if call is not None and call.type == "call_expression" else None


def macro_call(token: Node, parent: Parent) -> Node | None:
    """`name!(..)` and `path::name!(..)`."""
    if token.type != "identifier":
        return None
    above = parent(_as_name(token, parent))
    # An identifier or path that is a child of a macro call is its `macro`.
    return above if above is not None and above.type == "macro_invocation" else None


def attribute(token: Node, parent: Parent) -> Node | None:
    """`#[name]`, `#[path::name(..)]`: the attribute item whose path ends in `token`."""
    if token.type != "identifier":
        return None
    node = _as_name(token, parent)
    attr = parent(node)
    if attr is None or attr.type != "attribute" or attr.start_byte != node.start_byte:
        return None
    item = parent(attr)
    return item if item is not None and item.type == "attribute_item" else None


def _as_name(identifier: Node, parent: Parent) -> Node:
    """The scoped identifier an identifier is the name (last segment) of, or itself."""
    above = parent(identifier)
    if (
        above is not None
        and above.type == "scoped_identifier"
        and above.end_byte == identifier.end_byte
    ):
        return above
    return identifier


def _macro_last_name(call: Node) -> bytes | None:
    """The bytes of a macro call's name (its path's last segment); None for other nodes."""
    if call.type != "macro_invocation":
        return None
    macro: Node | None = call.child(0)
    if macro is not None and macro.type == "scoped_identifier":
        macro = macro.child_by_field_name("name")
    if macro is None or macro.type != "identifier":
        return None
    return macro.text or b""


# A candidate found by a word: the node, the caller's route for it, and the word (a plain
# tuple: there are thousands per file).
Hit = tuple[Node, object, bytes]
# A token tree holding wanted names: the tree, the route, and each name found in it.
TreeHit = tuple[Node, object, list[bytes]]


def _tree_start(hit: TreeHit) -> int:
    return hit[0].start_byte


def _token_tree_targets(source: bytes, word: _Word, start: int, end: int) -> list[object]:
    """The targets of `word`'s token trees whose shape the bytes around the word at `start`
    fit (`.name`, `name!`, the name alone)."""
    return [
        target
        for shape, target in word.in_token_trees
        if not (shape is TokenShape.METHOD and _before(source, start) != ord("."))
        and not (shape is TokenShape.MACRO and _after(source, end) != ord("!"))
    ]


def _in_token_tree(
    ancestry: Ancestry,
    needle: bytes,
    token: Node,
    targets: list[object],
    trees: dict[tuple[int, int], TreeHit],
) -> None:
    """Record, for each of `targets`, the token tree holding the identifier `needle` (its
    token: `ancestry.node_at` of its bytes)."""
    # The smallest named node holding the byte before the identifier too is its parent (a
    # token tree begins with its bracket).
    tree = ancestry.named_node_at(token.start_byte - 1, token.end_byte)
    if tree is None or tree.type != "token_tree":
        return
    for target in targets:
        key = (tree.id, id(target))
        known = trees.get(key)
        if known is None:
            trees[key] = (tree, target, [needle])
        elif needle not in known[2]:
            known[2].append(needle)


_NAME_START_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")


def _inner_attributes(ancestry: Ancestry, source: bytes, target: object) -> Iterator[Hit]:
    """Every inner attribute (`#![..]`), found by its `#`."""
    for hit in _INNER_ATTRIBUTE.finditer(source):
        start = hit.start()
        item = ancestry.named_node_at(start, start + 1)  # `#` is unnamed
        if item is not None and item.type == "inner_attribute_item":
            yield (item, target, b"")


def _name_before(source: bytes, bang: int) -> bytes | None:
    """The plain ASCII identifier written right before `bang` (spaces allowed), or None when
    the bytes there are anything else (a comment, `r#name`, a non-ASCII name): the tree must
    say what the macro is called then."""
    end = bang
    while end and source[end - 1] in _SPACE:
        end -= 1
    start = end
    while start and source[start - 1] in items.IDENTIFIER_BYTES:
        start -= 1
    if start == end or source[start] not in _NAME_START_BYTES:
        return None
    if start and (source[start - 1] == ord("#") or source[start - 1] >= 0x80):
        return None
    return source[start:end]


def _may_follow_dot(source: bytes, start: int) -> bool:
    """False when the bytes prove no `.` comes before `start` (other than spaces): the last
    byte before it on the same line is something else. A comment may sit between a `.` and
    a method name, so a block comment's end or a line break leaves the question open."""
    index = start - 1
    while index >= 0 and source[index] in b" \t":
        index -= 1
    return index < 0 or source[index] in _DOT_OR_UNSURE


def _before(source: bytes, start: int) -> int:
    """The byte before `start`, whitespace skipped (-1 at the start of the file)."""
    index = start - 1
    while index >= 0 and source[index] in _SPACE:
        index -= 1
    return source[index] if index >= 0 else -1


def _after(source: bytes, end: int) -> int:
    """The byte at `end`, whitespace skipped (-1 at the end of the file)."""
    size = len(source)
    while end < size and source[end] in _SPACE:
        end += 1
    return source[end] if end < size else -1


@dataclass(slots=True)
class _Word:
    """What one word can stand for."""

    by_parent_kind: dict[str, object]  # keyword: the route of each node kind it begins
    bodies: bool  # keyword of a kind whose body is a wanted `declaration_list`
    verified: list[tuple[Verify, object]]  # name: each channel's check and route
    # Name: as an identifier token of a macro's token tree, in each shape and route.
    in_token_trees: list[tuple[TokenShape, object]] = field(default_factory=list)
    # Wanted only as a method name (`.name`): set by `seal`.
    method_only: bool = False
    # Nobody wants what it stands for inside a test region (`skip_in_test_regions`): set by
    # `seal`.
    skipped_in_tests: bool = False
    # Its hits may open a test region (`want_test_regions`).
    opens_regions: bool = False
    # `by_parent_kind` by every `Node.kind_id` of each kind: set by `seal`.
    by_parent_kind_id: dict[int, object] = field(default_factory=dict)

    def only_after_dot(self) -> bool:
        """Whether every use of this word needs a `.` before it."""
        return (
            not self.by_parent_kind
            and not self.bodies
            and all(verify is method_call for verify, _ in self.verified)
            and all(shape is TokenShape.METHOD for shape, _ in self.in_token_trees)
        )


# What `WordFinder._find_words` reads of a needle at each match: the needle, its word (None
# for an inner doc comment mark), whether the bytes before / after it must not continue a
# word, and the word's `skipped_in_tests`, `method_only`, whether it is a keyword (of kinds
# or bodies), `opens_regions`, and whether it stands for names (checked or in token trees).
# One tuple read per match: the loop runs for every match of every file, and each field of
# a `_Word` read there would be an attribute look-up of its own.
_Entry = tuple[bytes, _Word | None, bool, bool, bool, bool, bool, bool, bool]


def _entry(needle: bytes, word: _Word | None) -> _Entry:
    left, right = needle[0] in _WORD_BYTES, needle[-1] in _WORD_BYTES
    if word is None:
        return (needle, None, left, right, False, False, False, False, False)
    return (
        needle,
        word,
        left,
        right,
        word.skipped_in_tests,
        word.method_only,
        bool(word.by_parent_kind) or word.bodies,
        word.opens_regions,
        bool(word.verified) or bool(word.in_token_trees),
    )


class WordFinder:
    """The candidates of a file plan that are found by words and marks, built once per plan.

    Ask with `want_kind` (also `declaration_list` and `inner_attribute_item`), `want_name`,
    `want_in_token_trees`, `want_every_macro_call` and `want_file_docs`, then `seal()`;
    `find` returns the hits of a file.
    """

    def __init__(self) -> None:
        self._words: dict[bytes, _Word] = {}
        self._declaration_lists: object | None = None
        self._every_macro_call: object | None = None
        self._macro_named: Callable[[bytes], bool] = bool
        self._inner_attributes: object | None = None
        self._inner_docs = False
        self._needles: tuple[bytes, ...] = ()
        # Per needle, by the automaton's index (`_entry`).
        self._entries: tuple[_Entry, ...] = ()
        self._automaton: ahocorasick_rs.BytesAhoCorasick | None = None
        self._ignored_in_tests: Callable[[object, bytes], bool] | None = None

    @staticmethod
    def finds_kind(kind: str) -> bool:
        """True when nodes of `kind` can be found by a word."""
        return kind in KIND_KEYWORDS or kind in ("declaration_list", "inner_attribute_item")

    def _word(self, word: bytes) -> _Word:
        return self._words.setdefault(word, _Word({}, False, []))

    def want_kind(self, kind: str, target: object) -> None:
        """Every node of `kind` (one of `finds_kind`)."""
        if kind == "declaration_list":
            self._declaration_lists = target
            for keyword in {KIND_KEYWORDS.get(k, _EXTERN) for k in _BODY_OF}:
                self._word(keyword).bodies = True
        elif kind == "inner_attribute_item":
            self._inner_attributes = target
        else:
            self._word(KIND_KEYWORDS[kind]).by_parent_kind[kind] = target

    def want_name(self, name: str, verify: Verify, target: object) -> None:
        """Every `verify(token)` of an identifier token spelled `name`."""
        self._word(name.encode()).verified.append((verify, target))

    def want_in_token_trees(self, name: str, shape: TokenShape, target: object) -> None:
        """Every token tree (macro arguments, `macro_rules!` bodies) holding the identifier
        `name` written in `shape`; `find` hands them over apart from the other hits, each
        tree once per target with every name found in it."""
        self._word(name.encode()).in_token_trees.append((shape, target))

    def want_every_macro_call(
        self, target: object, named: Callable[[bytes], bool] = lambda name: True
    ) -> None:
        """Every macro call, named by the last segment of its path, whose name `named` takes.

        Most macro calls (`format!`, `vec!`) are for nobody: their name is read from the
        bytes before the `!` and they are dropped before the tree is asked.
        """
        self._every_macro_call = target
        self._macro_named = named

    def want_file_docs(self) -> None:
        """The file's first inner doc comment (`//!`, `/*!`) at the top level, as a hit whose
        target is None: whether the file documents its module (inner docs of inline modules
        are not asked for, and one is as good as many)."""
        self._inner_docs = True

    def want_test_regions(self, names: Iterable[str]) -> None:
        """Hand the hits of the words `names` to `find`'s `region_end`, which says whether
        each opens a test region (`#[cfg(test)]`, `#[test]`, `mod tests`)."""
        for name in names:
            word = self._words.get(name.encode())
            if word is not None:
                word.opens_regions = True

    def skip_in_test_regions(self, ignored: Callable[[object, bytes], bool]) -> None:
        """Let `find` skip, inside the test regions its `region_end` reports, every word
        whose every target `ignored(target, word)` says nobody reads there (a word that
        also finds the bodies of items is never skipped)."""
        self._ignored_in_tests = ignored

    def targets(self) -> list[object]:
        """Every target asked for (each once), for checks of the plan."""
        found: dict[int, object] = {}
        for word in self._words.values():
            for target in (
                *word.by_parent_kind.values(),
                *(t for _, t in word.verified),
                *(t for _, t in word.in_token_trees),
            ):
                found[id(target)] = target
        for target in (self._declaration_lists, self._every_macro_call, self._inner_attributes):
            if target is not None:
                found[id(target)] = target
        return list(found.values())

    def seal(self) -> None:
        """Build the byte search for everything wanted."""
        ignored = self._ignored_in_tests
        for needle, word in self._words.items():
            word.method_only = word.only_after_dot()
            word.skipped_in_tests = (
                ignored is not None
                and not word.bodies
                and not word.opens_regions
                and needle != _EXTERN
                and all(
                    ignored(target, needle)
                    for target in (
                        *word.by_parent_kind.values(),
                        *(t for _, t in word.verified),
                        *(t for _, t in word.in_token_trees),
                    )
                )
            )
            word.by_parent_kind_id = {
                kind_id: target
                for kind, target in word.by_parent_kind.items()
                for kind_id in kind_ids(kind)
            }
        needles = sorted(self._words)
        if self._inner_docs:
            needles.extend(_INNER_DOC_NEEDLES)
        self._needles = tuple(needles)
        self._entries = tuple(_entry(needle, self._words.get(needle)) for needle in needles)
        self._automaton = (
            ahocorasick_rs.BytesAhoCorasick(
                list(needles), matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST
            )
            if needles
            else None
        )

    def find(
        self,
        root: Node,
        source: bytes,
        ancestry: Ancestry | None = None,
        region_end: RegionEnd | None = None,
    ) -> tuple[list[Hit], list[TreeHit]]:
        """Every wanted candidate of the file, in no particular order; and the token trees
        holding wanted names, in document order.

        `ancestry` (of `root`'s tree) learns the ancestors of every node met on the way.
        `region_end(node, target, word)`, asked of each hit of a `want_test_regions` word,
        says where the test region that hit begins ends (-1: it begins none); the words that
        `skip_in_test_regions` ignores there are then skipped up to that byte, their tree
        lookups unasked. Without it every hit is found.
        """
        found: list[Hit] = []
        trees: dict[tuple[int, int], TreeHit] = {}
        # Each pass goes through the file in order: the ancestry's searches then walk the
        # tree about once per pass.
        ancestry = ancestry if ancestry is not None else Ancestry(root)
        if self._automaton is not None:
            self._find_words(ancestry, source, found, trees, region_end)
        if self._inner_attributes is not None:
            found.extend(_inner_attributes(ancestry, source, self._inner_attributes))
        if self._every_macro_call is not None:
            target, named_ok = self._every_macro_call, self._macro_named
            for hit in _MACRO_BANG.finditer(source):
                start = hit.start()
                spelled = _name_before(source, start)
                if spelled is not None and not named_ok(spelled):
                    continue
                # `!` is an unnamed token: the smallest named node holding it is its parent.
                call = ancestry.named_node_at(start, start + 1)
                name = _macro_last_name(call) if call is not None else None
                if call is None or name is None:
                    continue
                if spelled is not None or named_ok(name):  # a spelled name was asked above
                    found.append((call, target, name))
        return found, sorted(trees.values(), key=_tree_start)

    def _find_words(
        self,
        ancestry: Ancestry,
        source: bytes,
        found: list[Hit],
        trees: dict[tuple[int, int], TreeHit],
        region_end: RegionEnd | None,
    ) -> None:
        assert self._automaton is not None
        entries = self._entries
        word_bytes, left_blockers = _WORD_BYTES, _LEFT_BLOCKERS
        size = len(source)
        file_docs = False
        parent = ancestry.parent
        named_node_at = ancestry.named_node_at
        # The comment or string the last lookup landed in: a word inside it is no token of
        # code, so the words after it on a comment line (`/// Use this for a test of ..`)
        # are dropped without asking the tree again (matches come in document order).
        dead_start = dead_end = -1
        dead_ids = _COMMENT_OR_STRING_IDS
        # The end of the test regions met so far. A region begins at its attribute (or its
        # `mod` item), before the word that opened it, and matches come in document order:
        # a match before this byte lies in one. A node a word there stands for begins in
        # the region too (no region begins inside a call, a macro call's path, an item's
        # head or a token tree), so it is a candidate nobody there wants.
        tests_end = -1
        for index, start, end in self._automaton.find_matches_as_indexes(source):
            needle, word, left, right, skipped, method_only, keyword, opens, named = entries[index]
            if word is None:  # an inner doc comment mark
                file_docs = file_docs or self._file_doc(ancestry, start, end, found)
                continue
            if start >= dead_start and end <= dead_end:
                continue
            if skipped and start < tests_end:
                continue
            if (left and start and source[start - 1] in left_blockers) or (
                right and end < size and source[end] in word_bytes
            ):
                continue
            if method_only and not _may_follow_dot(source, start):
                continue
            if keyword:
                known = len(found)
                # A keyword is an unnamed token, so the smallest *named* node holding it is
                # the node it is a direct child of. Keyword-like bytes in a comment, string
                # or token tree land on that node. (`_keyword` written out: thousands of
                # keywords per file, and a Python call costs as much as the lines here.)
                item = named_node_at(start, end)
                if item is not None:
                    kind = item.kind_id  # an int: `type` builds a new string each time
                    if kind in dead_ids:
                        dead_start, dead_end = item.start_byte, item.end_byte
                        continue
                    if needle == _EXTERN or word.bodies:
                        self._keyword(ancestry, word, needle, item, found)
                    else:
                        target = word.by_parent_kind_id.get(kind)
                        if target is not None:
                            found.append((item, target, needle))
                if opens and region_end is not None:
                    for item_hit, target, _ in found[known:]:
                        tests_end = max(tests_end, region_end(item_hit, target, needle))
            if not named:
                continue
            tree_targets = (
                _token_tree_targets(source, word, start, end) if word.in_token_trees else None
            )
            if not (tree_targets or word.verified):
                continue
            # One lookup serves both questions: the smallest node at the word is the smallest
            # named one when it is named (both descend the same path), and a token tree's
            # identifier is a named leaf.
            token = ancestry.node_at(start, end)
            if token is None:
                continue
            if token.kind_id in dead_ids:
                dead_start, dead_end = token.start_byte, token.end_byte
                continue
            if tree_targets and token.start_byte == start and token.type == "identifier":
                _in_token_tree(ancestry, needle, token, tree_targets, trees)
            # A word in a comment or string lands on a longer token: no candidate.
            if not word.verified or token.start_byte != start or token.end_byte != end:
                continue
            for verify, target in word.verified:
                node = verify(token, parent)
                if node is not None:
                    found.append((node, target, needle))
                    if opens and region_end is not None:
                        tests_end = max(tests_end, region_end(node, target, needle))

    def _keyword(
        self, ancestry: Ancestry, word: _Word, needle: bytes, item: Node, found: list[Hit]
    ) -> None:
        """Hand over the node the keyword begins, if wanted, and the body it opens, if
        wanted; `item` is the smallest named node holding the keyword, no comment or string
        (the plain case, a keyword without bodies other than `extern`, is written out in
        `_find_words`)."""
        kind = item.kind_id
        if needle == _EXTERN and kind in _EXTERN_MODIFIER_IDS:
            parent = ancestry.parent(item)
            if parent is None:
                return
            item, kind = parent, parent.kind_id
        target = word.by_parent_kind_id.get(kind)
        if target is not None:
            found.append((item, target, needle))
        if word.bodies and kind in _BODY_OF_IDS:
            body = item.child_by_field_name("body")
            if body is not None and body.type == "declaration_list":
                found.append((body, self._declaration_lists, needle))

    @staticmethod
    def _file_doc(ancestry: Ancestry, start: int, end: int, found: list[Hit]) -> bool:
        """Hand over the inner doc comment starting at `start` if it documents the file."""
        # The smallest node holding all of `//!` is the comment (`//` alone is its token).
        comment = ancestry.node_at(start, end)
        if (
            comment is None
            or comment.start_byte != start
            or comment.type not in ("line_comment", "block_comment")
            or comment.child_by_field_name("inner") is None
            or ancestry.parent(comment) != ancestry.root
        ):
            return False
        found.append((comment, None, b""))
        return True
