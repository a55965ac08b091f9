"""Questions about a function's signature that several rules ask: parameters and their types."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from rustpro.syntax import items

# The item kinds that declare a function with a parameter list.
FUNCTION_KINDS = ("function_item", "function_signature_item")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One declared parameter: its binding name ("" for patterns) and its type node."""

    name: str
    type: Node
    node: Node


def parameters_source(function: Node, source: bytes) -> bytes:
    """The source bytes of the function's parameter list, `(..)` (b"" when it has none).

    A cheap first look: a name or type the bytes do not spell cannot be among the parameters,
    so rules can skip reading the parameters' syntax for most functions. (Remembering the last
    function for the next rule would keep its tree alive past its file, for ~1 us saved.)
    """
    params = function.child_by_field_name("parameters")
    return b"" if params is None else source[params.start_byte : params.end_byte]


def return_type_source(function: Node, source: bytes) -> bytes:
    """The source bytes of the declared return type (b"" for none), for the same first look."""
    return_type = function.child_by_field_name("return_type")
    return b"" if return_type is None else source[return_type.start_byte : return_type.end_byte]


def parameters(function: Node) -> list[Parameter]:
    """The function's parameters other than `self` (`&self`, `self: Box<Self>` ...)."""
    params = function.child_by_field_name("parameters")
    if params is None:
        return []
    found: list[Parameter] = []
    for child in params.named_children:
        if child.type != "parameter":
            continue  # self_parameter, variadic_parameter, attributes, comments
        pattern = child.child_by_field_name("pattern")
        type_node = child.child_by_field_name("type")
        if pattern is None or type_node is None or pattern.type == "self":
            continue
        name = items.text(pattern) if pattern.type == "identifier" else ""
        found.append(Parameter(name, type_node, child))
    return found


def impl_of(function: Node) -> Node | None:
    """The `impl` block a function is a member of, if any."""
    container = items.parent(function)
    if container is None or container.type != "declaration_list":
        return None
    holder = items.parent(container)
    return holder if holder is not None and holder.type == "impl_item" else None


def in_trait_impl(function: Node) -> bool:
    """True for a member of `impl Trait for Type`: its signature is the trait's, not its own."""
    holder = impl_of(function)
    return holder is not None and holder.child_by_field_name("trait") is not None


def is_extern_abi(function: Node) -> bool:
    """True for `extern "C" fn` and friends, whose signature an ABI dictates."""
    modifiers = next((c for c in function.children if c.type == "function_modifiers"), None)
    return modifiers is not None and any(c.type == "extern_modifier" for c in modifiers.children)


def returns_result(function: Node, source: bytes) -> bool:
    """True when the declared return type's head is `Result` (`io::Result<T>`, `fmt::Result`).

    `source` is the bytes the tree was parsed from: a return type that does not spell
    `Result` is turned away by them without reading its syntax.
    """
    return_type = function.child_by_field_name("return_type")
    if (
        return_type is None
        or source.find(b"Result", return_type.start_byte, return_type.end_byte) < 0
    ):
        return False
    return items.type_name(return_type) == "Result"
