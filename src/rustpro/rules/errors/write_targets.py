"""What a `write!`/`writeln!` writes into, and whether that write can fail.

`write!` into a `String` or a `Vec<u8>` cannot fail, and neither can one into a crate's own
buffer type whose `fmt::Write::write_str` always returns `Ok(())`; discarding those results is
fine. Everything here looks at the macro's own function (its parameters and `let`s, through a
small query over that function only) and, for `self.field`, at the struct in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

_BINDINGS = """
(parameter pattern: (_) @pattern) @binding
(let_declaration pattern: (_) @pattern) @binding
"""
_FAILURE_SIGNS = """
(try_expression) @fails
(return_expression) @fails
((identifier) @fails (#eq? @fails "Err"))
"""
# In-memory sinks whose `Write` impls never fail.
_INFALLIBLE_TYPES = frozenset({"String", "Vec"})
_CONSTRUCTORS = frozenset({"new", "default", "with_capacity", "from"})


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """The verdict on a write target: cannot fail, of crate type `type_name`, or unknown."""

    infallible: bool = False
    type_name: str | None = None


UNKNOWN = WriteTarget()


def write_target(macro: Node) -> WriteTarget:
    """The verdict on the first argument of a `write!`-style macro invocation."""
    head = _target_tokens(macro)
    kinds = [t.type for t in head]
    if kinds[:2] == ["&", "mutable_specifier"]:
        head, kinds = head[2:], kinds[2:]
    if kinds == ["identifier"]:
        return _from_type(_binding_type(macro, items.text(head[0])))
    if kinds == ["self", ".", "identifier"]:
        return _from_type(_field_type(macro, items.text(head[2])))
    if kinds == ["self"]:
        impl = items.enclosing(macro, ("impl_item",))
        owner = impl.child_by_field_name("type") if impl is not None else None
        return _from_type(items.type_name(owner) or None)
    if kinds == ["identifier", "token_tree"] and items.text(head[0])[:1].isupper():
        return _from_type(items.text(head[0]))  # a tuple struct built in place: `Sink(buf)`
    return UNKNOWN


def receiver_target(receiver: Node) -> WriteTarget:
    """The verdict on the receiver of a method call such as `buf.write_all(..)`."""
    node = receiver
    if node.type == "reference_expression":
        node = node.child_by_field_name("value") or node
    if node.type == "identifier":
        return _from_type(_binding_type(receiver, items.text(node)))
    if node.type == "field_expression":
        value, field = node.child_by_field_name("value"), node.child_by_field_name("field")
        if value is not None and value.type == "self" and field is not None:
            return _from_type(_field_type(receiver, items.text(field)))
    return UNKNOWN


def is_infallible_write_impl(body: Node) -> bool:
    """True for a `write_str` body that cannot fail: it ends in `Ok(())` and has no `?`,
    `return` or `Err` anywhere."""
    last = next((c for c in reversed(body.named_children) if c.type != "line_comment"), None)
    if last is None or items.text(last).replace(" ", "") != "Ok(())":
        return False
    cursor = QueryCursor(compile_query(_FAILURE_SIGNS))
    return not cursor.captures(body)


def _target_tokens(macro: Node) -> list[Node]:
    tokens = next((c for c in macro.children if c.type == "token_tree"), None)
    if tokens is None:
        return []
    head: list[Node] = []
    for child in tokens.children[1:-1]:  # between the delimiters
        if child.type == ",":
            break
        head.append(child)
    return head


def _from_type(type_name: str | None) -> WriteTarget:
    if type_name is None:
        return UNKNOWN
    if type_name in _INFALLIBLE_TYPES:
        return WriteTarget(infallible=True)
    return WriteTarget(type_name=type_name)


def _binding_type(anchor: Node, name: str) -> str | None:
    """The type name of local binding or parameter `name` of the function around `anchor`."""
    function = items.enclosing(anchor, ("function_item",))
    if function is None:
        return None
    cursor = QueryCursor(compile_query(_BINDINGS))
    found: str | None = None
    for _, captures in cursor.matches(function):
        pattern = captures["pattern"][0]
        if items.text(pattern).replace("mut ", "").strip() != name:
            continue
        binding = captures["binding"][0]
        if binding.start_byte > anchor.start_byte:
            break  # a later `let` cannot be the one `anchor` sees
        found = _declared_type(binding)
    return found


def _declared_type(binding: Node) -> str | None:
    declared = binding.child_by_field_name("type")
    if declared is not None:
        return items.type_name(declared) or None
    value = binding.child_by_field_name("value")
    if value is None:
        return None
    if value.type == "macro_invocation":
        return "String" if items.macro_name(value) == "format" else None
    if value.type == "struct_expression":  # `Sink { buf: .. }`
        return items.type_name(value.child_by_field_name("name")) or None
    if value.type == "call_expression":
        function = value.child_by_field_name("function")
        path = items.text(function).replace(" ", "").split("::")
        if len(path) >= 2 and path[-1] in _CONSTRUCTORS:
            return path[-2].split("<")[0]  # `Buffer::new()`, `Vec::<u8>::with_capacity(n)`
        if len(path) == 1 and path[0][:1].isupper():
            return path[0]  # a tuple struct: `Styled(String::new())`
    return None


def _field_type(anchor: Node, field: str) -> str | None:
    """The type name of `self.field`, from a struct of the same file named like the impl."""
    impl = items.enclosing(anchor, ("impl_item",))
    if impl is None:
        return None
    owner = items.type_name(impl.child_by_field_name("type"))
    container = impl.parent
    if container is None:
        return None
    for item in container.named_children:
        if item.type != "struct_item" or items.item_name(item) != owner:
            continue
        body = item.child_by_field_name("body")
        for declaration in body.named_children if body is not None else []:
            if items.item_name(declaration) == field:
                return items.type_name(declaration.child_by_field_name("type")) or None
    return None
