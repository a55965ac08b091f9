"""Where a panic site sits and how a reviewer would weigh it; shared by the panic rules.

unwrap-in-production, expect-in-production, panic-in-production and missing-panics-doc all
ask the same questions about a site: which function owns it, is it inside a `static`
initialiser or a `macro_rules!` template, does the function document its panics, does a
trait's contract demand the panic, does a guard just before prove it cannot happen, and is it
the failure of an operation over runtime data or a broken invariant?

The answer has three outcomes (`Verdict`): ACCEPTED (a reviewer would accept the panic: not
reported), NOTE (an invariant: worth a look, not a fix) and WARNING (a panic on input or I/O
that the caller or the environment controls, or one that bypasses the function's own error
channel). The rules' docs spell out the shapes.

Every question is answered once per node or function and kept in `ctx.memo`: the rules see
every `.unwrap()` of a file, and walking a site's ancestors for each of them is quadratic in
a long method chain (2,000 chained `.unwrap()`s nest 2,000 calls deep), all the more since
tree-sitter finds a node's parent by descending from the root.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tree_sitter
from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.model import Severity
from rustpro.rules.errors.signatures import (
    foreign_result,
    return_type,
    type_arguments,
    type_path,
)
from rustpro.rules.errors.write_targets import (
    IO_WRITE_METHODS,
    WRITE_MACROS,
    receiver_target,
    write_target,
)
from rustpro.rules.signature import impl_of
from rustpro.rules.support import ASSERT_MACROS
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query
from rustpro.syntax.spelled import identifiers_spelled

_SCOPES = "panic-sites/scope"
_AROUND = "panic-sites/around"
_FUNCTIONS = "panic-sites/function"
_GUARDS = "panic-sites/guards"
_HELPERS = "panic-sites/helper"
_ARROWS = "panic-sites/span-arrows"
_DEBUG = "panic-sites/debug-only"
_BLOCK_FRAMES = "panic-sites/block-frame"
_STATEMENT_ROWS = "panic-sites/statement-rows"
_GUARD_FRAMES = "panic-sites/guard-frame"
_COMMENTS_ABOVE = "panic-sites/comments-above"
_TRAILING_COMMENTS = "panic-sites/trailing-comment"
_T = TypeVar("_T")
# What a name's bytes may not follow to be a name of its own (`\\w`, and `.` of a field).
_NAME_OR_DOT_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


class Verdict(enum.Enum):
    """How a reviewer weighs a panic site."""

    ACCEPTED = "accepted"  # the panic is the right call here: not reported
    NOTE = "note"  # an internal invariant: worth a look
    WARNING = "warning"  # runtime input, I/O or the function's own error channel: fix it


@dataclass(frozen=True, slots=True)
class Judgement:
    """A verdict and the reason, a clause the rules put in their message."""

    verdict: Verdict
    reason: str = ""


# The opt-in group of the sites that rest on the program's own invariants (NOTE verdicts).
INVARIANT_GROUP = "pedantic"


def tier_severity(judgement: Judgement) -> Severity:
    """The severity a judged site is reported with: a warning, or a note for an invariant."""
    return Severity.WARNING if judgement.verdict is Verdict.WARNING else Severity.NOTE


def tier_group(judgement: Judgement) -> str:
    """The group a judged site is reported in: the rule's own, or the opt-in one for an
    invariant ("" means the rule's group)."""
    return "" if judgement.verdict is Verdict.WARNING else INVARIANT_GROUP


# ---------------------------------------------------------------------------------------------
# Scopes: what encloses a node, memoised per node.

_STATIC_KINDS = frozenset({"const_item", "static_item", "const_block"})
_CLOSURE_KINDS = frozenset({"closure_expression", "async_block"})
# Macros whose body declares statics initialised on first use.
_STATIC_MACROS = frozenset({"lazy_static", "thread_local"})
# Macros whose tokens are code a proc macro emits (`quote! { #x.unwrap() }`): generated code
# for the macro's user, not calls the proc macro makes; like a `macro_rules!` body, a template.
_QUOTE_MACROS = frozenset({"quote", "quote_spanned", "parse_quote", "parse_quote_spanned"})


@dataclass(frozen=True, slots=True, eq=False)
class Scope:
    """The frame around a node: its function, closure, block and the contexts it is in.

    `outer` links to the enclosing frame, so a walk over blocks hops frame to frame instead
    of node to node.
    """

    node: Node | None  # the frame: a function, closure, block, static, macro call; None: file
    outer: Scope | None
    function: Node | None  # the nearest `fn` item
    closure: Node | None  # the nearest closure or async block inside `function`
    static_init: bool  # a `const`/`static` initialiser, `const { }` or `lazy_static!` body
    template: bool  # a `macro_rules!` body or `quote!` tokens: a template, not code that runs
    assertion: bool  # the arguments of an `assert!`-family macro


_FILE_SCOPE = Scope(None, None, None, None, False, False, False)


def scope_of(ctx: FileContext, node: Node) -> Scope:
    """The frame `node` sits in (not counting `node` itself).

    Known frames are kept per node, both the frame inside a node and the frame around it:
    a method chain nests each call in the next, and the frame around `x.unwrap()` is also
    the one around `x`, so a chain's calls are answered without asking for their parents
    (each such question descends from the root in tree-sitter).
    """
    around: dict[int, Scope] = ctx.memo(_AROUND)
    scope = around.get(node.id)
    if scope is None:
        parent = items.parent(node)
        scope = _FILE_SCOPE if parent is None else _scope_inside(ctx, parent)
        around[node.id] = scope
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        value = function.child_by_field_name("value") if function is not None else None
        if function is not None and value is not None and function.type == "field_expression":
            around[function.id] = scope
            around[value.id] = scope
    if scope.template and _in_span_expression(ctx, scope.node, node):
        return scope.outer or _FILE_SCOPE
    return scope


def _in_span_expression(ctx: FileContext, frame: Node | None, node: Node) -> bool:
    """True for a node in the span of `quote_spanned!(span_expr=> tokens)`: the expression
    before `=>` runs in the proc macro; only the tokens after it are a template."""
    if frame is None or frame.type != "macro_invocation":
        return False
    arrows: dict[int, int] = ctx.memo(_ARROWS)
    arrow = arrows.get(frame.id)
    if arrow is None:
        arrow = -1
        name = items.macro_name(frame).rsplit("::", 1)[-1]
        tokens = next((c for c in frame.named_children if c.type == "token_tree"), None)
        if name.endswith("_spanned") and tokens is not None:
            found = next((c for c in tokens.children if c.type == "=>"), None)
            arrow = found.start_byte if found is not None else -1
        arrows[frame.id] = arrow
    return node.start_byte < arrow


def _scope_inside(ctx: FileContext, node: Node) -> Scope:
    """The frame that holds `node`'s children, from the nearest ancestor already known.

    A few steps up usually meet a known frame. When they do not (the first site of a file,
    or the innermost call of a deep chain), the path is taken from the root down instead:
    `Node.parent` costs a descent from the root each time, so a long climb is quadratic.
    """
    memo: dict[int, Scope] = ctx.memo(_SCOPES)
    path: list[Node] = []
    current: Node | None = node
    scope = _FILE_SCOPE
    for _ in range(_CLIMB):
        if current is None:
            break
        known = memo.get(current.id)
        if known is not None:
            scope = known
            break
        path.append(current)
        current = items.parent(current)
    else:
        path = _path_from_root(ctx.tree.root_node, node)
        start = 0
        for index in range(len(path) - 1, -1, -1):
            known = memo.get(path[index].id)
            if known is not None:
                scope, start = known, index + 1
                break
        path = path[start:]
        path.reverse()
    around: dict[int, Scope] = ctx.memo(_AROUND)
    for step in reversed(path):
        around.setdefault(step.id, scope)
        scope = _enter(scope, step)
        memo[step.id] = scope
    return scope


# Parents asked for before the path to a node is taken from the root down instead.
_CLIMB = 24


def _path_from_root(root: Node, node: Node) -> list[Node]:
    """`root`, its child holding `node`, and so on down to `node` itself."""
    path = [root]
    current = root
    while current.id != node.id:
        child = current.child_with_descendant(node)
        if child is None:
            break
        path.append(child)
        current = child
    return path


def _outward(
    memo: dict[Scope, _T],
    scope: Scope,
    step: Callable[[Scope, _T], _T],
    beyond: _T,
    *,
    same_closure: bool = False,
) -> _T:
    """A value per frame, from the frames of one function (of one closure, with
    `same_closure`): the value at a frame is `step(frame, value at the frame around it)`, and
    `beyond` around the function's outermost frame. Kept in `memo`, so each frame is worked
    out once: the questions a site asks of every frame around it (is one a debug-only `if`,
    which statements hold the site) made each site of n nested blocks walk n frames.
    """
    pending: list[Scope] = []
    current = scope
    value = beyond
    while current.node is not None:
        if current in memo:
            value = memo[current]
            break
        pending.append(current)
        outer = current.outer if current.outer is not None else _FILE_SCOPE
        if outer.function is not current.function or (
            same_closure and outer.closure is not current.closure
        ):
            break
        current = outer
    for frame in reversed(pending):
        value = memo[frame] = step(frame, value)
    return value


def _enter(scope: Scope, node: Node) -> Scope:
    """The frame inside `node`, given the frame around it."""
    kind = node.type
    if kind == "function_item":
        return Scope(node, scope, node, None, False, scope.template, False)
    if kind in _CLOSURE_KINDS:
        return Scope(node, scope, scope.function, node, scope.static_init, scope.template, False)
    if kind == "block":
        return Scope(
            node,
            scope,
            scope.function,
            scope.closure,
            scope.static_init,
            scope.template,
            scope.assertion,
        )
    if kind in _STATIC_KINDS:
        return _flagged(scope, node, static_init=True)
    if kind == "macro_definition":
        return _flagged(scope, node, template=True)
    if kind == "macro_invocation":
        name = items.macro_name(node).rsplit("::", 1)[-1]
        if name in ASSERT_MACROS or name.startswith("prop_assert"):
            return _flagged(scope, node, assertion=True)
        if name in _STATIC_MACROS:
            return _flagged(scope, node, static_init=True)
        if name in _QUOTE_MACROS:
            return _flagged(scope, node, template=True)
        return scope
    if kind == "match_arm" and _arm_guard(node) is not None:
        # `_ if v.parse::<i64>().is_ok() => v.parse::<i64>().unwrap()`: a frame whose guard
        # `guarded` reads like an `if` around the arm's value.
        return _flagged(scope, node)
    if kind == "token_tree" and _follows_macro_rules(node):
        return _flagged(scope, node, template=True)
    return scope


def _flagged(
    scope: Scope,
    node: Node,
    *,
    static_init: bool = False,
    template: bool = False,
    assertion: bool = False,
) -> Scope:
    return Scope(
        node,
        scope,
        scope.function,
        scope.closure,
        scope.static_init or static_init,
        scope.template or template,
        scope.assertion or assertion,
    )


def _arm_guard(arm: Node) -> Node | None:
    """The `if` condition of a `match` arm (`pattern if condition => ..`), if it has one."""
    pattern = arm.child_by_field_name("pattern")
    return pattern.child_by_field_name("condition") if pattern is not None else None


def _follows_macro_rules(tokens: Node) -> bool:
    """True for the `{ .. }` of the tokens `macro_rules ! name { .. }` inside another macro."""
    name = items.previous(tokens)
    bang = items.previous(name) if name is not None else None
    keyword = items.previous(bang) if bang is not None else None
    return (
        keyword is not None
        and bang is not None
        and bang.type == "!"
        and keyword.type == "identifier"
        and keyword.text == b"macro_rules"
    )


# ---------------------------------------------------------------------------------------------
# Functions: their error channel, panic docs and trait contract, once per function.

# Methods whose trait makes a panic part of the contract: `Index::index` panics on a missing
# key by definition; `Future::poll` may panic when polled after it completed.
_INDEX_METHODS = {"Index": "index", "IndexMut": "index_mut"}
_POLL_METHODS = {"Future": "poll", "Stream": "poll_next"}


@dataclass(frozen=True, slots=True)
class FunctionFacts:
    """What a function's signature, docs and impl say about panics in it."""

    error_channel: str  # "Result" or "Option" when the caller could be told; "" otherwise
    # What its docs say about panics, from a `# Panics` heading or prose that says it panics
    # on; "" when they say nothing. A trait impl member's are its trait declaration's.
    panics_docs: str
    contract: str  # "index" or "poll" when a trait's contract allows the panic; "" otherwise
    private: bool  # no `pub` of any kind: only its own module calls it
    parameters: frozenset[str]  # the names its parameters bind (not `self`)

    @property
    def documents_panics(self) -> bool:
        """Its docs say when it panics, under a `# Panics` heading or in prose."""
        return bool(self.panics_docs)


def function_facts(ctx: FileContext, function: Node) -> FunctionFacts:
    """The facts of `function`, worked out once."""
    memo: dict[int, FunctionFacts] = ctx.memo(_FUNCTIONS)
    found = memo.get(function.id)
    if found is None:
        docs = panics_text(items.doc_text(function))
        if not docs and impl_of(function) is not None:
            docs = panics_text(_declared_docs(ctx, function))
        found = memo[function.id] = FunctionFacts(
            _error_channel(function),
            docs,
            _contract(function),
            items.visibility(function) == "",
            _parameter_names(function),
        )
    return found


# A fenced code block (an unclosed one runs to the end, as rustdoc reads it): examples.
@functools.cache
def _fence() -> re.Pattern[str]:
    return re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1|\Z)", re.DOTALL | re.MULTILINE)


# Prose that says the function panics, without a `# Panics` heading: "**Panics** if ..",
# "Panics if `index` is out of bounds." (a sentence of its own, whose subject is the
# function), "this method will panic", "This will panic otherwise", "always panics", "This
# function panics when ..". Not "never panics", "will not panic", nor another function's
# panic mid-sentence ("`IoSlice::new` panics on buffers over 4 GiB").
@functools.cache
def _panics_prose() -> re.Pattern[str]:
    return re.compile(
        r"\*{1,3}panics?\*{1,3}"
        r"|(?:^|[.!?:;]\s+)[ \t]*(?-i:Panics)\b"
        r"|\b(?:this|it|the|that)\s+(?:(?:function|method|call|constructor|operation)\s+)?"
        r"(?:will|may|might|can|could|would|always|also)\s+panic\b"
        r"|\b(?:this|the)\s+(?:function|method|call|constructor)\s+(?:always\s+)?panics\b"
        r"|\balways\s+panics\b"
        # "It panics if ..", not "if it panics" (a closure's, a callback's).
        r"|(?<!if )\b(?:this|it)\s+(?:also\s+|always\s+)?panics\b"
        # What the caller does, as the subject: "Calling `f(true)` .. will panic if ..".
        r"|\b(?:calling|passing|using|providing|giving|setting)\b[^.;]*?"
        r"\b(?:will|may|might|can|could|would)\s+panic\b",
        re.IGNORECASE | re.MULTILINE,
    )


# The word every way of documenting panics spells, as `_panics_prose` (case-insensitive) and
# the heading's `.lower()` compare it: docs without it (most docs) say nothing of panics, and
# this search costs a twentieth of removing their examples and searching the prose.
@functools.cache
def _panic_word() -> re.Pattern[str]:
    return re.compile("panic", re.IGNORECASE)


def panics_text(docs: str | None) -> str:
    """The part of `docs` that documents panics, from the `# Panics` heading or the first
    prose that says the function panics to the end; "" when the docs say nothing of it."""
    if not docs or _panic_word().search(docs) is None:
        return ""
    if items.has_doc_section(docs, "Panics"):
        return docs[docs.find("Panics") :]
    prose = _fence().sub("", docs)
    found = _panics_prose().search(prose)
    return prose[found.start() :] if found is not None else ""


_TRAITS = "panic-sites/traits"


def _declared_docs(ctx: FileContext, function: Node) -> str | None:
    """The docs of the trait method a trait impl member implements, when the trait is
    declared in the same file (`impl Finish for IResult` documents nothing itself)."""
    impl = impl_of(function)
    trait = impl.child_by_field_name("trait") if impl is not None else None
    if trait is None:
        return None
    declaration = _trait_named(ctx, type_path(trait)[-1:] or ("",))
    body = declaration.child_by_field_name("body") if declaration is not None else None
    name = items.item_name(function)
    for member in body.named_children if body is not None else ():
        kind = member.type
        if kind in ("function_item", "function_signature_item") and items.item_name(member) == name:
            return items.doc_text(member)
    return None


def _trait_named(ctx: FileContext, name: tuple[str, ...]) -> Node | None:
    """The `trait` item of this file called `name[0]`, found by its bytes once per file."""
    memo: dict[str, Node | None] = ctx.memo(_TRAITS)
    if not name or not name[0]:
        return None
    if name[0] not in memo:
        found: Node | None = None
        # No leading `\b`: a regex that begins with one is tried at every byte (ten times
        # slower over a file); the byte before each hit is checked instead.
        pattern = rb"trait(?=\s+" + re.escape(name[0].encode()) + rb"\b)"
        for hit in re.finditer(pattern, ctx.source):
            if items.after_word_byte(ctx.source, hit.start()):
                continue
            keyword = ctx.ancestry.node_at(hit.start(), hit.start() + 5)
            holder = items.parent(keyword) if keyword is not None else None
            if holder is not None and holder.type == "trait_item":
                found = holder
                break
        memo[name[0]] = found
    return memo[name[0]]


def _error_channel(function: Node) -> str:
    """ "Result"/"Option" when the declared return type is one (also inside `Poll<..>`).

    Not the `fmt::Result` of a formatting trait's `fmt`: it may only pass on the
    formatter's own error (`to_string()` panics on any other), so it is no channel for a
    failure of the value being formatted. Nor a `Result` that is not std's (`C::Result`).
    """
    declared = return_type(function)
    path = type_path(declared)
    if path and path[-1] == "Poll":
        arguments = type_arguments(declared)
        declared = arguments[0] if arguments else None
        path = type_path(declared)
    if not path:
        return ""
    if path[-1].endswith("Result"):
        if _formats(function) or foreign_result(declared, function):
            return ""
        return "Result"
    return "Option" if path[-1] == "Option" else ""


def _formats(function: Node) -> bool:
    """True for `fn fmt` of a trait impl (`Display`, `Debug`, `LowerHex`, ..)."""
    impl = impl_of(function)
    return (
        items.item_name(function) == "fmt"
        and impl is not None
        and impl.child_by_field_name("trait") is not None
    )


def _parameter_names(function: Node) -> frozenset[str]:
    """Names bound by plain `name: Type` parameters (patterns such as `(a, b): T` are skipped)."""
    parameters = function.child_by_field_name("parameters")
    names: set[str] = set()
    for parameter in parameters.named_children if parameters is not None else ():
        pattern = parameter.child_by_field_name("pattern")
        if parameter.type == "parameter" and pattern is not None:
            if pattern.type == "mut_pattern" and pattern.named_child_count:
                pattern = pattern.named_children[-1]
            if pattern.type == "identifier":
                names.add(items.text(pattern))
    return frozenset(names)


def _contract(function: Node) -> str:
    impl = impl_of(function)
    trait = impl.child_by_field_name("trait") if impl is not None else None
    if trait is None:
        return ""
    trait_name = type_path(trait)[-1:] or ("",)
    name = items.item_name(function)
    if _INDEX_METHODS.get(trait_name[0]) == name:
        return "index"
    if _POLL_METHODS.get(trait_name[0]) == name:
        return "poll"
    return ""


def feeds_error_channel(ctx: FileContext, function: Node) -> bool:
    """True for a private helper whose every use in this file is in a function that returns
    `Result`/`Option`: its panic is one its callers could have returned instead.

    Uses in other files (child modules) are not seen: the helper then counts on this file's
    callers alone.
    """
    memo: dict[int, bool] = ctx.memo(_HELPERS)
    found = memo.get(function.id)
    if found is None:
        found = memo[function.id] = _feeds_error_channel(ctx, function)
    return found


def _feeds_error_channel(ctx: FileContext, function: Node) -> bool:
    if not function_facts(ctx, function).private:
        return False
    name = items.item_name(function)
    if not name:
        return False
    callers = 0
    for hit in re.finditer(re.escape(name.encode()) + rb"\b", ctx.source):
        start = hit.start()
        if items.after_word_byte(ctx.source, start):
            continue  # the end of a longer name (a leading `\b` would search ten times slower)
        if function.start_byte <= start < function.end_byte:
            continue  # its own name, or recursion
        use = ctx.ancestry.node_at(start, hit.end())
        if use is None or use.type != "identifier":
            continue  # in a comment or string, or part of a path we cannot follow
        caller = scope_of(ctx, use).function
        if caller is None or not function_facts(ctx, caller).error_channel:
            return False
        callers += 1
    return callers > 0


def _words(text: str) -> frozenset[str]:
    """A set of names written as one string of words (long lists stay readable)."""
    return frozenset(text.split())


# ---------------------------------------------------------------------------------------------
# Receivers: what the value an `unwrap`/`expect` is called on came from.

# Operations that fail on what they are given at run time: parsing, decoding and text
# conversion of input, file system, network, process and environment access, and the typed
# accessors of dynamic values (`serde_json::Value::as_object`). Known by the name of the call:
# free functions and associated functions (`fs::read_to_string(p)`, `u8::from_str_radix(s,
# 16)`) by these names ...
_RUNTIME_FUNCTIONS = _words(
    "from_str from_str_radix from_slice from_reader from_value from_utf8 from_utf16 "
    "from_hex decode read read_to_string read_dir write open create create_new "
    "create_dir create_dir_all remove_file remove_dir remove_dir_all rename copy "
    "metadata canonicalize connect bind var var_os current_dir current_exe"
)
# The I/O among them, which fails whatever its arguments.
_IO_OPERATIONS = _words(
    "read read_to_string read_dir write open create create_new create_dir create_dir_all "
    "remove_file remove_dir remove_dir_all rename copy metadata canonicalize connect bind "
    "accept var var_os current_dir current_exe read_to_end read_exact read_line write_all "
    "flush output status wait_with_output lock"
)
# Names of constructors, parsers and conversions: on literals they fail on every run or never.
_CONSTRUCTOR = re.compile(r"new|parse\w*|from\w*|try_\w+|with_\w+|compile|build|decode\w*")
# ... and methods by these (`s.parse()`, `path.to_str()`, `file.read_to_end(&mut buf)`).
_RUNTIME_METHODS = _words(
    "parse decode decode_utf8 to_str into_string as_str as_object as_object_mut "
    "as_array as_array_mut as_i64 as_u64 as_f64 as_bool read_to_string read_to_end "
    "read_exact read_line write_all flush open metadata canonicalize connect accept "
    "output status wait_with_output"
)
# Lookups, iterator steps, checked arithmetic and conversions of in-memory values: `None` or
# `Err` here means the program's own state is not what the author assumed (an invariant), not
# that input or the environment failed, even when the value was awaited.
_IN_MEMORY = _words(
    "as_ref as_mut as_deref as_deref_mut take replace first last first_mut last_mut "
    "front back next next_back nth peek pop pop_front pop_back get get_mut "
    "get_key_value remove parent file_name file_stem extension min max min_by_key "
    "max_by_key min_by max_by find find_map position rposition split_once rsplit_once "
    "strip_prefix strip_suffix upgrade downcast downcast_ref downcast_mut try_into "
    "try_from checked_add checked_sub checked_mul checked_div checked_rem checked_pow "
    "checked_neg checked_shl checked_shr unwrap_err cast current"
)
# `x.lock().unwrap()`: fails only when another thread panicked while holding the lock.
_LOCKS = frozenset({"lock", "read", "write"})
# Accessors that are `None` only on an empty collection (`first`) or a missing key (`get`),
# the two facts a guard can prove; consuming ones use up what the guard proved.
_NONEMPTY_ACCESSORS = frozenset(
    {"first", "last", "first_mut", "last_mut", "front", "back", "split_first", "split_last"}
)
_NONEMPTY_CONSUMERS = frozenset({"pop", "pop_front", "pop_back"})
_ITERATOR_STEPS = frozenset({"next", "max", "min", "next_back"})
_ITERATORS = frozenset({"iter", "iter_mut", "chars", "bytes", "keys", "values"})
_KEY_ACCESSORS = frozenset({"get", "get_mut"})
_KEY_CONSUMERS = frozenset({"remove"})
_LITERALS = _words(
    "string_literal raw_string_literal char_literal integer_literal float_literal "
    "boolean_literal negative_literal"
)
_CONSTANT_MACROS = frozenset({"concat", "env", "include_str", "include_bytes", "stringify"})
_CONSTANT_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# Awaited calls whose failure is the program's own state, not I/O: channel operations fail
# when the other side is gone, a joined task when it panicked.
_NOT_IO = _IN_MEMORY | _words(
    "send recv send_timeout reserve closed changed acquire spawn spawn_blocking "
    "spawn_local join join_next"
)


@dataclass(frozen=True, slots=True)
class Operation:
    """The call whose `Option`/`Result` is unwrapped (`parse` in `s.parse().unwrap()`)."""

    name: str
    call: Node | None  # None for token trees, which are not parsed into calls
    receiver: Node | None  # `s` of `s.parse()`; None for a path call `u8::from_str(s)`
    arguments: Node | None
    awaited: bool = False  # `op(..).await.unwrap()`


def operation_of(value: Node | None) -> Operation | None:
    """The call that produced `value` (seen through `.await` and parentheses)."""
    awaited = False
    while value is not None and value.type in ("await_expression", "parenthesized_expression"):
        awaited = awaited or value.type == "await_expression"
        value = value.named_children[0] if value.named_child_count else None
    if value is None or value.type != "call_expression":
        return None
    function = value.child_by_field_name("function")
    arguments = value.child_by_field_name("arguments")
    if function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "field_expression":
        field = function.child_by_field_name("field")
        receiver = function.child_by_field_name("value")
        return Operation(items.text(field), value, receiver, arguments, awaited)
    if function.type in ("identifier", "scoped_identifier"):
        name = items.text(function).replace(" ", "").rsplit("::", 1)[-1]
        return Operation(name, value, None, arguments, awaited)
    return None


def token_operation(method: Node) -> Operation | None:
    """The same for `name(..) . unwrap ()` written inside another macro's token tree."""
    dot = items.previous(method)
    arguments = items.previous(dot) if dot is not None else None
    name = items.previous(arguments) if arguments is not None else None
    if (
        arguments is None
        or arguments.type != "token_tree"
        or name is None
        or name.type != "identifier"
    ):
        return None
    return Operation(items.text(name), None, None, None)


def _built_from_literals(operation: Operation) -> bool:
    """`Regex::new("..")`, `"..".parse()`, `NonZeroU8::new(3)`: the same on every run, so the
    first test or start-up shows a failure.

    Only for constructors, parsers and conversions by their names (`new`, `parse`, `from_*`,
    `try_*`, `with_*`, `compile`, `build`), and not for I/O, whose outcome literals do not
    fix (`TcpListener::bind("0.0.0.0:80")` fails when the port is taken), and not for a
    method of a named constant: `LOCK.lock()` and `CACHE.read()` are statics at run time,
    only `"..".parse()` has a literal receiver.
    """
    if operation.call is None or operation.arguments is None or operation.awaited:
        return False
    if operation.name in _IO_OPERATIONS or not _CONSTRUCTOR.fullmatch(operation.name):
        return False
    values = [a for a in operation.arguments.named_children if not a.is_extra]
    if operation.receiver is None:
        return bool(values) and all(_constant(v) for v in values)
    receiver = operation.receiver
    while receiver.type in ("reference_expression", "parenthesized_expression"):
        if not receiver.named_child_count:
            return False
        receiver = receiver.named_children[-1]
    return receiver.type in _LITERALS and all(_constant(v) for v in values)


def _constant(node: Node) -> bool:
    """A literal, a `CONSTANT`, or an expression of them (`&"x"`, `60 * 60`, `concat!(..)`)."""
    kind = node.type
    if kind in _LITERALS:
        return True
    if kind in ("identifier", "scoped_identifier", "field_identifier"):
        last = items.text(node).rsplit("::", 1)[-1].strip()
        return _CONSTANT_NAME.fullmatch(last) is not None
    if kind == "macro_invocation":
        return items.macro_name(node).rsplit("::", 1)[-1] in _CONSTANT_MACROS
    if kind in (
        "reference_expression",
        "unary_expression",
        "binary_expression",
        "type_cast_expression",
        "parenthesized_expression",
    ):
        operands = [
            c for c in node.named_children if not c.is_extra and not c.type.endswith("type")
        ]
        return bool(operands) and all(_constant(c) for c in operands)
    return False


# ---------------------------------------------------------------------------------------------
# Guards: a check earlier in the same function that proves the value is there.


def _normal(node: Node | None) -> str:
    """A node's text without whitespace, to compare receivers (`self . items` = `self.items`)."""
    return "".join(items.text(node).split())


@dataclass(frozen=True, slots=True)
class Fact:
    """What a guard proves: `subject` holds at least `count` items, or has key `key`."""

    subject: str
    count: int = 0
    key: str = ""
    present: bool = False  # `subject` itself is `Some`/`Ok`


@dataclass(frozen=True, slots=True)
class Need:
    """What an accessor needs proven, and whether it uses up an item (`pop`) itself."""

    subject: str
    key: str
    consumes: bool
    present: bool = False  # `subject.unwrap()` itself: needs `subject` to be `Some`/`Ok`
    # For a repeated call (`v.parse()` checked, then unwrapped): its receiver or argument,
    # which must not change between the check and the call.
    base: str = ""


def _need(operation: Operation) -> Need | None:
    """What `operation` (the accessor before `.unwrap()`) needs proven, if it is an accessor."""
    receiver = operation.receiver
    if receiver is None or operation.arguments is None:
        return None
    name = operation.name
    arguments = [a for a in operation.arguments.named_children if not a.is_extra]
    if name in _NONEMPTY_ACCESSORS or name in _NONEMPTY_CONSUMERS:
        return Need(_normal(receiver), "", name in _NONEMPTY_CONSUMERS) if not arguments else None
    if name in _ITERATOR_STEPS and not arguments:
        inner = operation_of(receiver)
        if inner is not None and inner.name in _ITERATORS and inner.receiver is not None:
            return Need(_normal(inner.receiver), "", False)
        return None
    if name in _KEY_ACCESSORS or name in _KEY_CONSUMERS:
        if len(arguments) != 1:
            return None
        key = _key_text(arguments[0])
        if name == "get" and key == "0":
            return Need(_normal(receiver), "", False)  # `v.get(0)`: the first item
        return Need(_normal(receiver), key, name in _KEY_CONSUMERS)
    return None


_KEY_COPIES = (".clone()", ".to_owned()", ".to_string()", ".into()")


def _key_text(node: Node) -> str:
    """A key's text without a leading `&` or a trailing copy (`map.get(&k)` and
    `map.insert(k.clone(), ..)` name the same key)."""
    while node.type == "reference_expression" and node.named_child_count:
        node = node.named_children[-1]
    text = _normal(node)
    for copy in _KEY_COPIES:
        text = text.removesuffix(copy)
    return text


def guarded(
    ctx: FileContext, site: Node, operation: Operation | None, value: Node | None = None
) -> bool:
    """True when a guard in the same function proves the accessor before `.unwrap()` succeeds.

    The guards: an `if` around the site whose condition proves it (`!v.is_empty()`,
    `v.len() > n`, `m.contains_key(k)`), the `else` of one that disproves it, the guard of
    the `match` arm the site is in (`_ if v.parse::<i64>().is_ok() => ..`), or a statement
    before the site in an enclosing block: `if v.is_empty() { return }` (or `continue`,
    `break`, a panic), `assert!(!v.is_empty())`, `m.insert(k, ..)`. Only the same receiver
    text counts, never across a closure, and a guard is void if anything between it and the
    site (the whole loop, when the site is in a loop after the guard) empties the value,
    removes the key, assigns to it, or uses up more items than the guard proved.
    """
    needs = _needs(operation, value)
    if not needs:
        return False
    accessor = operation.call if operation is not None else None
    end = site.start_byte
    frame, loops_end = _guard_frame(ctx, scope_of(ctx, site))
    while frame is not None and frame.node is not None:
        node = frame.node
        # Guards outside a loop hold on the first pass only: every change anywhere in the
        # loop counts against them.
        end = max(end, loops_end)
        if node.type == "block":
            for fact, after in _facts_around(ctx, node, site.start_byte):
                # In a loop the site's own `pop()` runs again: it counts against the guard.
                own = accessor if end == site.start_byte else None
                if any(_proves(fact, need, node, after, end, own) for need in needs):
                    return True
            end = max(end, _loop_end(node))
        elif node.type == "match_arm":
            condition = _arm_guard(node)
            if condition is not None and site.start_byte >= condition.end_byte:
                for fact in _condition_facts(condition, False):
                    if any(
                        _proves(fact, need, node, condition.end_byte, end, accessor)
                        for need in needs
                    ):
                        return True
        outer = frame.outer if frame.outer is not None else _FILE_SCOPE
        if outer.closure is not frame.closure or outer.function is not frame.function:
            break
        frame, loops_end = _guard_frame(ctx, outer)
    return False


# A frame where a guard may stand, and the end of the outermost loop passed on the way to it.
_GuardFrame = tuple[Scope | None, int]


def _guard_frame(ctx: FileContext, scope: Scope) -> _GuardFrame:
    """The nearest frame at or around `scope` (in its closure) where a guard may stand, and
    the end of the outermost loop whose body is a block passed on the way (-1: none).

    Frames without guards (most) are passed over at once: each site of n nested blocks
    walked all n of them.
    """
    found: _GuardFrame = _outward(
        ctx.memo(_GUARD_FRAMES), scope, _guard_step(ctx), (None, -1), same_closure=True
    )
    return found


def _guard_step(ctx: FileContext) -> Callable[[Scope, _GuardFrame], _GuardFrame]:
    def step(frame: Scope, around: _GuardFrame) -> _GuardFrame:
        node = frame.node
        if node is not None and _may_hold_guards(ctx, node):
            return frame, -1
        loop_end = _loop_end(node) if node is not None and node.type == "block" else -1
        return around[0], max(around[1], loop_end)

    return step


def _may_hold_guards(ctx: FileContext, frame: Node) -> bool:
    """True for a block with guard statements or under an `if` whose condition proves
    something, and for a `match` arm whose guard does."""
    if frame.type == "block":
        return bool(_facts_around(ctx, frame, frame.end_byte))
    if frame.type == "match_arm":
        condition = _arm_guard(frame)
        return condition is not None and bool(_condition_facts(condition, False))
    return False


def _loop_end(block: Node) -> int:
    """Where the loop whose body is `block` ends (-1 when it is no loop's body)."""
    parent = items.parent(block)
    return parent.end_byte if parent is not None and parent.type in _LOOPS else -1


# Calls that give the same answer when made again on the same receiver and arguments (no
# iterator steps, no I/O): `if v.parse::<i64>().is_ok() { v.parse::<i64>().unwrap() }`
# repeats a check that passed. `it.next()` or `rx.try_recv()` would not.
_REPEATABLE = _words(
    "parse from_str from_str_radix from_utf8 to_str try_from try_into get first last "
    "strip_prefix strip_suffix split_once rsplit_once parent file_name file_stem extension "
    "checked_add checked_sub checked_mul checked_div checked_rem checked_pow checked_neg "
    "checked_shl checked_shr as_str as_object as_array as_i64 as_u64 as_f64 as_bool"
)


def _needs(operation: Operation | None, value: Node | None) -> list[Need]:
    """What a guard must prove for the unwrapped value: the accessor's own need (a non-empty
    receiver, a present key) and, for a repeatable call, that the same call was checked to be
    `Some`/`Ok` (`v.parse::<i64>().is_ok()`)."""
    if operation is None:
        if value is not None and value.type in ("identifier", "field_expression"):
            return [Need(_normal(value), "", False, present=True)]  # `x` after `x.is_some()`
        return []
    if operation.call is None:
        return []
    needs: list[Need] = []
    own = _need(operation)
    if own is not None:
        needs.append(own)
    if operation.name in _REPEATABLE or _is_view(operation):
        base = operation.receiver
        if base is None and operation.arguments is not None:
            base = next((a for a in operation.arguments.named_children if not a.is_extra), None)
        needs.append(Need(_normal(operation.call), "", False, present=True, base=_normal(base)))
    return needs


def _is_view(operation: Operation) -> bool:
    """`x.as_name()` without arguments: a view of `x`, the same on every call (what an
    `x.is_name()` check proves present)."""
    arguments = operation.arguments
    return (
        operation.name.startswith("as_")
        and operation.receiver is not None
        and arguments is not None
        and not arguments.named_child_count
    )


# What may be called on a repeated call's receiver between the check and the call without
# changing its answer.
_READS = _REPEATABLE | _words(
    "len is_empty as_ref as_bytes clone iter chars bytes trim to_string to_owned is_some "
    "is_ok is_none is_err starts_with ends_with contains"
)


_LOOPS = frozenset({"loop_expression", "while_expression", "for_expression"})


def _facts_around(ctx: FileContext, block: Node, before: int) -> list[tuple[Fact, int]]:
    """Facts that hold at byte `before` in `block`, each with the byte from which it holds."""
    found = [(fact, end) for fact, end in _block_facts(ctx, block) if end <= before]
    parent = items.parent(block)
    if parent is not None and parent.type == "if_expression":
        condition = parent.child_by_field_name("condition")
        if condition is not None:
            negated = block.id != _consequence_id(parent)
            found += [(f, block.start_byte) for f in _condition_facts(condition, negated)]
    elif parent is not None and parent.type == "else_clause":
        holder = items.parent(parent)
        condition = holder.child_by_field_name("condition") if holder is not None else None
        if condition is not None:
            found += [(f, block.start_byte) for f in _condition_facts(condition, True)]
    return found


def _consequence_id(if_expression: Node) -> int:
    consequence = if_expression.child_by_field_name("consequence")
    return consequence.id if consequence is not None else -1


def _block_facts(ctx: FileContext, block: Node) -> list[tuple[Fact, int]]:
    """The guard statements of a block and where each ends, worked out once per block."""
    memo: dict[int, list[tuple[Fact, int]]] = ctx.memo(_GUARDS)
    found = memo.get(block.id)
    if found is None:
        found = memo[block.id] = [
            (fact, statement.end_byte)
            for statement in block.named_children
            for fact in _statement_facts(statement)
        ]
    return found


def _statement_facts(statement: Node) -> list[Fact]:
    expression = statement
    if expression.type == "expression_statement" and expression.named_child_count:
        expression = expression.named_children[0]
    kind = expression.type
    if kind == "if_expression" and expression.child_by_field_name("alternative") is None:
        condition = expression.child_by_field_name("condition")
        consequence = expression.child_by_field_name("consequence")
        if condition is not None and consequence is not None and _diverges(consequence):
            return _condition_facts(condition, True)
        return []
    if kind == "macro_invocation":
        return _assertion_facts(expression)
    if kind == "call_expression":
        operation = operation_of(expression)
        if operation is not None and operation.receiver is not None:
            return _insert_facts(operation)
    return []


def _insert_facts(operation: Operation) -> list[Fact]:
    """`m.insert(k, v)` and `m.entry(k).or_insert(..)`: `m` has key `k` from here on."""
    if operation.name.startswith("or_"):
        entry = operation_of(operation.receiver)
        if entry is None or entry.name != "entry":
            return []
        operation = entry
    if operation.name not in ("insert", "entry") or operation.arguments is None:
        return []
    arguments = [a for a in operation.arguments.named_children if not a.is_extra]
    if not arguments or operation.receiver is None:
        return []
    return [Fact(_normal(operation.receiver), key=_key_text(arguments[0]))]


def _diverges(block: Node) -> bool:
    """True when a block ends in `return`, `break`, `continue` or a panic."""
    last = next((c for c in reversed(block.named_children) if not c.is_extra), None)
    if last is not None and last.type == "expression_statement" and last.named_child_count:
        last = last.named_children[0]
    if last is None:
        return False
    if last.type in ("return_expression", "break_expression", "continue_expression"):
        return True
    if last.type == "macro_invocation":
        name = items.macro_name(last).rsplit("::", 1)[-1]
        return name in ("panic", "unreachable", "bail", "todo", "unimplemented")
    return False


def _condition_facts(condition: Node, negated: bool) -> list[Fact]:
    """Facts a condition proves when true, or when false (`negated`).

    A true `a && b` proves both; a false `a || b` proves neither holds.
    """
    node = _strip_parentheses(condition)
    if node.type == "let_condition":
        return [] if negated else _let_facts(node)
    if node.type == "let_chain":  # `let .. && let .. && cond`: each part holds when true
        if negated:
            return []
        parts = [c for c in node.named_children if not c.is_extra]
        return [fact for part in parts for fact in _condition_facts(part, False)]
    if node.type == "unary_expression" and items.text(node).startswith("!"):
        inner = node.named_children[0] if node.named_child_count else None
        return _condition_facts(inner, not negated) if inner is not None else []
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        symbol = items.text(operator)
        if left is not None and right is not None and symbol in ("&&", "||"):
            if (symbol == "&&") == negated:
                return []  # a true `||` or a false `&&` proves no single part
            return _condition_facts(left, negated) + _condition_facts(right, negated)
        if left is not None and right is not None:
            return _length_facts(left, symbol, right, negated)
        return []
    operation = operation_of(node)
    if operation is None or operation.receiver is None or operation.arguments is None:
        return []
    arguments = [a for a in operation.arguments.named_children if not a.is_extra]
    subject = _normal(operation.receiver)
    if operation.name == "is_empty" and not arguments and negated:
        return [Fact(subject, count=1)]
    if not arguments and operation.name in (_ABSENT if negated else _PRESENT):
        return [Fact(subject, present=True)]
    if not arguments and not negated and operation.name.startswith("is_"):
        # `n.is_i64()` proves `n.as_i64()` is `Some` (`serde_json::Value`, `toml::Value`,
        # enums' generated `is_*`/`as_*`).
        view = _VIEW_OF_PREDICATE.get(operation.name, "as_" + operation.name[3:])
        return [Fact(f"{subject}.{view}()", present=True)]
    if operation.name == "contains_key" and len(arguments) == 1 and not negated:
        return [Fact(subject, key=_key_text(arguments[0]))]
    return []


# The view a predicate proves where the names differ (serde_json's `is_string`/`as_str`).
_VIEW_OF_PREDICATE = {"is_string": "as_str", "is_boolean": "as_bool"}


def _let_facts(condition: Node) -> list[Fact]:
    """`if let Some(_) = x` (or `&x`, or `Ok(..)`) proves `x.unwrap()`, also pairwise in
    tuples: `if let (Some(_), false) = (&blocked, wants_read)` proves `blocked`."""
    pattern = condition.child_by_field_name("pattern")
    value = condition.child_by_field_name("value")
    if pattern is None or value is None:
        return []
    return _matched_facts(pattern, value)


def _matched_facts(pattern: Node, value: Node) -> list[Fact]:
    value = _strip_parentheses(value)
    if pattern.type == "tuple_pattern" and value.type == "tuple_expression":
        patterns = [c for c in pattern.named_children if not c.is_extra]
        values = [c for c in value.named_children if not c.is_extra]
        if len(patterns) != len(values):
            return []
        return [f for p, v in zip(patterns, values, strict=True) for f in _matched_facts(p, v)]
    if pattern.type != "tuple_struct_pattern":
        return []
    variant = pattern.child_by_field_name("type")
    if variant is None or items.text(variant) not in _PRESENT_VARIANTS:
        return []
    if value.type == "reference_expression":
        value = value.child_by_field_name("value") or value
    if value.type not in ("identifier", "field_expression"):
        return []
    return [Fact(_normal(value), present=True)]


# The variants whose match proves `.unwrap()` of the matched value.
_PRESENT_VARIANTS = frozenset({"Some", "Ok", "Option::Some", "Result::Ok"})
# `x.is_some()` / `x.is_ok()` proves `x.unwrap()`; so does leaving when `x.is_none()`.
_PRESENT = frozenset({"is_some", "is_ok"})
_ABSENT = frozenset({"is_none", "is_err"})
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
_NEGATED = {"<": ">=", ">": "<=", "<=": ">", ">=": "<", "==": "!=", "!=": "=="}


def _length_facts(left: Node, symbol: str, right: Node, negated: bool) -> list[Fact]:
    """`v.len() > 0`, `v.len() >= n`, `v.len() == n` (either side, either polarity)."""
    if symbol not in _FLIPPED:
        return []
    subject = _length_of(left)
    bound = right
    if subject is None:
        subject, bound, symbol = _length_of(right), left, _FLIPPED[symbol]
    if subject is None or bound.type != "integer_literal":
        return []
    number = _integer(items.text(bound))
    if number is None:
        return []
    if negated:
        symbol = _NEGATED[symbol]
    least = {">": number + 1, ">=": number, "==": number}.get(symbol, 0)
    return [Fact(subject, count=least)] if least > 0 else []


def _length_of(node: Node) -> str | None:
    operation = operation_of(node)
    if (
        operation is None
        or operation.name != "len"
        or operation.receiver is None
        or operation.arguments is None
        or operation.arguments.named_child_count
    ):
        return None
    return _normal(operation.receiver)


def _integer(text: str) -> int | None:
    digits = text.replace("_", "")
    for suffix in ("usize", "u64", "u32", "u16", "u8", "i64", "i32"):
        digits = digits.removesuffix(suffix)
    return int(digits) if digits.isdigit() else None


def _assertion_facts(invocation: Node) -> list[Fact]:
    """`assert!(!v.is_empty())`, `assert!(v.len() > 1)`, `assert_eq!(v.len(), 2)`.

    Macro arguments are tokens; they are read only in these three small shapes.
    """
    name = items.macro_name(invocation).rsplit("::", 1)[-1]
    tokens = next((c for c in invocation.named_children if c.type == "token_tree"), None)
    if tokens is None or name not in ("assert", "assert_eq", "assert_ne"):
        return []
    text = _normal(tokens)[1:-1]
    subject = r"([A-Za-z_][A-Za-z0-9_.]*)"
    if name == "assert":
        match = re.fullmatch(r"!" + subject + r"\.is_empty\(\)(,.*)?", text)
        if match:
            return [Fact(match.group(1), count=1)]
        match = re.fullmatch(subject + r"\.len\(\)(>=|>|==)(\d+)(,.*)?", text)
        if match:
            number = int(match.group(3)) + (1 if match.group(2) == ">" else 0)
            return [Fact(match.group(1), count=number)] if number > 0 else []
        return []
    match = re.fullmatch(subject + r"\.len\(\),(\d+)(,.*)?", text)
    if match is None:
        return []
    number = int(match.group(2))
    if name == "assert_eq" and number > 0:
        return [Fact(match.group(1), count=number)]
    if name == "assert_ne" and number == 0:
        return [Fact(match.group(1), count=1)]
    return []


def _strip_parentheses(node: Node) -> Node:
    while node.type == "parenthesized_expression" and node.named_child_count:
        node = node.named_children[0]
    return node


# Calls that empty a collection or drop keys, wholesale or one at a time.
_EMPTYING = frozenset({"clear", "truncate", "drain", "retain", "split_off", "take"})


def _proves(
    fact: Fact, need: Need, block: Node, start: int, end: int, accessor: Node | None
) -> bool:
    """True when `fact`, holding from byte `start`, still proves `need` at the site.

    What happens between `start` and `end` (the site, or the end of a loop around it) may
    take the proof away: it is read from the syntax of that stretch of `block` only.
    """
    if fact.subject != need.subject:
        return False
    if need.present:
        if not fact.present:
            return False
        allowed = 0
    elif need.key:
        if fact.key != need.key:
            return False
        allowed = 0  # one removal of the key voids the proof
    else:
        if fact.key or fact.present or fact.count < 1:
            return False
        allowed = fact.count - 1  # items the guard proved beyond the one this site needs
    used = 0
    for call, subject, method in _changes(block, start, end):
        if need.base and _normal(subject) == need.base and (method is None or method not in _READS):
            return False  # `v = ..` or `v.push(..)` between `v.parse()`'s check and its unwrap
        if (accessor is not None and call.id == accessor.id) or _normal(subject) != need.subject:
            continue  # the site's own `pop()` is not a change before it
        if method is None or method in _EMPTYING or (need.present and method == "replace"):
            return False  # assigned to, emptied, or its value taken
        if method in _NONEMPTY_CONSUMERS or method in _KEY_CONSUMERS:
            used += 1
            if used > allowed:
                return False
    return True


def _changes(block: Node, start: int, end: int) -> list[tuple[Node, Node, str | None]]:
    """Method calls and assignments in `block` between two bytes: (node, subject, method).

    What the query `(call_expression function: (_ value: (_) @subject field:
    (field_identifier) @method)) @call (assignment_expression left: (_) @subject) @call
    (compound_assignment_expr left: (_) @subject) @call` found over `block` with the byte
    range set (tests/test_query_rewrites.py compares them), found by a walk of the nodes that
    overlap the range (`items.subtree`): that query cost tree-sitter ~30 M instructions of
    analysis in every run that compiled it. In the order tree-sitter finished its matches: by
    the place of the node that completes each (the method's name, the left side).
    """
    if end == 0:
        end = _NO_END  # tree-sitter's "to the end"
    if start > end:
        raise ValueError("Invalid byte range")
    found: list[tuple[int, tuple[Node, Node, str | None]]] = []
    for node in items.subtree(block, start):
        if node.start_byte >= end:
            break  # in document order, every node after it begins later still
        if node.end_byte <= start:
            continue  # empty, at `start`: it overlaps nothing of the range
        kind = node.type
        if kind == "call_expression":
            function = node.child_by_field_name("function")
            if function is not None and function.is_named:
                subject = function.child_by_field_name("value")
                method = function.child_by_field_name("field")
                if (
                    subject is not None
                    and subject.is_named
                    and method is not None
                    and method.type == "field_identifier"
                ):
                    found.append((method.start_byte, (node, subject, items.text(method))))
        elif kind in _ASSIGNMENTS:
            left = node.child_by_field_name("left")
            if left is not None and left.is_named:
                found.append((left.start_byte, (node, left, None)))
    found.sort(key=_first)
    return [change for _, change in found]


_ASSIGNMENTS = frozenset({"assignment_expression", "compound_assignment_expr"})
_NO_END = 2**32 - 1


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


# ---------------------------------------------------------------------------------------------
# Messages: an `expect` or `panic!` message that states an invariant is prose, read as such.


# "should never happen", "cannot fail", "checked above", "this is a bug", "unexpected state",
# "can only be None in a destructor": the author says why the value is there or that the
# program itself is wrong, not what the caller or the environment did. "must", "only" and
# "expected" alone are left out: "you must install a provider first", "only on the runtime's
# thread" are preconditions a caller can break, and "invalid header, expected base64"
# describes bad input.
# `(?<!-)`: a word inside a hyphenated name (`foo-invariant`) states nothing.
# "so .unwrap() is safe", "safe to unwrap", "our checks rule those both out", "cannot error",
# "generated by this crate": the same claims in other words.
@functools.cache
def _invariant() -> re.Pattern[str]:
    return re.compile(
        r"(?<!-)\b(should|always|never|infallible|impossible|unreachable|invariants?|guaranteed?|"
        r"guarantees|definitely|by construction|checked|validated|verified|ensured?|asserted|bug|"
        r"is set|are set|at least|fits?|expected to|unexpected|didn't expect|inconsistent|implies|"
        r"can (only )?be (only )?(none|some|null|empty|unset|missing)|"
        r"(can ?not|can't|won't|will not|doesn't|does not|cannot) "
        r"(fail|error|happen|overflow|panic|be (none|null|empty|zero|negative|err))|"
        r"(is|are|be) safe|safe to (unwrap|call|use)|rul(e|es|ed) (\w+ ){0,3}out|"
        r"(generated|created|built|produced|constructed|written) by (us|ourselves|this crate|"
        r"the crate|this (module|function|library|code|program)))\b",
        re.IGNORECASE,
    )


# "polled after completion", "called after complete", "polled more than once": the contract
# of `Future::poll` and friends, which may panic when misused so.
@functools.cache
def _poll_contract() -> re.Pattern[str]:
    return re.compile(
        r"\b(polled|called|resumed)\b.*\b(after|more than once|twice|again)\b", re.IGNORECASE
    )


# Words that say the program itself is wrong if this runs, whoever the message addresses.
@functools.cache
def _sure_invariant() -> re.Pattern[str]:
    return re.compile(
        r"\b(bug|never|always|unreachable|impossible|infallible|invariants?|guaranteed?)\b",
        re.IGNORECASE,
    )


# How many comment lines above a site are read: a justification sits right there.
_COMMENT_LINES = 4


def comment_states_invariant(ctx: FileContext, site: Node, method: Node | None = None) -> bool:
    """True when the comment lines right above the line where `site` (or its `method`, for a
    chain split over lines) starts, or a comment trailing the line it ends on
    (`.expect("..") // checked above`), state an invariant: where authors justify a panic.

    Read from the bytes, line by line, so a long chain of calls costs no walk up the tree;
    what the comments above a line, or a trailing comment, say is read once per file: the
    sites of one line share them, and a long comment over thousands was read by each.
    """
    source = ctx.source
    starts = {site.start_byte, method.start_byte if method is not None else site.start_byte}
    starts.update(_statement_starts(ctx, site))
    above: dict[int, bool] = ctx.memo(_COMMENTS_ABOVE)
    for start in starts:
        line_start = source.rfind(b"\n", 0, start) + 1
        found = above.get(line_start)
        if found is None:
            found = above[line_start] = _invariant_above(source, line_start)
        if found:
            return True
    line_end = source.find(b"\n", site.end_byte)
    at = source.find(b"//", site.end_byte, line_end if line_end >= 0 else len(source))
    if at < 0:
        return False
    trailing: dict[int, bool] = ctx.memo(_TRAILING_COMMENTS)
    found = trailing.get(at)
    if found is None:
        comment = ctx.ancestry.named_node_at(at, at + 2)
        found = trailing[at] = (
            comment is not None
            and comment.type == "line_comment"
            and states_invariant(
                source[at : line_end if line_end >= 0 else len(source)].decode(
                    "utf-8", errors="replace"
                )
            )
        )
    return found


def _invariant_above(source: bytes, line_start: int) -> bool:
    """True when the `//` comment lines right above the line starting at `line_start` state
    an invariant (no pattern of `_invariant()` spans lines: each comment is read as one)."""
    texts: list[str] = []
    first_line = line_start
    for _ in range(_COMMENT_LINES):
        if line_start == 0:
            break
        previous = source.rfind(b"\n", 0, line_start - 1) + 1
        text = source[previous : line_start - 1].strip()
        if not text.startswith(b"//") or text.startswith((b"///", b"//!")):
            break
        texts.append(text.decode("utf-8", errors="replace"))
        line_start = previous
    if texts and _tagged_justification(texts[-1]) and _chained_panic(source, first_line):
        return True  # `// SAFETY: ..` right above the `.unwrap()` of a chain is about it
    return states_invariant("\n".join(texts))


# Tags authors open a justification with (`// SAFETY:` is unsafe code's, also used so).
_JUSTIFICATION_TAGS = ("SAFETY:", "PANIC:", "PANICS:", "INVARIANT:", "UNWRAP:")


def _tagged_justification(comment: str) -> bool:
    """A `//` comment opening with a justification tag (`// SAFETY: ..`)."""
    return comment.lstrip("/").lstrip().upper().startswith(_JUSTIFICATION_TAGS)


def _chained_panic(source: bytes, line_start: int) -> bool:
    """The line at `line_start` continues a method chain with `.unwrap()`/`.expect(..)`: a
    comment right above it can be about nothing else."""
    end = source.find(b"\n", line_start)
    line = source[line_start : end if end >= 0 else len(source)].lstrip()
    return line.startswith((b".unwrap()", b".expect("))


# How many lines above the site a statement holding it may begin for the comment above that
# statement to be about the site: `// always ASCII` above `let d = unsafe {` two lines up.
_STATEMENT_LINES = 4


def _statement_starts(ctx: FileContext, site: Node) -> list[int]:
    """Where the statements holding `site` begin, innermost first, as long as they begin a
    few lines above it and inside its function (`let name = format!(` over the lines of the
    call): a comment above the statement is one right next to the site.

    Statements that begin on one line are one start (the comment above them is the same):
    the statements of blocks nested on one line all begin on it.
    """
    scope = scope_of(ctx, site)
    frame = _outward(ctx.memo(_BLOCK_FRAMES), scope, _block_frame_step, None)
    if frame is None or frame.node is None:
        return []
    line = site.start_point.row
    starts: list[int] = []
    statement = frame.node.first_named_child_for_byte(site.start_byte)
    if statement is not None and statement.start_byte <= site.start_byte:
        if line - statement.start_point.row > _STATEMENT_LINES:
            return starts
        if statement.start_byte < site.start_byte:
            starts.append(statement.start_byte)
    rows = _outer_statements(ctx, frame)
    while rows is not None and line - rows.row <= _STATEMENT_LINES:
        if rows.start < site.start_byte:
            starts.append(rows.start)
        rows = rows.outer
    return starts


def _block_frame_step(frame: Scope, around: Scope | None) -> Scope | None:
    """The nearest block frame at or around a frame (in its function)."""
    return frame if frame.node is not None and frame.node.type == "block" else around


@dataclass(frozen=True, slots=True)
class _Statements:
    """The statements that hold a frame in the blocks around it, one per line they begin
    on (the earliest start), innermost first."""

    row: int
    start: int
    outer: _Statements | None


def _outer_statements(ctx: FileContext, frame: Scope) -> _Statements | None:
    """`_Statements` of the blocks around `frame`, in its function."""
    found: _Statements | None = _outward(ctx.memo(_STATEMENT_ROWS), frame, _statements_step, None)
    return found


def _statements_step(frame: Scope, around: _Statements | None) -> _Statements | None:
    """The statement of the frame around `frame` that holds it, before `around`: those of
    the frames further out."""
    outer = frame.outer
    node = frame.node
    if (
        node is None
        or outer is None
        or outer.node is None
        or outer.function is not frame.function
        or outer.node.type != "block"
    ):
        return around
    statement = outer.node.first_named_child_for_byte(node.start_byte)
    if statement is None or statement.start_byte > node.start_byte:
        return around
    row = statement.start_point.row
    if around is not None and around.row == row:
        return _Statements(row, min(statement.start_byte, around.start), around.outer)
    return _Statements(row, statement.start_byte, around)


def states_invariant(message: str) -> bool:
    """True when a panic message states an invariant rather than describing a failure."""
    return _invariant().search(message) is not None


def message_text(node: Node | None) -> str:
    """The text of a string literal message (`"a \\"b\\""` -> `a "b"`); "" for anything else."""
    if node is None or node.type not in ("string_literal", "raw_string_literal"):
        return ""
    return "".join(
        items.text(c)
        for c in node.named_children
        if c.type in ("string_content", "escape_sequence")
    )


# ---------------------------------------------------------------------------------------------
# Judgements.

# The reasons of the two NOTE verdicts that no caller can bring about, which missing-panics-doc
# does not ask to document.
LOCK_POISONING = "fails only if another thread panicked while holding the lock"
INVARIANT = "the message states an invariant"
INVARIANT_COMMENT = "a comment states an invariant"
IN_MAIN = "in `main`, where a failure ends the program either way"


def judge_unwrap(
    ctx: FileContext,
    site: Node,
    operation: Operation | None,
    message: str = "",
    method: Node | None = None,
    value: Node | None = None,
) -> Judgement:
    """How a reviewer weighs `.unwrap()`/`.expect(message)` at `site` (the call or, in macro
    tokens, the method name) on the value of `operation`; `method` is the `unwrap` name.

    Judged once per site and question: missing-panics-doc asks of the sites that
    unwrap-in-production (or expect-in-production) judges too, and the answer depends on
    the tree alone.
    """
    # `Operation` compares (and hashes) its nodes by their identity in the tree.
    key = (site.id, operation, message, method, value)
    judged: dict[tuple[object, ...], Judgement] = ctx.memo(_JUDGED_UNWRAPS)
    found = judged.get(key)
    if found is None:
        found = judged[key] = _judge_unwrap(ctx, site, operation, message, method, value)
    return found


_JUDGED_UNWRAPS = "panic-sites/judged-unwraps"


def _judge_unwrap(
    ctx: FileContext,
    site: Node,
    operation: Operation | None,
    message: str,
    method: Node | None,
    value: Node | None,
) -> Judgement:
    """`judge_unwrap`, worked out."""
    scope = scope_of(ctx, site)
    if scope.static_init:
        return Judgement(Verdict.ACCEPTED, "in a static initialiser")
    accepted = _accepted_by_function(ctx, scope, operation, message, documented=False)
    if accepted is not None:
        return accepted
    judgement = _judge_unwrap_site(ctx, scope, site, operation, message, method, value)
    if judgement.verdict is Verdict.ACCEPTED or scope.function is None:
        return judgement
    if function_facts(ctx, scope.function).documents_panics and (
        judgement.verdict is Verdict.NOTE or _panics_doc_names(ctx, scope.function, operation)
    ):
        # A `# Panics` section accepts invariants; a panic the input causes only when the
        # section names what it is about (`Panics if `len` does not fit in a `c_int``).
        return Judgement(Verdict.ACCEPTED, "documented in `# Panics`")
    return judgement


def _judge_unwrap_site(
    ctx: FileContext,
    scope: Scope,
    site: Node,
    operation: Operation | None,
    message: str,
    method: Node | None,
    value: Node | None,
) -> Judgement:
    """`judge_unwrap` before the function's `# Panics` docs are read."""
    if operation is not None and _built_from_literals(operation):
        return Judgement(Verdict.ACCEPTED, "built from literals")
    if _writes_to_memory(value, operation):
        return Judgement(Verdict.ACCEPTED, IN_MEMORY_WRITE)
    if (operation is not None or value is not None) and guarded(ctx, site, operation, value):
        return Judgement(Verdict.ACCEPTED, "proven by a guard")
    if operation is not None and _is_lock(operation):
        return Judgement(Verdict.NOTE, LOCK_POISONING)
    if message and states_invariant(message):
        return Judgement(Verdict.NOTE, INVARIANT)
    if comment_states_invariant(ctx, site, method):
        return Judgement(Verdict.NOTE, INVARIANT_COMMENT)
    if operation is None:
        return Judgement(Verdict.NOTE)
    if _in_main(scope):
        return Judgement(Verdict.NOTE, IN_MAIN)
    if operation.awaited and operation.name not in _NOT_IO:
        return Judgement(Verdict.WARNING, f"`{operation.name}(..).await` is I/O that can fail")
    if operation.name in _CONVERSIONS and _slice_of_constant_length(operation):
        return Judgement(Verdict.ACCEPTED, CONSTANT_LENGTH_SLICE)
    if operation.name in _CONVERSIONS and _converts_a_length(operation):
        # `c_int::try_from(buf.len())`: only a buffer of gigabytes fails, a checked cast
        # chosen over `as`; the caller's own numbers (below) are another matter.
        return Judgement(Verdict.NOTE, "a length converted to a narrower integer")
    if operation.name in _CONVERSIONS and _on_parameter(ctx, scope, operation):
        channel = _own_error_channel(ctx, scope)
        if channel:  # `c_int::try_from(len).unwrap()` where `len` is the caller's
            return Judgement(
                Verdict.WARNING,
                f"`{operation.name}` of the caller's value can fail and the function returns "
                f"`{channel}`",
            )
    if operation.name == "to_str" and _path_of_text(ctx, scope, operation.receiver, site):
        return Judgement(Verdict.ACCEPTED, "a path made from text is valid UTF-8")
    if operation.name == "from_utf8" and _serialised_here(ctx, scope, operation, site):
        return Judgement(Verdict.NOTE, "decodes what the crate's own serialiser wrote")
    if _runtime_operation(operation):
        # `None` from an `Option` function means "absent" or "no match" (`strip_prefix`,
        # `library()`), not "failed": on the program's own data a failed parse is no answer
        # the caller expects. On what the caller passed in (`from_header_map(map)` decoding
        # a header of `map`), `None` would have been the answer to give.
        channel = _own_error_channel(ctx, scope)
        if channel == "Result":
            return Judgement(
                Verdict.WARNING,
                f"`{operation.name}` can fail on runtime input and the function returns "
                f"`{channel}`",
            )
        if channel == "Option" and _fed_by_parameter(ctx, scope, operation, site):
            return Judgement(
                Verdict.WARNING,
                f"`{operation.name}` can fail on what the caller passes in and the function "
                "returns `Option`",
            )
        if _on_parameter(ctx, scope, operation):
            return Judgement(
                Verdict.WARNING, f"`{operation.name}` can fail on what the caller passes in"
            )
        return Judgement(Verdict.NOTE, f"`{operation.name}` can fail on runtime input")
    return Judgement(Verdict.NOTE)


IN_MEMORY_WRITE = "a write into a `String` or `Vec` cannot fail"
# Methods that write into their receiver and fail only when it does: `io::Write`'s and
# `fmt::Write`'s.
_WRITE_METHODS = IO_WRITE_METHODS | {"write_str", "write_char"}


def _writes_to_memory(value: Node | None, operation: Operation | None) -> bool:
    """Whether the unwrapped value is a write into a `String` or a `Vec<u8>` (or a binding
    or field of one): `writeln!(buf, "{x}").unwrap()`, `out.write_all(b"..").unwrap()`.
    Their `Write` impls never return an error, so neither docs nor `?` would serve anyone.
    (A `Display` impl that returns `Err` without its writer failing breaks `fmt`'s contract;
    `to_string()` panics on it too.)"""
    value = _strip_to_value(value)
    if value is not None and value.type == "macro_invocation":
        macro = value.child_by_field_name("macro")
        name = items.text(macro).replace(" ", "").rsplit("::", 1)[-1] if macro else ""
        return name in WRITE_MACROS and write_target(value).infallible
    if operation is not None and operation.name in _WRITE_METHODS:
        return operation.receiver is not None and receiver_target(operation.receiver).infallible
    return False


# ---------------------------------------------------------------------------------------------
# Values the function made itself: decoding them again fails only if the code is wrong.

# Steps from a value to what it is made of that keep its bytes: `&x`, `x?`, `(x)`, and the
# copies and views of a buffer.
_SAME_BYTES = frozenset({"to_vec", "into_inner", "as_slice", "as_ref", "clone", "to_owned"})
# Path functions that serialise a value to text (`serde_json::to_vec(&v)`), and method
# names of serialisers and renderers (`exporter.serialize(results)`, `template.render(..)`).
_SERIALISING_FUNCTIONS = _words("to_vec to_vec_pretty to_string to_string_pretty")
_SERIALISING_METHODS = re.compile(r"serialize\w*|render\w*")
# A path's accessors that keep to its last component, and what a path is built with.
_PATH_TAILS = frozenset({"file_name", "file_stem", "extension"})
_PATH_VIEWS = frozenset({"unwrap", "expect", "as_path", "as_os_str", "as_ref"})
_PATH_FROM_TEXT = frozenset({"Path::new", "PathBuf::from", "OsStr::new", "OsString::from"})
_PATH_APPEND = frozenset({"join", "with_file_name"})
# Methods that change a path buffer in place.
_PATH_CHANGES = frozenset({"push", "pop", "set_file_name", "set_extension", "clear"})
_TEXT_TYPES = frozenset({"&str", "String", "&String"})


def _strip_to_value(node: Node | None) -> Node | None:
    """`x` of `&x`, `&mut x`, `x?`, `(x)`."""
    while node is not None and node.type in (
        "reference_expression",
        "try_expression",
        "parenthesized_expression",
    ):
        node = node.child_by_field_name("value") or (
            node.named_children[0] if node.named_child_count else None
        )
    return node


def lets_before(body: Node, before: int, source: bytes) -> list[tuple[Node, Node, Node]]:
    """(declaration, pattern, value) of each `let pattern = value` in `body` that ends by byte
    `before`, in document order.

    What the query `(let_declaration pattern: (_) @pattern value: (_) @value) @let` found over
    `body` with the byte range `[body start, before)` set, kept to those that end by `before`
    (tests/test_query_rewrites.py compares them): each declaration begins with its `let`
    keyword, so a byte search for it finds them all. That query cost tree-sitter ~20 M
    instructions of analysis in every run that compiled it.
    """
    start = body.start_byte
    if start > before and before != 0:  # 0: tree-sitter's "to the end"
        raise ValueError("Invalid byte range")
    found: list[tuple[Node, Node, Node]] = []
    at = source.find(b"let", start, before)
    while at >= 0:
        binding = body.named_descendant_for_byte_range(at, at + 3)
        if (
            binding is not None
            and binding.type == "let_declaration"
            and binding.start_byte == at
            and binding.end_byte <= before
        ):
            pattern = binding.child_by_field_name("pattern")
            value = binding.child_by_field_name("value")
            if pattern is not None and value is not None and pattern.is_named and value.is_named:
                found.append((binding, pattern, value))
        at = source.find(b"let", at + 3, before)
    return found


def _let_value(ctx: FileContext, scope: Scope, name: str, before: int) -> Node | None:
    """The value of the last `let name = ..` (or `let mut name`) of the site's function before
    byte `before`, when nothing between assigns to `name` or changes it in place."""
    function = scope.function
    body = function.child_by_field_name("body") if function is not None else None
    if body is None or scope.closure is not None:
        return None
    key = name.encode()
    found: tuple[Node, Node] | None = None
    for binding, pattern, value in lets_before(body, before, ctx.source):
        if pattern.type == "identifier" and pattern.text == key:
            found = (binding, value)
    if found is None:
        return None
    binding, value = found
    for call, subject, method in _changes(body, binding.end_byte, before):
        if call.end_byte > before:
            continue  # `p.set_file_name(f(p.file_name()))`: its arguments are read first
        if _normal(subject) == name and (method is None or method in _PATH_CHANGES):
            return None  # reassigned, or `name.set_file_name(..)` on the way
    return value


def _textual(ctx: FileContext, scope: Scope, node: Node | None) -> bool:
    """A string literal, a `format!`, or a parameter declared `&str`/`String`."""
    node = _strip_to_value(node)
    if node is None:
        return False
    if node.type in ("string_literal", "raw_string_literal"):
        return True
    if node.type == "macro_invocation":
        return items.macro_name(node).rsplit("::", 1)[-1] == "format"
    if node.type != "identifier" or scope.function is None:
        return False
    return _parameter_type(scope.function, items.text(node)) in _TEXT_TYPES


def _parameter_type(function: Node, name: str) -> str:
    """The declared type of parameter `name`, without spaces and lifetimes (`&str`)."""
    parameters = function.child_by_field_name("parameters")
    for parameter in parameters.named_children if parameters is not None else ():
        pattern = parameter.child_by_field_name("pattern")
        declared = parameter.child_by_field_name("type")
        if (
            parameter.type == "parameter"
            and pattern is not None
            and declared is not None
            and pattern.type == "identifier"
            and items.text(pattern) == name
        ):
            return re.sub(r"'\w+", "", _normal(declared))
    return ""


def _path_of_text(ctx: FileContext, scope: Scope, receiver: Node | None, site: Node) -> bool:
    """True when `to_str()` reads a path made from text: `Path::new(name)` for a `name:
    &str`, or the file name of `base.join(name)` (`p.file_name().unwrap().to_str()` after
    `let p = dir.join(file)`): UTF-8 in, UTF-8 out. One `let` is followed."""
    tail_only = False
    node = receiver
    for _ in range(_ROOT_STEPS):
        node = _strip_to_value(node)
        if node is None:
            return False
        if node.type == "identifier":
            node = _let_value(ctx, scope, items.text(node), site.start_byte)
            if node is None:
                return False
            continue
        operation = operation_of(node)
        if operation is None or operation.call is None or operation.arguments is None:
            return False
        arguments = [a for a in operation.arguments.named_children if not a.is_extra]
        if operation.receiver is None:
            function = operation.call.child_by_field_name("function")
            path = _normal(function).rsplit("::", 2)[-2:]
            return (
                "::".join(path) in _PATH_FROM_TEXT
                and len(arguments) == 1
                and _textual(ctx, scope, arguments[0])
            )
        if operation.name in _PATH_TAILS:
            tail_only = True
        elif operation.name in _PATH_APPEND:
            return tail_only and len(arguments) == 1 and _textual(ctx, scope, arguments[0])
        elif operation.name not in _PATH_VIEWS:
            return False
        node = operation.receiver
    return False


def _serialised_here(ctx: FileContext, scope: Scope, operation: Operation, site: Node) -> bool:
    """True when `from_utf8` decodes bytes a serialiser of the program wrote: a path call
    such as `serde_json::to_vec(&v)`, a method named `serialize*`/`render*`
    (`exporter.serialize(&results)`), directly or through a closure bound in the function
    (`let content = || e.serialize(..); String::from_utf8(content()?)`)."""
    if operation.receiver is not None:
        return False
    if operation.call is None:  # `String::from_utf8(content()?).unwrap()` in macro tokens
        return _serialised_tokens(ctx, scope, site)
    if operation.arguments is None:
        return False
    arguments = [a for a in operation.arguments.named_children if not a.is_extra]
    if len(arguments) != 1:
        return False
    return _serialised(ctx, scope, arguments[0], site)


def _serialised(ctx: FileContext, scope: Scope, node: Node | None, site: Node) -> bool:
    """`_serialised_here` for the expression `node` that `from_utf8` is given."""
    for _ in range(_ROOT_STEPS):
        node = _strip_to_value(node)
        if node is not None and node.type == "block":  # `|| { e.serialize(r) }`
            values = [c for c in node.named_children if not c.is_extra]
            node = values[0] if len(values) == 1 else None
        if node is not None and node.type == "identifier":
            return _serialiser_buffer(ctx, scope, items.text(node), site.start_byte)
        inner = operation_of(node) if node is not None else None
        if inner is None or inner.call is None:
            return False
        if inner.receiver is not None:
            if _SERIALISING_METHODS.fullmatch(inner.name):
                return True
            if inner.name not in _SAME_BYTES:
                return False
            node = inner.receiver
            continue
        function = inner.call.child_by_field_name("function")
        if function is not None and function.type == "scoped_identifier":
            return inner.name in _SERIALISING_FUNCTIONS
        if function is None or function.type != "identifier":
            return False
        closure = _let_value(ctx, scope, inner.name, site.start_byte)
        if closure is None or closure.type != "closure_expression":
            return False
        node = closure.child_by_field_name("body")
    return False


# An empty buffer a serialiser writes into.
_EMPTY_BUFFERS = ("Vec::new()", "vec![]", "Vec::<u8>::new()")


def _serialiser_buffer(ctx: FileContext, scope: Scope, name: str, before: int) -> bool:
    """True when `name` is a buffer the function made empty and only a serialiser's writer
    (`serde_json::to_writer(&mut buf, &v)`) and byte literals (`buf.extend_from_slice(b"001")`)
    filled before byte `before`: text by the serialiser's contract."""
    value = _let_value(ctx, scope, name, before)
    if value is None or scope.function is None:
        return False
    made = "".join(items.text(value).split())
    if made not in _EMPTY_BUFFERS and not made.startswith("Vec::with_capacity("):
        return False
    written = False
    # A byte search for the name (`identifiers_spelled`) finds what the query `(identifier)
    # @id` over the function found between the two bytes (the value's `let` ends by `before`);
    # that query cost tree-sitter ~20 M instructions of analysis in every run compiling it.
    for use in identifiers_spelled(scope.function, name.encode(), value.end_byte, before):
        if not _serialiser_writes(use):
            return False
        written = True
    return written


def _serialiser_writes(use: Node) -> bool:
    """`&mut buf` as the first argument of a path call named `to_writer*`, or `buf` extended
    with a byte-string or byte literal."""
    holder = items.parent(use)
    if holder is not None and holder.type == "reference_expression":
        arguments = items.parent(holder)
        call = items.parent(arguments) if arguments is not None else None
        if arguments is None or call is None or arguments.type != "arguments":
            return False
        first = next((c for c in arguments.named_children if not c.is_extra), None)
        function = call.child_by_field_name("function")
        return (
            first is not None
            and first.id == holder.id
            and function is not None
            and function.type == "scoped_identifier"
            and items.text(function.child_by_field_name("name") or function).startswith("to_writer")
        )
    if holder is None or holder.type != "field_expression":
        return False
    operation = operation_of(items.parent(holder))
    if operation is None:
        return False
    if operation.name not in ("extend_from_slice", "push") or operation.arguments is None:
        return False
    given = [a for a in operation.arguments.named_children if not a.is_extra]
    return len(given) == 1 and items.text(given[0])[:2] in ('b"', "b'")


def _serialised_tokens(ctx: FileContext, scope: Scope, method: Node) -> bool:
    """`_serialised_here` for `from_utf8 (tokens) . unwrap` in another macro's tokens, which
    are not parsed: the argument is read in its three short shapes, `content()?` (a closure
    of the function), `serde_json::to_vec(..)?` and `x.serialize(..)?`."""
    dot = items.previous(method)
    arguments = items.previous(dot) if dot is not None else None
    if arguments is None or arguments.type != "token_tree":
        return False
    tokens = [c for c in arguments.children[1:-1] if not c.is_extra]
    while tokens and tokens[-1].type == "?":
        tokens.pop()
    while tokens and tokens[0].type in ("&", "mutable_specifier"):
        tokens.pop(0)
    if len(tokens) < 2 or tokens[-1].type != "token_tree" or tokens[-2].type != "identifier":
        return False
    name = items.text(tokens[-2])
    before = tokens[-3].type if len(tokens) >= 3 else ""
    if before == ".":
        return _SERIALISING_METHODS.fullmatch(name) is not None
    if before == "::":
        return name in _SERIALISING_FUNCTIONS
    if len(tokens) != 2:
        return False
    closure = _let_value(ctx, scope, name, method.start_byte)
    if closure is None or closure.type != "closure_expression":
        return False
    return _serialised(ctx, scope, closure.child_by_field_name("body"), method)


def _runtime_operation(operation: Operation) -> bool:
    """True for a call that parses, decodes or does I/O (see `_RUNTIME_FUNCTIONS`)."""
    if operation.call is None:  # in macro tokens: the name alone
        return operation.name in _RUNTIME_METHODS or operation.name in _RUNTIME_FUNCTIONS
    if operation.receiver is None:
        return operation.name in _RUNTIME_FUNCTIONS
    return operation.name in _RUNTIME_METHODS


def judge_panic(ctx: FileContext, site: Node, name: str, message: str) -> Judgement:
    """How a reviewer weighs `name!(message)` (`panic`, `todo`, `unimplemented`) at `site`."""
    scope = scope_of(ctx, site)
    fallback = _fallback_of(site, scope)
    if fallback is not None:  # `x.unwrap_or_else(|e| panic!(..))` is `x.expect(..)`
        unwrapped = judge_unwrap(ctx, fallback, operation_of(_receiver(fallback)), message)
        if name == "panic" or unwrapped.verdict is Verdict.ACCEPTED:
            return unwrapped
    accepted = _accepted_by_function(ctx, scope, None, message)
    if accepted is not None:
        return accepted
    if scope.closure is None and _declared_never_returning(scope.function):
        return Judgement(Verdict.ACCEPTED, "the function is declared `-> !`")
    if name != "panic":
        return _judge_placeholder(scope, site, name, message)
    addressed = bool(message) and _addresses_user().search(message) is not None
    if _sure_invariant().search(message) or (not addressed and states_invariant(message)):
        return Judgement(Verdict.NOTE, INVARIANT)
    if comment_states_invariant(ctx, site):
        return Judgement(Verdict.NOTE, INVARIANT_COMMENT)
    in_err_arm = _arm_pattern(site) == "Err"
    if _catch_all_arm(site):
        return Judgement(Verdict.NOTE, "the catch-all arm of a `match`")
    channel = _channel_around(ctx, scope)
    if channel and (in_err_arm or addressed):
        what = "the error is in hand" if in_err_arm else "the message tells the user what to fix"
        return Judgement(Verdict.WARNING, f"{what} and {channel}")
    if channel:
        return Judgement(Verdict.NOTE, f"{channel}: return an error if a caller can cause this")
    return Judgement(Verdict.NOTE)


def _judge_placeholder(scope: Scope, site: Node, name: str, message: str) -> Judgement:
    """`todo!`/`unimplemented!`: a placeholder, unless its message states an invariant
    (`_ => unimplemented!("unexpected alias")` is an `unreachable!` by another name) or it is
    the whole body of a trait method the type does not support, the use std documents for
    `unimplemented!`."""
    if message and (_sure_invariant().search(message) or states_invariant(message)):
        return Judgement(Verdict.NOTE, INVARIANT)
    function = scope.function
    if name == "unimplemented" and scope.closure is None and function is not None:
        impl = impl_of(function)
        trait_impl = impl is not None and impl.child_by_field_name("trait") is not None
        if trait_impl and _whole_body(function, site):
            return Judgement(Verdict.NOTE, "a trait method this type does not support")
    return Judgement(Verdict.WARNING, "a placeholder for unwritten code")


def _declared_never_returning(function: Node | None) -> bool:
    """True for `fn f(..) -> !`: diverging is its contract (a deprecated trap, a `fail` helper)."""
    if function is None:
        return False
    returns = function.child_by_field_name("return_type")
    return returns is not None and returns.type == "never_type"


def _whole_body(function: Node, site: Node) -> bool:
    """True when `site` is all that the function's body holds (comments aside)."""
    body = function.child_by_field_name("body")
    if body is None:
        return False
    parts = [c for c in body.named_children if not c.is_extra]
    if len(parts) != 1:
        return False
    only = parts[0]
    if only.type == "expression_statement" and only.named_child_count == 1:
        only = only.named_children[0]
    return only.id == site.id


# "you must install a provider", "please set X", "see https://..": a message written for the
# user who misconfigured something, which an error would carry as well.
@functools.cache
def _addresses_user() -> re.Pattern[str]:
    return re.compile(r"\b(you|your|please|make sure)\b|\bsee https?://", re.IGNORECASE)


def _channel_around(ctx: FileContext, scope: Scope) -> str:
    """How the caller could have been told: "the function returns `Result`", or "its callers
    return `Result`/`Option`" for a private helper that only such functions use; "" if not."""
    channel = _own_error_channel(ctx, scope)
    if channel:
        return f"the function returns `{channel}`"
    helper = scope.function if scope.closure is None else None
    if helper is not None and feeds_error_channel(ctx, helper):
        return "its callers return `Result`/`Option`"
    return ""


def _accepted_by_function(
    ctx: FileContext,
    scope: Scope,
    operation: Operation | None,
    message: str,
    *,
    documented: bool = True,
) -> Judgement | None:
    """ACCEPTED when the owning function documents its panics (unless `documented` is
    False: the caller weighs the docs itself) or its trait demands this one."""
    if message and _poll_contract().search(message):
        return Judgement(Verdict.ACCEPTED, "the `poll` contract")
    if scope.function is None:
        return None
    facts = function_facts(ctx, scope.function)
    if documented and facts.documents_panics:
        return Judgement(Verdict.ACCEPTED, "documented in `# Panics`")
    if facts.contract == "index":
        return Judgement(Verdict.ACCEPTED, "the `Index` contract")
    if facts.contract == "poll" and operation is not None and operation.name == "take":
        return Judgement(Verdict.ACCEPTED, "the `poll` contract")
    return None


# Conversions that fail on out-of-range values (`u16::try_from(n)`, `n.try_into()`).
_CONVERSIONS = frozenset({"try_from", "try_into"})
# Prose words too common to tie a `# Panics` section to an operand.
_COMMON_WORDS = _words(
    "the and for not this that with when than are was its has have panics panic will been any all"
)


CONSTANT_LENGTH_SLICE = "a slice of a length the code fixes, converted to an array"
# `size_of::<T>()` and its paths: a length the type fixes.
_SIZE_OF = re.compile(r"(?:(?:std|core)::)?(?:mem::)?size_of(?:::<.*>)?", re.DOTALL)
_CONSTANT_ARITHMETIC = frozenset({"+", "-", "*"})


def _slice_of_constant_length(operation: Operation) -> bool:
    """A slice whose length the code fixes, converted to an array: `data[4..8].try_into()`,
    `data[..SIZE].try_into()`, `<[u8; 4]>::try_from(&buf[at..at + 4])`,
    `data[OFFSET..OFFSET + size_of::<u64>()].try_into()`. Once the indexing has passed (it
    panics on its own when `data` is too short), the conversion fails on no input at all:
    only an array of another length fails it, on the first run."""
    subject = operation.receiver
    if operation.name != "try_into":
        arguments = operation.arguments
        subject = (
            next((a for a in arguments.named_children if not a.is_extra), None)
            if arguments is not None
            else None
        )
    subject = _strip_to_value(subject)
    if subject is None or subject.type != "index_expression" or subject.named_child_count != 2:
        return False
    index = _strip_parentheses(subject.named_children[1])
    if index.type != "range_expression":
        return False
    bounds = [c for c in index.children if c.is_named and not c.is_extra]
    if len(bounds) == 1:
        return not index.children[0].is_named and _is_constant(bounds[0])  # `..K`, not `a..`
    if len(bounds) != 2:
        return False
    start, end = bounds
    if _is_constant(start) and _is_constant(end):
        return True
    end = _strip_parentheses(end)  # `at..at + K`
    operator = end.child_by_field_name("operator")
    left, right = end.child_by_field_name("left"), end.child_by_field_name("right")
    return (
        end.type == "binary_expression"
        and operator is not None
        and items.text(operator) == "+"
        and left is not None
        and right is not None
        and _normal(left) == _normal(start)
        and _is_constant(right)
    )


def _is_constant(node: Node) -> bool:
    """A number the code fixes: a literal, a `CONSTANT` (or `Self::SIZE`), `size_of::<T>()`,
    a type's function without arguments (`Header::serialized_size()`), or arithmetic of
    these."""
    node = _strip_parentheses(node)
    kind = node.type
    if kind in ("integer_literal", "identifier", "scoped_identifier"):
        return _constant(node)  # a literal, a `CONSTANT`, `Self::SIZE`
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        return (
            operator is not None
            and items.text(operator) in _CONSTANT_ARITHMETIC
            and left is not None
            and right is not None
            and _is_constant(left)
            and _is_constant(right)
        )
    if kind != "call_expression":
        return False
    arguments = node.child_by_field_name("arguments")
    function = node.child_by_field_name("function")
    if arguments is None or arguments.named_child_count or function is None:
        return False
    if _SIZE_OF.fullmatch(_normal(function)):
        return True
    if function.type == "generic_function":
        function = function.child_by_field_name("function") or function
    path = function.child_by_field_name("path") if function.type == "scoped_identifier" else None
    # `Header::serialized_size()`: the last segment of the path names a type.
    return path is not None and items.text(path).rsplit("::", 1)[-1][:1].isupper()


def _converts_a_length(operation: Operation) -> bool:
    """True for a conversion of a collection's length: `x.len().try_into()`,
    `T::try_from(x.len())`."""
    subject = operation.receiver
    if subject is None and operation.arguments is not None:
        subject = next((a for a in operation.arguments.named_children if not a.is_extra), None)
    if subject is None or subject.type != "call_expression":
        return False
    function = subject.child_by_field_name("function")
    field = function.child_by_field_name("field") if function is not None else None
    return (
        function is not None
        and function.type == "field_expression"
        and field is not None
        and items.text(field) == "len"
    )


def _panics_doc_names(ctx: FileContext, function: Node, operation: Operation | None) -> bool:
    """True when the function's `# Panics` section names an identifier the unwrapped
    operation works on (`len` in `c_int::try_from(len)`), so it documents this panic."""
    if operation is None:
        return False
    section = function_facts(ctx, function).panics_docs
    words = frozenset(
        w
        for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", section)
        if len(w) > 2 and w.lower() not in _COMMON_WORDS
    )
    if not words:
        return False
    lowered = {w.lower() for w in words}
    name = operation.name.lower()
    if any(w == name or (w.startswith(name) and w[len(name) :] in _INFLECTIONS) for w in lowered):
        return True  # "Panics if we are unable to bind .." over `TcpListener::bind(addr)`
    operands = [n for n in (operation.receiver, operation.arguments) if n is not None]
    return any(_mentions(ctx, operand, words) for operand in operands) or any(
        _abbreviates(ctx, operand, lowered) for operand in operands
    )


# Endings that keep a verb the same word: "parse", "parsed", "parsing", "binds".
_INFLECTIONS = frozenset({"s", "d", "ed", "ing", "es"})


def _abbreviates(ctx: FileContext, operand: Node, words: set[str]) -> bool:
    """True when a variable in `operand` is a short form of a word of the docs (`addr` of
    "address", `len` of "length"): the docs name the value it holds."""
    chunk = ctx.source[operand.start_byte : operand.end_byte]
    for hit in re.finditer(rb"(?<![\w.])[a-z][a-z0-9]{2,}\b", chunk):
        name = hit.group().decode()
        if not any(w.startswith(name) and w != name for w in words):
            continue
        at = operand.start_byte + hit.start()
        found = ctx.ancestry.named_node_at(at, at + len(name))
        if found is not None and found.type == "identifier":
            return True
    return False


def _in_main(scope: Scope) -> bool:
    """True directly in a top-level `fn main` (not in a closure or task it spawns)."""
    function = scope.function
    if function is None or scope.closure is not None:
        return False
    parent = items.parent(function)
    return (
        items.item_name(function) == "main"
        and parent is not None
        and (parent.type == "source_file")
    )


def _own_error_channel(ctx: FileContext, scope: Scope) -> str:
    """The function's `Result`/`Option`, when the site could return through it with `?`
    (not from inside a closure or async block, whose return is its own)."""
    if scope.function is None or scope.closure is not None:
        return ""
    return function_facts(ctx, scope.function).error_channel


def _on_parameter(ctx: FileContext, scope: Scope, operation: Operation) -> bool:
    """True when the operation works on a parameter of a function other modules can call
    (`text` in `text.trim().parse()`, `u8::from_str(&text)`): the caller controls whether it
    fails. A private function's callers are its own module, which keeps its invariants."""
    if scope.function is None or scope.closure is not None:
        return False
    if function_facts(ctx, scope.function).private:
        return False
    subject = operation.receiver
    if subject is None and operation.arguments is not None:
        subject = next((a for a in operation.arguments.named_children if not a.is_extra), None)
    root = _root_name(subject)
    return bool(root) and root in function_facts(ctx, scope.function).parameters


_PATTERN_BINDINGS = """
(match_arm pattern: (_) @pattern) @arm
(if_expression condition: (let_condition pattern: (_) @pattern value: (_) @value)) @condition
(while_expression condition: (let_condition pattern: (_) @pattern value: (_) @value)) @condition
"""


def _fed_by_parameter(ctx: FileContext, scope: Scope, operation: Operation, site: Node) -> bool:
    """True when a parameter of a function other modules can call feeds the operation: its
    receiver or arguments name one, or name a variable bound from one, by a `let` or by the
    pattern of a `match` arm or `if let` around the site (`Some(header) =>` of `match
    map.get(KEY)`). One binding is followed."""
    function = scope.function
    if function is None or scope.closure is not None or operation.call is None:
        return False
    facts = function_facts(ctx, function)
    if facts.private or not facts.parameters:
        return False
    inputs = [n for n in (operation.receiver, operation.arguments) if n is not None]
    if any(_mentions(ctx, node, facts.parameters) for node in inputs):
        return True
    names = frozenset(
        items.text(identifier)
        for node in inputs
        for identifier in _identifiers(ctx, node)
        if items.text(identifier) not in facts.parameters
    )
    for name in names:
        value = _let_value(ctx, scope, name, site.start_byte)
        if value is not None and _mentions(ctx, value, facts.parameters):
            return True
    return any(
        _mentions(ctx, source, facts.parameters)
        for source in _pattern_sources(ctx, function, site, names)
    )


def _identifiers(ctx: FileContext, node: Node) -> list[Node]:
    """The variables an input expression names (`header` of `header.as_bytes()`), found by
    their bytes (no walk over a long chain)."""
    found: list[Node] = []
    chunk = ctx.source[node.start_byte : node.end_byte]
    for hit in re.finditer(rb"(?<![\w.])[a-z_][a-z0-9_]*\b", chunk):
        at = node.start_byte + hit.start()
        token = ctx.ancestry.named_node_at(at, at + len(hit.group()))
        if token is not None and token.type == "identifier":
            found.append(token)
    return found


def _pattern_sources(
    ctx: FileContext, function: Node, site: Node, names: frozenset[str]
) -> list[Node]:
    """The values matched by the `match` arms and `if let`s around `site` whose patterns
    bind one of `names`."""
    if not names:
        return []
    cursor = tree_sitter.QueryCursor(compile_query(_PATTERN_BINDINGS))
    cursor.set_byte_range(site.start_byte, site.end_byte)
    sources: list[Node] = []
    for _, captures in cursor.matches(function):
        pattern = captures["pattern"][0]
        holder = captures.get("arm", captures.get("condition", [pattern]))[0]
        if not holder.start_byte <= site.start_byte < holder.end_byte:
            continue
        if not _mentions(ctx, pattern, names):
            continue
        if "value" in captures:
            sources.append(captures["value"][0])
            continue
        block = items.parent(holder)
        match = items.parent(block) if block is not None else None
        value = match.child_by_field_name("value") if match is not None else None
        if value is not None:
            sources.append(value)
    return sources


# How far into an input expression its variable is looked for.
_ROOT_STEPS = 12


def uses_parameter(ctx: FileContext, site: Node, operation: Operation | None) -> bool:
    """True when a parameter of the function feeds the unwrapped operation: its receiver or
    an argument spells one (`text.trim().parse()`, `ALERT_TYPES.get(&level)`; `self` is not a
    parameter here). Bindings are not followed: `let node = build(name); node.child()`
    reads back what this function built, an invariant of `build` rather than the caller's.
    """
    if operation is None or operation.call is None:
        return operation is None  # unknown (macro tokens, a plain variable): count it
    scope = scope_of(ctx, site)
    if scope.function is None:
        return False
    parameters = function_facts(ctx, scope.function).parameters
    inputs = [operation.receiver] if operation.receiver is not None else []
    if operation.arguments is not None:
        inputs.append(operation.arguments)
    return bool(parameters) and any(_mentions(ctx, value, parameters) for value in inputs)


def mentions_parameter(ctx: FileContext, site: Node, node: Node) -> bool:
    """True when `node` spells a parameter of the function that holds `site`."""
    function = scope_of(ctx, site).function
    if function is None:
        return False
    parameters = function_facts(ctx, function).parameters
    return bool(parameters) and _mentions(ctx, node, parameters)


def asserts_on_parameter(ctx: FileContext, invocation: Node) -> bool:
    """True when an `assert!`/`assert_eq!`/`assert_ne!` checks a parameter of its function
    (`assert!(limit > 0)`, `assert!(index <= len)`): a precondition the caller must meet.
    Only the condition counts (the operands before the message), and `self` is no parameter
    here, as for `uses_parameter`: `assert_ne!(index1, index2)` on values the function
    computed, or `assert!(size_of::<A>() == ..)`, checks the code's own invariant."""
    function = scope_of(ctx, invocation).function
    tokens = next((c for c in invocation.named_children if c.type == "token_tree"), None)
    if function is None or tokens is None:
        return False
    parameters = function_facts(ctx, function).parameters
    if not parameters:
        return False
    name = items.macro_name(invocation).rsplit("::", 1)[-1]
    operands = 2 if name in ("assert_eq", "assert_ne") else 1
    commas = [c for c in tokens.children if c.type == ","]
    end = commas[operands - 1].start_byte if len(commas) >= operands else tokens.end_byte
    return _mentions_between(ctx, tokens.start_byte, end, parameters)


def catch_all_subject(site: Node) -> Node | None:
    """The value matched by the `match` whose catch-all arm is `site` (None otherwise)."""
    if not _catch_all_arm(site):
        return None
    pattern = _arm_of(site)
    arm = items.parent(pattern) if pattern is not None else None
    body = items.parent(arm) if arm is not None else None
    match = items.parent(body) if body is not None else None
    if match is None or match.type != "match_expression":
        return None
    return match.child_by_field_name("value")


def debug_only(ctx: FileContext, site: Node) -> bool:
    """True inside `if cfg!(debug_assertions) { .. }`: gone from release builds."""
    memo: dict[Scope, bool] = ctx.memo(_DEBUG)
    return _outward(memo, scope_of(ctx, site), _debug_step, False)


def _debug_step(frame: Scope, around: bool) -> bool:
    """True for a frame in, or being, the block of an `if cfg!(debug_assertions)`."""
    block = frame.node
    if around or block is None or block.type != "block":
        return around
    parent = items.parent(block)
    condition = parent.child_by_field_name("condition") if parent is not None else None
    return (
        parent is not None
        and parent.type == "if_expression"
        and condition is not None
        and "".join(items.text(condition).split()) == "cfg!(debug_assertions)"
    )


def _mentions(ctx: FileContext, node: Node, names: frozenset[str]) -> bool:
    """True when an identifier in `node` is one of `names` (a byte search, checked in the
    tree at the first hit of each name, so a long chain costs no walk)."""
    return _mentions_between(ctx, node.start_byte, node.end_byte, names)


def _mentions_between(ctx: FileContext, start: int, end: int, names: frozenset[str]) -> bool:
    """`_mentions` over the bytes from `start` to `end`."""
    chunk = ctx.source[start:end]
    for name in names:
        # The first hit not after a word byte or `.`: a regex that begins with that
        # look-behind is tried at every byte, ten times slower than one that begins with
        # the name's letters.
        hit = next(
            (
                found
                for found in re.finditer(re.escape(name.encode()) + rb"\b", chunk)
                if not found.start() or chunk[found.start() - 1] not in _NAME_OR_DOT_BYTES
            ),
            None,
        )
        if hit is None:
            continue
        at = start + hit.start()
        found = ctx.ancestry.named_node_at(at, at + len(name))
        if found is not None and found.type == "identifier":
            return True
    return False


_PATH_STEPS = {
    "field_expression": "value",
    "index_expression": None,
    "reference_expression": "value",
    "try_expression": None,
    "await_expression": None,
    "parenthesized_expression": None,
    "type_cast_expression": "value",
}


def _root_name(node: Node | None) -> str:
    """The variable an expression starts from: `text` in `&text.trim()[1..]`."""
    for _ in range(_ROOT_STEPS):  # an input expression is short; a chain needs no deep walk
        if node is None:
            return ""
        kind = node.type
        if kind == "identifier":
            return items.text(node)
        if kind == "call_expression":
            function = node.child_by_field_name("function")
            node = function.child_by_field_name("value") if function is not None else None
            if function is None or function.type != "field_expression":
                return ""
            continue
        if kind not in _PATH_STEPS:
            return ""
        field = _PATH_STEPS[kind]
        node = (
            node.child_by_field_name(field)
            if field
            else (node.named_children[0] if node.named_child_count else None)
        )
    return ""


def _is_lock(operation: Operation) -> bool:
    arguments = operation.arguments
    return (
        operation.name in _LOCKS
        and operation.receiver is not None
        and arguments is not None
        and not arguments.named_child_count
    )


def _receiver(call: Node) -> Node | None:
    function = call.child_by_field_name("function")
    return function.child_by_field_name("value") if function is not None else None


def _fallback_of(site: Node, scope: Scope) -> Node | None:
    """The `x.unwrap_or_else(..)` call whose closure's body is this panic, if any."""
    closure = scope.closure
    if closure is None or closure.type != "closure_expression":
        return None
    body = closure.child_by_field_name("body")
    if body is None or not _is_body_of(site, body):
        return None
    arguments = items.parent(closure)
    call = items.parent(arguments) if arguments is not None else None
    if call is None or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    field = function.child_by_field_name("field") if function is not None else None
    if field is None or items.text(field) not in ("unwrap_or_else", "unwrap_or_else_default"):
        return None
    return call


def _is_body_of(site: Node, body: Node) -> bool:
    """True when `site` is the closure body, or its block's only expression."""
    if site.id == body.id:
        return True
    if body.type != "block":
        return False
    values = [c for c in body.named_children if not c.is_extra]
    if len(values) != 1:
        return False
    value = values[0]
    if value.type == "expression_statement" and value.named_child_count:
        value = value.named_children[0]
    return value.id == site.id


def _catch_all_arm(site: Node) -> bool:
    """True for `_ => panic!(..)` or `other => panic!(..)`: the arm for what cannot occur."""
    pattern = _arm_of(site)
    if pattern is None or pattern.child_by_field_name("condition") is not None:
        return False
    value = pattern.named_children[0] if pattern.named_child_count else None
    if value is None:
        return items.text(pattern).strip() == "_"
    return value.type == "identifier" and not items.text(value)[:1].isupper()


def _arm_pattern(site: Node) -> str:
    """The variant an arm whose body is `site` matches: "Err" for `Err(e) => panic!(..)`."""
    pattern = _arm_of(site)
    value = pattern.named_children[0] if pattern is not None and pattern.named_child_count else None
    if value is None or value.type != "tuple_struct_pattern":
        return ""
    variant = value.child_by_field_name("type")
    return items.text(variant).rsplit("::", 1)[-1].strip()


def _arm_of(site: Node) -> Node | None:
    """The pattern of the `match` arm whose body is `site` (or a block of only `site`)."""
    arm = items.parent(site)
    if arm is not None and arm.type == "block":  # `_ => { panic!(..) }`
        block = arm
        arm = items.parent(block)
        if not _is_body_of(site, block):
            return None
    if arm is None or arm.type != "match_arm":
        return None
    return arm.child_by_field_name("pattern")
