"""Where a node sits among its file's inline modules, worked out once per node.

Public-API gates, `mod` declarations and `pub use` re-exports all ask the same question of a
node's ancestors: which inline modules hold it, are they all `pub`, is one `#[doc(hidden)]`,
is it inside a function body? Asked by climbing from every item, the question cost the cube
of the nesting (8,000 nested `mod m {` took 14 s); folded down from the root
(`ancestry.NodeFold`) it costs one step per node.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tree_sitter import Node

from rustpro.syntax import items
from rustpro.syntax.ancestry import Ancestry, NodeFold

# Inline modules nested deeper than this hold no public API and declare no module files.
# No crate comes near it, and it bounds what each finding carries (its module chain), which
# would otherwise grow with the nesting and make the results of a small file huge.
MAX_INLINE_MODULES = 64


@dataclass(frozen=True, slots=True)
class ModulePlace:
    """What surrounds a node, from the file's top down to it."""

    chain: tuple[str, ...] = ()  # the inline modules around it, outermost first
    chain_pub: bool = True  # every one of them is plainly `pub`
    hidden: bool = False  # one of them is `#[doc(hidden)]`
    hidden_holder: bool = False  # an impl or trait around it is `#[doc(hidden)]`
    in_function: bool = False  # inside a function item or a block (a function body)
    in_closure: bool = False
    too_deep: bool = False  # more than `MAX_INLINE_MODULES` inline modules around it
    # Lints `#[allow]`ed or `#[expect]`ed on the inline modules around it, nearest first.
    module_allows: tuple[str, ...] = ()

    @property
    def public_reach(self) -> tuple[tuple[str, ...], bool] | None:
        """`(chain, chain_pub)` when items here can be public API: not in a function body
        or closure, under no `#[doc(hidden)]` module, impl or trait."""
        if (
            self.in_function
            or self.in_closure
            or self.hidden
            or self.hidden_holder
            or self.too_deep
        ):
            return None
        return self.chain, self.chain_pub


FILE_TOP = ModulePlace()


def enter(place: ModulePlace, node: Node) -> ModulePlace:
    """The place inside `node`, given the place around it."""
    kind = node.type
    if kind == "mod_item":
        if len(place.chain) >= MAX_INLINE_MODULES:
            return place if place.too_deep else dataclasses.replace(place, too_deep=True)
        hidden = any(items.is_doc_hidden(a) for a in items.attributes_of(node))
        allows = items.allowed_lints(node)
        return dataclasses.replace(
            place,
            chain=(*place.chain, items.item_name(node)),
            chain_pub=place.chain_pub and items.is_plain_pub(node),
            hidden=place.hidden or hidden,
            module_allows=(*allows, *place.module_allows) if allows else place.module_allows,
        )
    if kind in ("impl_item", "trait_item"):
        if place.hidden_holder or not any(
            items.is_doc_hidden(a) for a in items.attributes_of(node)
        ):
            return place
        return dataclasses.replace(place, hidden_holder=True)
    if kind in ("function_item", "block"):
        return place if place.in_function else dataclasses.replace(place, in_function=True)
    if kind == "closure_expression":
        return place if place.in_closure else dataclasses.replace(place, in_closure=True)
    return place


def module_places(ancestry: Ancestry) -> NodeFold[ModulePlace]:
    """The module place of every node of `ancestry`'s tree, worked out as asked."""
    return NodeFold(ancestry, FILE_TOP, enter)
