"""Where a module's documentation can live, for rules that ask whether a module is documented.

A `pub mod name;` is documented by outer docs on the declaration or by `//!` inner docs at the
top of the module's own file. The file pass sees only one file at a time, so every file with
inner docs (or `#![allow(missing_docs)]`, `#![doc(hidden)]`) records the fact
`INNER_DOCS_FACT` (value: its path), and a finding on an undocumented declaration is gated on
that fact being absent for each file the module could live in.
"""

from __future__ import annotations

import posixpath

from tree_sitter import Node

from rustpro.engine.context import FactGate
from rustpro.syntax import items

INNER_DOCS_FACT = "docs.file-has-inner-docs"

# File stems whose child modules live next to them rather than in a directory named after them.
_MOD_RS_STEMS = frozenset({"lib", "main", "mod"})


def is_inner_doc(node: Node) -> bool:
    """True for `//!`, `/*! */` and `#![doc = ..]` (not `#![doc(..)]` settings)."""
    if node.type in ("line_comment", "block_comment"):
        return node.child_by_field_name("inner") is not None
    if node.type == "inner_attribute_item":
        return items.attribute_path(node) == "doc" and not items.attribute_arguments(
            node
        ).startswith("(")
    return False


def inline_module_documented(module: Node) -> bool:
    """True when an inline `mod name { .. }` starts its body with inner docs."""
    body = module.child_by_field_name("body")
    if body is None:
        return False
    for child in body.named_children:
        if is_inner_doc(child):
            return True
        if child.type not in ("line_comment", "block_comment", "inner_attribute_item"):
            return False
    return False


def module_file_gates(relpath: str, module: Node) -> tuple[FactGate, ...]:
    """Gates that stand only if none of the files `mod name;` may refer to has inner docs.

    The declaring file does not know whether it is a crate root (roots keep child modules
    beside them), so both layouts are covered: a wrong extra candidate can only silence a
    finding, never invent one.
    """
    name = items.item_name(module).removeprefix("r#")  # `mod r#async;` is `async.rs`
    chain = [items.item_name(m) for m in items.ancestors(module) if m.type == "mod_item"]
    chain.reverse()
    directory, filename = posixpath.split(relpath)
    stem = posixpath.splitext(filename)[0]
    bases = [posixpath.join(directory, *chain)]
    if stem not in _MOD_RS_STEMS:
        bases.append(posixpath.join(directory, stem, *chain))
    path_attr = next(
        (
            items.attribute_arguments(a).strip().strip('"')
            for a in items.attributes_of(module)
            if items.attribute_path(a) == "path"
        ),
        None,
    )
    candidates: list[str] = []
    for base in bases:
        if path_attr:
            candidates.append(posixpath.normpath(posixpath.join(base, path_attr)))
            candidates.append(posixpath.normpath(posixpath.join(directory, path_attr)))
        else:
            candidates.append(posixpath.join(base, f"{name}.rs"))
            candidates.append(posixpath.join(base, name, "mod.rs"))
    unique = dict.fromkeys(candidates)
    return tuple(FactGate(INNER_DOCS_FACT, path, absent=True) for path in unique)
