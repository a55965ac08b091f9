"""What benchmarks measure: calls inside measured loops, benchmark ids and bench functions.

Runs only on bench files, over the tree the collector already parsed.
"""

from __future__ import annotations

import tree_sitter
from tree_sitter import Node

from rustpro.profile.scan import FileScan
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

_BENCH_PATTERNS = r"""
(call_expression function: [
   (identifier) @callee
   (scoped_identifier name: (identifier) @callee)
   (field_expression field: (field_identifier) @callee)
   (generic_function function: [(identifier) @callee
                                (scoped_identifier name: (identifier) @callee)])])
; Calls written inside macro arguments (`assert!(set.is_match(x))`) are unparsed tokens:
; a name followed by a parenthesised group.
((token_tree (identifier) @callee . (token_tree) @_args) (#match? @_args "^\\("))
(call_expression
  function: (field_expression field: (field_identifier) @_m
    (#any-of? @_m "bench_function" "benchmark_group" "bench_with_input"))
  arguments: (arguments . (string_literal) @bench.id))
(call_expression
  function: (scoped_identifier) @_p (#eq? @_p "BenchmarkId::new")
  arguments: (arguments . (string_literal) @bench.id))
"""
# Methods whose closure argument is the measured loop of criterion, divan and bencher.
_BENCH_LOOPS = frozenset(
    {"iter", "iter_batched", "iter_batched_ref", "iter_with_setup", "iter_with_large_drop",
     "iter_custom", "bench_local", "bench_refs", "bench_values", "bench"}
)  # fmt: skip
_BENCH_FN_ATTRIBUTES = frozenset(
    {"bench", "divan::bench", "library_benchmark", "iai_callgrind::library_benchmark"}
)


def collect_bench_calls(scan: FileScan, root: Node) -> None:
    """Record benchmark ids, bench functions, and calls made inside measured code."""
    query = compile_query(_BENCH_PATTERNS)
    for _, captures in tree_sitter.QueryCursor(query).matches(root):
        if "bench.id" in captures:
            literal = captures["bench.id"][0]
            name = items.text(literal).strip('"')
            scan.facts.bench_ids.append(scan.place(name, literal))
        elif "callee" in captures and _in_measured_code(captures["callee"][0]):
            callee = captures["callee"][0]
            scan.facts.bench_calls.append(scan.place(items.text(callee), callee))
    for node in _bench_functions(root):
        name = items.item_name(node)
        scan.facts.bench_ids.append(scan.place(name, node))


def _in_measured_code(call: Node) -> bool:
    for parent in items.ancestors(call):
        if parent.type == "closure_expression":
            arguments = items.parent(parent)
            caller = items.parent(arguments) if arguments is not None else None
            if caller is not None and caller.type == "call_expression":
                function = caller.child_by_field_name("function")
                if function is not None and function.type == "field_expression":
                    method = items.text(function.child_by_field_name("field"))
                    if method in _BENCH_LOOPS:
                        return True
        if parent.type == "function_item":
            return any(
                items.attribute_path(a) in _BENCH_FN_ATTRIBUTES for a in items.attributes_of(parent)
            )
    return False


def _bench_functions(root: Node) -> list[Node]:
    query = compile_query("(function_item) @fn")
    found: list[Node] = []
    for _, captures in tree_sitter.QueryCursor(query).matches(root):
        function = captures["fn"][0]
        if any(
            items.attribute_path(a) in _BENCH_FN_ATTRIBUTES for a in items.attributes_of(function)
        ):
            found.append(function)
    return found
