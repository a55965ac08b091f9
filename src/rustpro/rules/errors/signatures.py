"""What a function's declared return type says about its errors: `Result`, and of what.

Several error rules read the same few shapes (`Result<T, E>`, `io::Result<T>`,
`Box<dyn Error + Send + Sync>`); the answers come from the type's syntax alone.
"""

from __future__ import annotations

from tree_sitter import Node

from rustpro.syntax import items

_NOT_TYPES = frozenset({"lifetime", "line_comment", "block_comment", "type_binding"})


def return_type(function: Node) -> Node | None:
    """The declared return type of a `fn` item or signature (None for `()`)."""
    return function.child_by_field_name("return_type")


def type_path(type_node: Node | None) -> tuple[str, ...]:
    """The path of a type's head: ("std", "io", "Result") for `std::io::Result<T>`.

    A leading `::` is dropped; references, pointers and tuples have no path (empty tuple).
    """
    node = type_node
    if node is not None and node.type == "generic_type":
        node = node.child_by_field_name("type")
    if node is None or node.type not in ("type_identifier", "scoped_type_identifier"):
        return ()
    segments = items.text(node).replace(" ", "").split("::")
    return tuple(s for s in segments if s)


def type_arguments(type_node: Node | None) -> list[Node]:
    """The type arguments of a generic type, lifetimes left out (`[T, E]` of `Result<T, E>`)."""
    if type_node is None or type_node.type != "generic_type":
        return []
    arguments = type_node.child_by_field_name("type_arguments")
    if arguments is None:
        return []
    return [c for c in arguments.named_children if c.type not in _NOT_TYPES]


def is_result_type(type_node: Node | None) -> bool:
    """True for any type whose path ends in `Result`: `Result<T>`, `io::Result<T>`, `fmt::Result`,
    `anyhow::Result<T>`, a crate's own `ParseResult<T>`."""
    path = type_path(type_node)
    return bool(path) and path[-1].endswith("Result")


def std_result_error(type_node: Node | None) -> Node | None:
    """`E` of a two-argument `Result<T, E>` (also `std::result::Result<T, E>`), else None."""
    path = type_path(type_node)
    if (
        not path
        or path[-1] != "Result"
        or path[:-1] not in ((), ("std", "result"), ("core", "result"))
    ):
        return None
    arguments = type_arguments(type_node)
    return arguments[1] if len(arguments) == 2 else None


def dyn_error_box(type_node: Node | None) -> bool:
    """True for `Box<dyn Error>` with any extra bounds (`+ Send + Sync + 'static`)."""
    if type_path(type_node) not in (("Box",), ("std", "boxed", "Box"), ("alloc", "boxed", "Box")):
        return False
    arguments = type_arguments(type_node)
    if len(arguments) != 1:
        return False
    inner = arguments[0]
    while inner.type == "bounded_type" and inner.named_children:
        inner = inner.named_children[0]  # `dyn Error + Send + Sync` nests to the left
    if inner.type != "dynamic_type":
        return False
    trait = next((c for c in inner.named_children if c.type != "dyn"), None)
    trait_path = type_path(trait)
    return bool(trait_path) and trait_path[-1] == "Error"
