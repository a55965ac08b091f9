"""unwrap-in-production."""

from __future__ import annotations

from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors import panic_sites
from rustpro.rules.errors.panic_sites import Verdict
from rustpro.rules.patterns import Pattern, macro_arg_methods, method_calls


class UnwrapInProduction(FileRule):
    """Flags `.unwrap()` and `.unwrap_err()` in production code, loudest where input fails.

    ## What it does
    Finds calls to `.unwrap()` / `.unwrap_err()` in library and binary sources, including
    calls written inside macro arguments such as `format!("{}", x.unwrap())`. Test code,
    examples, benches, build scripts, `assert!`-family macros and `macro_rules!` bodies are
    left alone. Each call is weighed the way a reviewer would:

    - **warning**: the value comes from an operation that fails on runtime data (parsing,
      decoding and text conversion such as `parse`, `from_str`, `from_utf8`, `to_str`,
      `decode`; the typed accessors of dynamic values such as `as_object`; file system,
      network, process and environment access such as `fs::read_to_string`, `connect`,
      `env::var`) *and* the caller could have been told: the function returns
      `Result`/`Option`, or the operation works on a parameter of a function other modules
      can call. An awaited call (`db.load(id).await.unwrap()`) is I/O and a warning too,
      except channel operations and joined tasks, which fail on the program's own state.
    - **note, in the opt-in `pedantic` group** (reported with `--select pedantic` or
      `--select unwrap-in-production`, not by default): everything else, the program's own
      invariants: lookups and iterator steps (`get`, `next`, `first`,
      `parent`), checked arithmetic and conversions of in-memory values, a runtime operation
      in a private function without an error channel, anything directly in a crate-root
      `fn main` (a startup failure ends the program either way), lock poisoning
      (`m.lock().unwrap()` fails only after another thread panicked holding the lock), and a
      call whose neighbouring comment states an invariant (`// cannot fail: checked above`).
    - **not reported**, because the panic is accepted practice:
      - inside a `const`/`static` initialiser (also a `LazyLock::new(|| ..)` closure, a
        `lazy_static!` or `thread_local!` body): it fails the same way on first use;
      - on a value built from literals and constants (`"8080".parse()`,
        `Regex::new(r"..")`, `NonZeroU8::new(3)`, `u32::from_str_radix(HEX, 16)`): the
        first run shows the failure. Only constructors, parsers and conversions by their
        names (`new`, `parse*`, `from*`, `try_*`, `with_*`, `compile`, `build`, `decode*`)
        count, never known I/O or a method of a named static (`LOCK.lock()`); a constructor
        that does I/O on a literal (`TempDir::with_prefix("x")`) is taken for one that does
        not;
      - in a function whose docs have a `# Panics` section;
      - where a trait's contract says to panic: `Index::index`, and `.take().unwrap()` in
        `Future::poll`/`Stream::poll_next` (polled after completion);
      - after a guard in the same function that proves the value is there (below).

    Guards are read only in simple, sound shapes: same function (never across a closure),
    same receiver text, and the guard either encloses the call (`if !v.is_empty() { .. }`,
    `if v.len() > 1 && ..`, `if m.contains_key(k)`, the `else` of `if v.is_empty()`) or
    comes before it in an enclosing block and leaves early (`if v.is_empty() { return ..; }`
    with `return`, `break`, `continue` or a panic; `if a.is_empty() || b.is_empty()` proves
    both), or is `assert!(!v.is_empty())` / `assert!(v.len() >= n)` / `m.insert(k, ..)`.
    They prove `first`, `last`, `pop`, `iter().next()`, `get(0)` (non-empty) and
    `get(k)`/`get_mut(k)` (key present). A guard is void when anything between it and the
    call (the whole loop, when the call is in a loop the guard is outside of) assigns to
    the receiver, empties it (`clear`, `truncate`, `drain`, `retain`, `take`), removes the
    key, or pops more items than the guard proved. Range checks on another variable, data
    flow through `let` bindings, and invariants of other functions (a clap argument with a
    default, an id taken from the same tree) are not followed: those stay notes.

    ## Why is this bad?
    `unwrap` turns every `None` or `Err` into a panic with a message that says nothing about
    what went wrong. When the failure comes from input or the environment, a library takes
    the choice away from its caller and a service loses a worker on bad input. When it
    guards an invariant of the program itself, `expect("why it holds")` says so.

    ## Example
    ```rust
    pub fn port(text: &str) -> u16 {
        text.parse().unwrap()
    }
    ```

    ## Use instead
    ```rust
    pub fn port(text: &str) -> Result<u16, std::num::ParseIntError> {
        text.parse()
    }
    ```

    ## References
    - clippy: `unwrap_used`
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "unwrap-in-production"
    clippy_twins = ("unwrap_used",)
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            method_calls("unwrap", "unwrap_err"),
            """
            (call_expression
              function: (field_expression field: (field_identifier) @method)
              arguments: (arguments) @args
              (#any-of? @method "unwrap" "unwrap_err")) @match
            """,
        ),
        Pattern(
            macro_arg_methods("unwrap", "unwrap_err"),
            """
            ((token_tree "." . (identifier) @method . (token_tree) @args)
              (#any-of? @method "unwrap" "unwrap_err")) @match
            """,
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        method = captures["method"][0]
        args = captures["args"][0]
        if args.named_child_count:  # `.unwrap(x)` is some other type's method
            return
        value: Node | None = None
        if args.type == "token_tree":  # inside another macro's arguments
            site = method
            operation = panic_sites.token_operation(method)
        else:
            site = captures["match"][0]
            function = site.child_by_field_name("function")
            value = function.child_by_field_name("value") if function is not None else None
            operation = panic_sites.operation_of(value)
        scope = panic_sites.scope_of(ctx, site)
        if scope.assertion or scope.template:
            return  # a test's assertion, or a macro template that may run only in tests
        judgement = panic_sites.judge_unwrap(ctx, site, operation, method=method, value=value)
        if judgement.verdict is Verdict.ACCEPTED:
            return
        name = ctx.text(method)
        reason = f" ({judgement.reason})" if judgement.reason else ""
        ctx.report(
            self,
            method,
            f"`.{name}()` panics on `None`/`Err` in production code{reason}",
            "propagate with `?` or handle the error",
            end=args,
            # Invariant sites are notes of the opt-in tier: shown with `--select pedantic`
            # or this rule by name, not by default.
            severity=panic_sites.tier_severity(judgement),
            group=panic_sites.tier_group(judgement),
        )
