"""no-error-path-tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext, PublicGate
from rustpro.engine.crateview import CrateView
from rustpro.model import Finding
from rustpro.rules.base import CrateRule, FileRule, Scope
from rustpro.rules.manifest_anchor import package_line
from rustpro.rules.patterns import (
    Pattern,
    attributes,
    function_calls,
    macro_arg_idents,
    macro_arg_methods,
    macro_calls,
    method_calls,
    nodes,
    text_matches,
)

_RESULT_FN_FACT = "testing.result-fn"  # value: a PublicGate as JSON
_ERR_CHECK_FACT = "testing.err-check"  # value: where the check sits, see `_IN_TEST`
_IN_TEST = "test"  # inside test code as the file pass sees it
_ELSEWHERE = "elsewhere"  # outside it; counts when the crate pass finds the file test-only

_ERR_METHOD_SET = ("is_err", "is_err_and", "unwrap_err", "expect_err", "err")
_ERR_METHODS = " ".join(f'"{name}"' for name in _ERR_METHOD_SET)


class NoErrorPathTests(FileRule, CrateRule):
    """Flags a library whose public functions return `Result` while no test checks an `Err`.

    ## What it does
    Fires once per library crate that has public API functions returning `Result` (any
    `Result`, `io::Result` or crate alias; `fmt::Result` is left out, and so are trait methods
    without a body, which only implementors can test) when no test, in test modules or under
    `tests/`, looks at an error: no `is_err()` / `is_err_and(..)`, `unwrap_err()` /
    `expect_err(..)` / `.err()`, no `Err(..)` pattern or value (`matches!(r, Err(_))`,
    `if let Err(e) = ..`, `assert_eq!(r, Err(..))`), no `assert_err!` and no
    `#[should_panic]`. The finding points at the `[package]` header of Cargo.toml and names one
    such function.

    A package unpacked from a published `.crate` (with `Cargo.toml.orig`) whose written
    manifest names `[[test]]` targets it does not carry, or whose `package.include` /
    `package.exclude` leaves `tests/` out, may have left its error tests behind: the rule
    stays silent there. Test files shipped but compiled by no target are not read.

    ## Why is this bad?
    Error paths are where bugs hide: the wrong variant, a lost source error, an error that
    should have been a success. Tests that only walk the happy path leave the whole error
    contract of the API unchecked.

    ## Example
    ```rust
    pub fn port(text: &str) -> Result<u16, std::num::ParseIntError> {
        text.parse()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn parses() {
            assert_eq!(super::port("80"), Ok(80));
        }
    }
    ```

    ## Use instead
    ```rust
    pub fn port(text: &str) -> Result<u16, std::num::ParseIntError> {
        text.parse()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn rejects_garbage() {
            assert!(super::port("eighty").is_err());
        }
    }
    ```

    ## References
    - The Rust Book, "Recoverable Errors with Result"
    - Rust API Guidelines, C-GOOD-ERR
    """

    name = "no-error-path-tests"
    scope: ClassVar[Scope] = Scope.ALL
    patterns: ClassVar[tuple[Pattern, ...]] = (
        # Functions returning `Result`: `check` reads the return type (`_result_path`).
        Pattern(nodes("function_item"), needs=(b"Result",), needs_before_body=True),
        Pattern(
            text_matches(rb"Err\b", "tuple_struct_pattern"),
            '((tuple_struct_pattern type: (identifier) @match) (#eq? @match "Err"))',
            needs=(b"Err",),
        ),
        Pattern(
            function_calls("Err"),
            '((call_expression function: (identifier) @match) (#eq? @match "Err"))',
        ),
        Pattern(macro_arg_idents("Err"), '((token_tree (identifier) @match) (#eq? @match "Err"))'),
        Pattern(
            macro_calls(matching="^assert_err"),
            '(macro_invocation macro: (identifier) @match (#match? @match "^assert_err"))',
        ),
        # `function: (_ ..)`: the gate finds only calls of a field_expression, and naming
        # the kind would cost tree-sitter ~1.5 ms of pattern analysis in every run.
        Pattern(
            method_calls(*_ERR_METHOD_SET),
            f"""((call_expression function: (_ field: (field_identifier) @match))
                 (#any-of? @match {_ERR_METHODS}))""",
        ),
        Pattern(
            macro_arg_methods(*_ERR_METHOD_SET),
            f'((token_tree "." . (identifier) @match) (#any-of? @match {_ERR_METHODS}))',
        ),
        Pattern(
            attributes("should_panic"),
            '(attribute_item (attribute (identifier) @match (#eq? @match "should_panic")))',
        ),
    )

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if node.type == "function_item":
            path = _result_path(node, ctx)
            if path is None or ctx.text(path).replace(" ", "").endswith("fmt"):
                return  # `fmt::Result` belongs to formatting, not to the API's errors
            gate = ctx.public_gate(node)
            if gate is not None:
                ctx.add_fact(_RESULT_FN_FACT, _encode(gate))
            return
        where = _IN_TEST if ctx.is_test_code(node) else _ELSEWHERE
        if where not in ctx.facts.get(_ERR_CHECK_FACT, []):
            ctx.add_fact(_ERR_CHECK_FACT, where)

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        if not crate.is_library or _checks_errors(crate):
            return []
        if crate.unseen.tests is not None:
            return []  # a published package that may have left its tests behind
        for relpath, value in crate.facts(_RESULT_FN_FACT):
            gate = _decode(value)
            if gate is not None and crate.is_public(relpath, gate):
                name = f"{gate.owner}::{gate.name}" if gate.owner else gate.name
                return [
                    crate.finding(
                        self,
                        f"public functions return `Result` (e.g. `{name}` in {relpath}) but "
                        "no test checks an `Err`",
                        "add tests that feed bad input and assert on the error "
                        "(`assert!(r.is_err())`, `assert!(matches!(r, Err(Error::X)))`)",
                        line=package_line(crate.manifest),
                    )
                ]
        return []


def _result_path(function: Node, ctx: FileContext) -> Node | None:
    """For `-> Result<..>`, `-> Result`, `-> io::Result<..>`: the return type's path (the
    type itself when it has none). None when the function does not return a `Result`."""
    found = function.child_by_field_name("return_type")
    if found is not None and found.type == "generic_type":
        found = found.child_by_field_name("type")
    if found is None:
        return None
    if found.type == "type_identifier":
        name: Node | None = found
    elif found.type == "scoped_type_identifier":
        name = found.child_by_field_name("name")
        if found.child_by_field_name("path") is None:
            return None
    else:
        return None
    if name is None or name.type != "type_identifier" or ctx.text(name) != "Result":
        return None
    return found.child_by_field_name("path") or found


def _checks_errors(crate: CrateView) -> bool:
    test_only = {r.relpath for r in crate.results if crate.is_test_only_file(r)}
    return any(
        where == _IN_TEST or relpath in test_only for relpath, where in crate.facts(_ERR_CHECK_FACT)
    )


def _encode(gate: PublicGate) -> str:
    return json.dumps([list(gate.chain), gate.name, gate.chain_pub, gate.owner])


def _decode(value: str) -> PublicGate | None:
    try:
        chain, name, chain_pub, owner = json.loads(value)
        return PublicGate(tuple(str(c) for c in chain), str(name), bool(chain_pub), owner)
    except (ValueError, TypeError):
        return None
