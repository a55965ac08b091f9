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

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from rustpro.syntax import items
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
_STATIC_MUTS = compile_query("(static_item (mutable_specifier) name: (identifier) @name)")


@dataclass(slots=True)
class _Reading:
    """What a walk over a block found short of an operation that needs an argument: the
    calls it makes, whether it invokes macros, and the facts `mem::zeroed` is judged by."""

    calls: list[Node] = field(default_factory=list)
    has_macros: bool = False
    zeroed: list[Node] = field(default_factory=list)
    out_parameters: set[str] = field(default_factory=set)


def static_muts(root: Node) -> frozenset[str]:
    """The names of the `static mut` items of a file (one query: call it once per file)."""
    names = QueryCursor(_STATIC_MUTS).captures(root).get("name", [])
    return frozenset(items.text(name) for name in names)


def needs_argument(block: Node, statics: frozenset[str] = frozenset()) -> str | None:
    """What in an `unsafe` block needs a written argument, described for a message; None when
    its only unsafe operations are calls with plain arguments on one subject.

    Plain arguments are paths, fields, literals, references to them, casts of them to
    pointers, accessor calls (`self.as_ptr()`, `buf.len()`, `ptr::null_mut()`) and calls
    nested the same way (`cvt(ffi::f(self.as_ptr()))`); flags combined with `|` too.
    `statics`: the `static mut` names of the file, whose every use needs an argument.
    """
    reading = _Reading()
    for node in _descendants(block):
        concern = _concern_of(node, statics, reading)
        if concern is not None:
            return concern
    for call in reading.zeroed:
        if not _zeroed_plainly(call, reading.out_parameters):
            return "it zeroes a value of a type that may have invariants"
    return _calls_concern(reading.calls, reading.has_macros)


def _descendants(block: Node) -> Iterator[Node]:
    """The named nodes inside `block`, in source order (closures and nested blocks included:
    they are code of the block)."""
    stack = list(reversed(block.named_children))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.named_children))


def _concern_of(node: Node, statics: frozenset[str], reading: _Reading) -> str | None:
    kind = node.type
    if kind == "unary_expression" and _operator(node) == "*":
        return "it dereferences a raw pointer"
    if kind == "call_expression":
        return _call_concern(node, reading)
    if kind == "reference_expression" and _is_mutable_reference(node):
        value = node.child_by_field_name("value")
        if value is not None and value.type == "identifier":
            reading.out_parameters.add(items.text(value))
        return None
    if kind == "macro_invocation":
        reading.has_macros = True
        return _macro_concern(node, statics)
    if kind == "identifier" and statics and items.text(node) in statics:
        return f"it uses `static mut {items.text(node)}`"
    return None


def _call_concern(call: Node, reading: _Reading) -> str | None:
    name, qualifier, is_method = _callee(call)
    if not name:
        # `(self.vtable.drop)(data)`: which function runs is data the reader cannot see.
        return "it calls through a function pointer"
    named = _named_for_argument(name, qualifier, is_method, _argument_count(call))
    if named and not _refers_to_static_data(call, name) and not _takes_given_up_handle(call, name):
        return f"it calls `{name}`"
    if name == "zeroed" and qualifier in ("", "mem"):
        reading.zeroed.append(call)
    reading.calls.append(call)
    return None


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


def _takes_given_up_handle(call: Node, name: str) -> bool:
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
    return _bound_just_before(call, variable, giver) or _mapped_from(call, variable, giver)


def _unwrapped(value: Node) -> Node:
    """The value inside casts, parentheses and `?`."""
    while value.type in ("type_cast_expression", "parenthesized_expression", "try_expression"):
        inner = _wrapped(value)
        if inner is None:
            break
        value = inner
    return value


def _bound_just_before(call: Node, variable: str, giver: str) -> bool:
    """True when one of the few statements before the one holding `call` is
    `let variable = x.giver();`."""
    statement = items.enclosing(call, ("unsafe_block",)) or call
    while statement.parent is not None and statement.parent.type != "block":
        statement = statement.parent
    previous = statement.prev_named_sibling
    seen = 0
    while previous is not None and seen < _HANDOVER_STATEMENTS:
        if previous.type.endswith("comment"):
            previous = previous.prev_named_sibling
            continue
        if (
            previous.type == "let_declaration"
            and items.text(previous.child_by_field_name("pattern")) == variable
        ):
            value = previous.child_by_field_name("value")
            return value is not None and _callee(_unwrapped(value))[0] == giver
        previous, seen = previous.prev_named_sibling, seen + 1
    return False


def _mapped_from(call: Node, variable: str, giver: str) -> bool:
    """True when `variable` is the parameter of a closure passed to `.map(..)` on the result
    of `.map(T::giver)` or `.map(|x| x.giver())`."""
    closure = items.enclosing(call, ("closure_expression",))
    if closure is None or items.text(closure.child_by_field_name("parameters")) != f"|{variable}|":
        return False
    mapping = closure.parent.parent if closure.parent is not None else None
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
        tree = trees.pop()
        previous: Node | None = None
        for token in tree.children:
            concern = _token_concern(token, previous, statics)
            if concern is not None:
                return concern
            if token.type == "token_tree":
                trees.append(token)
            previous = token
    return None


def _token_concern(token: Node, previous: Node | None, statics: frozenset[str]) -> str | None:
    if token.type == "*" and (previous is None or previous.type not in _OPERAND_ENDS):
        return "it dereferences a raw pointer"
    if token.type != "identifier":
        return None
    name = items.text(token)
    if name in statics:
        return f"it uses `static mut {name}`"
    arguments = token.next_sibling
    if arguments is None or arguments.type != "token_tree" or items.text(arguments)[:1] != "(":
        return None
    is_method = previous is not None and previous.type == "."
    qualifier = ""
    if previous is not None and previous.type == "::":
        path = previous.prev_sibling
        qualifier = items.text(path) if path is not None and path.type == "identifier" else ""
    if _named_for_argument(name, qualifier, is_method, arguments.named_child_count):
        return f"it calls `{name}`"
    return None


def _zeroed_plainly(call: Node, out_parameters: set[str]) -> bool:
    """True for `mem::zeroed()` of a foreign (C) type, or of a variable the block passes as
    `&mut x` to be filled in: all-zero is a valid C struct, and the usual way to make one."""
    declared = _zeroed_type(call)
    if declared is not None:
        return _is_foreign_type(declared)
    bound = _bound_name(call)
    return bound is not None and bound in out_parameters


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
    while node.parent is not None and node.parent.type in ("block", "unsafe_block"):
        holder = node.parent
        if holder.type == "block" and len(_statements(holder)) != 1:
            return None
        node = holder
    parent = node.parent
    is_value = parent is not None and parent.child_by_field_name("value") == node
    return parent if is_value and parent is not None and parent.type == "let_declaration" else None


def _statements(block: Node) -> list[Node]:
    return [c for c in block.named_children if not c.type.endswith("comment")]


def _bound_name(value: Node) -> str | None:
    """The variable `let x = value` or `x = value` binds, when it is a plain name."""
    parent = value.parent
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


def _calls_concern(calls: list[Node], has_macros: bool) -> str | None:
    """A computed argument of a call, unsafe calls on more than one subject (`ffi::f(a);
    ffi::g(b)` depends on how `a` and `b` relate), or no call that can be unsafe at all: then
    the block's unsafe operation is one a syntax tree does not show, reading a union field or
    a mutable static declared elsewhere (`unsafe { u.bits }`), unless a macro hides a call."""
    subjects: list[str] = []
    unsafe_candidates = sum(_could_be_unsafe(call) for call in calls)
    for call in calls:
        if _is_safe_helper(call):
            continue
        for argument in _passed(call):
            if not _plain(argument):
                return f"it passes a computed argument `{_squeezed(argument)}`"
        if _is_accessor(call) or _in_closure(call):
            continue  # a closure's calls work on its parameters (`.map(|n| ..)`)
        subject = _subject(call)
        if subject is not None and subject not in subjects:
            subjects.append(subject)
    if len(subjects) > 1:
        return f"it makes unsafe calls on `{subjects[0]}` and `{subjects[1]}`"
    if unsafe_candidates == 0 and not has_macros:
        return "it makes no unsafe call, so it touches a union field or a mutable static"
    return None


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
    node, parent = call, call.parent
    while parent is not None and (
        parent.type in _WRAPPERS
        or parent.type == "field_expression"
        or (parent.type == "call_expression" and parent.child_by_field_name("function") == node)
    ):  # up a chain of accessors: `key.as_cstr().as_ptr()`
        node, parent = parent, parent.parent
    return parent is not None and parent.type == "arguments"


def _subject(call: Node) -> str | None:
    """The variable a call works on: a method's receiver, or a function's first argument,
    through fields, accessors, references and casts (`self.as_ptr()` -> `self`)."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "field_expression":
        return _root(function.child_by_field_name("value"))
    first = _passed(call)[:1]
    return _root(first[0]) if first else None


def _root(expression: Node | None) -> str | None:
    """The variable an expression works on; None for constants (`SIG_BLOCK`) and results of
    function calls."""
    node = expression
    while node is not None:
        if node.type == "self":
            return "self"
        if node.type == "identifier":
            name = items.text(node)
            return name if not name.isupper() else None
        if node.type in _WRAPPERS or node.type in ("field_expression", "index_expression"):
            node = _wrapped(node)
        elif node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or function.type != "field_expression":
                return None  # a function's result is no variable's
            node = function.child_by_field_name("value")
        else:
            return None
    return None


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


def _squeezed(node: Node, limit: int = 40) -> str:
    text = " ".join(items.text(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
