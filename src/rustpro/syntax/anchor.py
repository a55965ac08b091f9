"""Where a finding sits, in words that survive edits elsewhere: the item around it and the
expression it flags.

A finding's fingerprint names its place by the path of the items around it (`mod net::fn
connect`, `impl Ledger::fn apply`) rather than by its line, so lines inserted above it,
sibling items renamed or the function moved within the file leave it alone. The path
descends from the root through the items that contain the place: modules, impl and trait
blocks, extern blocks and functions (an item declared inside a function's body counts), each
step named by its kind and name. The walk goes down, never up: tree-sitter 0.26 answers
`Node.parent` by descending from the root, so climbing costs the depth squared.
"""

from __future__ import annotations

from tree_sitter import Node

from rustpro.syntax.items import item_name, text

# Item kinds and the word that names them in a path.
_KEYWORDS = {
    "function_item": "fn",
    "function_signature_item": "fn",
    "struct_item": "struct",
    "enum_item": "enum",
    "union_item": "union",
    "trait_item": "trait",
    "type_item": "type",
    "associated_type": "type",
    "const_item": "const",
    "static_item": "static",
    "mod_item": "mod",
    "macro_definition": "macro_rules!",
}
# Items whose `body` holds further items (a function's block may declare some).
_CONTAINERS = frozenset(
    {"mod_item", "impl_item", "trait_item", "foreign_mod_item", "function_item"}
)
SEPARATOR = "::"


def item_path(root: Node, offset: int) -> str:
    """The path of the items containing byte `offset` of `root`'s file, outermost first
    ("" at the top level, outside every item)."""
    steps: list[str] = []
    # A cursor, not `Node.first_named_child_for_byte`: in py-tree-sitter 0.26 that crashes
    # the process when no child extends past the byte.
    cursor = root.walk()
    while cursor.goto_first_child_for_byte(offset) is not None:
        child = cursor.node
        if child is None or child.start_byte > offset:
            break  # between items (whitespace, the end of a block)
        step = _step(child)
        if step is None:
            break  # a statement, an attribute, a comment: the item around it is the last step
        steps.append(step)
        body = child.child_by_field_name("body") if child.type in _CONTAINERS else None
        if body is None or not body.start_byte <= offset < body.end_byte:
            break
        cursor.reset(body)
    return SEPARATOR.join(steps)


def flagged_expression(
    root: Node, source: bytes, start: int, end: int, rows: tuple[int, int]
) -> Node | None:
    """The smallest node that holds the bytes `[start, end)` of a finding's span, when it
    lies within the span's (0-based) `rows`; else None (the span's own text says it best).

    Spans often name part of what they flag: `unwrap()` of `raw.parse().unwrap()`, the
    `panic` of `panic!(..)`. The whole expression tells the findings of one function apart
    (`left.parse().unwrap()`, `right.parse().unwrap()`); an expression reaching lines
    beyond the span (a chain over ten lines, the impl around an `unsafe impl` header) would
    make the fingerprint change with code the finding is not about.
    """
    node = root.descendant_for_byte_range(start, end)
    if node is not None and node.type == "identifier" and source[end : end + 1] == b"!":
        node = root.descendant_for_byte_range(start, end + 1)  # a macro's name: the call
    if node is None or node.id == root.id:
        return None
    if node.start_point.row < rows[0] or node.end_point.row > rows[1]:
        return None
    return node


def _step(item: Node) -> str | None:
    kind = item.type
    if kind == "impl_item":
        implemented = _words(item.child_by_field_name("trait"))
        target = _words(item.child_by_field_name("type"))
        return f"impl {implemented} for {target}" if implemented else f"impl {target}"
    if kind == "foreign_mod_item":
        return "extern"
    keyword = _KEYWORDS.get(kind)
    if keyword is None:
        return None
    return f"{keyword} {item_name(item) or '_'}"


def _words(node: Node | None) -> str:
    # A type written over several lines names the same impl as on one.
    return " ".join(text(node).split())
