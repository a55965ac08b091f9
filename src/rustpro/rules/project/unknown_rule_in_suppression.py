"""unknown-rule-in-suppression."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.catalog import catalog, suggest
from rustpro.engine.crateview import CrateView
from rustpro.engine.structure import SuppressionComment
from rustpro.model import Finding
from rustpro.rules.base import CrateRule

_SYNTAX = "`// rustpro: allow(rule-name, ..) -- reason`"


class UnknownRuleInSuppression(CrateRule):
    """Flags suppression comments that silence nothing: unknown rule names or bad syntax.

    ## What it does
    Fires at a `// rustpro: allow(..)` comment that names a rule not in rustpro's catalog
    (a typo, a renamed rule, a checkpoint name such as `errors`), with the closest rule names
    as suggestions. Tool codes written with a path (`clippy::unwrap_used`) are accepted. It
    also fires at any `// rustpro:` comment that is not of the form
    `// rustpro: allow(rule, ..) -- reason` or `// rustpro: allow(rule, ..)` (no parentheses,
    an empty list, text after the list without `--`, a `--` with no reason after it), because
    such a comment silences nothing either.

    ## Why is this bad?
    The author believes the finding is silenced, yet the comment has no effect: either the
    finding keeps showing up and the comment is noise, or the real rule's finding is hidden
    under a different name later. Either way, the comment misleads its readers.

    ## Example
    ```rust
    pub fn first(items: &[u8]) -> u8 {
        // rustpro: allow(unwrap-in-prod) -- callers check `items` is non-empty
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
    - `rustpro rules` lists every rule name
    - clippy's `unknown_lints` (rustc) for the same mistake in `#[allow(..)]`
    """

    name = "unknown-rule-in-suppression"

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        findings: list[Finding] = []
        for result in crate.results:
            for comment in result.structure.suppressions:
                message = _problem(comment)
                if message is None:
                    continue
                findings.append(
                    crate.finding(
                        self,
                        message,
                        f"write {_SYNTAX} with names from `rustpro rules`",
                        path=result.relpath,
                        line=comment.line,
                        column=comment.column,
                    )
                )
        return findings


def _problem(comment: SuppressionComment) -> str | None:
    """What is wrong with a suppression comment, or None when every name is known."""
    if not comment.well_formed:
        return f"malformed suppression comment: expected {_SYNTAX}; it silences nothing"
    unknown = [r for r in comment.rules if r not in catalog() and "::" not in r]
    if not unknown:
        return None
    parts = []
    for name in unknown:
        hint = suggest(name)
        maybe = ", ".join(f"`{h}`" for h in hint)
        parts.append(f"`{name}` (did you mean {maybe}?)" if hint else f"`{name}`")
    noun = "rule" if len(unknown) == 1 else "rules"
    return f"suppression names unknown {noun} {', '.join(parts)}: it silences nothing"
