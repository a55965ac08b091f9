"""What a `write!`/`writeln!` (or `.write_all(..)`) writes into, and whether that can fail.

`write!` into a `String` or a `Vec<u8>` cannot fail, and neither can one into a crate's own
buffer type whose `fmt::Write::write_str` always returns `Ok(())`; discarding those results is
fine. A writer built in the same function over such a buffer (a base64 or compression encoder
around `&mut buf`), and a buffer built in the function while only `fmt::Write` is in scope
(a string-like type of another crate), write to memory too: only the crate's own `Write` impl
of that type, when it can return `Err`, makes such a write fail.

Everything here looks at the write's own function (its parameters and `let`s, through a small
query over that function only), the `use` declarations around it and, for `self.field`, at
the struct in the same file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
# The macros that write into their first argument, and the `io::Write` methods rules judge
# by their receiver (discarded-result, the panic rules).
WRITE_MACROS = frozenset({"write", "writeln"})
IO_WRITE_METHODS = frozenset({"write_all", "write_fmt", "flush"})
# In-memory sinks whose `Write` impls never fail.
_INFALLIBLE_TYPES = frozenset({"String", "Vec"})
_CONSTRUCTORS = frozenset({"new", "default", "with_capacity", "from"})
# Methods that always yield a `Vec` or a `String`, whatever they are called on.
_BUFFER_METHODS = frozenset({"to_vec", "into_bytes", "to_string"})
_BUFFER_MACROS = frozenset({"format", "vec"})
_NOT_ARGUMENTS = frozenset({"line_comment", "block_comment", "attribute_item"})
# How many bindings deep a wrapper's argument is followed (`w = W::new(&mut b)`, `b = ..`).
_MAX_DEPTH = 3
# Scopes whose direct children may be `use` declarations.
_USE_SCOPES = frozenset({"block", "declaration_list", "source_file"})


@dataclass(frozen=True, slots=True)
class WriteTarget:
    """The verdict on a write target.

    `infallible`: a `String`/`Vec` (or a binding of one). `type_name`: the target's type, when
    known. `built_here`: a `let` of the function (or an expression in place) constructs it.
    `in_memory`: built here over memory only, so only a fallible `Write` impl of the crate's own
    for `type_name` can make it fail. `std_stream`: the process's own stdout or stderr, where a
    failed write has nowhere better to be reported.
    """

    infallible: bool = False
    type_name: str | None = None
    built_here: bool = False
    in_memory: bool = False
    std_stream: bool = False


UNKNOWN = WriteTarget()
_BUFFER = WriteTarget(infallible=True)
_STD_STREAM = WriteTarget(std_stream=True)
_STD_STREAMS = frozenset({"stdout", "stderr"})


def write_target(macro: Node) -> WriteTarget:
    """The verdict on the first argument of a `write!`-style macro invocation."""
    head = _target_tokens(macro)
    kinds = [t.type for t in head]
    if kinds[:2] == ["&", "mutable_specifier"]:
        head, kinds = head[2:], kinds[2:]
    if kinds == ["identifier"]:
        target = _binding_target(macro, items.text(head[0]), 0)
        if target.built_here and target.type_name and _only_fmt_write_in_scope(macro):
            # `write!` resolves to `fmt::Write::write_fmt`: the target is a string-like
            # buffer of the function's own making, not a file or a socket.
            return replace(target, in_memory=True)
        return target
    if kinds == ["self", ".", "identifier"]:
        return _from_type(_field_type(macro, items.text(head[2])))
    if kinds == ["self"]:
        impl = items.enclosing(macro, ("impl_item",))
        owner = impl.child_by_field_name("type") if impl is not None else None
        return _from_type(items.type_name(owner) or None)
    if _is_std_stream_call(head):
        return _STD_STREAM  # `writeln!(std::io::stderr(), ..)`
    if kinds == ["identifier", "token_tree"] and items.text(head[0])[:1].isupper():
        # A tuple struct built in place: `Sink(buf)`; its token tree is not parsed, so only
        # a literal buffer constructor in it (`Sink(Vec::new())`) shows what it wraps.
        name = items.text(head[0])
        return WriteTarget(type_name=name, built_here=True, in_memory=_tokens_wrap_buffer(head[1]))
    return UNKNOWN


def receiver_target(receiver: Node) -> WriteTarget:
    """The verdict on the receiver of a method call such as `buf.write_all(..)`."""
    node = receiver
    if node.type == "reference_expression":
        node = node.child_by_field_name("value") or node
    if node.type == "identifier":
        return _binding_target(receiver, items.text(node), 0)
    if node.type == "call_expression":
        return _value_verdict(node, 0)  # `io::stdout().flush()`
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


def _from_type(type_name: str | None, *, built_here: bool = False) -> WriteTarget:
    if not type_name:
        return UNKNOWN
    if type_name in _INFALLIBLE_TYPES:
        return _BUFFER
    return WriteTarget(type_name=type_name, built_here=built_here)


def _binding_target(anchor: Node, name: str, depth: int) -> WriteTarget:
    """The verdict on local binding or parameter `name` as seen from `anchor`."""
    function = items.enclosing(anchor, ("function_item",))
    if function is None:
        return UNKNOWN
    cursor = QueryCursor(compile_query(_BINDINGS))
    found: Node | None = None
    for _, captures in cursor.matches(function):
        pattern = captures["pattern"][0]
        if items.text(pattern).replace("mut ", "").strip() != name:
            continue
        binding = captures["binding"][0]
        if binding.start_byte > anchor.start_byte:
            break  # a later `let` cannot be the one `anchor` sees
        if binding.end_byte >= anchor.end_byte:
            continue  # `let w = W::new(&mut w)`: the `w` inside is an earlier one
        found = binding
    return _binding_verdict(found, depth) if found is not None else UNKNOWN


def _binding_verdict(binding: Node, depth: int) -> WriteTarget:
    declared = binding.child_by_field_name("type")
    value = binding.child_by_field_name("value")
    if declared is not None:
        built = value is not None and _value_verdict(value, depth).built_here
        return _from_type(items.type_name(declared) or None, built_here=built)
    return _value_verdict(value, depth) if value is not None else UNKNOWN


def _value_verdict(value: Node, depth: int) -> WriteTarget:
    """The verdict on the value a `let` binds (or an argument passed to a constructor)."""
    kind = value.type
    if kind == "macro_invocation":
        return _BUFFER if items.macro_name(value).rsplit("::", 1)[-1] in _BUFFER_MACROS else UNKNOWN
    if kind == "struct_expression":  # `Sink { buf: .. }`
        return _from_type(items.type_name(value.child_by_field_name("name")), built_here=True)
    if kind != "call_expression":
        return UNKNOWN
    function = value.child_by_field_name("function")
    if function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None:
        return UNKNOWN
    if function.type == "field_expression":
        return _method_verdict(function)
    if items.text(function).rsplit("::", 1)[-1] in _STD_STREAMS:
        return _STD_STREAM  # `io::stdout()`, `std::io::stderr()`
    built = _constructed_type(function)
    if built is None:
        return UNKNOWN
    target = _from_type(built, built_here=True)
    if target.infallible:
        return target
    arguments = value.child_by_field_name("arguments")
    wraps = arguments is not None and _arguments_wrap_buffer(arguments, depth)
    return replace(target, in_memory=wraps)


def _method_verdict(function: Node) -> WriteTarget:
    """`b"..".to_vec()`, `text.to_string()`, `"..".to_owned()`: a buffer; others unknown."""
    method = items.text(function.child_by_field_name("field"))
    if method in _BUFFER_METHODS:
        return _BUFFER
    receiver = function.child_by_field_name("value")
    if method == "lock" and receiver is not None and receiver.type == "call_expression":
        return _value_verdict(receiver, _MAX_DEPTH)  # `io::stdout().lock()`
    if method == "to_owned" and receiver is not None and receiver.type == "string_literal":
        return _BUFFER
    return UNKNOWN


def _constructed_type(function: Node) -> str | None:
    """`Buffer` of `Buffer::new`, `Vec::<u8>::with_capacity`, or a tuple struct `Styled`."""
    if function.type == "scoped_identifier":
        name = items.text(function.child_by_field_name("name"))
        path = function.child_by_field_name("path")
        if name in _CONSTRUCTORS and path is not None:
            return items.type_name(path) or None
        return name if name[:1].isupper() else None  # `sinks::Capped(..)`
    if function.type == "identifier":
        name = items.text(function)
        return name if name[:1].isupper() else None
    return None


def _arguments_wrap_buffer(arguments: Node, depth: int) -> bool:
    """True when a constructor's arguments hand it a `Vec`/`String` to write into and no
    other argument could be a sink: `EncoderWriter::new(&mut buf, &CONFIG)`,
    `GzEncoder::new(Vec::new(), level)`. A `&mut` or a moved binding of unknown type could be
    a file or a socket (`Tee::new(&mut buf, file)`), so either one spoils the verdict."""
    if depth >= _MAX_DEPTH:
        return False
    buffers = 0
    for argument in arguments.named_children:
        if argument.type in _NOT_ARGUMENTS:
            continue
        inner, mutable = argument, False
        if argument.type == "reference_expression":
            inner = argument.child_by_field_name("value") or argument
            mutable = any(c.type == "mutable_specifier" for c in argument.children)
        if inner.type == "identifier":
            verdict = _binding_target(argument, items.text(inner), depth + 1)
        else:
            verdict = _value_verdict(inner, depth + 1)
        if verdict.infallible:
            buffers += 1
        elif mutable or (inner.type == "identifier" and not _is_constant(inner)):
            return False
    return buffers > 0


def _tokens_wrap_buffer(tokens: Node) -> bool:
    """`(Vec::new())`, `(String::with_capacity(8))`: the only argument is a new buffer."""
    inner = [c for c in tokens.children[1:-1]]
    kinds = [c.type for c in inner]
    return (
        len(inner) >= 3
        and kinds[:2] == ["identifier", "::"]
        and items.text(inner[0]) in _INFALLIBLE_TYPES
        and "," not in kinds
    )


def _is_std_stream_call(tokens: list[Node]) -> bool:
    """`stdout()`, `io::stderr()`, `std::io::stdout()` as the unparsed tokens of a macro."""
    if len(tokens) < 2 or tokens[-1].type != "token_tree" or tokens[-1].named_child_count:
        return False
    name = tokens[-2]
    path_only = all(t.type in ("identifier", "::") for t in tokens[:-1])
    return path_only and name.type == "identifier" and items.text(name) in _STD_STREAMS


def _is_constant(identifier: Node) -> bool:
    """`CONFIG`, `BASE64_STANDARD`: a constant, never a writer's sink."""
    name = items.text(identifier)
    return name.isupper()


def _only_fmt_write_in_scope(node: Node) -> bool:
    """True when the `use` declarations in scope at `node` import `fmt::Write` and not
    `io::Write`: those of the blocks around it and of its module, not of outer modules (an
    inline `mod` does not see its parent's imports)."""
    traits: set[str] = set()
    for scope in items.ancestors(node):
        if scope.type not in _USE_SCOPES:
            continue
        for child in scope.named_children:
            if child.type == "use_declaration":
                _write_traits(child.child_by_field_name("argument"), (), traits)
        module = scope.parent
        if module is not None and module.type == "mod_item":
            break
    return traits == {"fmt"}


def _write_traits(node: Node | None, prefix: tuple[str, ...], found: set[str]) -> None:
    """Add "fmt"/"io" to `found` for each `Write` trait (or io prelude) a use tree imports."""
    if node is None:
        return
    kind = node.type
    if kind in ("identifier", "scoped_identifier", "self"):
        path = (*prefix, *_segments(node))
        if path[-1:] == ("self",):
            path = path[:-1]
        if len(path) >= 2 and path[-1] == "Write" and path[-2] in ("fmt", "io"):
            found.add(path[-2])
    elif kind == "use_as_clause":
        _write_traits(node.child_by_field_name("path"), prefix, found)
    elif kind == "use_wildcard":
        head = next((c for c in node.named_children), None)
        path = (*prefix, *(_segments(head) if head is not None else ()))
        if "io" in path:
            found.add("io")  # `std::io::prelude::*`, `std::io::*`
        elif path[-1:] == ("fmt",):
            found.add("fmt")
    elif kind == "scoped_use_list":
        base = node.child_by_field_name("path")
        more = _segments(base) if base is not None else ()
        _write_traits(node.child_by_field_name("list"), (*prefix, *more), found)
    elif kind == "use_list":
        for child in node.named_children:
            _write_traits(child, prefix, found)


def _segments(path: Node) -> tuple[str, ...]:
    return tuple(s for s in items.text(path).replace(" ", "").split("::") if s)


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
