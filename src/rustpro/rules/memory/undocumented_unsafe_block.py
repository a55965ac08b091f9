"""undocumented-unsafe-block."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import in_derived_code, is_generated_file
from rustpro.rules.memory.safety_comments import (
    holding_statement,
    safety_comment_above,
    safety_comment_opening,
    safety_comment_trailing,
)


class UndocumentedUnsafeBlock(FileRule):
    """Flags `unsafe { }` blocks that no `// SAFETY:` comment justifies.

    ## What it does
    Finds `unsafe` blocks, including `let x = unsafe { .. };` and blocks inside `unsafe fn`s,
    with no comment containing `SAFETY:` (any case) on the lines right above the statement
    that holds the block (or right above the block itself, or the arm/argument it is part of),
    at the start of the block, or after the statement on the block's first line. Blocks in
    items marked `#[automatically_derived]` were written by a derive macro and are left alone.

    ## Why is this bad?
    An `unsafe` block is a promise that the compiler cannot check. Without a written argument
    for why the invariants hold, a reviewer cannot check it either, and the next edit nearby
    may silently break it.

    ## Example
    ```rust
    pub fn first(v: &[u8]) -> u8 {
        assert!(!v.is_empty());
        unsafe { *v.get_unchecked(0) }
    }
    ```

    ## Use instead
    ```rust
    pub fn first(v: &[u8]) -> u8 {
        assert!(!v.is_empty());
        // SAFETY: the assert above guarantees index 0 is in bounds.
        unsafe { *v.get_unchecked(0) }
    }
    ```

    ## References
    - clippy: `undocumented_unsafe_blocks`
    - The Rustonomicon, "Working with Unsafe"
    - Rust std-dev guide, "Safety comments"
    """

    name = "undocumented-unsafe-block"
    clippy_twins = ("undocumented_unsafe_blocks",)
    node_kinds: ClassVar[tuple[str, ...]] = ("unsafe_block",)

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        block = captures["match"][0]
        if _documented(block) or in_derived_code(block):
            return
        keyword = block.children[0] if block.children else block
        ctx.report(
            self,
            keyword,
            "`unsafe` block without a `// SAFETY:` comment",
            "write `// SAFETY: ..` above it, saying why every invariant the block relies on holds",
            end=block,
        )


def _documented(block: Node) -> bool:
    """True when some accepted place near the block holds a `SAFETY:` comment."""
    if safety_comment_opening(_inner_block(block)):
        return True
    chain = holding_statement(block)
    if any(safety_comment_above(node) for node in chain):
        return True
    return safety_comment_trailing(chain[-1], block.start_point.row)


def _inner_block(unsafe_block: Node) -> Node | None:
    return next((c for c in unsafe_block.children if c.type == "block"), None)
