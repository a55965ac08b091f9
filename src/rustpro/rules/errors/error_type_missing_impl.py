"""error-type-missing-impl."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.deprecation import is_deprecated_attribute
from rustpro.rules.errors.signatures import type_arguments, type_path
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, method_calls, nodes, text_matches
from rustpro.syntax import items

_IMPL_FACT = "error-type-missing-impl:error-impl"  # type names with `impl ..Error for T`
_MACRO_FACT = "error-type-missing-impl:macro-mention"  # names an item-level macro mentions
# Type names the crate uses as an error: the `E` of a `Result<T, E>`, the value of an
# `Err(..)` or of the error adapters (`.map_err(E::Io)`, `.ok_or(E::Missing)`), an associated
# `type Error = E;`, the default `E` of a `type Result<T, E = E0>` alias.
_USED_FACT = "error-type-missing-impl:used-as-error"
_ERROR_ADAPTERS = ("map_err", "ok_or", "ok_or_else")
# How many steps into `Err(..)`'s argument the error's type is looked for
# (`Err(ParseError::new(at).into())`: call, method, call, path).
_ERR_DEPTH = 4
_ERROR_DERIVES = frozenset({"Error", "Snafu"})  # thiserror, derive_more, snafu
# `HandleError<S, F>`, `MapError<..>`: names of adapters that act on errors, not of errors.
_ADAPTER_NAMES = frozenset(
    f"{verb}Error" for verb in ("Handle", "Map", "On", "Catch", "Ignore", "Inspect")
)


class ErrorTypeMissingImpl(FileRule):
    """Flags public `*Error` types used as errors that do not implement `std::error::Error`.

    ## What it does
    Finds structs and enums that are public API of the library, whose name ends in `Error`,
    that the crate uses as an error somewhere (the `E` of a `Result<T, E>`, the value of an
    `Err(..)`, `.map_err(..)`, `.ok_or(..)` or `.ok_or_else(..)`, an associated
    `type Error = E;`, the default `E` of a `type Result<T, E = E0>` alias), and for which the
    crate has no `impl Error for T` (any path: `std::error::Error`,
    `core::error::Error`, an alias such as `StdError` or `ErrorTrait`) and no `#[derive(Error)]` /
    `#[derive(Snafu)]` (also inside `cfg_attr`, and under a name a `use` of the file gives
    it: `use thiserror::Error as ThisError;` .. `#[derive(ThisError)]`). A `#[deprecated]`
    type is left alone: its API is kept only for old callers. Types that an item-level
    macro invocation
    names (`impl_error!(MyError);`) are assumed to get their impl from it, and adapters named
    for what they do to errors (`HandleError<S, F>`, `MapError<..>`) and `#[repr(C)]` mirrors of
    C structs are not error types. A type only named like an error and never used as one (a
    middleware `RecoverError<S>`, a type folder `ReplaceInferWithError`) is left alone, and so
    is one used as an error only by other crates of the workspace.

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

    pub fn get(key: &str) -> Result<String, ConfigError> {
        Err(ConfigError::Missing(key.to_owned()))
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

    pub fn get(key: &str) -> Result<String, ConfigError> {
        Err(ConfigError::Missing(key.to_owned()))
    }
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
        # Where the crate uses a type as an error (`_record_error_use`): found by their bytes,
        # rarer than the nodes of their kinds.
        Pattern(
            text_matches(rb"Result\s*<", "generic_type"),
            "(generic_type type: (_) @result_type) @match",
        ),
        Pattern(
            text_matches(rb"Err\s*\(", "call_expression"),
            '(call_expression function: (identifier) @err (#eq? @err "Err")) @match',
        ),
        Pattern(
            text_matches(rb"type\s+\w*(?:Error|Result)\b", "type_item"),
            "(type_item name: (_) @alias_name) @match",
        ),
        Pattern(method_calls(*_ERROR_ADAPTERS), needs=(b"Error",)),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        item = captures["match"][0]
        kind = item.type
        if kind in ("generic_type", "call_expression", "type_item"):
            _record_error_use(item, ctx)
        elif kind == "impl_item":
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
        if any(
            _derives_error(a, ctx) or _is_repr_c(a) or is_deprecated_attribute(a)
            for a in attributes
        ):
            return  # derived, a C mirror, or a deprecated type whose API is frozen
        public = ctx.public_gate(item)
        if public is None:
            return
        type_name = ctx.text(name)
        gate = AllGates(
            (
                public,
                FactGate(_USED_FACT, type_name),
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


def _derives_error(attr: Node, ctx: FileContext) -> bool:
    """True for `#[derive(.., Error)]`, `#[derive(thiserror::Error)]`, `#[derive(Snafu)]`,
    also wrapped in `#[cfg_attr(.., derive(..))]`, and for a derive renamed by a `use` of the
    file (`use thiserror::Error as ThisError;` .. `#[derive(ThisError)]`)."""
    path = items.attribute_path(attr)
    if path not in ("derive", "cfg_attr"):
        return False
    attribute = next((c for c in attr.named_children if c.type == "attribute"), None)
    arguments = attribute.child_by_field_name("arguments") if attribute is not None else None
    if arguments is None:
        return False
    if path == "derive":
        return _names_error_derive(arguments, ctx)
    # `cfg_attr(feature = "std", derive(Debug, Error))`: the list after the word `derive`.
    return any(
        child.type == "identifier"
        and child.text == b"derive"
        and child.next_sibling is not None
        and child.next_sibling.type == "token_tree"
        and _names_error_derive(child.next_sibling, ctx)
        for child in arguments.children
    )


def _is_repr_c(attr: Node) -> bool:
    """`#[repr(C)]`: a mirror of a C type (`CFStreamError`), not a Rust error type."""
    if items.attribute_path(attr) != "repr":
        return False
    return "C" in items.attribute_arguments(attr).strip("()").replace(" ", "").split(",")


def _names_error_derive(tokens: Node, ctx: FileContext) -> bool:
    """True when a derive list's token tree names `Error` or `Snafu` (any path), or a name
    the file's `use` declarations give one of them."""
    names = [items.text(c) for c in tokens.children if c.type == "identifier"]
    if any(name in _ERROR_DERIVES for name in names):
        return True
    return any(name in _derive_aliases(ctx) for name in names)


_ALIASES = "error-type-missing-impl:aliases"


def _derive_aliases(ctx: FileContext) -> frozenset[str]:
    """The names `use .. as Name` declarations of the file give `Error` or `Snafu`
    (`use thiserror::Error as ThisError;`), found by their bytes once per file."""
    memo: dict[str, frozenset[str]] = ctx.memo(_ALIASES)
    found = memo.get("")
    if found is None:
        aliases: set[str] = set()
        root = ctx.tree.root_node
        # `as` then its name in a look-ahead (no leading `\b`, which makes a regex try every
        # byte; the byte before is checked instead), so a hit never swallows the next `as`.
        for hit in re.finditer(rb"as(?=\s+(\w+))", ctx.source):
            if items.after_word_byte(ctx.source, hit.start()):
                continue
            alias = root.named_descendant_for_byte_range(hit.start(1), hit.end(1))
            clause = alias.parent if alias is not None else None
            original = clause.child_by_field_name("path") if clause is not None else None
            if clause is None or clause.type != "use_as_clause" or original is None:
                continue
            if items.text(original).replace(" ", "").rsplit("::", 1)[-1] in _ERROR_DERIVES:
                aliases.add(ctx.text(alias))
        found = memo[""] = frozenset(aliases)
    return found


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


def _record_error_use(node: Node, ctx: FileContext) -> None:
    """Record the `..Error` type a `Result<T, E>`, an `Err(..)` or a `type Error = E;` /
    `type Result<T, E = E0> = ..;` uses as an error."""
    kind = node.type
    if kind == "generic_type":
        path = type_path(node)
        types = type_arguments(node)
        if path and path[-1].endswith("Result") and len(types) == 2:
            _add_error_name(items.type_name(types[1]), ctx)
    elif kind == "call_expression":
        arguments = node.child_by_field_name("arguments")
        values = arguments.named_children if arguments is not None else []
        value = values[0] if values else None
        if value is not None and value.type == "closure_expression":
            value = value.child_by_field_name("body")  # `.map_err(|e| ParseError::Io(e))`
        if value is not None:
            for name in _constructed_names(value, _ERR_DEPTH):
                _add_error_name(_resolve_self(name, node), ctx)
    else:
        alias = items.item_name(node)
        if alias == "Error":  # `type Error = ParseError;` of a `FromStr`/`TryFrom` impl
            _add_error_name(items.type_name(node.child_by_field_name("type")), ctx)
        elif alias.endswith("Result"):  # `type Result<T, E = Error> = ..`: the default
            for parameter in _type_parameters(node):
                default = parameter.child_by_field_name("default_type")
                _add_error_name(items.type_name(default), ctx)


def _add_error_name(name: str, ctx: FileContext) -> None:
    # Only names the rule checks (`..Error`) matter to its gate.
    if name.endswith("Error"):
        ctx.add_fact(_USED_FACT, name)


def _constructed_names(value: Node, depth: int) -> list[str]:
    """The path segments that may name the type of `value`: `ParseError` and `Bad` of
    `ParseError::Bad(..)`, `Self` of `Self::Bad`, `IoError` of `IoError { .. }` or
    `IoError::new(..).into()`."""
    if depth == 0:
        return []
    kind = value.type
    if kind in ("identifier", "scoped_identifier", "scoped_type_identifier", "type_identifier"):
        return [s for s in items.text(value).replace(" ", "").split("::") if s]
    if kind == "block" and value.named_children:  # `|e| { .. ParseError::Io(e) }`
        return _constructed_names(value.named_children[-1], depth - 1)
    if kind == "struct_expression":
        return _constructed_names(value.child_by_field_name("name") or value, depth - 1)
    if kind == "generic_function":
        return _constructed_names(value.child_by_field_name("function") or value, depth - 1)
    if kind == "call_expression":
        function = value.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            receiver = function.child_by_field_name("value")  # `ParseError::new(..).into()`
            return _constructed_names(receiver, depth - 1) if receiver is not None else []
        return _constructed_names(function, depth - 1) if function is not None else []
    return []


def _resolve_self(name: str, node: Node) -> str:
    """`Self` of `Err(Self::Bad)` is the type of the impl around it."""
    if name != "Self":
        return name
    impl = items.enclosing(node, ("impl_item",))
    return items.type_name(impl.child_by_field_name("type")) if impl is not None else name


def _type_parameters(item: Node) -> list[Node]:
    parameters = item.child_by_field_name("type_parameters")
    return [] if parameters is None else list(parameters.named_children)
