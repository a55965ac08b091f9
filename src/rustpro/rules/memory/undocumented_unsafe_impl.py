"""undocumented-unsafe-impl."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import in_derived_code, is_generated_file
from rustpro.rules.memory.safety_comments import (
    justification_above,
    justification_opening,
    justification_trailing,
)
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items


class UndocumentedUnsafeImpl(FileRule):
    """Flags `unsafe impl` blocks that no comment justifies.

    ## What it does
    Finds `unsafe impl Send for T`, `unsafe impl Sync for T` and implementations of any other
    unsafe trait with no justifying comment right above the `impl` (attributes may sit
    between), at the start of its body, or after it on the same line. A comment justifies
    when it holds `SAFETY:` (any case) or a `# Safety` heading, or argues soundness in other
    words ("as long as T: Send, it's fine to share ..", "guarded by the lock", "the pointer is
    owned"); one that says FIXME, TODO or "unsound" does not. A run of `unsafe impl`s on
    consecutive lines (`Send` then `Sync` for the same type) shares the comment above the
    first. Impls in items marked `#[automatically_derived]` were written by a derive macro
    and are left alone.

    ## Why is this bad?
    Implementing an unsafe trait asserts something the compiler could not prove: that the type
    may cross threads, that a buffer is really initialised. If the reason is not written down,
    a later field added to the type can make the claim false without anyone noticing.

    ## Example
    ```rust
    pub struct Handle(*mut u8);

    unsafe impl Send for Handle {}
    ```

    ## Use instead
    ```rust
    pub struct Handle(*mut u8);

    // SAFETY: the pointer is owned and only dereferenced behind `&mut self`.
    unsafe impl Send for Handle {}
    ```

    ## References
    - clippy: `undocumented_unsafe_blocks` (also covers `unsafe impl`)
    - The Rustonomicon, "Send and Sync"
    """

    name = "undocumented-unsafe-impl"
    clippy_twins = ("undocumented_unsafe_blocks",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("impl_item"),
            '(impl_item "unsafe" @keyword) @match',
            needs=(b"unsafe",),
            needs_before_body=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        impl = captures["match"][0]
        if (
            justification_above(_group_head(ctx, impl), about_threads=True)
            or justification_opening(impl.child_by_field_name("body"), about_threads=True)
            or justification_trailing(impl, impl.start_point.row, about_threads=True)
        ):
            return
        if in_derived_code(impl):
            return  # written by a derive macro, not by hand
        trait = items.type_name(impl.child_by_field_name("trait")) or "an unsafe trait"
        header_end = impl.child_by_field_name("type") or captures["keyword"][0]
        ctx.report(
            self,
            captures["keyword"][0],
            f"`unsafe impl` of `{trait}` without a `// SAFETY:` comment",
            "write `// SAFETY: ..` above it, saying why the type upholds the trait's contract",
            end=header_end,
        )


_GROUPS = "undocumented-unsafe-impl/group-head"


def _group_head(ctx: FileContext, impl: Node) -> Node:
    """The first of a run of `unsafe impl`s written on consecutive lines (no blank line).

    `unsafe impl Send for T {}` directly followed by `unsafe impl Sync for T {}` is one
    decision, and one comment above the pair documents both. Each impl's head is kept for the
    file: thousands of `unsafe impl`s in a run made each one walk back to the first.
    """
    heads: dict[int, Node] = ctx.memo(_GROUPS)
    walked: list[Node] = []
    head = impl
    while head.id not in heads:
        walked.append(head)
        previous = items.previous(head)
        if not (
            previous is not None
            and previous.type == "impl_item"
            and any(c.type == "unsafe" for c in previous.children)
            and previous.end_point.row + 1 == head.start_point.row
        ):
            break
        head = previous
    else:
        head = heads[head.id]
    for step in walked:
        heads[step.id] = head
    return head
