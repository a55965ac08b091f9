"""The Rust grammar, one parser per process, and compiled queries cached by text."""

from __future__ import annotations

import functools

import tree_sitter
import tree_sitter_rust

RUST = tree_sitter.Language(tree_sitter_rust.language())


@functools.cache
def _parser() -> tree_sitter.Parser:
    # One parser per process: creating one is cheap but not free, and workers reuse it.
    return tree_sitter.Parser(RUST)


def parse(source: bytes) -> tree_sitter.Tree:
    """Parse Rust source bytes into a syntax tree (never raises on bad syntax)."""
    return _parser().parse(source)


@functools.cache
def compile_query(text: str) -> tree_sitter.Query:
    """Compile a query once per process; raises `tree_sitter.QueryError` on a bad query."""
    return tree_sitter.Query(RUST, text)


def rooted_cursor(query: tree_sitter.Query) -> tree_sitter.QueryCursor:
    """A cursor for `query` that starts matches only at the node it is run on.

    Reusable: each `matches(node)` call starts afresh.
    """
    cursor = tree_sitter.QueryCursor(query)
    cursor.set_max_start_depth(0)
    return cursor


def node_kind_exists(kind: str) -> bool:
    """True when `kind` is a named node kind of the Rust grammar."""
    return RUST.id_for_node_kind(kind, True) is not None
