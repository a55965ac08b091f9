"""unsafe-fn-missing-safety-doc."""

from __future__ import annotations

import re
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Captures, Pattern, nodes
from rustpro.syntax import items

# Prose that states a contract without the heading: "This function is unsafe as ..", "calling
# it with .. is undefined behaviour", "the caller must ensure ..", ".. the contract that ..",
# "it is up to the caller to ensure ..", "the user is responsible for ensuring ..".
_CONTRACT_PROSE = re.compile(
    r"\bunsafe (?:because|as|since|if|when|unless)\b|undefined behaviou?r|\bcontract\b"
    r"|\bcallers? must\b|\bup to the (?:caller|user)\b|\b(?:caller|user) is responsible\b"
    r"|\bmust (?:ensure|guarantee|uphold)\b",
    re.IGNORECASE,
)
# A Markdown link `[label](target)` or `[label]`: the label names an item, the target may be a
# rustdoc URL (`trait.FromRawHandle.html#tymethod.from_raw_handle`, `fn.read.html`).
_LINK = re.compile(r"\[([^\]]+)\](?:\(([^)]*)\))?")
_URL_ITEM = re.compile(r"(?:#(?:ty)?method\.|/fn\.)([A-Za-z_][A-Za-z0-9_]*)")


# The rule's patterns, matched in Python: a query pattern costs tree-sitter milliseconds of
# analysis in every run.


def _unsafe_functions(function: Node) -> list[Captures]:
    """The matches of the pattern `(function_item (function_modifiers "unsafe") name: (_)
    @name) @match` (or `function_signature_item`) rooted at the item."""
    name = function.child_by_field_name("name")
    if name is None or not name.is_named:
        return []
    for child in function.children:
        if child.start_byte >= name.start_byte:
            break  # the modifiers come before the name
        if child.type == "function_modifiers" and _has_token(child, "unsafe"):
            return [{"name": [name], "match": [function]}]
    return []


def _unsafe_traits(trait: Node) -> list[Captures]:
    """The matches of the pattern `(trait_item "unsafe" name: (_) @name) @match` rooted at a
    trait item."""
    name = trait.child_by_field_name("name")
    if name is None or not name.is_named:
        return []
    if not _has_token(trait, "unsafe", before=name.start_byte):
        return []
    return [{"name": [name], "match": [trait]}]


def _has_token(node: Node, token: str, before: int = -1) -> bool:
    """True when one of `node`'s children (starting before byte `before`, when given) is the
    anonymous token `token`."""
    for child in node.children:
        if 0 <= before <= child.start_byte:
            return False
        if child.type == token and not child.is_named:
            return True
    return False


class UnsafeFnMissingSafetyDoc(FileRule):
    """Flags public `unsafe fn`s and unsafe traits whose docs state no safety contract.

    ## What it does
    Finds `unsafe fn`s (free functions, inherent methods, trait methods) and `unsafe trait`s
    that are public API of the library and whose doc comment states no contract: no
    `# Safety` heading (any level), no prose that states it without the heading ("This
    function is unsafe as ..", "undefined behaviour", "the caller must ensure ..", "it is up
    to the caller ..", "the contract"), and no link to an item of the same name elsewhere,
    the item it mirrors (`See [`std::os::fd::FromRawFd::from_raw_fd`](..)`), whose docs state
    it. Private items,
    `pub(crate)` items, `#[doc(hidden)]` items and methods of trait impls (documented by their
    trait) are left alone, as are docs pulled in with `#[doc = include_str!(..)]`, which cannot
    be read here.

    ## Why is this bad?
    Calling an `unsafe fn` or implementing an `unsafe trait` is only sound when the caller
    upholds conditions the compiler cannot check. If the docs do not say what they are, every
    caller has to guess, and a wrong guess is undefined behaviour.

    ## Example
    ```rust
    /// Reads the byte at `index`.
    pub unsafe fn byte_at(data: &[u8], index: usize) -> u8 {
        // SAFETY: forwarded to the caller.
        unsafe { *data.get_unchecked(index) }
    }
    ```

    ## Use instead
    ```rust
    /// Reads the byte at `index`.
    ///
    /// # Safety
    /// `index` must be less than `data.len()`.
    pub unsafe fn byte_at(data: &[u8], index: usize) -> u8 {
        // SAFETY: the caller guarantees `index < data.len()`.
        unsafe { *data.get_unchecked(index) }
    }
    ```

    ## References
    - clippy: `missing_safety_doc`
    - Rust API Guidelines, C-FAILURE: "Unsafe functions document their safety requirements"
    """

    name = "unsafe-fn-missing-safety-doc"
    clippy_twins = ("missing_safety_doc",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("function_item"),
            matcher=_unsafe_functions,
            needs=(b"unsafe",),
            needs_before_body=True,
            public_only=True,
        ),
        Pattern(
            nodes("function_signature_item"),
            matcher=_unsafe_functions,
            needs=(b"unsafe",),
            needs_before_body=True,
            public_only=True,
        ),
        Pattern(
            nodes("trait_item"),
            matcher=_unsafe_traits,
            needs=(b"unsafe",),
            needs_before_body=True,
            public_only=True,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        item = captures["match"][0]
        if _has_unreadable_docs(item):
            return
        name = captures["name"][0]
        if _states_contract(items.doc_text(item), ctx.text(name)):
            return
        gate = ctx.public_gate(item)
        if gate is None:
            return
        what = "unsafe trait" if item.type == "trait_item" else "unsafe fn"
        ctx.report(
            self,
            name,
            f"public {what} `{ctx.text(name)}` has no `# Safety` section in its docs",
            "add a `# Safety` section listing what callers (or implementors) must guarantee",
            gate=gate,
        )


def _has_unreadable_docs(item: Node) -> bool:
    """True when a `#[doc = ..]` attribute takes its text from a macro such as `include_str!`."""
    for attr in items.attributes_of(item):
        if items.attribute_path(attr) != "doc":
            continue
        attribute = next((c for c in attr.named_children if c.type == "attribute"), None)
        value = attribute.child_by_field_name("value") if attribute is not None else None
        if value is not None and value.type == "macro_invocation":
            return True
    return False


def _states_contract(docs: str | None, name: str) -> bool:
    """True when the docs say what callers must uphold, or point to the item that does.

    A `# Safety` section; prose that states the contract without the heading ("This function
    is unsafe as the handle must be owned .."); or a link to an item of the same name
    elsewhere, the item this one mirrors (`See [`std::os::fd::FromRawFd::from_raw_fd`](..)`),
    whose docs state the contract.
    """
    if not docs:
        return False
    if items.has_doc_section(docs, "Safety") or _CONTRACT_PROSE.search(docs):
        return True
    return _links_same_named_item(docs, name)


def _links_same_named_item(docs: str, name: str) -> bool:
    """True when a link in `docs` names another path's item called `name`."""
    for match in _LINK.finditer(docs):
        label = match.group(1).strip("` ")
        if "::" in label and label.rsplit("::", 1)[-1].removesuffix("()") == name:
            return True
        target = match.group(2) or ""
        if any(found == name for found in _URL_ITEM.findall(target)):
            return True
    return False
