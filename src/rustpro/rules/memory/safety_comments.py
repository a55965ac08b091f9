"""Where a comment that justifies a piece of unsafe code may stand, and what it must say.

Comments are ordinary sibling nodes in tree-sitter's tree, so every question here looks at a
few siblings of a node and never walks further than the statement that holds it. Siblings and
parents come from the file's ancestry (`items.previous`, `items.parent`): tree-sitter finds
them by a descent from the root. What holds along the way from a node up to its statement is
folded from the root down, once per node: unsafe blocks nest, and a climb from each of them to
its statement is quadratic.

A justification is a `// SAFETY:` note, or a comment in the same place that argues soundness
in other words: "Safe due to `#[repr(transparent)]`", "the pointer is not null because ..",
"as long as T: Send, it's fine to share ..". Many mature crates wrote theirs before the
`SAFETY:` convention; what a reviewer needs is the argument, not the keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from rustpro.syntax import ancestry, items

# `// SAFETY: ..` in any case, or a `# Safety` heading in a doc comment (`/// # Safety`).
_SAFETY = re.compile(r"\bsafety\s*:|#\s*safety\b", re.IGNORECASE)
# Words of an argument about soundness: what is guaranteed, valid, initialised, in bounds,
# owned, exclusive, aligned, guarded or synchronised, or what must (not) happen.
_SOUNDNESS_WORDS = re.compile(
    r"\b(?:safe(?:ly|ty)?|sound(?:ness)?|guarantee[sd]?|ensure[sd]?|invariants?"
    r"|(?:in)?valid(?:ity)?|null|non-null|dangling|(?:mis)?aligned|alignment"
    r"|(?:un)?initiali[sz]ed|uninit|bounds|outlives?|lifetimes?|exclusive(?:ly)?"
    r"|unique(?:ly)?|alias(?:es|ed|ing)?|owns|owned|ownership|owner"
    r"|contract|uphold(?:s)?|upheld|precondition|requirements?|layout|transparent"
    r"|data races?|guarded|synchroni[sz](?:ed|ation)|happens[- ]before|must"
    r"|(?:it's|it is|is) fine|fine to|ok to|okay to)\b",
    re.IGNORECASE,
)
# What an argument for `unsafe impl Send`/`Sync` speaks of: the traits (case matters: "send"
# and "sync" are ordinary verbs) and threads. Above a block, threads are mostly the topic of
# the code itself ("mark the main loop as a higher-priority thread").
_THREAD_WORDS = re.compile(r"\b(?:Send|Sync|[Tt]hreads?)\b")
# A comment that says the code is wrong or unfinished argues nothing.
_NOT_AN_ARGUMENT = re.compile(r"\b(?:FIXME|TODO|XXX|HACK)\b|\bunsound\b", re.IGNORECASE)
_COMMENTS = frozenset({"line_comment", "block_comment"})
# Statement lists: the node whose parent is one of these is the statement holding an expression.
_STATEMENT_LISTS = frozenset({"block", "declaration_list", "source_file"})


def is_safety_comment(node: Node | None) -> bool:
    """True for a comment whose text holds `SAFETY:` (any case) or a `# Safety` heading."""
    return node is not None and node.type in _COMMENTS and bool(_SAFETY.search(items.text(node)))


def argues_soundness(text: str, *, about_threads: bool = False) -> bool:
    """True for prose that argues why unsafe code is sound, with or without `SAFETY:`.

    `about_threads`: the code is an `unsafe impl` of `Send`/`Sync`-like traits, where words
    about threads argue its case.
    """
    if _SAFETY.search(text):
        return True
    if _NOT_AN_ARGUMENT.search(text):
        return False
    if _SOUNDNESS_WORDS.search(text):
        return True
    return about_threads and bool(_THREAD_WORDS.search(text))


def _comment_run_above(node: Node) -> list[Node]:
    """The comments written directly above `node`, nearest first (attributes may sit between)."""
    comments: list[Node] = []
    sibling = items.previous(node)
    while sibling is not None and (sibling.type in _COMMENTS or sibling.type == "attribute_item"):
        if sibling.type in _COMMENTS:
            comments.append(sibling)
        sibling = items.previous(sibling)
    return comments


def _justifies(comments: list[Node], *, about_threads: bool = False) -> bool:
    """True when a run of comments (one note written over several lines) argues soundness."""
    if not comments:
        return False
    if any(is_safety_comment(c) for c in comments):
        return True
    text = "\n".join(items.text(c) for c in comments)
    return argues_soundness(text, about_threads=about_threads)


def justification_above(node: Node, *, about_threads: bool = False) -> bool:
    """True when the comments written directly above `node` justify it.

    Attributes may sit between the comment and the node; anything else ends the search, so a
    comment above an earlier statement never counts.
    """
    return _justifies(_comment_run_above(node), about_threads=about_threads)


def safety_note_above(node: Node) -> bool:
    """True when the comments directly above `node` hold a `// SAFETY:` note.

    Stricter than `justification_above`: above an item, prose with "must" or "valid" in it
    is as likely to describe what the item does as to argue why code in it is sound.
    """
    return any(is_safety_comment(c) for c in _comment_run_above(node))


def justification_opening(body: Node | None, *, about_threads: bool = False) -> bool:
    """True when a `{ .. }` body (block or declaration list) starts with a justification."""
    if body is None:
        return False
    opening: list[Node] = []
    for child in body.children:
        if child.type == "{":
            continue
        if child.type not in _COMMENTS:
            break
        opening.append(child)
    return _justifies(opening, about_threads=about_threads)


def justification_trailing(holder: Node, row: int, *, about_threads: bool = False) -> bool:
    """True when a justifying comment follows `holder` on source row `row` (0-based)."""
    sibling = items.following(holder)
    return (
        sibling is not None
        and sibling.start_point.row == row
        and sibling.type in _COMMENTS
        and _justifies([sibling], about_threads=about_threads)
    )


def justification_in_chain(call: Node) -> bool:
    """True when a justification stands in a method chain right before `.method(..)`.

    `cell\\n    // SAFETY: ..\\n    .with_mut(|p| unsafe { .. })`: the comment is a child of the
    call's field expression, just before its `.`.
    """
    function = call.child_by_field_name("function")
    if call.type != "call_expression" or function is None:
        return False
    if function.type != "field_expression":
        return False
    dot = next((c for c in function.children if c.type == "."), None)
    return dot is not None and _justifies(_comment_run_above(dot))


def holding_statement(node: Node) -> Node:
    """The statement (or item) that holds `node`: `node` itself or its ancestor whose parent is
    a statement list (a block, a declaration list, the file)."""
    way = ancestry.folded(node, _way_step, _AROUND_ROOT)
    return way.statement if way.statement is not None else node


def justified_up_to_statement(node: Node) -> bool:
    """True when a justification stands above `node` or above one of its ancestors up to the
    statement that holds it, or in a method chain among them (`justification_in_chain`)."""
    return ancestry.folded(node, _way_step, _AROUND_ROOT).justified


@dataclass(frozen=True, slots=True)
class _Way:
    """What holds on the way from a node up to its statement."""

    lists: bool  # the node is a statement list: each of its children is a statement
    statement: Node | None  # the statement the way ends at
    justified: bool  # a justification above a node on the way, or in a chain on it


_AROUND_ROOT = _Way(True, None, False)


def _way_step(around: _Way, node: Node) -> _Way:
    lists = node.type in _STATEMENT_LISTS
    if around.lists:  # `node` is a statement: the way starts and ends here
        return _Way(lists, node, _justified_at(node))
    return _Way(lists, around.statement, around.justified or _justified_at(node))


def _justified_at(node: Node) -> bool:
    return justification_above(node) or justification_in_chain(node)
