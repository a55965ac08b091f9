"""error-type-missing-impl."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items

_IMPL_FACT = "error-type-missing-impl:error-impl"  # type names with `impl ..Error for T`
_MACRO_FACT = "error-type-missing-impl:macro-mention"  # names an item-level macro mentions
_ERROR_DERIVES = frozenset({"Error", "Snafu"})  # thiserror, derive_more, snafu
# `HandleError<S, F>`, `MapError<..>`: names of adapters that act on errors, not of errors.
_ADAPTER_NAMES = frozenset(
    f"{verb}Error" for verb in ("Handle", "Map", "On", "Catch", "Ignore", "Inspect")
)


class ErrorTypeMissingImpl(FileRule):
    """Flags public `*Error` types that do not implement `std::error::Error`.

    ## What it does
    Finds structs and enums that are public API of the library, whose name ends in `Error`,
    and for which the crate has no `impl Error for T` (any path: `std::error::Error`,
    `core::error::Error`, an alias such as `StdError` or `ErrorTrait`) and no `#[derive(Error)]` /
    `#[derive(Snafu)]` (also inside `cfg_attr`). Types that an item-level macro invocation
    names (`impl_error!(MyError);`) are assumed to get their impl from it, and adapters named
    for what they do to errors (`HandleError<S, F>`, `MapError<..>`) and `#[repr(C)]` mirrors of
    C structs are not error types.

    ## Why is this bad?
    An error type that is not a `std::error::Error` cannot be boxed into
    `Box<dyn Error>`, cannot be wrapped by `anyhow`/`eyre` with `?`, has no `source()` chain
    and does not work with error-reporting libraries. Every caller has to write an adapter.

    ## Example
    ```rust
    #[derive(Debug)]
    pub enum ConfigError {
        Missing(String),
    }
    ```

    ## Use instead
    ```rust
    #[derive(Debug)]
    pub enum ConfigError {
        Missing(String),
    }

    impl std::fmt::Display for ConfigError {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                ConfigError::Missing(key) => write!(f, "missing key `{key}`"),
            }
        }
    }

    impl std::error::Error for ConfigError {}
    ```

    ## References
    - Rust API Guidelines, C-GOOD-ERR: "Error types are meaningful and well-behaved"
    - std: `std::error::Error`; crates: `thiserror`, `snafu`
    """

    name = "error-type-missing-impl"
    # Every pattern hands its candidate over whole: `check` reads the one or two fields it
    # needs itself, cheaper than a query rooted at each struct, enum and impl. A type or
    # trait name holding `Error` puts the word in the item's header, before its body.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(nodes("struct_item", "enum_item"), needs=(b"Error",), needs_before_body=True),
        Pattern(nodes("impl_item"), needs=(b"Error",), needs_before_body=True),
        # Item-level macro calls that mention an error type (`impl_error!(MyError)`): the
        # rule reads the children of each module and item body itself (`_record_mentions`);
        # a body that never spells `Error` has none to read.
        Pattern(nodes("source_file", "declaration_list"), needs=(b"Error",)),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        item = captures["match"][0]
        kind = item.type
        if kind == "impl_item":
            _record_error_impl(item, ctx)
        elif kind in ("source_file", "declaration_list"):
            _record_mentions(item, ctx)
        else:
            name = item.child_by_field_name("name")
            # A type named `..Error` (a `$name` of a macro body is no type of its own).
            if (
                name is not None
                and name.type == "type_identifier"
                and ctx.source[name.start_byte : name.end_byte].endswith(b"Error")
            ):
                self._check_type(item, name, ctx)

    def _check_type(self, item: Node, name: Node, ctx: FileContext) -> None:
        if ctx.text(name) in _ADAPTER_NAMES or is_generated_file(ctx.tree.root_node):
            return
        attributes = items.attributes_of(item)
        if any(_derives_error(a) or _is_repr_c(a) for a in attributes):
            return
        public = ctx.public_gate(item)
        if public is None:
            return
        type_name = ctx.text(name)
        gate = AllGates(
            (
                public,
                FactGate(_IMPL_FACT, type_name, absent=True),
                FactGate(_MACRO_FACT, type_name, absent=True),
            )
        )
        kind = "enum" if item.type == "enum_item" else "struct"
        ctx.report(
            self,
            name,
            f"public {kind} `{type_name}` looks like an error but does not implement "
            "`std::error::Error`",
            "implement `Display` and `std::error::Error`, or derive `thiserror::Error`",
            gate=gate,
        )


def _record_error_impl(impl: Node, ctx: FileContext) -> None:
    """Record the type of `impl ..Error.. for T` (a trait path or argument naming `Error`)."""
    trait = impl.child_by_field_name("trait")
    if trait is None or ctx.source.find(b"Error", trait.start_byte, trait.end_byte) < 0:
        return
    implementing = impl.child_by_field_name("type")
    if implementing is not None:
        ctx.add_fact(_IMPL_FACT, items.type_name(implementing))


def _derives_error(attr: Node) -> bool:
    """True for `#[derive(.., Error)]`, `#[derive(thiserror::Error)]`, `#[derive(Snafu)]`,
    also wrapped in `#[cfg_attr(.., derive(..))]`."""
    path = items.attribute_path(attr)
    if path not in ("derive", "cfg_attr"):
        return False
    attribute = next((c for c in attr.named_children if c.type == "attribute"), None)
    arguments = attribute.child_by_field_name("arguments") if attribute is not None else None
    if arguments is None:
        return False
    if path == "derive":
        return _names_error_derive(arguments)
    # `cfg_attr(feature = "std", derive(Debug, Error))`: the list after the word `derive`.
    return any(
        child.type == "identifier"
        and child.text == b"derive"
        and child.next_sibling is not None
        and child.next_sibling.type == "token_tree"
        and _names_error_derive(child.next_sibling)
        for child in arguments.children
    )


def _is_repr_c(attr: Node) -> bool:
    """`#[repr(C)]`: a mirror of a C type (`CFStreamError`), not a Rust error type."""
    if items.attribute_path(attr) != "repr":
        return False
    return "C" in items.attribute_arguments(attr).strip("()").replace(" ", "").split(",")


def _names_error_derive(tokens: Node) -> bool:
    """True when a derive list's token tree names `Error` or `Snafu` (any path)."""
    return any(
        child.type == "identifier" and items.text(child) in _ERROR_DERIVES
        for child in tokens.children
    )


def _record_mentions(container: Node, ctx: FileContext) -> None:
    """Record the error-like names (`..Error`) that item-level macro calls of a module file
    or an item body (`impl`, `trait`, inline `mod`) pass as direct arguments."""
    at_root = container.type == "source_file"
    source = ctx.source
    # Only the gate's type names matter (they end in `Error`), so only the children whose
    # bytes spell it are read: each hit leads to the child holding it, and the search goes on
    # after that child. Most bodies have no such child, and none needs its list of children.
    start, end = container.start_byte, container.end_byte
    hit = source.find(b"Error", start, end)
    while hit >= 0:
        child = container.first_named_child_for_byte(hit)  # the first one ending after `hit`
        if child is None:
            return
        if child.start_byte > hit:  # between children (in a token of the container itself)
            hit = source.find(b"Error", hit + 1, end)
            continue
        _record_macro_mentions(child, at_root, ctx)
        hit = source.find(b"Error", child.end_byte, end)


def _record_macro_mentions(child: Node, at_root: bool, ctx: FileContext) -> None:
    """Record the `..Error` names a child's macro call passes as direct arguments (at the
    file's top level the call may be wrapped in an expression statement)."""
    if at_root and child.type == "expression_statement":
        child = child.named_children[0] if child.named_child_count else child
    source = ctx.source
    # The hit may lie outside the call of a statement (in a comment before its `;`).
    if (
        child.type != "macro_invocation"
        or b"Error" not in source[child.start_byte : child.end_byte]
    ):
        return
    for tokens in child.named_children:
        if tokens.type != "token_tree":
            continue
        for token in tokens.named_children:
            if token.type == "identifier":
                name = ctx.text(token)
                if name.endswith("Error"):
                    ctx.add_fact(_MACRO_FACT, name)
