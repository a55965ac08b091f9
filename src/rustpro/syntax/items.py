"""Questions rules ask about Rust items: attributes, docs, visibility, names, types.

These helpers look only at a node and its near neighbours (siblings, a few parents), so they
stay cheap even when called for every match.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator

from tree_sitter import Node

from rustpro.syntax import ancestry as _ancestry
from rustpro.syntax.cfg import CfgOnly, cfg_only
from rustpro.syntax.parser import kind_ids

# Bytes that can continue an identifier: a byte search hit preceded by one is inside a
# longer word (`my_panic!` is not `panic!`).
IDENTIFIER_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

ITEM_KINDS = frozenset(
    {
        "function_item",
        "function_signature_item",
        "struct_item",
        "enum_item",
        "union_item",
        "trait_item",
        "type_item",
        "const_item",
        "static_item",
        "mod_item",
        "impl_item",
        "macro_definition",
        "use_declaration",
        "foreign_mod_item",
        "associated_type",
    }
)
# `ITEM_KINDS` as `Node.kind_id`s, which cost a third of reading `Node.type`.
ITEM_KIND_IDS = frozenset().union(*(kind_ids(kind) for kind in ITEM_KINDS))
_TRIVIA = frozenset({"line_comment", "block_comment"})
# Children after which an item can no longer have a visibility modifier.
_BEFORE_VISIBILITY_ENDS = frozenset({"identifier", "type_identifier", "fn", "struct", "enum"})


def text(node: Node | None) -> str:
    """The source text of a node ("" for None)."""
    if node is None:
        return ""
    data = node.text  # built anew on every access: read it once
    # Positional arguments: `errors=` costs a keyword parse on each of ~16k calls per audit.
    return "" if data is None else data.decode("utf-8", "replace")


def previous(node: Node) -> Node | None:
    """`node.prev_sibling`; during a file pass, from the children its ancestry listed.

    `Node.prev_sibling` finds the parent (a descent from the root) and counts the children up
    to the node: a walk back over thousands of comments, or a question asked of each of
    thousands of items, costs their number squared.
    """
    ancestry = _ancestry.current()
    return node.prev_sibling if ancestry is None else ancestry.sibling(node, -1)


def following(node: Node) -> Node | None:
    """`node.next_sibling`; during a file pass, from the children its ancestry listed."""
    ancestry = _ancestry.current()
    return node.next_sibling if ancestry is None else ancestry.sibling(node, 1)


def previous_named(node: Node) -> Node | None:
    """`node.prev_named_sibling`; during a file pass, from the children its ancestry listed."""
    ancestry = _ancestry.current()
    return node.prev_named_sibling if ancestry is None else ancestry.named_sibling(node, -1)


def next_named(node: Node) -> Node | None:
    """`node.next_named_sibling`; during a file pass, from the children its ancestry listed."""
    ancestry = _ancestry.current()
    return node.next_named_sibling if ancestry is None else ancestry.next_named(node)


def attributes_of(item: Node) -> list[Node]:
    """The outer `attribute_item`s written before `item`, nearest last."""
    attrs: list[Node] = []
    sibling = previous(item)
    while sibling is not None:
        kind = sibling.type  # a new string on every access: read it once
        if kind == "attribute_item":
            attrs.append(sibling)
        elif kind not in _TRIVIA:
            break
        sibling = previous(sibling)
    attrs.reverse()
    return attrs


def _attribute(attr_item: Node) -> Node | None:
    """The `attribute` node of an `attribute_item` or `inner_attribute_item`."""
    first = attr_item.named_child(0)
    if first is not None and first.type == "attribute":
        return first  # the usual shape; a comment inside `#[ .. ]` can come first
    return next((c for c in attr_item.named_children if c.type == "attribute"), None)


def attribute_path(attr_item: Node) -> str:
    """`cfg`, `test`, `tokio::test`, `doc` ... for an `attribute_item` or `inner_attribute_item`."""
    attribute = _attribute(attr_item)
    path = attribute.named_child(0) if attribute is not None else None
    if path is None:
        return ""
    return text(path).replace(" ", "")


def attribute_arguments(attr_item: Node) -> str:
    """The text of an attribute's arguments, `(test)` for `#[cfg(test)]`, "" when none."""
    attribute = _attribute(attr_item)
    if attribute is None:
        return ""
    arguments = attribute.child_by_field_name("arguments")
    if arguments is not None:
        return text(arguments)
    value = attribute.child_by_field_name("value")
    return text(value)


def is_test_attribute(attr_item: Node) -> bool:
    """`#[test]`, `#[bench]`, or any `#[path::test]` such as `#[tokio::test]`."""
    path = attribute_path(attr_item)
    return path in ("test", "bench") or path.endswith("::test")


def is_cfg_test(attr_item: Node) -> bool:
    """`#[cfg(test)]`, `#[cfg(all(test, ..))]`, `#[cfg(any(test, feature = "test-util"))]`:
    the item exists only where tests or test tooling build it (see `rustpro.syntax.cfg`)."""
    return attribute_path(attr_item) == "cfg" and cfg_means_test(attribute_arguments(attr_item))


def cfg_means_test(args: str) -> bool:
    """True for cfg arguments `(..)` that hold only in test builds."""
    return cfg_only(args) is CfgOnly.TEST


def cfg_limit(attr_item: Node) -> CfgOnly | None:
    """What a `#[cfg(..)]` attribute limits its item to (tests, docs), None for other attributes."""
    if attribute_path(attr_item) != "cfg":
        return None
    return cfg_only(attribute_arguments(attr_item))


def lint_names(attr_item: Node) -> list[str]:
    """For `#[allow(a, clippy::b)]`-style attributes, the lint paths inside the parentheses."""
    attribute = _attribute(attr_item)
    arguments = attribute.child_by_field_name("arguments") if attribute is not None else None
    if arguments is None or arguments.type != "token_tree":
        return []
    # Walk the tokens rather than the text: lint lists often carry `// why` comments.
    parts: list[str] = []
    current: list[str] = []
    for token in arguments.children[1:-1]:  # inside the parentheses
        if token.type in _TRIVIA:
            continue
        if token.type == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(text(token))
    parts.append("".join(current))
    # `#[expect(clippy::x, reason = "..")]`: keep lint paths, drop `key = value` pairs.
    return [part.strip() for part in parts if part.strip() and "=" not in part]


def allowed_lints(item: Node) -> list[str]:
    """The lints `#[allow(..)]` / `#[expect(..)]` attributes on `item` name."""
    return [
        name
        for attr in attributes_of(item)
        if attribute_path(attr) in ("allow", "expect")
        for name in lint_names(attr)
    ]


def is_doc_hidden(attr_item: Node) -> bool:
    """`#[doc(hidden)]`, also behind a condition: `#[cfg_attr(not(feature = "x"), doc(hidden))]`."""
    data = attr_item.text
    if data is None or b"hidden" not in data:
        return False  # one look at the bytes spares reading the path of every other attribute
    path = attribute_path(attr_item)
    if path == "doc":
        return "hidden" in attribute_arguments(attr_item)
    if path != "cfg_attr":
        return False
    attribute = _attribute(attr_item)
    arguments = attribute.child_by_field_name("arguments") if attribute is not None else None
    if arguments is None:
        return False
    for token in arguments.named_children:
        following = token.next_named_sibling
        if (
            text(token) == "doc"
            and following is not None
            and following.type == "token_tree"
            and any(text(t) == "hidden" for t in following.named_children)
        ):
            return True
    return False


def file_doc_hidden(root: Node) -> bool:
    """True when a file starts with `#![doc(hidden)]`: its whole module is hidden from docs."""
    child = root.named_child(0) if root.named_child_count else None
    while child is not None:
        if child.type == "inner_attribute_item":
            if is_doc_hidden(child):
                return True
        elif child.type not in _TRIVIA:
            return False  # inner attributes come before any item
        child = next_named(child)
    return False


def doc_text(item: Node) -> str | None:
    """The item's outer docs (`///`, `/** */`, `#[doc = ".."]`) joined; None when undocumented."""
    parts: list[str] = []
    found = False
    sibling = previous(item)
    while sibling is not None:
        kind = sibling.type
        if kind in _TRIVIA:
            if sibling.child_by_field_name("outer") is not None:
                found = True
                parts.append(text(sibling.child_by_field_name("doc")))
        elif kind == "attribute_item":
            value = _doc_attribute_value(sibling)
            if value is not None:
                found = True
                parts.append(value)
        else:
            break
        sibling = previous(sibling)
    if not found:
        return None
    parts.reverse()
    return "\n".join(parts)


def has_docs(item: Node) -> bool:
    """Whether the item has outer docs: `doc_text(item) is not None`, stopping at the first."""
    sibling = previous(item)
    while sibling is not None:
        kind = sibling.type
        if kind in _TRIVIA:
            if sibling.child_by_field_name("outer") is not None:
                return True
        elif kind == "attribute_item":
            if _doc_attribute_value(sibling) is not None:
                return True
        else:
            return False
        sibling = previous(sibling)
    return False


def trait_bounds(root: Node, source: bytes) -> list[int]:
    """Where the `trait_item`s under `root` start and end, as one sorted list.

    Merged spans flattened, `[start, end, start, end, ..]`: an offset lies in a trait when
    an odd number of bounds are at or before it (`bisect_right(bounds, offset) % 2`).

    Only for a tree without errors. Found from the bytes: every `trait_item` holds the keyword
    `trait` as a word of its own (no identifier byte either side); hits in comments, strings
    or longer names land on other nodes.
    """
    spans: list[tuple[int, int]] = []
    hit = source.find(b"trait")
    while hit >= 0:
        end = hit + 5
        if (hit == 0 or source[hit - 1] not in IDENTIFIER_BYTES) and (
            end == len(source) or source[end] not in IDENTIFIER_BYTES
        ):
            node = root.named_descendant_for_byte_range(hit, end)
            if node is not None and node.type == "trait_item":
                spans.append((node.start_byte, node.end_byte))
        hit = source.find(b"trait", end)
    bounds: list[int] = []
    for start, end in sorted(spans):
        if bounds and start <= bounds[-1]:  # nested (a trait body may declare a trait)
            bounds[-1] = max(end, bounds[-1])
        else:
            bounds += (start, end)
    return bounds


def _doc_attribute_value(attr_item: Node) -> str | None:
    """The docs of `#[doc = ".."]` (quotes stripped); None for any other attribute."""
    data = attr_item.text
    if data is None or b"doc" not in data:
        return None  # one look at the bytes spares reading the path of `#[derive]`, `#[inline]`..
    path = attribute_path(attr_item)
    if path == "cfg_attr":
        return _conditional_doc_value(attr_item)
    if path != "doc":
        return None
    args = attribute_arguments(attr_item)
    if args.startswith("("):  # `#[doc(hidden)]`, `#[doc(alias = ..)]`: settings, not docs
        return None
    return args.strip().strip('"')


def _conditional_doc_value(attr_item: Node) -> str | None:
    """The docs of `#[cfg_attr(PRED, doc = ..)]`, None when it sets no `doc = ..`.

    `#[cfg_attr(docsrs, doc = include_str!("../README.md"))]` documents the item wherever
    docs are built, which is what documentation is for; `#[cfg_attr(docsrs, doc(cfg(..)))]`
    is a setting, not docs. The attributes after the predicate are read token by token at the
    top level of the argument list (`cfg_attr(p, inline, doc = "a")` holds several).
    """
    attribute = _attribute(attr_item)
    arguments = attribute.child_by_field_name("arguments") if attribute is not None else None
    if arguments is None or arguments.type != "token_tree":
        return None
    tokens = [t for t in arguments.children[1:-1] if t.type not in _TRIVIA]
    # Split the top-level tokens at commas: the first part is the predicate.
    parts: list[list[Node]] = [[]]
    for token in tokens:
        if token.type == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    whole = arguments.text or b""
    base = arguments.start_byte
    values = [
        whole[part[2].start_byte - base : part[-1].end_byte - base]
        .decode("utf-8", "replace")
        .strip('"')
        for part in parts[1:]
        if len(part) > 2 and text(part[0]) == "doc" and part[1].type == "="
    ]
    return "\n".join(values) if values else None


def has_doc_section(docs: str | None, heading: str) -> bool:
    """True when Markdown `docs` has a heading `# heading` (any level)."""
    if not docs:
        return False
    wanted = heading.lower()
    for line in docs.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and stripped.lstrip("#").strip().lower() == wanted:
            return True
    return False


def visibility(item: Node) -> str:
    """The item's visibility text: "pub", "pub(crate)", ... or "" for private."""
    first = item.child(0)  # `pub` comes first when written: no need to build every child
    if first is None:
        return ""
    kind = first.type
    if kind == "visibility_modifier":
        return text(first).replace(" ", "")
    if kind in _BEFORE_VISIBILITY_ENDS:
        return ""
    for child in item.children:
        if child.type == "visibility_modifier":
            return text(child).replace(" ", "")
        if child.type in _BEFORE_VISIBILITY_ENDS:
            break
    return ""


def is_plain_pub(item: Node) -> bool:
    """Exactly `pub` (not `pub(crate)`, `pub(super)`, `pub(in ..)`)."""
    return visibility(item) == "pub"


def parent(node: Node) -> Node | None:
    """`node.parent`; during a file pass, from the file's `Ancestry` (remembered)."""
    ancestry = _ancestry.current()
    return node.parent if ancestry is None else ancestry.parent(node)


def ancestors(node: Node) -> Iterator[Node]:
    """Parents of `node`, nearest first.

    During a file pass the parents come from the file's `Ancestry` (met by the word finder,
    or learnt in one descent): `Node.parent` alone costs a descent from the root per step.
    """
    ancestry = _ancestry.current()
    if ancestry is not None:
        yield from ancestry.ancestors(node)
        return
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def enclosing(node: Node, kinds: frozenset[str] | set[str] | tuple[str, ...]) -> Node | None:
    """The nearest ancestor whose type is in `kinds`.

    During a file pass the answer is folded from the root down once per node and kind set:
    asked of every call of a chain nested thousands deep, a climb per call was quadratic.
    """
    return _ancestry.folded(node, _nearest_step(frozenset(kinds)), None, around=True)


@functools.cache
def _nearest_step(kinds: frozenset[str]) -> Callable[[Node | None, Node], Node | None]:
    """The fold step of `enclosing(.., kinds)`: one function per kind set, so one fold."""

    def step(around: Node | None, node: Node) -> Node | None:
        return node if node.type in kinds else around

    return step


def under_nearest(node: Node, kinds: frozenset[str] | set[str] | tuple[str, ...]) -> Node:
    """`node`, or its ancestor whose parent is the nearest ancestor with a type in `kinds`
    (the root when none has): the statement that holds an expression, for `("block",)`.

    Folded from the root down like `enclosing`: a climb from every site to its statement is
    quadratic when sites nest in one another.
    """
    start: tuple[bool, Node | None] = (True, None)  # the root is below nothing
    below = _ancestry.folded(node, _under_step(frozenset(kinds)), start)
    return below[1] if below[1] is not None else node


@functools.cache
def _under_step(
    kinds: frozenset[str],
) -> Callable[[tuple[bool, Node | None], Node], tuple[bool, Node | None]]:
    """The fold step of `under_nearest(.., kinds)`: (is the node of `kinds`, the answer)."""

    def step(around: tuple[bool, Node | None], node: Node) -> tuple[bool, Node | None]:
        parent_is_kind, below = around
        return node.type in kinds, node if parent_is_kind else below

    return step


def item_name(item: Node) -> str:
    """The declared name of an item ("" when it has none)."""
    name = item.child_by_field_name("name")
    return text(name)


def type_name(type_node: Node | None) -> str:
    """The head name of a type: `Foo` for `Foo<T>`, `crate::a::Foo`, `&Foo` -> `Foo`."""
    node = type_node
    while node is not None:
        if node.type in ("type_identifier", "primitive_type", "identifier"):
            return text(node)
        if node.type == "generic_type":
            node = node.child_by_field_name("type")
        elif node.type == "scoped_type_identifier":
            node = node.child_by_field_name("name")
        elif node.type == "reference_type":
            node = node.child_by_field_name("type")
        else:
            return text(node)
    return ""


def is_async_fn(function: Node) -> bool:
    """True for `async fn`."""
    modifiers = next((c for c in function.children if c.type == "function_modifiers"), None)
    return modifiers is not None and any(c.type == "async" for c in modifiers.children)


def is_unsafe_fn(function: Node) -> bool:
    """True for `unsafe fn` (also `pub unsafe extern "C" fn`)."""
    modifiers = next((c for c in function.children if c.type == "function_modifiers"), None)
    return modifiers is not None and any(c.type == "unsafe" for c in modifiers.children)


def macro_name(invocation: Node) -> str:
    """`assert_eq` for `assert_eq!(..)`, `tokio::select` for `tokio::select!`."""
    return text(invocation.child_by_field_name("macro")).replace(" ", "")


# The bytes `\w` matches in a bytes regex.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def after_word_byte(source: bytes, start: int) -> bool:
    """Whether the byte before `start` is one `\\w` matches: a regex hit there does not begin
    a word, as a leading `\\b` would require. Searching without that `\\b` and asking this
    instead is ten times faster over a file: a regex that begins with `\\b` is tried at every
    byte, one that begins with letters jumps from one hit of them to the next."""
    return start > 0 and source[start - 1] in _WORD_BYTES


def subtree(node: Node, start: int = 0) -> Iterator[Node]:
    """`node` and every node below it, in document order, anonymous tokens included; a node
    that ends at or before byte `start` (and so everything in it) is left out.

    A walk with one tree cursor: for the few subtrees a rule asks about, cheaper than a
    query of its own, which costs ~1.7 ms of grammar analysis in every run that compiles it.
    """
    cursor = node.walk()
    while True:
        current = cursor.node
        assert current is not None
        if current.end_byte > start or current.start_byte >= start:
            yield current
            if cursor.goto_first_child():
                continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():  # the cursor cannot leave `node`
                return


def literal_hits(
    regex: re.Pattern[bytes], literal: bytes, source: bytes
) -> Iterator[re.Match[bytes]]:
    """`regex.finditer(source)` for a regex whose every match begins with the bytes `literal`
    (no `^`, no look-behind): the bytes are searched for `literal` (`bytes.find`, several
    times faster than the regex engine's scan) and the regex is tried only where it stands.
    Every match begins at one of those places, and a match ends past its start, so the
    matches and their order are those of `finditer`."""
    at = source.find(literal)
    while at >= 0:
        found = regex.match(source, at)
        if found is None:
            at = source.find(literal, at + 1)
        else:
            yield found
            at = source.find(literal, max(found.end(), at + 1))


# Bytes that stand for themselves at the start of a regular expression, and those that
# make the byte before them optional or repeated.
_PLAIN_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_QUANTIFIER_BYTES = frozenset(b"*+?{")


def literal_prefix(pattern: bytes) -> bytes:
    """The bytes every match of the regular expression `pattern` begins with, for
    `literal_hits`: its leading letters, digits and underscores, the last dropped when a
    quantifier follows it; b"" when a top-level `|` offers other beginnings."""
    if _top_level_alternation(pattern):
        return b""
    end = 0
    while end < len(pattern) and pattern[end] in _PLAIN_BYTES:
        end += 1
    if end < len(pattern) and pattern[end] in _QUANTIFIER_BYTES:
        end -= 1
    return pattern[: max(end, 0)]


def _top_level_alternation(pattern: bytes) -> bool:
    """Whether `pattern` holds a `|` outside every group, class and escape."""
    depth = 0
    in_class = False
    index = 0
    while index < len(pattern):
        byte = pattern[index]
        if byte == ord("\\"):
            index += 2
            continue
        if in_class:
            in_class = byte != ord("]")
        elif byte == ord("["):
            in_class = True
            if pattern[index + 1 : index + 2] == b"^":
                index += 1
            if pattern[index + 1 : index + 2] == b"]":  # `[]..]`, `[^]..]`: a member
                index += 1
        elif byte == ord("("):
            depth += 1
        elif byte == ord(")"):
            depth -= 1
        elif byte == ord("|") and depth == 0:
            return True
        index += 1
    return False


def hits_in_lines(
    regex: re.Pattern[bytes], source: bytes, line_needs: bytes
) -> Iterator[re.Match[bytes]]:
    """`regex.finditer(source)` for a regex whose every match lies within one line that
    spells `line_needs` (and is found by a search of that line alone): only those lines are
    searched, each once, in order. The bytes search skips the lines a regex that reads
    whole lines would otherwise backtrack over."""
    at = source.find(line_needs)
    while at >= 0:
        start = source.rfind(b"\n", 0, at) + 1
        end = source.find(b"\n", at)
        if end < 0:
            end = len(source)
        yield from regex.finditer(source, start, end)
        at = source.find(line_needs, end)


def fills_field(parent: Node, field: str, child: Node) -> bool:
    """Whether `child` is the node in `parent`'s field `field` (what a query's `field:`
    says of a child)."""
    found = parent.child_by_field_name(field)
    return found is not None and found.id == child.id


def token_lookup(root: Node) -> Callable[[int], Node | None]:
    """The smallest node at a byte of `root`'s tree: from the path the file pass's ancestry
    remembers when it is this tree's (questions in document order walk the tree about
    once), else by a descent from `root`."""
    ancestry = _ancestry.current()
    if ancestry is not None and ancestry.root.id == root.id:
        node_at = ancestry.node_at
        return lambda at: node_at(at, at + 1)
    return lambda at: root.descendant_for_byte_range(at, at + 1)


def nodes_at(
    root: Node,
    source: bytes,
    regex: re.Pattern[bytes],
    kind: str,
    climb: int = 3,
    *,
    word_start: bool = False,
    line_needs: bytes = b"",
    literal: bytes = b"",
) -> list[Node]:
    """The distinct `kind` nodes at the hits of `regex` in `source`, in document order.

    Each hit's first byte names a token; the node is that token or one of its nearest
    `climb` ancestors (`Arc` -> type_identifier -> generic_type). Hits in strings, comments
    or longer words land elsewhere and are checked by whoever matches the node next.
    `word_start`: only hits that begin a word, as a leading `\b` would say (a regex that
    begins with `\b` cannot search for its first letters: it is tried at every byte,
    ten times slower over a file).
    `line_needs`: every match of `regex` lies within one line that spells these bytes
    (`patterns.text_matches`): only those lines are searched.
    `literal`: every match of `regex` begins with these bytes (`literal_hits`).
    """
    found: dict[int, Node] = {}
    token_at: Callable[[int], Node | None] | None = None  # made at the first hit: most
    # searches of most files find nothing
    if line_needs:
        hits = hits_in_lines(regex, source, line_needs)
    elif literal:
        hits = literal_hits(regex, literal, source)
    else:
        hits = regex.finditer(source)
    for hit in hits:
        start = hit.start()
        if word_start and after_word_byte(source, start):
            continue
        if token_at is None:
            token_at = token_lookup(root)
        node = token_at(start)
        for _ in range(climb + 1):
            if node is None or node.type == kind:
                break
            node = parent(node)
        if node is not None and node.type == kind and node.id not in found:
            found[node.id] = node
    return list(found.values())
