"""Syntax questions the thread and async rules share: paths, `use` aliases, async bodies, guards.

Everything here looks at one node and its near surroundings (its enclosing function, block or
the file's top-level `use` items) so rules can call it per match without a full-tree walk.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.syntax import ancestry, items
from rustpro.syntax.spelled import identifiers_spelled

Aliases = dict[str, tuple[str, ...]]

_SEGMENT_KINDS = frozenset(
    {"identifier", "type_identifier", "self", "crate", "super", "metavariable"}
)
# Boundaries past which a node no longer runs in the enclosing async body.
_BODY_BOUNDARIES = frozenset({"function_item", "closure_expression", "async_block"})
# Iterator and Option/Result combinators run their closure inline, on the caller's thread.
INLINE_COMBINATORS = frozenset(
    {
        "map",
        "for_each",
        "filter",
        "filter_map",
        "flat_map",
        "and_then",
        "or_else",
        "map_err",
        "map_or",
        "map_or_else",
        "unwrap_or_else",
        "ok_or_else",
        "then",
        "fold",
        "try_fold",
        "try_for_each",
        "any",
        "all",
        "find",
        "find_map",
        "position",
        "inspect",
        "take_while",
        "skip_while",
        "get_or_insert_with",
        "or_insert_with",
    }
)


# ----- paths and `use` aliases ---------------------------------------------------------------
def path_segments(node: Node | None) -> tuple[str, ...] | None:
    """The segments of a path expression or type (`std::fs::read` -> ("std", "fs", "read")).

    Generic arguments are dropped (`Vec::<u8>::new` -> ("Vec", "new")); None when the node is
    not a plain path (a method call, a qualified `<T as Trait>::f` path, ...).
    """
    if node is None:
        return None
    kind = node.type
    if kind in _SEGMENT_KINDS:
        return (items.text(node),)
    if kind in ("scoped_identifier", "scoped_type_identifier"):
        name = node.child_by_field_name("name")
        if name is None:
            return None
        prefix = node.child_by_field_name("path")
        if prefix is None:  # `::std::fs` -> an absolute path
            return (items.text(name),)
        head = path_segments(prefix)
        return None if head is None else (*head, items.text(name))
    if kind == "generic_type":
        return path_segments(node.child_by_field_name("type"))
    if kind == "generic_function":
        return path_segments(node.child_by_field_name("function"))
    return None


def _use_entries(node: Node, prefix: tuple[str, ...], out: Aliases) -> None:
    kind = node.type
    if kind in ("scoped_use_list", "use_list"):
        base = prefix
        path = node.child_by_field_name("path")
        if path is not None:
            segments = path_segments(path)
            if segments is None:
                return
            base = (*prefix, *segments)
        inner = node.child_by_field_name("list") if kind == "scoped_use_list" else node
        for child in inner.named_children if inner is not None else ():
            _use_entries(child, base, out)
    elif kind == "use_as_clause":
        segments = path_segments(node.child_by_field_name("path"))
        alias = items.text(node.child_by_field_name("alias"))
        if segments is not None and alias and alias != "_":
            full = (*prefix, *segments)
            out[alias] = full[:-1] if full[-1] == "self" else full
    else:
        segments = path_segments(node)
        if segments is None:
            return
        full = (*prefix, *segments)
        if full[-1] == "self":
            full = full[:-1]
        if full:
            out[full[-1]] = full


def _collect_uses(container: Node, out: Aliases) -> None:
    for child in container.named_children:
        if child.type == "use_declaration":
            argument = child.child_by_field_name("argument")
            if argument is not None:
                _use_entries(argument, (), out)


_FILE_ALIASES: list[tuple[FileContext, Aliases]] = []


def file_aliases(ctx: FileContext) -> Aliases:
    """The names the file's top-level `use` declarations bring in, mapped to their full paths.

    Computed once per file (a worker analyses one file at a time).
    """
    if _FILE_ALIASES and _FILE_ALIASES[0][0] is ctx:
        return _FILE_ALIASES[0][1]
    aliases: Aliases = {}
    _collect_uses(ctx.tree.root_node, aliases)
    _FILE_ALIASES[:] = [(ctx, aliases)]
    return aliases


def aliases_at(node: Node, ctx: FileContext) -> Aliases:
    """The `use` aliases visible at `node`: its module's, plus those of enclosing blocks.

    An inline `mod` starts a fresh namespace (it does not see the file's imports); function
    bodies and blocks see their module's imports and add their own.
    """
    # Folded from the root down, once per scope: climbing from every call, and reading
    # every enclosing block's statements again, grew with the square of the nesting.
    return ancestry.folded(node, _aliases_inside, file_aliases(ctx), around=True)


def _aliases_inside(around: Aliases, node: Node) -> Aliases:
    """The aliases visible inside `node`, given those visible around it."""
    kind = node.type
    if kind == "declaration_list" and _is_module_body(node):
        base: Aliases = {}  # an inline module does not see the file's imports
    elif kind == "block":
        base = around
    else:
        return around
    if not any(child.type == "use_declaration" for child in node.named_children):
        return base
    local = dict(base)  # inner imports win
    _collect_uses(node, local)
    return local


def _is_module_body(declarations: Node) -> bool:
    parent = items.parent(declarations)
    return parent is not None and parent.type == "mod_item"


def resolve(segments: tuple[str, ...], aliases: Aliases) -> tuple[str, ...]:
    """The full path of `segments` after replacing an imported first segment."""
    if segments and segments[0] in aliases:
        return (*aliases[segments[0]], *segments[1:])
    return segments


def resolved_callee(call: Node, ctx: FileContext) -> tuple[str, ...] | None:
    """The full path a plain function call calls (`fs::read` -> std::fs::read), or None."""
    segments = path_segments(call.child_by_field_name("function"))
    if segments is None:
        return None
    return resolve(segments, aliases_at(call, ctx))


def _method_field(call: Node) -> Node | None:
    # `x.name(..)` or, with a turbofish, `x.name::<T>(..)` (a generic_function around it).
    function = call.child_by_field_name("function")
    if function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return None
    return function


def method_name(call: Node) -> str:
    """The method of a method call `x.name(..)` or `x.name::<T>(..)` ("" for other calls)."""
    function = _method_field(call)
    return items.text(function.child_by_field_name("field")) if function is not None else ""


def method_receiver(call: Node) -> Node | None:
    """The receiver `x` of a method call `x.name(..)` or `x.name::<T>(..)`."""
    function = _method_field(call)
    return function.child_by_field_name("value") if function is not None else None


def argument_count(call: Node) -> int:
    """How many arguments a call passes."""
    arguments = call.child_by_field_name("arguments")
    return arguments.named_child_count if arguments is not None else 0


def compact(node: Node | None) -> str:
    """A node's text without whitespace, for comparing receiver paths."""
    return "".join(items.text(node).split())


# ----- async bodies --------------------------------------------------------------------------
def _is_async_closure(closure: Node) -> bool:
    return any(child.type == "async" for child in closure.children)


def _body_of(node: Node) -> Node | None:
    if node.type == "async_block":
        return next((c for c in node.named_children if c.type == "block"), None)
    return node.child_by_field_name("body")


def async_body(node: Node) -> Node | None:
    """The body of the async fn, async block or async closure `node` runs in directly.

    None when a sync fn or sync closure lies in between: code there does not run as part
    of the future (or cannot hold anything across its awaits).
    """
    return ancestry.folded(node, _async_body_inside, None, around=True)


def _async_body_inside(around: Node | None, node: Node) -> Node | None:
    """The async body code inside `node` runs in directly (see `async_body`)."""
    kind = node.type
    if kind == "function_item":
        return _body_of(node) if items.is_async_fn(node) else None
    if kind == "async_block":
        return _body_of(node)
    if kind == "closure_expression":
        return _body_of(node) if _is_async_closure(node) else None
    return around


def executing_async_body(node: Node) -> Node | None:
    """Like `async_body`, but looks through sync closures that run inline in the future.

    A closure handed to an iterator or Option combinator (`.map(|p| fs::read(p))`) runs on
    the executor thread; any other sync closure (given to `spawn_blocking`, a thread, stored
    for later) may run elsewhere, so code inside it is not counted as async.
    """
    return ancestry.folded(node, _executing_body_inside, None, around=True)


def _executing_body_inside(around: Node | None, node: Node) -> Node | None:
    """The async body code inside `node` executes in (see `executing_async_body`)."""
    if node.type == "closure_expression" and not _is_async_closure(node):
        return around if _runs_inline(node) else None
    return _async_body_inside(around, node)


def _runs_inline(closure: Node) -> bool:
    arguments = items.parent(closure)
    if arguments is None or arguments.type != "arguments":
        return False
    call = items.parent(arguments)
    return call is not None and method_name(call) in INLINE_COMBINATORS


def same_body(node: Node, body: Node) -> bool:
    """True when `node` runs in `body` itself, not in a nested closure, async block or fn."""
    # `body` is the body of a boundary (a fn, closure or async block): `node` runs in it
    # when that boundary is the nearest one around `node` and `node` lies in the body.
    boundary = items.enclosing(node, _BODY_BOUNDARIES)
    return (
        boundary is not None
        and boundary == items.parent(body)
        and body.start_byte <= node.start_byte
        and node.end_byte <= body.end_byte
        and node != body
    )


# ----- lock guards ---------------------------------------------------------------------------
_LOCK_METHODS = frozenset({"lock", "read", "write"})
_POISON_UNWRAPS = frozenset({"unwrap", "expect", "unwrap_or_else"})
_STD_STREAMS = frozenset({"stdin", "stdout", "stderr"})


@dataclass(frozen=True, slots=True)
class LockCall:
    """One lock acquisition: `recv.lock()` and how its result is taken."""

    call: Node  # the `recv.lock()` call
    receiver: str  # `self.users`, whitespace removed
    method: str  # lock, read or write
    style: str  # "poison" (`.unwrap()`-ed std lock), "await" (async lock) or "bare"
    outer: Node  # the whole acquisition expression (with `.unwrap()` / `.await`)


def lock_call(call: Node, plain_rwlocks: bool = False) -> LockCall | None:
    """The lock acquisition `call` starts, when it is `x.lock()` / `x.read()` / `x.write()`.

    `read`/`write` count only when unwrapped or awaited, as std and tokio RwLock guards are,
    or when `plain_rwlocks` says the file uses a lock crate whose guards come bare
    (`parking_lot`); elsewhere a bare `.read()` is more often some other call.
    """
    method = method_name(call)
    if method not in _LOCK_METHODS or argument_count(call) != 0:
        return None
    receiver = method_receiver(call)
    if receiver is None or _is_std_stream(receiver):
        return None
    outer = call
    style = "bare"
    parent = items.parent(call)
    if parent is not None and parent.type == "await_expression":
        style, outer = "await", parent
    elif parent is not None and parent.type == "field_expression":
        unwrap_call = items.parent(parent)
        if (
            unwrap_call is not None
            and unwrap_call.type == "call_expression"
            and method_name(unwrap_call) in _POISON_UNWRAPS
        ):
            style, outer = "poison", unwrap_call
    if method != "lock" and style == "bare" and not plain_rwlocks:
        return None
    return LockCall(call, compact(receiver), method, style, outer)


def _is_std_stream(receiver: Node) -> bool:
    # `io::stdout().lock()` is a stream lock, not a data lock.
    if receiver.type != "call_expression":
        return False
    segments = path_segments(receiver.child_by_field_name("function"))
    return segments is not None and segments[-1] in _STD_STREAMS


@dataclass(frozen=True, slots=True)
class GuardBinding:
    """A lock guard bound to a variable: `let name = recv.lock().unwrap();`."""

    lock: LockCall
    name: str
    declaration: Node  # the let declaration
    scope: Node  # the block the guard lives in
    held_until: int  # byte offset where the guard goes away (drop, move into a call, scope end)


# ----- nodes by position ----------------------------------------------------------------------
# Guard rules ask what happens while a guard is held: which locks are taken, where it is moved,
# which awaits follow. Each question scanned the rest of the guard's block, so guards nested
# in guards grew with the square of the nesting; during a file pass the file's nodes of each
# kind are listed once instead, by position, and each question is a search.
NodeIndex = tuple[list[int], list[Node]]  # start bytes (sorted) and the nodes there


def node_index(scope: Node, key: str, collect: Callable[[Node], Iterable[Node]]) -> NodeIndex:
    """The nodes `collect` finds, by start byte: of the whole file during a file pass (built
    once per `key`), else of `scope`."""
    tree = ancestry.current()
    memo: dict[str, NodeIndex] = tree.memo("node_index") if tree is not None else {}
    index = memo.get(key)
    if index is None:
        found = sorted(collect(tree.root if tree is not None else scope), key=_start)
        index = memo[key] = ([node.start_byte for node in found], found)
    return index


def between(index: NodeIndex, start: int, end: int) -> list[Node]:
    """The nodes of `index` that start in `[start, end)`, in document order."""
    starts, nodes = index
    return nodes[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]


def _start(node: Node) -> int:
    return node.start_byte


def lock_calls(root: Node) -> Iterator[Node]:
    """Every `x.lock()`, `x.read()`, `x.write()` call (any arguments), for `node_index`: the
    calls of a field expression whose field is one of those names, found by a byte search
    for the names (a query of their own, `(call_expression function: (field_expression))
    @call`, cost tree-sitter ~30 M instructions of analysis in every run that compiled it;
    tests/test_query_rewrites.py compares them). In document order, outer calls first."""
    found: list[Node] = []
    base = root.start_byte
    token_at = items.token_lookup(root)
    for hit in _LOCK_WORDS.finditer(root.text or b""):
        at = base + hit.start()
        name = token_at(at)
        if name is None or name.type != "field_identifier" or name.start_byte != at:
            continue
        if name.end_byte != base + hit.end():
            continue  # a longer name (`read_to_string`)
        function = items.parent(name)
        call = items.parent(function) if function is not None else None
        if (
            function is not None
            and function.type == "field_expression"
            and call is not None
            and call.type == "call_expression"
            and items.fills_field(call, "function", function)
            and items.fills_field(function, "field", name)
        ):
            found.append(call)
    # Found by the place of their names: `a.lock().b.lock()`'s inner call first. A query
    # gives each node before the nodes inside it.
    found.sort(key=_outer_first)
    return iter(found)


def _outer_first(node: Node) -> tuple[int, int]:
    return node.start_byte, -node.end_byte


_LOCK_WORDS = re.compile(b"|".join(sorted(name.encode() for name in _LOCK_METHODS)))


def guard_binding(lock: LockCall) -> GuardBinding | None:
    """The variable binding that keeps `lock`'s guard alive, when the guard is bound at all."""
    declaration = items.parent(lock.outer)
    if declaration is None or declaration.type != "let_declaration":
        return None
    if declaration.child_by_field_name("value") != lock.outer:
        return None
    if declaration.child_by_field_name("alternative") is not None:  # `let .. else`
        return None
    pattern = declaration.child_by_field_name("pattern")
    if pattern is None or pattern.type != "identifier":
        return None  # `let _ = ..` drops at once; destructuring is too rare to guess at
    scope = items.parent(declaration)
    if scope is None or scope.type != "block":
        return None
    name = items.text(pattern)
    return GuardBinding(lock, name, declaration, scope, _dropped_at(name, declaration, scope))


def _dropped_at(name: str, declaration: Node, scope: Node) -> int:
    # The earliest `drop(name)` (or other by-value pass) after the binding, anywhere in the
    # scope: a drop in one branch is taken as a drop, so the rules err towards silence.
    moves = node_index(scope, f"arguments named {name}", lambda root: moved_arguments(root, name))
    first = between(moves, declaration.end_byte, scope.end_byte)[:1]
    return first[0].start_byte if first else scope.end_byte


def moved_arguments(root: Node, name: str) -> list[Node]:
    """Every identifier `name` passed as a call argument (`drop(guard)`, `consume(guard)`) in
    `root`'s subtree, for `node_index` (by name: each guard asks about its own).

    Found by a byte search for the name (`identifiers_spelled`): a query of the argument
    lists of the whole file, `(arguments) @arguments`, cost tree-sitter ~20 M instructions of
    analysis in every run that compiled it (tests/test_query_rewrites.py compares them).
    """
    found: list[Node] = []
    for token in identifiers_spelled(root, name.encode()):
        parent = items.parent(token)
        if parent is not None and parent.type == "arguments":
            found.append(token)
    return found


_PLAIN_LOCK_CRATES = frozenset({"parking_lot", "spin", "lock_api"})


def imports_plain_locks(node: Node, ctx: FileContext) -> bool:
    """True when `node`'s scope imports a lock crate whose `lock()` returns the guard itself."""
    return any(path[0] in _PLAIN_LOCK_CRATES for path in aliases_at(node, ctx).values() if path)


def enclosing_impl_type(node: Node) -> str:
    """The type name of the `impl` block `node` sits in ("" outside impls)."""
    impl = items.enclosing(node, ("impl_item",))
    return items.type_name(impl.child_by_field_name("type")) if impl is not None else ""
