"""panic-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.macro_bodies import in_macro_rules_body
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import Pattern, macro_arg_macros, macro_calls
from rustpro.rules.support import in_assert_macro
from rustpro.syntax import items

_STD_PATHS = frozenset({"std", "core", "::std", "::core"})
# A panic evaluated while compiling (a `const` initialiser) is a build error, not a crash.
_CONST_CONTEXTS = frozenset({"const_item", "static_item", "const_block"})
_STOP = frozenset({"function_item", "closure_expression"}) | _CONST_CONTEXTS
_MESSAGES = {
    "panic": ("`panic!` in production code", "return an error the caller can handle"),
    "todo": ("`todo!` left in production code", "finish the code path or return an error"),
    "unimplemented": (
        "`unimplemented!` in production code",
        "implement it, return an error, or remove the code path",
    ),
}


class PanicInProduction(FileRule):
    """Flags `panic!`, `todo!` and `unimplemented!` in production code.

    ## What it does
    Finds `panic!`, `todo!` and `unimplemented!` (also spelled `std::panic!` or
    `core::panic!`) in library and binary sources, including inside other macros' arguments.
    `unreachable!` and the `assert!` family are fine: they state invariants. Test code,
    examples, benches, build scripts, `macro_rules!` bodies and `const` initialisers (where a
    panic is a compile error) are left alone.

    ## Why is this bad?
    A panic unwinds (or aborts) the thread: in a library it takes the decision away from the
    caller, in a server it drops a worker and every request on it. `todo!` and
    `unimplemented!` are placeholders that compile, so they reach production unnoticed.

    ## Example
    ```rust
    pub fn ratio(a: u32, b: u32) -> u32 {
        if b == 0 {
            panic!("division by zero");
        }
        a / b
    }
    ```

    ## Use instead
    ```rust
    pub fn ratio(a: u32, b: u32) -> Option<u32> {
        a.checked_div(b)
    }
    ```

    ## References
    - clippy: `panic`, `todo`, `unimplemented`
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "panic-in-production"
    clippy_twins = ("panic", "todo", "unimplemented")
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            macro_calls("panic", "todo", "unimplemented"),
            """
            (macro_invocation
              macro: (identifier) @name
              (#any-of? @name "panic" "todo" "unimplemented")) @match
            (macro_invocation
              macro: (scoped_identifier path: (_) @path name: (identifier) @name)
              (#any-of? @name "panic" "todo" "unimplemented")) @match
            """,
        ),
        Pattern(
            macro_arg_macros("panic", "todo", "unimplemented"),
            """
            ((token_tree (identifier) @name . "!" . (token_tree))
              (#any-of? @name "panic" "todo" "unimplemented")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        name = captures["name"][0]
        if "path" in captures and ctx.text(captures["path"][0]) not in _STD_PATHS:
            return  # `log::todo!` or a crate's own macro of the same name
        in_tokens = name.parent is not None and name.parent.type == "token_tree"
        if in_tokens and (not _std_macro_tokens(name) or in_assert_macro(name)):
            return
        if _in_compile_time(name) or in_macro_rules_body(name):
            return
        message, help = _MESSAGES[ctx.text(name)]
        match = captures["match"][0]
        start = match if match.type == "macro_invocation" else _path_start(name)
        ctx.report(self, start, message, help, end=name)


def _std_macro_tokens(name: Node) -> bool:
    """True unless the tokens before `name!` make it some other crate's macro."""
    before = name.prev_sibling
    if before is None or before.type != "::":
        return before is None or before.type != "."  # `.panic!` is not a macro call
    path = before.prev_sibling
    return path is not None and items.text(path) in ("std", "core")


def _path_start(name: Node) -> Node:
    """`std` in the tokens `std :: panic`, else `name` itself."""
    before = name.prev_sibling
    if before is not None and before.type == "::" and before.prev_sibling is not None:
        return before.prev_sibling
    return name


def _in_compile_time(node: Node) -> bool:
    """True inside a `const`/`static` initialiser or a `const { }` block."""
    holder = items.enclosing(node, _STOP)
    return holder is not None and holder.type in _CONST_CONTEXTS
