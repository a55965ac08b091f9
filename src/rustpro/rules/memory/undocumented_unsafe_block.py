"""undocumented-unsafe-block."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node, QueryCursor

from rustpro.engine.context import FileContext
from rustpro.model import Severity
from rustpro.rules.base import FileRule
from rustpro.rules.generated_code import in_derived_code, is_generated_file
from rustpro.rules.memory.safety_comments import (
    argues_soundness,
    holding_statement,
    justification_above,
    justification_opening,
    justification_trailing,
    justified_up_to_statement,
    safety_note_above,
)
from rustpro.rules.memory.unsafe_operations import BlockReader, static_muts
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# The opt-in group of blocks whose only unsafe operations are plain calls.
PLAIN_CALL_GROUP = "pedantic"


class UndocumentedUnsafeBlock(FileRule):
    """Flags `unsafe { }` blocks whose soundness needs an argument that no comment gives.

    ## What it does
    Finds `unsafe` blocks, including `let x = unsafe { .. };` and blocks inside `unsafe fn`s,
    with no justifying comment on the lines right above the statement that holds the block
    (or right above the block itself, the arm/argument it is part of, or the `.method(` of a
    chain it is an argument of), at the start of the block, or after the statement on the
    block's first line. A comment justifies when it holds `SAFETY:` (any case), or argues
    soundness in other words ("safe due to `#[repr(transparent)]`", "the pointer is not null
    because .."); one that says FIXME, TODO or "unsound" does not. Statements with `unsafe`
    blocks on consecutive lines are one run, justified by the comment above the first (a blank
    line or a statement without `unsafe` ends the run). The block of a thin
    `unsafe fn` wrapper (the whole body, or one call to the function of the same name it
    forwards to) is justified by the wrapper's docs when they state the contract, or by a
    `// SAFETY:` note above it; a trait's unsafe method that forwards to the function of
    the same name shares the contract its trait declares. Blocks in items marked
    `#[automatically_derived]` were written by a derive macro and are left alone.

    It reports the blocks that do something a reviewer wants argued, read from the tree
    (the message names the first such operation):
    - a raw pointer dereferenced (`*p`, `&*p`, `(*p).field`, also inside a macro's
      arguments), or a call through a function pointer (`(vtable.drop)(data)`);
    - a reference, slice or owner built from a raw pointer or handle: `from_raw_parts`,
      `from_raw*` (`Box::from_raw`, `File::from_raw_fd`), `from_ptr*` (`StackRef::from_ptr`),
      `as_ref`/`as_mut` (a method of that name is taken for the raw pointer's);
    - pointer arithmetic and access (`p.add(n)`, `p.offset(n)`, `p.read()`, `p.write(v)`,
      `ptr::read`/`write`/`copy`/`copy_nonoverlapping`/`swap`, `drop_in_place`);
    - bits and checks skipped: `transmute`, anything `_unchecked` (`get_unchecked`,
      `from_utf8_unchecked`, `Pin::new_unchecked`), `set_len`, `advance_mut`,
      `assume_init`, `mem::zeroed` of a Rust type, `mem::forget`, `into_raw`,
      `ManuallyDrop::new`/`take`/`drop`, allocator calls, inline assembly;
    - a `static mut` of the file, or no call at all (a union field or a mutable static);
    - calls with a computed argument (`buf.len() - 1`), or unsafe calls on two different
      subjects (`ffi::f(self.as_ptr()); ffi::g(other.as_ptr())`).

    A block whose only unsafe operations are calls to unsafe or foreign functions with
    plain arguments on one subject (`unsafe { ffi::EVP_MD_size(self.as_ptr()) }`,
    `unsafe { cvt(libc::setsockopt(fd, ..)) }`) is a **note in the opt-in `pedantic` group**
    (reported with `--select pedantic` or this rule by name, not by default): its
    soundness is the wrapper type's invariant, repeated for every foreign function it
    wraps. So are references to what a function without arguments
    returns (`CipherRef::from_ptr(ffi::EVP_aes_128_cbc() as *mut _)`, a library's static
    table) and an OS handle passed from one owner to another
    (`File::from_raw_fd(socket.into_raw_fd())`). Types are not known, so a crate's own
    unsafe method with an ordinary name (`self.inc_start(n)`) is taken for a plain call,
    and a union field read through a call's argument is not seen.

    ## Why is this bad?
    An `unsafe` block is a promise that the compiler cannot check. Without a written argument
    for why the invariants hold, a reviewer cannot check it either, and the next edit nearby
    may silently break it.

    ## Example
    ```rust
    pub fn first(v: &[u8]) -> u8 {
        assert!(!v.is_empty());
        unsafe { *v.get_unchecked(0) }
    }
    ```

    ## Use instead
    ```rust
    pub fn first(v: &[u8]) -> u8 {
        assert!(!v.is_empty());
        // SAFETY: the assert above guarantees index 0 is in bounds.
        unsafe { *v.get_unchecked(0) }
    }
    ```

    ## References
    - clippy: `undocumented_unsafe_blocks`
    - The Rustonomicon, "Working with Unsafe"
    - Rust std-dev guide, "Safety comments"
    """

    name = "undocumented-unsafe-block"
    clippy_twins = ("undocumented_unsafe_blocks",)
    node_kinds: ClassVar[tuple[str, ...]] = ("unsafe_block",)

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        block = captures["match"][0]
        if _documented(ctx, block) or in_derived_code(block):
            return
        keyword = block.children[0] if block.children else block
        concern = _reader(ctx).needs_argument(block)
        if concern is None:
            # Plain calls: a note of the opt-in tier (`--select pedantic`, or this rule by
            # name), not reported by default.
            ctx.report(
                self,
                keyword,
                "`unsafe` block without a `// SAFETY:` comment (it only calls functions "
                "with plain arguments)",
                "write `// SAFETY: ..` above it, saying why the call's preconditions hold",
                end=block,
                severity=Severity.NOTE,
                group=PLAIN_CALL_GROUP,
            )
            return
        ctx.report(
            self,
            keyword,
            f"`unsafe` block without a `// SAFETY:` comment ({concern})",
            "write `// SAFETY: ..` above it, saying why every invariant the block relies on holds",
            end=block,
        )


def _reader(ctx: FileContext) -> BlockReader:
    """The file's block reader: nested blocks are read once, not again for each one around
    them. The file's `static mut` names are looked up in files that spell one (rustfmt
    writes the two words with one space; `'static` alone is in most files)."""
    memo: dict[str, BlockReader] = ctx.memo("unsafe-block-reader")
    found = memo.get("reader")
    if found is None:
        statics = static_muts(ctx.tree.root_node) if ctx.mentions("static mut") else frozenset()
        found = memo["reader"] = BlockReader(statics, ctx.source)
    return found


def _documented(ctx: FileContext, block: Node) -> bool:
    """True when some accepted place near the block holds a justifying comment."""
    if justification_opening(_inner_block(block)):
        return True
    if justified_up_to_statement(block):
        return True
    statement = holding_statement(block)
    if justification_trailing(statement, block.start_point.row):
        return True
    if _continues_justified_run(ctx, statement):
        return True
    return _forwards_documented_contract(block, statement)


_RUNS = "undocumented-unsafe-block/justified-run"


def _continues_justified_run(ctx: FileContext, statement: Node) -> bool:
    """True when `statement` continues a run of unsafe statements whose first is justified.

    `// SAFETY: the header pointer is valid.` over `let p = unsafe { header(raw) };` directly
    followed by `let id = unsafe { p.as_ref() };`: statements on consecutive lines, each with
    an `unsafe` block, are one step of reasoning, as a run of `unsafe impl`s is. A blank line
    or a statement without `unsafe` ends the run.

    Each statement's answer is kept for the file: a run of thousands of unsafe statements
    made each one walk back through all those before it.
    """
    known: dict[int, bool] = ctx.memo(_RUNS)
    walked: list[Node] = []
    current = statement
    found = False
    while current.id not in known:
        walked.append(current)
        previous = items.previous_named(current)
        if (
            previous is None
            or previous.end_point.row + 1 != current.start_point.row
            or not _holds_unsafe_block(previous)
        ):
            break
        if justification_above(previous) or justification_trailing(
            previous, previous.start_point.row
        ):
            found = True
            break
        current = previous
    else:
        found = known[current.id]
    for step in walked:
        known[step.id] = found
    return found


def _holds_unsafe_block(statement: Node) -> bool:
    cursor = QueryCursor(compile_query("(unsafe_block) @block"))
    return bool(cursor.captures(statement))


def _forwards_documented_contract(block: Node, statement: Node) -> bool:
    """True for the block of a thin `unsafe fn` wrapper whose contract is stated.

    `/// # Safety ..` over `unsafe fn to_static(self) -> Id { unsafe { transmute(self) } }`,
    or `unsafe fn from_raw_handle(h) { let p = unsafe { Pipe::from_raw_handle(h) }; .. }`:
    the block is the function's whole body, or it only calls the function of the same name
    the wrapper forwards to. The caller's promise is the argument, and the function's docs
    or a `// SAFETY:` note above it (`// SAFETY: the cell must not be empty.`) state it. A
    trait's unsafe method that forwards to the function of the same name shares its
    contract with the trait's declaration, which is where that contract is written.
    """
    function = items.enclosing(block, ("function_item", "closure_expression"))
    if function is None or function.type != "function_item" or not items.is_unsafe_fn(function):
        return False
    body = function.child_by_field_name("body")
    whole_body = body is not None and items.parent(statement) == body and _statements(body) == 1
    same_name = _calls_same_name(block, items.item_name(function))
    if not whole_body and not same_name:
        return False
    if safety_note_above(function):
        return True
    docs = items.doc_text(function)
    if docs is not None and argues_soundness(docs):
        return True
    return same_name and _implements_trait_method(function)


def _implements_trait_method(function: Node) -> bool:
    """True for a function written in an `impl Trait for Type` block."""
    holder = items.parent(function)
    impl = items.parent(holder) if holder is not None else None
    return (
        impl is not None
        and impl.type == "impl_item"
        and impl.child_by_field_name("trait") is not None
    )


def _calls_same_name(block: Node, name: str) -> bool:
    """True when the block holds one call, to a function or method called `name`."""
    inner = _inner_block(block)
    if inner is None or _statements(inner) != 1:
        return False
    call = next(c for c in inner.named_children if not c.type.endswith("comment"))
    if call.type == "expression_statement" and call.named_child_count == 1:
        call = call.named_children[0]
    if call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    if function is None:
        return False
    called = function.child_by_field_name("name") or function.child_by_field_name("field")
    return items.text(called if called is not None else function) == name


def _statements(block: Node) -> int:
    """How many statements (and tail expression) a block holds, comments aside."""
    return sum(not c.type.endswith("comment") for c in block.named_children)


def _inner_block(unsafe_block: Node) -> Node | None:
    return next((c for c in unsafe_block.children if c.type == "block"), None)
