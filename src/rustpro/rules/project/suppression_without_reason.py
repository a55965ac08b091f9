"""suppression-without-reason."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule


class SuppressionWithoutReason(CrateRule):
    """Flags a `// rustpro: allow(..)` comment that does not say why.

    ## What it does
    Fires at every well-formed suppression comment, `// rustpro: allow(rule, ..)`, with no
    `-- reason` after it. A comment that cannot be read as a suppression at all (no
    parentheses, an empty list, a dangling `--`) is reported by `unknown-rule-in-suppression`
    instead, since it silences nothing.

    ## Why is this bad?
    A suppression is a decision that the rule is wrong here. Without the reason, the next
    reader cannot tell a considered exception from a silenced bug, and nobody can check whether
    the reason still holds after the code changes.

    ## Example
    ```rust
    pub fn first(items: &[u8]) -> u8 {
        // rustpro: allow(unwrap-in-production)
        *items.first().unwrap()
    }
    ```

    ## Use instead
    ```rust
    pub fn first(items: &[u8]) -> u8 {
        // rustpro: allow(unwrap-in-production) -- callers check `items` is non-empty
        *items.first().unwrap()
    }
    ```

    ## References
    - clippy's `allow_attributes_without_reason` and `#[expect(.., reason = "..")]`
    - rustpro's suppression syntax: `rustpro explain unknown-rule-in-suppression`
    """

    name = "suppression-without-reason"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        return [
            crate.finding(
                self,
                f"suppression of {', '.join(f'`{r}`' for r in comment.rules)} gives no reason",
                "say why after `--`: `// rustpro: allow(rule) -- why this is fine here`",
                path=result.relpath,
                line=comment.line,
                column=comment.column,
            )
            for result in crate.results
            for comment in result.structure.suppressions
            if comment.well_formed and not comment.reason
        ]
