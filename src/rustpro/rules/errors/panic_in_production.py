"""panic-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors import panic_sites
from rustpro.rules.errors.panic_sites import Verdict
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import (
    Captures,
    Pattern,
    macro_arg_macros,
    macro_calls,
    token_macro_calls,
)
from rustpro.syntax import items

_STD_PATHS = frozenset({"std", "core", "::std", "::core"})
_MESSAGES = {
    "panic": ("`panic!` in production code", "return an error the caller can handle"),
    "todo": ("`todo!` left in production code", "finish the code path or return an error"),
    "unimplemented": (
        "`unimplemented!` in production code",
        "implement it, return an error, or remove the code path",
    ),
}


_PANICKING = frozenset({b"panic", b"todo", b"unimplemented"})


def _panicking_macros(invocation: Node) -> list[Captures]:
    """The matches of the patterns
    `(macro_invocation macro: (identifier) @name (#any-of? @name "panic" "todo"
    "unimplemented")) @match` and `(macro_invocation macro: (_ path: (_) @path name:
    (identifier) @name) (#any-of? @name ..)) @match` rooted at a macro invocation."""
    macro = invocation.child_by_field_name("macro")
    if macro is None:
        return []
    if macro.type == "identifier":
        return [{"name": [macro], "match": [invocation]}] if macro.text in _PANICKING else []
    if not macro.is_named:
        return []
    path = macro.child_by_field_name("path")
    name = macro.child_by_field_name("name")
    if path is None or name is None or not path.is_named or name.type != "identifier":
        return []
    if name.text not in _PANICKING:
        return []
    return [{"path": [path], "name": [name], "match": [invocation]}]


class PanicInProduction(FileRule):
    """Flags `panic!`, `todo!` and `unimplemented!` in production code.

    ## What it does
    Finds `panic!`, `todo!` and `unimplemented!` (also spelled `std::panic!` or
    `core::panic!`) in library and binary sources, including inside other macros' arguments.
    `unreachable!` and the `assert!` family are fine: they state invariants. Test code,
    examples, benches, build scripts, `macro_rules!` bodies, the tokens of `quote!` and
    `parse_quote!` (code a proc macro emits, not panics it raises), `const`/`static`
    initialisers (also `LazyLock` closures and `lazy_static!` bodies) are left alone.

    - **warning**: `todo!` and `unimplemented!` (placeholders); a `panic!` where the caller
      could have been told: the function returns `Result`/`Option` (or is a private helper
      that only such functions in the file use) *and* the panic either handles an error in
      hand (`Err(e) => panic!(..)`) or its message tells the user what to fix ("you must
      install a provider", "please set X"). `x.unwrap_or_else(|e| panic!(..))` is weighed
      like `x.expect(..)`.
    - **note, in the opt-in `pedantic` group** (reported with `--select pedantic` or this
      rule by name, not by default): other panics, including the catch-all arm of a `match`
      (`_ => panic!(..)`, often over a `#[non_exhaustive]` or foreign enum) and messages or
      comments that state an invariant ("this is a bug", "should never happen",
      "unexpected state"), for `todo!` and `unimplemented!` too. A plain `panic!` in a
      function that returns `Result` is one too: measured on real crates those were
      internal assertions. `unimplemented!` as the whole body of a trait impl's method is
      the use std documents for it (a method this type does not support): a note as well.
    - **not reported**: a panic the function documents, in a `# Panics` section or in prose
      ("**Panics** if ..", "Panics if the status is `Partial`.", "this method will panic",
      a deprecated stub that "always panics"; a trait impl member's docs are its trait
      method's when the trait is declared in the same file), one in a function declared
      `-> !` (diverging is its contract), one in `Index::index`, and a
      message about being polled or called after completion (the `Future::poll` contract).

    ## Why is this bad?
    A panic unwinds (or aborts) the thread: in a library it takes the decision away from the
    caller, in a server it drops a worker and every request on it. `todo!` and
    `unimplemented!` are placeholders that compile, so they reach production unnoticed.

    ## Example
    ```rust
    pub fn load(path: &str) -> Result<String, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(text),
            Err(e) => panic!("cannot read {path}: {e}"),
        }
    }
    ```

    ## Use instead
    ```rust
    pub fn load(path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
    }
    ```

    ## References
    - clippy: `panic`, `todo`, `unimplemented`
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "panic-in-production"
    clippy_twins = ("panic", "todo", "unimplemented")
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # Matched in Python (`_panicking_macros`): the query patterns cost tree-sitter
        # milliseconds of analysis in every run.
        Pattern(macro_calls("panic", "todo", "unimplemented"), matcher=_panicking_macros),
        # `name!(..)` in macro arguments, matched in Python: the query pattern costs
        # tree-sitter ~2 ms of analysis in every run.
        Pattern(
            macro_arg_macros("panic", "todo", "unimplemented"),
            matcher=token_macro_calls("panic", "todo", "unimplemented"),
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if is_generated_file(ctx.tree.root_node):
            return  # bindings and other generated code are nobody's to fix
        name = captures["name"][0]
        if "path" in captures and ctx.text(captures["path"][0]) not in _STD_PATHS:
            return  # `log::todo!` or a crate's own macro of the same name
        holder = items.parent(name)
        in_tokens = holder is not None and holder.type == "token_tree"
        if in_tokens and not _std_macro_tokens(name):
            return
        match = captures["match"][0]
        site = match if match.type == "macro_invocation" else name
        scope = panic_sites.scope_of(ctx, site)
        # A panic in a `const` initialiser is a build error, not a crash; `static` and
        # `lazy_static!` initialisers run once, on first use, and fail the same way each time.
        if scope.static_init or scope.template or scope.assertion:
            return
        macro = ctx.text(name)
        judgement = panic_sites.judge_panic(ctx, site, macro, _message(match, name))
        if judgement.verdict is Verdict.ACCEPTED:
            return
        message, help = _MESSAGES[macro]
        reason = f" ({judgement.reason})" if judgement.reason else ""
        start = match if match.type == "macro_invocation" else _path_start(name)
        ctx.report(
            self,
            start,
            message + reason,
            help,
            end=name,
            # Invariant sites are notes of the opt-in tier: shown with `--select pedantic`
            # or this rule by name, not by default.
            severity=panic_sites.tier_severity(judgement),
            group=panic_sites.tier_group(judgement),
        )


def _std_macro_tokens(name: Node) -> bool:
    """True unless the tokens before `name!` make it some other crate's macro."""
    before = items.previous(name)
    if before is None or before.type != "::":
        return before is None or before.type != "."  # `.panic!` is not a macro call
    path = items.previous(before)
    return path is not None and items.text(path) in ("std", "core")


def _path_start(name: Node) -> Node:
    """`std` in the tokens `std :: panic`, else `name` itself."""
    before = items.previous(name)
    path = items.previous(before) if before is not None and before.type == "::" else None
    return path if path is not None else name


def _message(match: Node, name: Node) -> str:
    """The text of the macro's first argument when it is a string literal, else ""."""
    if match.type == "macro_invocation":
        tokens = next((c for c in match.named_children if c.type == "token_tree"), None)
    else:  # `name ! ( .. )` inside another macro's tokens
        bang = items.following(name)
        tokens = items.following(bang) if bang is not None else None
    if tokens is None or tokens.type != "token_tree":
        return ""
    first = next((c for c in tokens.named_children if not c.is_extra), None)
    return panic_sites.message_text(first)
