"""clone-in-loop-iterable."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.bindings import Binding, find_binding, used_after
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax import items

# Cloning these is cheap or needed: ranges are small structs, and a borrowed collection's
# clone is how you get owned items (`.iter().cloned()` is a different fix).
_CHEAP_TYPES = frozenset({"Range", "RangeInclusive", "Rc", "Arc"})
# Methods whose result is a fresh owned value, never a borrow of the receiver.
_OWNED_PRODUCERS = frozenset({"collect", "to_vec", "to_owned", "clone", "split_off"})


class CloneInLoopIterable(FileRule):
    """Flags `for x in v.clone()` when `v` is not used again.

    ## What it does
    Finds `for` loops that iterate `v.clone()`, `v.clone().into_iter()` or `v.clone().iter()`
    where `v` is a plain local variable or by-value parameter of the enclosing function that is
    not mentioned again from the loop on (in its body or after it). It stays quiet when `v` is
    a reference or a range, when the loop sits in another loop or a closure that `v` was bound
    outside of, and whenever it cannot find `v`'s `let` or parameter.

    ## Why is this bad?
    The clone copies the whole collection, element by element, only for the copy to be consumed
    by the loop while the original is dropped unused. Iterating `v` itself (or `&v`) does the
    same work without the allocation and the copies.

    ## Example
    ```rust
    pub fn shout(words: Vec<String>) -> String {
        let mut out = String::new();
        for word in words.clone() {
            out.push_str(&word.to_uppercase());
        }
        out
    }
    ```

    ## Use instead
    ```rust
    pub fn shout(words: Vec<String>) -> String {
        let mut out = String::new();
        for word in words {
            out.push_str(&word.to_uppercase());
        }
        out
    }
    ```

    ## References
    - clippy: `redundant_clone` (the general case, with type information)
    - The Rust Performance Book, "Heap Allocations"
    """

    name = "clone-in-loop-iterable"
    clippy_twins = ("redundant_clone",)
    # Every `for` loop, matched in Python (`_cloned_iterable`) rather than by a query pattern:
    # tree-sitter's analysis of the two nested patterns cost ~7 ms of each run's query
    # compilation, more than the loops of a large crate cost to look at.
    patterns: ClassVar[tuple[Pattern, ...]] = (Pattern(nodes("for_expression")),)

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        found = _cloned_iterable(captures["match"][0])
        if found is None:
            return
        var, args, iter_args, iterable = found
        extra_args = [] if iter_args is None else [iter_args]
        if args.named_child_count or any(a.named_child_count for a in extra_args):
            return
        function = items.enclosing(var, ("function_item", "closure_expression"))
        if function is None or function.type != "function_item":
            return  # a closure may run many times: its captures cannot simply be moved
        name = items.text(var)
        binding = find_binding(var, name, function)
        if binding is None or not _owned(binding):
            return
        if binding.loops_between or binding.deferred_between:
            return  # the loop body runs again, or later: `v` is still needed
        if used_after(function, iterable.end_byte, name):
            return
        ctx.report(
            self,
            var,
            f"`{name}` is cloned only to be iterated and is not used again",
            f"iterate `{name}` itself (or `&{name}`) instead of a copy",
            end=args,
        )


def _cloned_iterable(loop: Node) -> tuple[Node, Node, Node | None, Node] | None:
    """What `for _ in v.clone()`, `v.clone().iter()` or `v.clone().into_iter()` iterates: the
    variable `v`, the clone's arguments, the `iter` call's arguments (None without one) and
    the iterated call; None for any other loop.

    The same matches as the query patterns
    `(for_expression value: (call_expression function: (field_expression value: (identifier)
    @var field: (field_identifier) @clone) arguments: (arguments) @args) @iterable)` with
    `@clone` "clone", and its form with `.iter()`/`.into_iter()` (`@iter_args`) on top.
    """
    iterable = loop.child_by_field_name("value")
    if iterable is None:
        return None
    clone = _clone_of_variable(iterable)
    if clone is not None:
        return clone[0], clone[1], None, iterable
    method = _method_call(iterable, ("iter", "into_iter"))
    if method is None:
        return None
    receiver, iter_args = method
    clone = _clone_of_variable(receiver)
    if clone is None:
        return None
    return clone[0], clone[1], iter_args, iterable


def _clone_of_variable(node: Node | None) -> tuple[Node, Node] | None:
    """`v.clone()` with `v` an identifier: `v` and the call's arguments, else None."""
    method = _method_call(node, ("clone",))
    if method is None:
        return None
    receiver, arguments = method
    if receiver is None or receiver.type != "identifier":
        return None
    return receiver, arguments


def _method_call(node: Node | None, names: tuple[str, ...]) -> tuple[Node | None, Node] | None:
    """`receiver.name(..)` with `name` one of `names`: the receiver and the arguments node."""
    if node is None or node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    if function is None or function.type != "field_expression":
        return None
    if arguments is None or arguments.type != "arguments":
        return None
    method = function.child_by_field_name("field")
    if method is None or method.type != "field_identifier" or items.text(method) not in names:
        return None
    return function.child_by_field_name("value"), arguments


def _owned(binding: Binding) -> bool:
    """True when the binding is surely an owned collection, so its clone is a real copy."""
    declared = binding.type
    if declared is not None:
        # `Vec<T>`, `HashMap<K, V>`, `std::collections::VecDeque<T>`: an owned generic type.
        return declared.type == "generic_type" and items.type_name(declared) not in _CHEAP_TYPES
    if binding.is_parameter:
        return False
    return _produces_owned(binding.value)


def _produces_owned(value: Node | None) -> bool:
    """True for initializers that build a new value rather than borrow one."""
    if value is None:
        return False
    if value.type in ("macro_invocation", "array_expression", "struct_expression"):
        return True
    if value.type != "call_expression":
        return False
    function = value.child_by_field_name("function")
    if function is None:
        return False
    if function.type == "field_expression":
        method = items.text(function.child_by_field_name("field"))
        return method in _OWNED_PRODUCERS
    # `Vec::new()`, `load(path)`: constructors and free functions (methods may lend).
    return function.type in ("identifier", "scoped_identifier", "generic_function")
