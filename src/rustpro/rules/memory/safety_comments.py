"""Where a `// SAFETY:` comment may stand for a piece of unsafe code.

Comments are ordinary sibling nodes in tree-sitter's tree, so every question here looks at a
few siblings of a node and never walks further than the statement that holds it.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from rustpro.syntax import items

# `// SAFETY: ..` in any case, or a `# Safety` heading in a doc comment (`/// # Safety`).
_SAFETY = re.compile(r"\bsafety\s*:|#\s*safety\b", re.IGNORECASE)
_COMMENTS = frozenset({"line_comment", "block_comment"})
# Statement lists: the node whose parent is one of these is the statement holding an expression.
_STATEMENT_LISTS = frozenset({"block", "declaration_list", "source_file"})


def is_safety_comment(node: Node | None) -> bool:
    """True for a comment whose text holds `SAFETY:` (any case) or a `# Safety` heading."""
    return node is not None and node.type in _COMMENTS and bool(_SAFETY.search(items.text(node)))


def safety_comment_above(node: Node) -> bool:
    """True when the comments written directly above `node` hold a `SAFETY:` note.

    Attributes may sit between the comment and the node; anything else ends the search, so a
    comment above an earlier statement never counts.
    """
    sibling = node.prev_sibling
    while sibling is not None and (sibling.type in _COMMENTS or sibling.type == "attribute_item"):
        if is_safety_comment(sibling):
            return True
        sibling = sibling.prev_sibling
    return False


def safety_comment_opening(body: Node | None) -> bool:
    """True when a `{ .. }` body (block or declaration list) starts with a `SAFETY:` comment."""
    if body is None:
        return False
    first = next((c for c in body.children if c.type != "{"), None)
    return is_safety_comment(first)


def safety_comment_trailing(holder: Node, row: int) -> bool:
    """True when a `SAFETY:` comment follows `holder` on source row `row` (0-based)."""
    sibling = holder.next_sibling
    return sibling is not None and sibling.start_point.row == row and is_safety_comment(sibling)


def holding_statement(node: Node) -> list[Node]:
    """`node` and its ancestors up to the statement (or item) that holds it, nearest first."""
    chain = [node]
    current = node
    while current.parent is not None and current.parent.type not in _STATEMENT_LISTS:
        current = current.parent
        chain.append(current)
    return chain
