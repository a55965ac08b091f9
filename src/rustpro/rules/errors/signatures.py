"""What a function's declared return type says about its errors: `Result`, and of what.

Several error rules read the same few shapes (`Result<T, E>`, `io::Result<T>`,
`Box<dyn Error + Send + Sync>`); the answers come from the type's syntax alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tree_sitter import Node

from rustpro.syntax import items
from rustpro.syntax.parser import kind_ids

_NOT_TYPES = frozenset({"lifetime", "line_comment", "block_comment", "type_binding"})
# Where a function's errors come from besides a literal `Err(..)`: `?` and the adapters that
# turn other values into errors. Any of them in the body means an error of its own making.
_ERROR_ADAPTERS = frozenset({b"map_err", b"ok_or", b"ok_or_else", b"or_else"})
_CALL_IDS = kind_ids("call_expression")
_TRY_IDS = kind_ids("try_expression")


def error_sources(body: Node) -> Iterator[Node | None]:
    """The `arguments` of each `Err(..)` call in `body`, and None for each other place an
    error is made: `?`, `.map_err(..)`, `.ok_or(..)`, `.ok_or_else(..)`, `.or_else(..)`.

    A walk of the body (`items.subtree`): the few bodies asked about (functions taking an
    error-like parameter) cost less to walk than a query of their own costs to compile in
    every run (`tests/test_query_rewrites.py` holds it to the query it replaced)."""
    for node in items.subtree(body):
        kind = node.kind_id
        if kind in _TRY_IDS:
            yield None
        elif kind in _CALL_IDS:
            made, arguments = _call_makes_error(node)
            if made:
                yield arguments


def _call_makes_error(call: Node) -> tuple[bool, Node | None]:
    """(True, its arguments) for `Err(..)`, (True, None) for an error adapter's call,
    (False, None) for any other call."""
    function = call.child_by_field_name("function")
    if function is None:
        return False, None
    if function.type == "identifier":
        arguments = call.child_by_field_name("arguments")
        if function.text == b"Err" and arguments is not None and arguments.type == "arguments":
            return True, arguments
    elif function.type == "field_expression":
        field = function.child_by_field_name("field")
        if field is not None and field.type == "field_identifier":
            return field.text in _ERROR_ADAPTERS, None
    return False, None


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


def foreign_result(returns: Node | None, function: Node) -> bool:
    """True when a return type named `Result` is not `std`'s: an associated type of a type
    parameter or of `Self` (`C::Result`, `V::Result`, `Self::Result`: a consumer's output, a
    visitor's `()`), or a type parameter itself named `Result` (`trait Reducer<Result> { fn
    reduce(self, l: Result, r: Result) -> Result; }`). Such a `Result` may be anything and
    says nothing about failure."""
    if returns is None:
        return False
    head: Node | None = returns
    if returns.type == "generic_type":
        head = returns.child_by_field_name("type")
    if head is not None and head.type == "type_identifier":
        return items.text(head) == "Result" and "Result" in _generic_names(function)
    head = returns.child_by_field_name("path") if returns.type == "scoped_type_identifier" else None
    if head is None or head.type not in ("identifier", "self", "type_identifier"):
        return False
    name = items.text(head)
    return name == "Self" or name in _generic_names(function)


def _generic_names(function: Node) -> set[str]:
    """The type parameters in scope in `function`: its own and its `impl`'s or `trait`'s."""
    owner = items.enclosing(function, ("impl_item", "trait_item"))
    names = _type_parameter_names(function)
    return names | _type_parameter_names(owner) if owner is not None else names


def _type_parameter_names(item: Node) -> set[str]:
    parameters = item.child_by_field_name("type_parameters")
    if parameters is None:
        return set()
    found = set()
    for parameter in parameters.named_children:
        name = parameter.child_by_field_name("name")
        if name is not None:
            found.add(items.text(name))
    return found


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


def returns_own_input(function: Node, error_like: Callable[[Node | None], bool]) -> bool:
    """True when every error the function makes is one of its own parameters handed back.

    `fn new(name: &str) -> Result<Name, &str> { .. Err(name) }` returns ownership of the
    caller's input when it cannot use it (`try_from_error(err: Box<dyn Error>)` gives the
    error back when no status fits): that is no stringly-typed or boxed error of its own. It
    holds when the body has at least one `Err(p)`, every `Err(..)` wraps a parameter `p`
    whose type is `error_like` too, and no `?`, `map_err`, `ok_or`, .. makes errors besides.
    """
    body = function.child_by_field_name("body")
    parameters = function.child_by_field_name("parameters")
    if body is None or parameters is None:
        return False
    inputs = {
        items.text(parameter.child_by_field_name("pattern")).removeprefix("mut ").strip()
        for parameter in parameters.named_children
        if parameter.type == "parameter" and error_like(parameter.child_by_field_name("type"))
    }
    if not inputs:
        return False
    handed_back = 0
    for made in error_sources(body):
        if made is None:
            return False
        arguments = [a for a in made.named_children if a.type not in _NOT_TYPES]
        if len(arguments) != 1 or items.text(arguments[0]) not in inputs:
            return False
        handed_back += 1
    return handed_back > 0
