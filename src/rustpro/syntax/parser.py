"""The Rust grammar, one parser per process, and compiled queries cached by text."""

from __future__ import annotations

import functools
import importlib.machinery

import tree_sitter


def _rust_grammar() -> object:
    """`tree_sitter_rust.language()`, read from the package's compiled binding alone.

    The package's `__init__` imports `importlib.resources` (with tempfile, shutil, random,
    bz2 and lzma) for query files rustpro never reads: 4 ms of every start, a twenty-fifth of
    a one-file audit. `find_spec` of a top-level package finds it without running it; a
    package laid out otherwise is imported as usual. (The path finder and the loader's own
    `create_module`, not `importlib.util`'s `find_spec` and `module_from_spec`: importing
    `importlib.util` and its abstract base classes was for these two calls alone.)
    """
    package = importlib.machinery.PathFinder.find_spec("tree_sitter_rust")
    places = package.submodule_search_locations if package is not None else None
    binding = (
        importlib.machinery.PathFinder.find_spec("tree_sitter_rust._binding", list(places))
        if places
        else None
    )
    if binding is not None and isinstance(binding.loader, importlib.machinery.ExtensionFileLoader):
        try:
            module = binding.loader.create_module(binding)
            binding.loader.exec_module(module)
            grammar: object = module.language()
            return grammar
        except (ImportError, AttributeError):
            pass
    import tree_sitter_rust

    return tree_sitter_rust.language()


RUST = tree_sitter.Language(_rust_grammar())


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


def kind_ids(kind: str) -> frozenset[int]:
    """Every `Node.kind_id` a named node of `kind` can have (aliases give some kinds two).

    Comparing ids is cheaper than reading `Node.type`, which builds a new string each time.
    """
    return _named_kind_ids().get(kind, frozenset())


@functools.cache
def _named_kind_ids() -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for kind_id in range(RUST.node_kind_count):
        if RUST.node_kind_is_named(kind_id):
            name = RUST.node_kind_for_id(kind_id)
            if name is not None:
                found.setdefault(name, set()).add(kind_id)
    return {name: frozenset(ids) for name, ids in found.items()}
