"""static-mut."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Captures, Pattern, nodes
from rustpro.syntax import items


def _mutable_statics(item: Node) -> list[Captures]:
    """The matches of the pattern `(static_item (mutable_specifier) @mut) @match` rooted at
    a static item (matched in Python: a query pattern costs tree-sitter milliseconds of
    analysis in every run)."""
    return [
        {"mut": [child], "match": [item]}
        for child in item.children
        if child.type == "mutable_specifier"
    ]


class StaticMut(FileRule):
    """Flags `static mut` items.

    ## What it does
    Finds `static mut` declarations in production code. Statics declared inside `extern`
    blocks are left alone: a foreign mutable global can only be declared that way. So are
    statics exported as linker symbols (`#[no_mangle]`, `#[unsafe(no_mangle)]`,
    `#[export_name = ..]`, `#[link_section = ..]`): foreign code (C, JavaScript glue, a
    boot loader) reads and writes them, and their type is that interface.

    ## Why is this bad?
    Every access to a `static mut` is `unsafe`, and any two accesses from different threads
    are a data race, which is undefined behaviour. Since the 2024 edition even taking a
    reference to one is denied by default. Safe alternatives cover nearly every use.

    ## Example
    ```rust
    static mut COUNTER: u64 = 0;

    pub fn bump() -> u64 {
        // SAFETY: single-threaded (or so we hope).
        unsafe {
            COUNTER += 1;
            COUNTER
        }
    }
    ```

    ## Use instead
    ```rust
    use std::sync::atomic::{AtomicU64, Ordering};

    static COUNTER: AtomicU64 = AtomicU64::new(0);

    pub fn bump() -> u64 {
        COUNTER.fetch_add(1, Ordering::Relaxed) + 1
    }
    ```

    ## References
    - rustc: `static_mut_refs`
    - The Rust Edition Guide, "Disallow references to static mut"
    - std: `std::sync::atomic`, `std::sync::OnceLock`, `std::sync::LazyLock`, `std::sync::Mutex`
    """

    name = "static-mut"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(nodes("static_item"), matcher=_mutable_statics),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        item = captures["match"][0]
        if items.enclosing(item, ("foreign_mod_item",)) is not None:
            return  # `extern { static mut errno: c_int; }` has no safe spelling
        if _exported_symbol(item):
            return  # its layout and mutability are an interface that foreign code writes to
        name = items.item_name(item)
        ctx.report(
            self,
            item,
            f"`static mut {name}`: every access is unsafe and racy across threads",
            "use an atomic, a `Mutex`, or `OnceLock`/`LazyLock` (or a `thread_local!` cell)",
            end=item.child_by_field_name("name") or captures["mut"][0],
        )


# Attributes that export a static as a linker symbol (`#[unsafe(no_mangle)]` in edition 2024).
_EXPORTING = frozenset({"no_mangle", "export_name", "link_section"})


def _exported_symbol(item: Node) -> bool:
    """True for `#[no_mangle]`, `#[export_name = ..]` or `#[link_section = ..]` statics."""
    for attr in items.attributes_of(item):
        path = items.attribute_path(attr)
        if path == "unsafe":  # `#[unsafe(no_mangle)]`
            path = items.attribute_arguments(attr).strip("() ").split("=", 1)[0].strip()
        if path in _EXPORTING:
            return True
    return False
