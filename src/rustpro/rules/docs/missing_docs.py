"""missing-docs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import AllGates, FileContext, Gate
from rustpro.model import Bundle
from rustpro.rules.base import FileRule
from rustpro.rules.docs.lint_allows import lint_allowed
from rustpro.rules.docs.module_docs import (
    INNER_DOCS_FACT,
    inline_module_documented,
    is_inner_doc,
    module_file_gates,
)
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items

_KIND_WORDS = {
    "function_item": "function",
    "function_signature_item": "function",
    "struct_item": "struct",
    "enum_item": "enum",
    "union_item": "union",
    "trait_item": "trait",
    "type_item": "type alias",
    "associated_type": "associated type",
    "const_item": "constant",
    "static_item": "static",
    "mod_item": "module",
}
# A run of this many undocumented public constants of one type is a table: one finding.
TABLE_MINIMUM = 8
_TRIVIA = frozenset({"line_comment", "block_comment", "attribute_item"})


class MissingDocs(FileRule):
    """Flags public API items that have no documentation.

    ## What it does
    Finds items reachable from the library root (functions, methods of public types, structs,
    enums, unions, traits and their items, type aliases, constants, statics and modules) that
    carry no doc comment, `#[doc = ..]` or `#[cfg_attr(docsrs, doc = ..)]` (docs that are
    there whenever docs are built). A module also counts as documented when its own file (or
    inline body) starts with `//!` inner docs. `pub(crate)` items, items of private modules
    that are not re-exported, `#[doc(hidden)]` items, trait impl members and code under
    `#[allow(missing_docs)]` are left alone, and so is one of two definitions under
    complementary cfgs (`#[cfg(feature = "std")]` / `#[cfg(not(feature = "std"))]`) when the
    other is documented: only one is compiled, and the docs are read from that one.

    A table is one finding: a run of 8 or more undocumented public constants (or associated
    constants) of one type in one module, impl or trait (attributes and comments between them
    are part of the run) is reported once, at the first, naming how many there are and their
    type, with the others as related locations. Shorter runs get a finding per constant.

    ## Why is this bad?
    The public API is what users of a library read first, through rustdoc and their editor.
    An item without docs forces them to read its source to learn what it does, what it expects
    and what it returns, and it is the part of the contract most likely to be misused.

    ## Example
    ```rust
    //! A tiny geometry crate.

    pub fn area(width: f64, height: f64) -> f64 {
        width * height
    }
    ```

    ## Use instead
    ```rust
    //! A tiny geometry crate.

    /// The area of a `width` x `height` rectangle.
    pub fn area(width: f64, height: f64) -> f64 {
        width * height
    }
    ```

    ## References
    - rustc lint: `missing_docs`
    - Rust API Guidelines, C-CRATE-DOC and C-EXAMPLE
    - The rustdoc book, "How to write documentation"
    """

    name = "missing-docs"
    rustc_twins = ("missing_docs",)
    node_kinds: ClassVar[tuple[str, ...]] = tuple(_KIND_WORDS)  # every kind it has a word for
    # The root: its inner doc comments and inner attributes are read in `check`.
    patterns: ClassVar[tuple[Pattern, ...]] = (Pattern(nodes("source_file")),)

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        item = captures["match"][0]
        if item.type == "source_file":
            for top in _inner_docs_and_attributes(item):
                # A module file that documents itself, opts out with `#![allow(missing_docs)]`
                # or hides itself with `#![doc(hidden)]` excuses its `mod name;` declaration.
                if is_inner_doc(top) or _allows_missing_docs(top) or items.is_doc_hidden(top):
                    ctx.add_fact(INNER_DOCS_FACT, ctx.relpath)
                    break
            return
        # Cheapest questions first: most items are private, or have docs.
        if not ctx.may_be_public(item) or items.has_docs(item):
            return
        public = ctx.public_gate(item)
        if public is None or public.name == "_":  # `const _: () = ..;` has no name to document
            return
        item_kind = item.type
        if item_kind == "mod_item" and inline_module_documented(item):
            return
        if _documented_twin(item, ctx):
            return
        if item_kind == "function_item" and _macro_documented_by_crate(item, public.name, ctx):
            return
        # A file that never spells `missing_docs` cannot allow it on an item.
        spelled = ctx.mentions("missing_docs") or "missing_docs" in ctx.file_allows
        if spelled and lint_allowed(item, ctx, "missing_docs"):
            return
        gate: Gate = public
        if item_kind == "mod_item" and item.child_by_field_name("body") is None:
            gate = AllGates((public, *module_file_gates(ctx.relpath, item)))
        kind = _KIND_WORDS.get(item_kind, "item")
        if kind == "function" and public.owner is not None:
            kind = "method"
        ctx.report(
            self,
            item.child_by_field_name("name") or item,
            f"public {kind} `{public.name}` has no documentation",
            "add a `///` doc comment saying what it is for",
            gate=gate,
            bundle=_table_bundle(item, ctx) if item_kind == "const_item" else None,
        )


def _documented_twin(item: Node, ctx: FileContext) -> bool:
    """Whether `item` is one of two definitions under complementary cfgs (`#[cfg(P)]` and
    `#[cfg(not(P))]`: a `no_std` twin of a type defined with `feature = "std"`) whose other
    definition, of the same kind and name in the same container, is documented. Only one of
    them is ever compiled, and the docs are read from the documented one."""
    condition = _cfg_condition(item)
    container = item.parent
    if condition is None or container is None:
        return False
    twins = ctx.memo("missing-docs.cfg-twins")
    key = (container.start_byte, container.end_byte)
    if key not in twins:
        twins[key] = _documented_conditions(container)
    documented: dict[tuple[str, str], set[str]] = twins[key]
    found = documented.get((item.type, items.item_name(item)), set())
    return any(_complementary(condition, other) for other in found)


def _documented_conditions(container: Node) -> dict[tuple[str, str], set[str]]:
    """The cfg conditions of the documented items of `container`, by (kind, name)."""
    found: dict[tuple[str, str], set[str]] = {}
    for child in container.named_children:
        if child.type not in _KIND_WORDS or not items.has_docs(child):
            continue
        condition = _cfg_condition(child)
        if condition is not None:
            found.setdefault((child.type, items.item_name(child)), set()).add(condition)
    return found


def _cfg_condition(item: Node) -> str | None:
    """The item's one `#[cfg(..)]` predicate without spaces, None when it has none or
    several."""
    conditions = [
        items.attribute_arguments(attr)
        for attr in items.attributes_of(item)
        if items.attribute_path(attr) == "cfg"
    ]
    if len(conditions) != 1:
        return None
    return "".join(conditions[0].split())[1:-1]  # without the parentheses


def _complementary(one: str, other: str) -> bool:
    return one == f"not({other})" or other == f"not({one})"


def _table_bundle(item: Node, ctx: FileContext) -> Bundle | None:
    """The table an undocumented constant belongs to, when it is one of a run of at least
    `TABLE_MINIMUM` undocumented public constants of one type in one container (an impl's
    900 `Nid` values, a module of error codes): the run is one finding, not one per value."""
    container = item.parent
    if container is None:
        return None
    runs = ctx.memo("missing-docs.const-runs")
    key = (container.start_byte, container.end_byte)
    if key not in runs:
        runs[key] = _const_runs(container, ctx)
    run = runs[key].get(item.start_byte)
    if run is None:
        return None
    first, length, type_text = run
    if length < TABLE_MINIMUM:
        return None
    holder = container.parent if container.type == "declaration_list" else None
    associated = holder is not None and holder.type in ("impl_item", "trait_item")
    where = "associated constants" if associated else "constants"
    return Bundle(
        key=f"const-table@{first}",
        minimum=TABLE_MINIMUM,
        message=f"{{count}} public {where} of type `{type_text}` in a row have no documentation",
        help=(
            "document the table once, on its type or container (what the values are and "
            "where they come from), then `#[allow(missing_docs)]` on the container, or give "
            "each constant a `///` line"
        ),
        member=f"`{items.item_name(item)}`",
    )


def _const_runs(container: Node, ctx: FileContext) -> dict[int, tuple[int, int, str]]:
    """Each undocumented public constant of `container` by its start byte: the start byte of
    its run (consecutive such constants of one type; attributes and comments between them
    do not break a run, any other item does), the run's length and the type."""
    runs: dict[int, tuple[int, int, str]] = {}
    members: list[Node] = []
    run_type = ""

    def close() -> None:
        for member in members:
            runs[member.start_byte] = (members[0].start_byte, len(members), run_type)
        members.clear()

    for child in container.named_children:
        if child.type in _TRIVIA:
            continue
        type_text = _undocumented_const_type(child, ctx)
        if type_text is None or type_text != run_type:
            close()
            run_type = type_text or ""
        if type_text is not None:
            members.append(child)
    close()
    return runs


def _undocumented_const_type(node: Node, ctx: FileContext) -> str | None:
    """The declared type of an undocumented constant that may be public, else None."""
    if node.type != "const_item" or items.has_docs(node) or not ctx.may_be_public(node):
        return None
    declared = node.child_by_field_name("type")
    return "".join(ctx.text(declared).split()) if declared is not None else None


def _allows_missing_docs(node: Node) -> bool:
    return (
        node.type == "inner_attribute_item"
        and items.attribute_path(node) in ("allow", "expect")
        and "missing_docs" in items.lint_names(node)
    )


def _inner_docs_and_attributes(root: Node) -> Iterator[Node]:
    """The file's top-level inner doc comments (`//!`, `/*! */`) and inner attributes.

    One at a time: `check` stops at the first that counts, usually the file's first line,
    and a file's top level can hold thousands of `///` lines.
    """
    for child in root.children:
        kind = child.type
        if kind == "inner_attribute_item" or (
            kind in ("line_comment", "block_comment")
            and child.child_by_field_name("inner") is not None
        ):
            yield child


_PROC_MACRO_ATTRIBUTES = frozenset({"proc_macro", "proc_macro_attribute", "proc_macro_derive"})


def _macro_documented_by_crate(function: Node, name: str, ctx: FileContext) -> bool:
    """A procedural macro whose crate's own `//!` docs describe it by name (`#[async_trait]`,
    `` `derive(Parser)` ``): a proc-macro crate's root is its macros' manual."""
    if not any(
        items.attribute_path(a) in _PROC_MACRO_ATTRIBUTES for a in items.attributes_of(function)
    ):
        return False
    docs = ctx.memo("missing-docs/crate-docs")
    if "text" not in docs:
        root = ctx.tree.root_node
        docs["text"] = "\n".join(
            ctx.text(top) for top in _inner_docs_and_attributes(root) if is_inner_doc(top)
        )
    return re.search(rf"\b{re.escape(name)}\b", docs["text"]) is not None
