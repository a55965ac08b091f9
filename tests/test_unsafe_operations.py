"""Property tests of how an `unsafe` block is read: plain calls (a note of
undocumented-unsafe-block's opt-in tier) or operations that need an argument (a warning)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tree_sitter import Node

from rustpro.rules.memory.unsafe_operations import needs_argument, static_muts
from rustpro.syntax.parser import parse

# Prefixed so that no generated name is one of the names that need an argument.
_FUNCTIONS = st.from_regex(r"f_[a-z0-9_]{0,12}", fullmatch=True)
# Arguments a reviewer reads at a glance; the first one names the subject, `self`.
_PLAIN_ARGUMENTS = st.sampled_from(
    [
        "FLAG_A | FLAG_B",
        "42",
        '"name"',
        "&mut out",
        "&mut out as *mut _",
        "buf.as_mut_ptr()",
        "buf.len()",
        "buf.len() as c_int",
        "ptr::null_mut()",
        "key.as_cstr().as_ptr()",
        "self.flags",
        "mem::size_of::<T>() as u32",
    ]
)
_SUBJECTS = st.sampled_from(["self.as_ptr()", "self.0", "self.handle.raw()", "self.ctx"])
# How the result of the call is used: safe code around it.
_WRAPPERS = st.sampled_from(
    ["{}", "cvt({})", "cvt({})?", "{}.map(|_| ())", "Wrapper({})", "{} as usize", "{} == 1"]
)
# Operations whose soundness needs an argument, each a statement of its own.
_NEEDS_ARGUMENT = st.sampled_from(
    [
        "let x = *p;",
        "let q = p.add(1);",
        "let y: u32 = mem::transmute(x);",
        "let z = v.get_unchecked(0);",
        "v.set_len(0);",
        "let w = slot.assume_init();",
        "let s = slice::from_raw_parts(p, n);",
        "let b = Box::from_raw(p);",
        "let r = ptr::read(p);",
        "mem::forget(owner);",
        "(vtable.drop)(data);",
        'asm!("nop");',
        "let t = std::str::from_utf8_unchecked(bytes);",
        "f_other(other.as_ptr());",
        "f_other(self.as_ptr(), n - 1);",
        "debug_assert!(*p != 0);",
        "COUNTER += 1;",
    ]
)


def _parsed(statements: str) -> tuple[Node, frozenset[str]]:
    """The unsafe block holding `statements`, and the `static mut`s of its file."""
    source = f"static mut COUNTER: u32 = 0;\nfn f() {{ unsafe {{ {statements} }} }}".encode()
    root = parse(source).root_node
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "unsafe_block":
            return node, static_muts(root)
        stack.extend(node.children)
    raise AssertionError("no unsafe block parsed")


def _block(statements: str) -> Node:
    return _parsed(statements)[0]


def _call(function: str, subject: str, arguments: list[str], wrapper: str) -> str:
    return wrapper.format(f"ffi::{function}({', '.join([subject, *arguments])})")


@given(
    function=_FUNCTIONS,
    subject=_SUBJECTS,
    arguments=st.lists(_PLAIN_ARGUMENTS, max_size=4),
    wrapper=_WRAPPERS,
    repeat=st.integers(min_value=1, max_value=3),
)
def test_plain_calls_on_one_subject_need_no_argument(
    function: str, subject: str, arguments: list[str], wrapper: str, repeat: int
) -> None:
    call = _call(function, subject, arguments, wrapper)
    statements = " ".join(f"let r{i} = {call};" for i in range(repeat))
    assert needs_argument(_block(statements)) is None


@given(
    function=_FUNCTIONS,
    subject=_SUBJECTS,
    arguments=st.lists(_PLAIN_ARGUMENTS, max_size=4),
    wrapper=_WRAPPERS,
    operation=_NEEDS_ARGUMENT,
    first=st.booleans(),
)
def test_an_operation_that_needs_an_argument_is_never_plain(
    function: str, subject: str, arguments: list[str], wrapper: str, operation: str, first: bool
) -> None:
    call = f"let r = {_call(function, subject, arguments, wrapper)};"
    statements = f"{operation} {call}" if first else f"{call} {operation}"
    assert needs_argument(*_parsed(statements)) is not None


@given(text=st.text(alphabet=st.characters(codec="ascii", exclude_characters="\x00"), max_size=80))
def test_any_block_text_is_read_without_error(text: str) -> None:
    source = f"fn f() {{ unsafe {{ {text} }} }}".encode()
    stack = [parse(source).root_node]
    while stack:
        node = stack.pop()
        if node.type == "unsafe_block":
            result = needs_argument(node)
            assert result is None or result.startswith("it ")
        stack.extend(node.children)


def test_the_message_names_the_operation() -> None:
    assert needs_argument(_block("let x = *p;")) == "it dereferences a raw pointer"
    assert needs_argument(_block("v.set_len(0);")) == "it calls `set_len`"
    assert needs_argument(_block("f(a.as_ptr()); g(b.as_ptr());")) == (
        "it makes unsafe calls on `a` and `b`"
    )
