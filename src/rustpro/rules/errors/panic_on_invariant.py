"""panic-on-invariant: the invariant panics the three panic rules set apart."""

from __future__ import annotations

from rustpro.rules.base import BaseRule


class PanicOnInvariant(BaseRule):
    """Flags panics on internal invariants in production code (opt-in: `pedantic`).

    ## What it does
    Lists the `.unwrap()`, `.expect(..)` and `panic!` sites that `unwrap-in-production`,
    `expect-in-production` and `panic-in-production` judge to rest on the program's own
    invariants rather than on input: lookups and iterator steps (`get`, `next`, `first`),
    conversions of in-memory values, lock poisoning, calls directly in `fn main`, the
    catch-all arm of a `match`, and sites whose message or comment states the invariant
    (`.expect("checked above")`, `// cannot fail: ..`). Those rules report, as warnings, only
    the panics that input or I/O can cause; this rule is the rest, for a team auditing its
    crate for panic-freedom. It is in the `pedantic` group: select it with `--select
    pedantic` or by name. What silences the rule that judged a site silences it here too: a
    `// rustpro: allow(unwrap-in-production)` comment, `#[allow(clippy::unwrap_used)]` for an
    unwrap (`expect_used`, `panic` for the others).

    ## Why is this bad?
    An invariant that holds today is a panic tomorrow when a refactor breaks it, and in a
    server a panic takes down the task or the process. Most reviewers accept such sites
    when the invariant is local and obvious; an audit for panic-freedom still wants them
    listed, to turn the non-obvious ones into types (`NonEmpty`), `let else` with an error,
    or an `expect` that states the invariant.

    ## Example
    ```rust
    pub fn newest(versions: &mut Vec<u32>) -> u32 {
        versions.sort();
        *versions.last().unwrap()
    }
    ```

    ## Use instead
    ```rust
    pub fn newest(versions: &mut [u32]) -> Option<u32> {
        versions.iter().copied().max()
    }
    ```

    ## References
    - clippy: `unwrap_used`, `expect_used`, `panic` (restriction group)
    - The Rust Book, "To panic! or Not to panic!"
    """

    name = "panic-on-invariant"
    # No clippy twins of its own: each finding is silenced by the twins of the rule that
    # judged it (`#[allow(clippy::unwrap_used)]` for an unwrap), see `Finding.origin`.


# The one instance the panic rules report their invariant sites with.
INVARIANT_PANICS = PanicOnInvariant()
