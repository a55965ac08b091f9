"""Whether a rustc lint (such as `missing_docs`) is allowed where a node sits.

Clippy twins are handled by the engine (`clippy_twins`); rustc's own lints have no prefix, so
the docs rules ask here: an `#[allow]`/`#[expect]` on an enclosing item, an inner
`#![allow]` at the top of an enclosing inline module, or one at the top of the file.
"""

from __future__ import annotations

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.syntax import items


def lint_allowed(node: Node, ctx: FileContext, lint: str) -> bool:
    """True when `lint` is allowed or expected on `node`, an enclosing item, or the file."""
    if lint in ctx.file_allows:
        return True
    for holder in (node, *items.ancestors(node)):
        if holder.type in items.ITEM_KINDS and any(
            _allows(attr, lint) for attr in items.attributes_of(holder)
        ):
            return True
        if holder.type == "mod_item":
            body = holder.child_by_field_name("body")
            inner = body.named_children if body is not None else []
            if any(c.type == "inner_attribute_item" and _allows(c, lint) for c in inner):
                return True
    return False


def _allows(attr: Node, lint: str) -> bool:
    return items.attribute_path(attr) in ("allow", "expect") and lint in items.lint_names(attr)
