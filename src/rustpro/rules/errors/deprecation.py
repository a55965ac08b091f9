"""`#[deprecated]` items, which the error-API rules leave alone.

A deprecated function or type is kept only so old callers still compile: giving it a better
error type changes its signature, a breaking change to an API its users are already told to
leave (`#[deprecated(note = "use `Builder::build`")] pub fn new(..) -> Result<_, Box<dyn
Error>>`). The advice belongs to its replacement. A method counts as deprecated when it, its
`impl` or `trait` block, or the type the `impl` is for carries the attribute; the type may be
declared in another file, so that last question is a fact gate of the crate pass.
"""

from __future__ import annotations

from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext, PublicGate
from rustpro.rules.patterns import Pattern, attributes
from rustpro.rules.signature import impl_of
from rustpro.syntax import items

# Names of the crate's types declared `#[deprecated]`.
DEPRECATED_TYPE = "error-api:deprecated-type"
_TYPE_ITEMS = frozenset({"struct_item", "enum_item", "union_item", "trait_item", "type_item"})
_BETWEEN = frozenset({"attribute_item", "line_comment", "block_comment"})

# The pattern a rule adds to see every `#[deprecated]`, for `record_deprecated_type`.
DEPRECATED_ATTRIBUTES = Pattern(attributes("deprecated"))


def is_deprecated_attribute(attr: Node) -> bool:
    """True for `#[deprecated]`, `#[deprecated = ".."]`, `#[deprecated(note = "..")]`."""
    return items.attribute_path(attr) == "deprecated"


def is_deprecated(item: Node) -> bool:
    """True when `item` carries `#[deprecated]`."""
    return any(is_deprecated_attribute(a) for a in items.attributes_of(item))


def record_deprecated_type(attr: Node, ctx: FileContext) -> None:
    """Record the name of the type a `#[deprecated]` attribute is on, if it is on one."""
    item = attr.next_named_sibling
    while item is not None and item.type in _BETWEEN:
        item = item.next_named_sibling
    if item is not None and item.type in _TYPE_ITEMS and is_deprecated_attribute(attr):
        name = items.item_name(item)
        if name:
            ctx.add_fact(DEPRECATED_TYPE, name)


def frozen_function(function: Node) -> bool:
    """True when the function or the `impl`/`trait` block it is in is `#[deprecated]`."""
    if is_deprecated(function):
        return True
    holder = impl_of(function) or items.enclosing(function, ("trait_item",))
    return holder is not None and is_deprecated(holder)


def gate_unless_deprecated_type(function: Node, gate: PublicGate) -> PublicGate | AllGates:
    """`gate`, and for a method also: its `impl`'s type is not declared `#[deprecated]`."""
    impl = impl_of(function)
    owner = items.type_name(impl.child_by_field_name("type")) if impl is not None else ""
    if not owner:
        return gate
    return AllGates((gate, FactGate(DEPRECATED_TYPE, owner, absent=True)))
