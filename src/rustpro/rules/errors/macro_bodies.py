"""Whether code sits in a `macro_rules!` body, where it is a template, not code that runs.

A panic or `expect` written in a macro's body runs wherever the macro is used, which may be
only in tests; judging the template would blame every macro for its callers.
"""

from __future__ import annotations

from tree_sitter import Node


def in_macro_rules_body(node: Node) -> bool:
    """True inside a `macro_rules!` definition, also one nested in another macro's tokens
    (`doc! { macro_rules! join { .. } }`, where tree-sitter sees only a token tree)."""
    parent = node.parent
    while parent is not None:
        kind = parent.type
        if kind == "macro_definition":
            return True
        if kind == "token_tree" and _follows_macro_rules(parent):
            return True
        if kind in ("function_item", "source_file"):
            return False
        parent = parent.parent
    return False


def _follows_macro_rules(tokens: Node) -> bool:
    """True for the `{ .. }` of the tokens `macro_rules ! name { .. }`."""
    name = tokens.prev_sibling
    bang = name.prev_sibling if name is not None else None
    keyword = bang.prev_sibling if bang is not None else None
    return (
        keyword is not None
        and bang is not None
        and bang.type == "!"
        and keyword.type == "identifier"
        and keyword.text == b"macro_rules"
    )
