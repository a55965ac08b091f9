"""What an `unsafe` block does: plain calls, or operations whose soundness needs an argument.

In an FFI wrapper, `unsafe { ffi::EVP_MD_size(self.as_ptr()) }` is the wrapper type's
invariant (it owns a valid handle) repeated for every foreign function it wraps, and reviewers
leave such blocks alone. What needs a written argument is memory the block touches through a
raw pointer, a reference or an owner it builds from one, pointer arithmetic, bits it
reinterprets, a check it skips, a `static mut`, ownership it hands to foreign code, or several
unsafe calls whose soundness depends on how their subjects relate.

A syntax tree has no types, so operations are told apart by their nodes (`*p`, `&mut x`,
casts) and by the names std gives the operations (`transmute`, `from_raw_parts`, `add` on a
pointer, anything `_unchecked`): a method called `add` is taken for pointer arithmetic, and
`as_ref` for a raw pointer's, which only costs a block the companion rule would have taken.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from rustpro.syntax import ancestry, items
from rustpro.syntax.parser import compile_query

# Calls whose soundness rests on what the caller proves about memory, initialisation,
# lifetimes or ownership, whatever they are called on (`mem::transmute`, `v.set_len(n)`).
_NEEDS_ARGUMENT = frozenset(
    {
        "transmute",
        "transmute_copy",
        "set_len",
        "advance_mut",  # `bytes::BufMut`'s `set_len`: the bytes must be initialised
        "assume_init",
        "assume_init_ref",
        "assume_init_mut",
        "assume_init_read",
        "assume_init_drop",
        "array_assume_init",
        "uninitialized",
        "forget",  # ownership handed to foreign code, or a destructor skipped on purpose
        "into_raw",
        "into_ptr",
        "drop_in_place",
        "copy_nonoverlapping",
        "write_bytes",
        "read_unaligned",
        "write_unaligned",
        "read_volatile",
        "write_volatile",
        "offset_from",
        "byte_offset_from",
        "as_mut_vec",
        "as_bytes_mut",
        "increment_strong_count",
        "decrement_strong_count",
        "alloc",
        "alloc_zeroed",
        "dealloc",
        "realloc",
        # A reference made from a raw pointer (`p.as_ref()`, `NonNull::as_mut`): its
        # lifetime and aliasing are the caller's claim.
        "as_ref",
        "as_mut",
        "as_uninit_ref",
        "as_uninit_mut",
        "as_uninit_slice",
        "as_uninit_slice_mut",
    }
)
# Name prefixes that build a reference, a slice or an owner from a raw pointer or handle
# (`slice::from_raw_parts`, `Box::from_raw`, `File::from_raw_fd`, `StackRef::from_ptr`).
_FROM_RAW_PREFIXES = ("from_raw", "from_ptr", "from_const_ptr")
# Pointer methods: arithmetic and copies through the pointer (`p.add(n)`, `p.copy_to(q, n)`).
_POINTER_METHODS = frozenset(
    {
        "add",
        "sub",
        "offset",
        "byte_add",
        "byte_sub",
        "byte_offset",
        "copy_to",
        "copy_from",
        "copy_to_nonoverlapping",
        "copy_from_nonoverlapping",
    }
)
# Functions of `std::ptr` whose names are too common to judge unqualified (`ptr::read(p)`).
_PTR_FUNCTIONS = frozenset({"read", "write", "copy", "swap", "replace"})
# `ManuallyDrop::take(&mut slot)`: the slot must never be used again; `ManuallyDrop::new`
# in unsafe code skips a destructor, as `mem::forget` does.
_MANUALLY_DROP_FUNCTIONS = frozenset({"take", "drop", "new"})
# `FromRawFd` and friends, and the `IntoRawFd` method that gives up what they take.
_HANDLE_GIVERS = {
    "from_raw_fd": "into_raw_fd",
    "from_raw_socket": "into_raw_socket",
    "from_raw_handle": "into_raw_handle",
}
# How far back a `let fd = x.into_raw_fd();` may stand from the block that takes `fd`.
_HANDOVER_STATEMENTS = 3
# What names the function a call runs: a path, or a method (`field_expression`).
_CALLEE_KINDS = frozenset({"identifier", "scoped_identifier", "field_expression"})
_ASSEMBLY_MACROS = frozenset({"asm", "global_asm", "naked_asm"})

# Calls that are safe code and say nothing about what the block's unsafe calls touch:
# `Option`/`Result` plumbing, pointer and length accessors, conversions.
_SAFE_METHODS = frozenset(
    {
        "map",
        "map_err",
        "map_or",
        "map_or_else",
        "and_then",
        "or_else",
        "ok_or",
        "ok_or_else",
        "unwrap",
        "unwrap_or",
        "unwrap_or_else",
        "unwrap_or_default",
        "expect",
        "ok",
        "err",
        "is_null",
        "is_some",
        "is_none",
        "is_ok",
        "is_err",
        "is_empty",
        "len",
        "into",
        "try_into",
        "from",
        "try_from",
        "clone",
        "to_owned",
        "to_string",
        "as_ptr",
        "as_mut_ptr",
        "cast",
        "cast_mut",
        "cast_const",
        "get",
        "iter",
        "collect",
        "last_os_error",
        "from_raw_os_error",
        # Buffers and strings the block fills or reads (`buf.truncate(len)` after the call).
        "truncate",
        "push",
        "extend_from_slice",
        "copy_from_slice",
        "to_vec",
        "as_slice",
        "as_mut_slice",
        "as_bytes",
        "as_str",
        "to_str",
        "to_bytes",
        "to_string_lossy",
        "into_owned",
        "iter_mut",
        "into_iter",
        "load",
        "store",
    }
)
# `Option`/`Result` variants: wrapping a value is never the unsafe part.
_WRAPPING_VARIANTS = frozenset({"Some", "Ok", "Err"})
# `mem` functions that move safe values around (`mem::replace(&mut slot, new)`).
_SAFE_MEM_FUNCTIONS = frozenset({"replace", "swap", "take", "size_of", "align_of", "drop"})
# Names of Rust constructors and conversions (`CString::new`, `Duration::from_secs`).
_CONSTRUCTOR_PREFIXES = ("new", "from", "with_", "default")
# Binary operators that combine plain values into a plain value: flags (`O_RDONLY |
# O_CLOEXEC`) and tests. Arithmetic is not among them: a computed length or offset is what a
# buffer argument needs argued.
_PLAIN_OPERATORS = frozenset(
    {"|", "&", "^", "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "&&", "||"}
)
_LITERALS = frozenset(
    {
        "integer_literal",
        "float_literal",
        "string_literal",
        "raw_string_literal",
        "char_literal",
        "boolean_literal",
        "negative_literal",
        "unit_expression",
    }
)
# Values that pass a plain value on: `&mut x`, `x as *mut _`, `(x)`, `f(x)?`.
_WRAPPERS = frozenset(
    {"reference_expression", "type_cast_expression", "parenthesized_expression", "try_expression"}
)
# Module names that declare foreign types (`libc::sigaction`, `ffi::X509V3_CTX`).
_FOREIGN_MODULES = frozenset({"libc", "ffi", "sys", "c", "winapi", "windows_sys", "bindings"})
# Tokens after which a `*` in a macro's arguments multiplies rather than dereferences.
_OPERAND_ENDS = frozenset({"identifier", "self", "token_tree", ")", "]", "?", *_LITERALS})
_STATIC_MUTS = "(static_item (mutable_specifier) name: (identifier) @name)"


_NO_UNSAFE_CALL = "it makes no unsafe call, so it touches a union field or a mutable static"
_ZEROES = "it zeroes a value of a type that may have invariants"


@dataclass(frozen=True, slots=True)
class _Summary:
    """What an `unsafe` block does, in the few facts its verdict is made of: an enclosing
    block reads them at the nested block's place instead of walking it again (a walk of each
    of n nested blocks is quadratic)."""

    concern: str | None = None  # the first operation that needs an argument, in source order
    # Facts about its calls, in the order `_calls_concern` weighs them.
    computed: str | None = None  # the first computed argument of a call that is no helper
    subjects: tuple[str, ...] = ()  # the first two different subjects of its unsafe calls
    candidates: bool = False  # one of its calls could be unsafe
    macros: bool = False  # it invokes a macro, which may hide an unsafe call
    # `mem::zeroed`: of a type that may have invariants, or of variables (by name) the block
    # has not yet been seen to pass out as `&mut x` to be filled in.
    zeroed_bad: bool = False
    zeroed_names: frozenset[str] = frozenset()

    def verdict(self) -> str | None:
        if self.concern is not None:
            return self.concern
        if self.zeroed_bad or self.zeroed_names:
            return _ZEROES
        if self.computed is not None:
            return self.computed
        if len(self.subjects) > 1:
            return f"it makes unsafe calls on `{self.subjects[0]}` and `{self.subjects[1]}`"
        if not self.candidates and not self.macros:
            return _NO_UNSAFE_CALL
        return None


@dataclass(slots=True)
class _Builder:
    """A `_Summary` being read, node by node, in source order."""

    block: Node
    concern: str | None = None
    computed: str | None = None
    subjects: list[str] = field(default_factory=list)
    candidates: bool = False
    macros: bool = False
    zeroed_bad: bool = False
    zeroed_names: set[str] = field(default_factory=set)

    def add_subject(self, subject: str) -> None:
        # Two different subjects decide; later ones change nothing.
        if len(self.subjects) < 2 and subject not in self.subjects:
            self.subjects.append(subject)

    def merge(self, inner: _Summary) -> None:
        """Read a nested block's summary at its place."""
        if inner.concern is not None:
            self.concern = inner.concern
            return
        self.zeroed_bad = self.zeroed_bad or inner.zeroed_bad
        self.zeroed_names.update(inner.zeroed_names)
        self.candidates = self.candidates or inner.candidates
        self.macros = self.macros or inner.macros
        if self.computed is None:
            self.computed = inner.computed
            for subject in inner.subjects:
                self.add_subject(subject)


class BlockReader:
    """Reads the `unsafe` blocks of one file (`needs_argument`), each node once: a block's
    summary is kept, and read again where the block is nested in another."""

    def __init__(self, statics: frozenset[str] = frozenset(), source: bytes | None = None) -> None:
        self.statics = statics  # the file's `static mut` names
        self.source = source  # the file's bytes, when at hand: messages quote a prefix
        self._summaries: dict[int, _Summary] = {}
        # Where `&mut name` is written, by name, in the blocks read so far (sorted bytes).
        self._out_parameters: dict[str, list[int]] = {}
        self._roots: dict[int, str | None] = {}  # `_root` of the expressions met
        self._before: dict[int, list[Node]] = {}  # `_statements_before`, by statement

    def needs_argument(self, block: Node) -> str | None:
        """See `needs_argument`."""
        return self.summary(block).verdict()

    def summary(self, block: Node) -> _Summary:
        """The summary of `block`, and of every block nested in it not read yet."""
        found = self._summaries.get(block.id)
        if found is not None:
            return found
        reading = [_Builder(block)]
        # Nodes to read, in source order from the end, and the builder of each block read
        # so far where its nodes end.
        stack: list[Node | _Builder] = [reading[0], *reversed(block.named_children)]
        while stack:
            item = stack.pop()
            if isinstance(item, _Builder):
                self._finish(item, reading)
                continue
            builder = reading[-1]
            if item.type == "unsafe_block":
                known = self._summaries.get(item.id)
                if known is None:
                    inner = _Builder(item)
                    reading.append(inner)
                    stack.append(inner)
                    stack.extend(reversed(item.named_children))
                    continue
                builder.merge(known)
            else:
                self._read(item, builder)
                stack.extend(reversed(item.named_children))
            if builder.concern is not None:
                # The block's verdict is decided: the rest of it is read when asked for.
                while stack[-1] is not builder:
                    stack.pop()
        return self._summaries[block.id]

    def _finish(self, builder: _Builder, reading: list[_Builder]) -> None:
        reading.pop()
        if builder.concern is not None:
            summary = _Summary(builder.concern)
        else:
            block = builder.block
            summary = _Summary(
                None,
                builder.computed,
                tuple(builder.subjects),
                builder.candidates,
                builder.macros,
                builder.zeroed_bad,
                frozenset(
                    name
                    for name in builder.zeroed_names
                    if not self._passed_out(name, block.start_byte, block.end_byte)
                ),
            )
        self._summaries[builder.block.id] = summary
        if reading:
            reading[-1].merge(summary)

    def _passed_out(self, name: str, start: int, end: int) -> bool:
        """True when `&mut name` is written between bytes `start` and `end` (in a block
        read already: every node of a block is read before the block is finished)."""
        written = self._out_parameters.get(name, [])
        at = bisect.bisect_left(written, start)
        return at < len(written) and written[at] < end

    def _read(self, node: Node, builder: _Builder) -> None:
        kind = node.type
        if kind == "unary_expression" and _operator(node) == "*":
            builder.concern = "it dereferences a raw pointer"
        elif kind == "call_expression":
            self._read_call(node, builder)
        elif kind == "reference_expression" and _is_mutable_reference(node):
            value = node.child_by_field_name("value")
            if value is not None and value.type == "identifier":
                written = self._out_parameters.setdefault(items.text(value), [])
                bisect.insort(written, node.start_byte)
        elif kind == "macro_invocation":
            builder.macros = True
            builder.concern = _macro_concern(node, self.statics)
        elif kind == "identifier" and self.statics and items.text(node) in self.statics:
            builder.concern = f"it uses `static mut {items.text(node)}`"

    def _read_call(self, call: Node, builder: _Builder) -> None:
        name, qualifier, is_method = _callee(call)
        if not name:
            # `(self.vtable.drop)(data)`: which function runs is data the reader cannot see.
            builder.concern = "it calls through a function pointer"
            return
        named = _named_for_argument(name, qualifier, is_method, _argument_count(call))
        if (
            named
            and not _refers_to_static_data(call, name)
            and not self._takes_given_up_handle(call, name)
        ):
            builder.concern = f"it calls `{name}`"
            return
        if name == "zeroed" and qualifier in ("", "mem"):
            self._read_zeroed(call, builder)
        # What `_calls_concern` would make of the block's calls, one call at a time.
        builder.candidates = builder.candidates or _could_be_unsafe(call)
        if builder.computed is not None or _is_safe_helper(call):
            return
        for argument in _passed(call):
            if not _plain(argument):
                quoted = _squeezed(argument, self.source)
                builder.computed = f"it passes a computed argument `{quoted}`"
                return
        if _is_accessor(call) or _in_closure(call):
            return  # a closure's calls work on its parameters (`.map(|n| ..)`)
        subject = self._subject(call)
        if subject is not None:
            builder.add_subject(subject)

    @staticmethod
    def _read_zeroed(call: Node, builder: _Builder) -> None:
        """`mem::zeroed()` of a foreign (C) type, or of a variable the block passes as
        `&mut x` to be filled in: all-zero is a valid C struct, and the usual way to make one."""
        declared = _zeroed_type(call)
        if declared is not None:
            builder.zeroed_bad = builder.zeroed_bad or not _is_foreign_type(declared)
            return
        bound = _bound_name(call)
        if bound is None:
            builder.zeroed_bad = True
        else:
            builder.zeroed_names.add(bound)

    def _takes_given_up_handle(self, call: Node, name: str) -> bool:
        """`File::from_raw_fd(fd.into_raw_fd())`: an OS handle passed from one owner to another.

        The handle comes straight from the `into_raw_*` that gave it up: as the argument, as a
        variable a `let` just before the block bound to it, or as the parameter of a closure
        mapped over it (`.map(IntoRawFd::into_raw_fd).map(|fd| unsafe { T::from_raw_fd(fd) })`).
        """
        giver = _HANDLE_GIVERS.get(name)
        passed = _passed(call)
        if giver is None or len(passed) != 1:
            return False
        handle = _unwrapped(passed[0])
        if handle.type == "call_expression":
            return _callee(handle)[0] == giver
        if handle.type != "identifier":
            return False
        variable = items.text(handle)
        return self._bound_just_before(call, variable, giver) or _mapped_from(call, variable, giver)

    def _bound_just_before(self, call: Node, variable: str, giver: str) -> bool:
        """True when one of the few statements before the one holding `call` is
        `let variable = x.giver();`."""
        holder = items.enclosing(call, ("unsafe_block",)) or call
        for previous in self._statements_before(items.under_nearest(holder, ("block",))):
            if (
                previous.type == "let_declaration"
                and items.text(previous.child_by_field_name("pattern")) == variable
            ):
                value = previous.child_by_field_name("value")
                return value is not None and _callee(_unwrapped(value))[0] == giver
        return False

    def _statements_before(self, statement: Node) -> list[Node]:
        """The `_HANDOVER_STATEMENTS` statements before `statement`, nearest first, comments
        passed over; found once per statement (its calls all ask)."""
        found = self._before.get(statement.id)
        if found is None:
            found = self._before[statement.id] = []
            previous = items.previous_named(statement)
            while previous is not None and len(found) < _HANDOVER_STATEMENTS:
                if not previous.type.endswith("comment"):
                    found.append(previous)
                previous = items.previous_named(previous)
        return found

    def _subject(self, call: Node) -> str | None:
        """The variable a call works on: a method's receiver, or a function's first
        argument, through fields, accessors, references and casts (`self.as_ptr()` ->
        `self`)."""
        function = call.child_by_field_name("function")
        if function is not None and function.type == "field_expression":
            return self._root(function.child_by_field_name("value"))
        first = _passed(call)[:1]
        return self._root(first[0]) if first else None

    def _root(self, expression: Node | None) -> str | None:
        """The variable an expression works on; None for constants (`SIG_BLOCK`) and results
        of function calls. Each expression's answer is kept: the calls of a chain each ask
        about the chain below them."""
        walked: list[int] = []
        node = expression
        found: str | None = None
        while node is not None:
            if node.id in self._roots:
                found = self._roots[node.id]
                break
            walked.append(node.id)
            if node.type == "self":
                found = "self"
                break
            if node.type == "identifier":
                name = items.text(node)
                found = name if not name.isupper() else None
                break
            if node.type in _WRAPPERS or node.type in ("field_expression", "index_expression"):
                node = _wrapped(node)
            elif node.type == "call_expression":
                function = node.child_by_field_name("function")
                if function is None or function.type != "field_expression":
                    break  # a function's result is no variable's
                node = function.child_by_field_name("value")
            else:
                break
        for step in walked:
            self._roots[step] = found
        return found


def needs_argument(block: Node, statics: frozenset[str] = frozenset()) -> str | None:
    """What in an `unsafe` block needs a written argument, described for a message; None when
    its only unsafe operations are calls with plain arguments on one subject.

    Plain arguments are paths, fields, literals, references to them, casts of them to
    pointers, accessor calls (`self.as_ptr()`, `buf.len()`, `ptr::null_mut()`) and calls
    nested the same way (`cvt(ffi::f(self.as_ptr()))`); flags combined with `|` too.
    `statics`: the `static mut` names of the file, whose every use needs an argument.
    A file's blocks are read with one `BlockReader`, which reads each node once.
    """
    return BlockReader(statics).needs_argument(block)


def static_muts(root: Node) -> frozenset[str]:
    """The names of the `static mut` items of a file (one query: call it once per file)."""
    names = QueryCursor(compile_query(_STATIC_MUTS)).captures(root).get("name", [])
    return frozenset(items.text(name) for name in names)


def _refers_to_static_data(call: Node, name: str) -> bool:
    """`CipherRef::from_ptr(ffi::EVP_aes_128_cbc() as *mut _)`: a reference to what a
    function without arguments returns, a library's global table or string, which has no
    owner and no lifetime to argue."""
    if not name.startswith(("from_ptr", "from_const_ptr")):
        return False
    passed = _passed(call)
    if len(passed) != 1:
        return False
    pointer = _unwrapped(passed[0])
    if pointer.type != "call_expression" or _argument_count(pointer) != 0:
        return False
    function = pointer.child_by_field_name("function")
    return function is not None and function.type in ("identifier", "scoped_identifier")


def _unwrapped(value: Node) -> Node:
    """The value inside casts, parentheses and `?`."""
    while value.type in ("type_cast_expression", "parenthesized_expression", "try_expression"):
        inner = _wrapped(value)
        if inner is None:
            break
        value = inner
    return value


def _mapped_from(call: Node, variable: str, giver: str) -> bool:
    """True when `variable` is the parameter of a closure passed to `.map(..)` on the result
    of `.map(T::giver)` or `.map(|x| x.giver())`."""
    closure = items.enclosing(call, ("closure_expression",))
    if closure is None or items.text(closure.child_by_field_name("parameters")) != f"|{variable}|":
        return False
    arguments = items.parent(closure)
    mapping = items.parent(arguments) if arguments is not None else None
    function = mapping.child_by_field_name("function") if mapping is not None else None
    receiver = function.child_by_field_name("value") if function is not None else None
    if receiver is None or receiver.type != "call_expression":
        return False
    passed = _passed(receiver)
    if len(passed) != 1:
        return False
    mapper = passed[0]
    if mapper.type == "closure_expression":
        body = mapper.child_by_field_name("body")
        return body is not None and body.type == "call_expression" and _callee(body)[0] == giver
    return (
        mapper.type == "scoped_identifier"
        and items.text(mapper.child_by_field_name("name")) == giver
    )


def _named_for_argument(name: str, qualifier: str, is_method: bool, arguments: int) -> bool:
    """True for a call whose name says it needs an argument (see the module docs)."""
    if name in _NEEDS_ARGUMENT or "unchecked" in name or name.startswith(_FROM_RAW_PREFIXES):
        return True
    if is_method:
        if name in _POINTER_METHODS:
            return True
        # `p.read()` and `p.write(v)`: `io::Read`/`io::Write` take a buffer, `ptr` does not.
        return (name == "read" and arguments == 0) or (name == "write" and arguments == 1)
    if qualifier == "ptr":
        return name in _PTR_FUNCTIONS
    return qualifier == "ManuallyDrop" and name in _MANUALLY_DROP_FUNCTIONS


def _callee(call: Node) -> tuple[str, str, bool]:
    """(name, last qualifier segment, is a method call) of a call: `ptr::read` is ("read",
    "ptr", False), `p.add(1)` is ("add", "", True), `mem::zeroed::<T>()` is ("zeroed",
    "mem", False)."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "generic_function":
        function = function.child_by_field_name("function")
    if function is None or function.type not in _CALLEE_KINDS:
        return "", "", False
    if function.type == "field_expression":
        return items.text(function.child_by_field_name("field")), "", True
    if function.type == "scoped_identifier":
        path = function.child_by_field_name("path")
        qualifier = path.child_by_field_name("name") if path is not None else None
        last = qualifier if qualifier is not None else path
        return items.text(function.child_by_field_name("name")), items.text(last), False
    return items.text(function), "", False


def _argument_count(call: Node) -> int:
    return len(_passed(call))


def _passed(call: Node) -> list[Node]:
    """The arguments of a call, without comments and `#[cfg(..)]` attributes between them."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return []
    return [
        a
        for a in arguments.named_children
        if not a.type.endswith("comment") and a.type != "attribute_item"
    ]


def _operator(node: Node) -> str:
    return node.children[0].type if node.children else ""


def _is_mutable_reference(node: Node) -> bool:
    return any(c.type == "mutable_specifier" for c in node.children)


def _macro_concern(invocation: Node, statics: frozenset[str]) -> str | None:
    """What in a macro's arguments needs an argument: `asm!`, or a dereference, a call named
    for an argument or a `static mut` among its tokens (`debug_assert!(*p != 0)`)."""
    if items.macro_name(invocation) in _ASSEMBLY_MACROS:
        return "it runs inline assembly"
    trees = [c for c in invocation.children if c.type == "token_tree"]
    while trees:
        tokens = trees.pop().children
        for index, token in enumerate(tokens):
            concern = _token_concern(tokens, index, statics)
            if concern is not None:
                return concern
            if token.type == "token_tree":
                trees.append(token)
    return None


def _token_concern(tokens: list[Node], index: int, statics: frozenset[str]) -> str | None:
    """What the token at `index` of a token tree's `tokens` does, read with its neighbours
    (from the list: `Node.next_sibling` would descend from the root for each token)."""
    token = tokens[index]
    previous = tokens[index - 1] if index > 0 else None
    if token.type == "*" and (previous is None or previous.type not in _OPERAND_ENDS):
        return "it dereferences a raw pointer"
    if token.type != "identifier":
        return None
    name = items.text(token)
    if name in statics:
        return f"it uses `static mut {name}`"
    arguments = tokens[index + 1] if index + 1 < len(tokens) else None
    if arguments is None or arguments.type != "token_tree" or not _parenthesised(arguments):
        return None
    is_method = previous is not None and previous.type == "."
    qualifier = ""
    if previous is not None and previous.type == "::":
        path = tokens[index - 2] if index > 1 else None
        qualifier = items.text(path) if path is not None and path.type == "identifier" else ""
    if _named_for_argument(name, qualifier, is_method, arguments.named_child_count):
        return f"it calls `{name}`"
    return None


def _parenthesised(tokens: Node) -> bool:
    """True for a token tree written `( .. )` (its first token: its text may be long)."""
    first = tokens.child(0)
    return first is not None and first.type == "(" and not first.is_missing


def _zeroed_type(call: Node) -> Node | None:
    """The type `mem::zeroed` makes: `zeroed::<T>()`, or the declared type of the `let` it
    (or the unsafe block it is alone in) initialises."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "generic_function":
        arguments = function.child_by_field_name("type_arguments")
        named = arguments.named_children if arguments is not None else []
        return named[0] if named else None
    let = _initialised_let(call)
    return let.child_by_field_name("type") if let is not None else None


def _initialised_let(value: Node) -> Node | None:
    """The `let` whose value is `value`, seen through an unsafe block that holds only it."""
    node = value
    holder = items.parent(node)
    while holder is not None and holder.type in ("block", "unsafe_block"):
        if holder.type == "block" and len(_statements(holder)) != 1:
            return None
        node = holder
        holder = items.parent(node)
    parent = holder
    is_value = parent is not None and parent.child_by_field_name("value") == node
    return parent if is_value and parent is not None and parent.type == "let_declaration" else None


def _statements(block: Node) -> list[Node]:
    return [c for c in block.named_children if not c.type.endswith("comment")]


def _bound_name(value: Node) -> str | None:
    """The variable `let x = value` or `x = value` binds, when it is a plain name."""
    parent = items.parent(value)
    if parent is None:
        return None
    if parent.type == "let_declaration":
        target = parent.child_by_field_name("pattern")
    elif parent.type == "assignment_expression":
        target = parent.child_by_field_name("left")
    else:
        return None
    return items.text(target) if target is not None and target.type == "identifier" else None


def _is_foreign_type(type_node: Node) -> bool:
    """True for a C type, by the C way of naming (`sigset_t`, `SYSTEM_INFO`) or a foreign
    module (`libc::stat`); primitives and arrays of them too. A Rust type (`Overlapped`,
    `T`) may have invariants all-zero breaks."""
    if type_node.type == "primitive_type":
        return True
    if type_node.type == "array_type":
        element = type_node.child_by_field_name("element")
        return element is not None and _is_foreign_type(element)
    if type_node.type == "scoped_type_identifier":
        path = items.text(type_node.child_by_field_name("path"))
        if _FOREIGN_MODULES.intersection(path.split("::")):
            return True
        return _is_c_name(items.text(type_node.child_by_field_name("name")))
    return type_node.type == "type_identifier" and _is_c_name(items.text(type_node))


def _is_c_name(name: str) -> bool:
    if not name:
        return False
    return name[0].islower() or "_" in name or (len(name) > 1 and name.isupper())


def _is_safe_helper(call: Node) -> bool:
    """`Some(x)`, `MessageDigest(ptr)`, `.map(..)`, `.is_null()`, `CString::new(s)`,
    `mem::replace(..)`: safe plumbing."""
    name, qualifier, is_method = _callee(call)
    if not name or name in _WRAPPING_VARIANTS or _is_constructor_name(name, qualifier):
        return True  # a tuple struct or enum variant
    if is_method:
        return name in _SAFE_METHODS
    if qualifier == "mem":
        return name in _SAFE_MEM_FUNCTIONS
    # A constructor of a Rust type (`Duration::from_secs`, `Arc::new`); the ones that take a
    # raw pointer (`from_raw`, `from_ptr`) are operations that need an argument.
    return qualifier[:1].isupper() and name.startswith(_CONSTRUCTOR_PREFIXES)


def _could_be_unsafe(call: Node) -> bool:
    """False only for calls no crate can make unsafe: `Some(x)`, std's `Option`, pointer and
    buffer methods, `mem::replace`. A CamelCase call may be a Win32 function (`CloseHandle`),
    `Type::new` an unsafe constructor."""
    name, qualifier, is_method = _callee(call)
    if name in _WRAPPING_VARIANTS or (is_method and name in _SAFE_METHODS):
        return False
    return not (qualifier == "mem" and name in _SAFE_MEM_FUNCTIONS)


def _is_constructor_name(name: str, qualifier: str) -> bool:
    """`MessageDigest(ptr)`, `Kind::Raw(x)`: CamelCase, unlike C's `EVP_sha256` or a foreign
    module's `ffi::Digest` (a Win32 `GetSystemInfo` called unqualified passes for one)."""
    camel = name[0].isupper() and "_" not in name and not name.isupper()
    return camel and qualifier not in _FOREIGN_MODULES


def _in_closure(call: Node) -> bool:
    """True for a call inside a closure that is inside the unsafe block."""
    holder = items.enclosing(call, ("closure_expression", "unsafe_block"))
    return holder is not None and holder.type == "closure_expression"


def _is_accessor(call: Node) -> bool:
    """`self.as_raw()` passed to another call: a method call without arguments that feeds a
    value to the call it is an argument of."""
    _, _, is_method = _callee(call)
    if not is_method or _argument_count(call) != 0:
        return False
    # Up a chain of accessors (`key.as_cstr().as_ptr()`) to where it ends: folded from the
    # root down once per node, as a climb from each call of a long chain is quadratic.
    return ancestry.folded(call, _chain_step, _AROUND_ROOT).ends_in == "arguments"


@dataclass(frozen=True, slots=True)
class _ChainLink:
    """A node as a link of a chain of accessors, and where the chain it is in ends."""

    kind: str
    function_id: int  # a call's function (`a.f` of `a.f()`): the chain goes on through it
    ends_in: str  # the kind of the node the chain is held by ("" for none)


_AROUND_ROOT = _ChainLink("", -1, "")


def _chain_step(around: _ChainLink, node: Node) -> _ChainLink:
    kind = around.kind
    continues = (
        kind in _WRAPPERS
        or kind == "field_expression"
        or (kind == "call_expression" and around.function_id == node.id)
    )
    function = node.child_by_field_name("function") if node.type == "call_expression" else None
    return _ChainLink(
        node.type,
        function.id if function is not None else -1,
        around.ends_in if continues else kind,
    )


def _plain(argument: Node) -> bool:
    """True for a value a reviewer reads at a glance (see `needs_argument`)."""
    kind = argument.type
    if kind in ("identifier", "self", "scoped_identifier", "call_expression"):
        return True  # a call is judged as a call of its own
    if kind in _LITERALS or kind in ("closure_expression", "generic_function"):
        return True  # a closure is safe code; its unsafe operations are the block's
    if kind == "field_expression":
        return _plain_children(argument, "value")
    if kind in _WRAPPERS:
        inner = _wrapped(argument)
        return inner is not None and _plain(inner)
    if kind == "unary_expression":
        return _operator(argument) != "*" and _plain_children(argument)
    if kind == "binary_expression":
        operator = argument.child_by_field_name("operator")
        plain_operator = operator is not None and operator.type in _PLAIN_OPERATORS
        return plain_operator and _plain_children(argument)
    if kind in ("array_expression", "tuple_expression", "index_expression", "range_expression"):
        return _plain_children(argument)
    return False


def _wrapped(node: Node) -> Node | None:
    """The value inside `&x`, `x as T`, `(x)`, `x?`, `x.f`, `x[i]`."""
    value = node.child_by_field_name("value")
    if value is not None:
        return value
    named = [c for c in node.named_children if not c.type.endswith("comment")]
    return named[0] if named else None


def _plain_children(node: Node, only: str | None = None) -> bool:
    children = [node.child_by_field_name(only)] if only else node.named_children
    return all(c is not None and (c.type.endswith("comment") or _plain(c)) for c in children)


def _squeezed(node: Node, source: bytes | None, limit: int = 40) -> str:
    """The text of `node` on one line, cut to `limit` characters.

    With the file's `source`, only as much of the node is read as the cut keeps: an argument
    may be a whole nested block, and quoting each of n nested ones in full is quadratic.
    """
    if source is None:
        text = " ".join(items.text(node).split())
    else:
        start, end = node.start_byte, node.end_byte
        size = 4 * limit
        while True:
            stop = min(end, start + size)
            text = " ".join(source[start:stop].decode("utf-8", "replace").split())
            # A prefix squeezes to a prefix of the whole; its last few characters may be a
            # word or a character cut short, which the cut leaves out.
            if stop == end or len(text) > limit + 4:
                break
            size *= 4
    return text if len(text) <= limit else text[: limit - 1] + "…"
