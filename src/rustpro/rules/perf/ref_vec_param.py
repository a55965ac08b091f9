"""ref-vec-param."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.concurrency import aliases_at, path_segments, resolve
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import (
    in_trait_impl,
    is_extern_abi,
    parameters,
    parameters_source,
)
from rustpro.syntax import items
from rustpro.syntax.spelled import identifiers_spelled

# Owned type behind `&` -> what to borrow instead.
_BETTER = {"Vec": "&[T]", "String": "&str", "PathBuf": "&Path", "Box": "&T"}
_OWNED_NAMES = re.compile("|".join(_BETTER).encode())  # one scan of a signature's bytes
# Crates whose `String`/`Vec`/`PathBuf`/`Box` are the std types (`alloc::vec::Vec` is std's).
_STD_ROOTS = frozenset({"std", "alloc", "core"})
# Items that declare a type name and so shadow the prelude's in their module.
_TYPE_DECLARATIONS = frozenset(
    {"struct_item", "enum_item", "union_item", "type_item", "trait_item"}
)


# Uses that need the owned type itself: its capacity (slices have none), a pointer cast to a
# `repr(transparent)` wrapper, or storing it in a struct field declared with that type.
class RefVecParam(FileRule):
    """Flags parameters typed `&Vec<T>`, `&String`, `&PathBuf` or `&Box<T>`.

    ## What it does
    Finds function and method parameters that borrow an owned container immutably:
    `&Vec<T>`, `&String`, `&PathBuf` and `&Box<T>` (also written with a path such as
    `&std::path::PathBuf`). `&mut` borrows are left alone, since they may need to push or grow,
    and so are trait impl members and `extern "C"` functions whose signatures are dictated
    elsewhere, and parameters the body needs as the owned type: it reads their `.capacity()`,
    casts them to a pointer, or stores them in a struct field.

    Only std's types count: a bare name the module does not shadow with a type of its own or an
    import from elsewhere, or a path from `std`/`alloc`. A parser's `&ast::String` node, a local
    `struct String` or `use crate::tokens::Vec` is not std's and is left alone.

    ## Why is this bad?
    `&Vec<T>` can do nothing `&[T]` cannot, but it forces every caller to own a `Vec`: a slice,
    an array or part of another vector must first be copied into one. The same holds for
    `&String` (take `&str`), `&PathBuf` (take `&Path`) and `&Box<T>` (take `&T`), and the extra
    indirection costs a pointer hop on every access.

    ## Example
    ```rust
    pub fn total(values: &Vec<u64>) -> u64 {
        values.iter().sum()
    }
    ```

    ## Use instead
    ```rust
    pub fn total(values: &[u64]) -> u64 {
        values.iter().sum()
    }
    ```

    ## References
    - clippy: `ptr_arg`, `borrowed_box`
    - Rust API Guidelines, C-CALLER-CONTROL
    """

    name = "ref-vec-param"
    clippy_twins = ("ptr_arg", "borrowed_box")
    # A function whose text spells none of the owned types cannot take one by reference.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item", "function_signature_item"),
            needs=(b"Vec", b"String", b"PathBuf", b"Box"),
            needs_before_body=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        spelled = parameters_source(function, ctx.source)
        if _OWNED_NAMES.search(spelled) is None:
            return  # no parameter type names `Vec`, `String`, `PathBuf` or `Box`
        borrowed = [(p, _borrowed_owned_type(p.type)) for p in parameters(function)]
        if all(owned is None for _, owned in borrowed):
            return
        # Only now the questions that climb the tree: most signatures have already been ruled out.
        if in_trait_impl(function) or is_extern_abi(function):
            return
        for param, owned in borrowed:
            if owned is None or _needs_owned_type(function, param.name):
                continue
            if not _names_std_type(param.type, ctx):
                continue  # `&ast::String`, a local `struct String`, `use crate::x::Vec`
            shown = items.text(param.type)
            ctx.report(
                self,
                param.type,
                f"parameter `{param.name or '_'}` is `{shown}`; `{_BETTER[owned]}` accepts more",
                f"take `{_BETTER[owned]}` instead: callers can still pass `&{owned}`",
            )


def _borrowed_owned_type(type_node: Node) -> str | None:
    """`Vec`/`String`/`PathBuf`/`Box` when `type_node` is a shared borrow of one of them."""
    if type_node.type != "reference_type":
        return None
    if any(c.type == "mutable_specifier" for c in type_node.children):
        return None
    inner = type_node.child_by_field_name("type")
    if inner is None:
        return None
    head = inner.child_by_field_name("type") if inner.type == "generic_type" else inner
    if head is None:
        return None
    if head.type == "scoped_type_identifier":
        head = head.child_by_field_name("name")
    if head is None or head.type != "type_identifier":
        return None
    name = items.text(head)
    generic = inner.type == "generic_type"
    if name in ("Vec", "Box") and generic:
        return name
    if name in ("String", "PathBuf") and not generic:
        return name
    return None


def _names_std_type(type_node: Node, ctx: FileContext) -> bool:
    """True when the borrowed type is std's own, not a type of the same name.

    A bare name is std's unless the module (or a block around the function) declares a type of
    that name or imports one from elsewhere; a path is std's when it starts at `std`/`alloc`,
    directly or through an import (`use std::path; &path::PathBuf`). Glob imports are taken to
    leave the prelude's names alone: what they bring in cannot be told from this file.
    """
    segments = path_segments(type_node.child_by_field_name("type"))  # generics dropped
    if not segments:
        return False
    aliases = aliases_at(type_node, ctx)
    if len(segments) == 1:
        name = segments[0]
        if name in aliases:
            imported = aliases[name]
            return bool(imported) and imported[0] in _STD_ROOTS
        return not _declared_nearby(type_node, name)
    full = resolve(segments, aliases)
    return full[0] in _STD_ROOTS


def _declared_nearby(node: Node, name: str) -> bool:
    """True when a block or the module around `node` declares a type called `name`."""
    for scope in items.ancestors(node):
        if scope.type not in ("block", "declaration_list", "source_file"):
            continue
        if scope.type == "declaration_list" and (
            scope.parent is None or scope.parent.type != "mod_item"
        ):
            continue  # an impl or trait body declares no types of its own
        for child in scope.named_children:
            if child.type in _TYPE_DECLARATIONS and items.item_name(child) == name:
                return True
        if scope.type != "block":
            return False  # the module ends the search: outer modules' names are not in scope
    return False


def _needs_owned_type(function: Node, name: str) -> bool:
    """True when the body uses parameter `name` in a way only the owned type allows."""
    body = function.child_by_field_name("body")
    if body is None or not name:
        return False
    return any(_owned_use(use) for use in identifiers_spelled(body, name.encode()))


def _owned_use(use: Node) -> bool:
    """True when the identifier `use` is `@receiver` in one of the patterns
    `(call_expression function: (field_expression value: (identifier) @receiver field:
    (field_identifier) @method) (#eq? @method "capacity"))`, `(type_cast_expression value:
    (identifier) @receiver)`, `(shorthand_field_initializer (identifier) @receiver)`,
    `(field_initializer value: (identifier) @receiver)` (the rule's former query: found from
    the name's bytes instead, as a query costs tree-sitter ~20 M instructions of analysis in
    every run that compiles it; tests/test_query_rewrites.py compares them)."""
    holder = items.parent(use)
    if holder is None:
        return False
    kind = holder.type
    if kind == "shorthand_field_initializer":
        return True
    if kind in ("type_cast_expression", "field_initializer"):
        return items.fills_field(holder, "value", use)
    if kind != "field_expression" or not items.fills_field(holder, "value", use):
        return False
    method = holder.child_by_field_name("field")
    if method is None or method.type != "field_identifier" or method.text != b"capacity":
        return False
    call = items.parent(holder)
    if call is None or call.type != "call_expression":
        return False
    return items.fills_field(call, "function", holder)
