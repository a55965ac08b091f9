"""primitive-id-params."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.patterns import Pattern, nodes
from rustpro.rules.signature import Parameter, is_extern_abi, parameters, parameters_source
from rustpro.syntax import items

# Types an id is commonly smuggled in: integers and string slices. `bool`, floats and `char`
# are primitive too but are never ids, and counting them would only add noise.
_ID_TYPES = frozenset(
    {"u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize"}
)


class PrimitiveIdParams(FileRule):
    """Flags public functions with two or more ids of the same primitive type.

    ## What it does
    Finds public API functions and methods with two or more parameters of the same primitive
    type (an integer type, or `&str`) whose names are `id` or end in `_id`, such as
    `fn transfer(from_id: u64, to_id: u64)`. `self` does not count; trait impl methods and
    `extern "C"` functions are skipped because their signatures are dictated elsewhere.

    ## Why is this bad?
    Two ids of the same type are interchangeable to the compiler: `transfer(to, from)` compiles
    and moves money the wrong way. A newtype per kind of id (`struct AccountId(u64)`) costs
    nothing at run time and turns the swap into a type error.

    ## Example
    ```rust
    pub fn transfer(from_id: u64, to_id: u64, cents: u64) -> u64 {
        from_id + to_id + cents
    }
    ```

    ## Use instead
    ```rust
    pub struct AccountId(pub u64);

    pub fn transfer(from: AccountId, to: AccountId, cents: u64) -> u64 {
        from.0 + to.0 + cents
    }
    ```

    ## References
    - Rust API Guidelines, C-NEWTYPE: "Newtypes provide static distinctions"
    - The Rust Book, "Using the Newtype Pattern for Type Safety and Abstraction"
    """

    name = "primitive-id-params"
    # An id's lowered name holds `id`, from ASCII `i`/`I` then `d`/`D` (of other letters only
    # `İ` lowers to an `i`, and it lowers to `i` + U+0307): a function whose signature spells
    # none of these has no id parameter, and most are skipped without reading a node.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item", "function_signature_item"),
            needs=(b"id", b"Id", b"ID", b"iD"),
            needs_before_body=True,  # parameters come before the body
            public_only=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        function = captures["match"][0]
        # The same test on the parameters alone (its name or return type may spell `id`).
        if b"id" not in parameters_source(function, ctx.source).lower():
            return
        by_type: dict[str, list[Parameter]] = {}
        for param in parameters(function):
            kind = _id_type(param.type)
            if kind is not None and _is_id_name(param.name):
                by_type.setdefault(kind, []).append(param)
        clash = next(((k, g) for k, g in by_type.items() if len(g) >= 2), None)
        if clash is None or is_extern_abi(function):
            return
        gate = ctx.public_gate(function)
        if gate is None:
            return
        kind, clashing = clash
        names = ", ".join(f"`{p.name}`" for p in clashing)
        ctx.report(
            self,
            function.child_by_field_name("name") or function,
            f"`{items.item_name(function)}` takes ids {names} of the same type `{kind}`",
            "wrap each kind of id in a newtype so that swapped arguments fail to compile",
            gate=gate,
        )


def _is_id_name(name: str) -> bool:
    lowered = name.lower().lstrip("_")
    return lowered == "id" or lowered.endswith("_id")


def _id_type(type_node: Node) -> str | None:
    """The normalised primitive type of an id parameter, or None for other types."""
    if type_node.type == "primitive_type" and items.text(type_node) in _ID_TYPES:
        return items.text(type_node)
    if type_node.type == "reference_type":
        inner = type_node.child_by_field_name("type")
        is_mut = any(c.type == "mutable_specifier" for c in type_node.children)
        if inner is not None and not is_mut and items.text(inner) == "str":
            return "&str"
    return None
