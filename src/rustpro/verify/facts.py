"""What a tree's tests are, read from syntax alone, in a form a snapshot file can store.

A `TestInventory` maps a stable test id to the `TestFacts` of that test: how it is marked
(`#[ignore]`, `#[should_panic]`, its cfg gates), what it checks (its assertions, with the
expected value of each), whether it returns before its checks, and the lint suppressions it
carries. `rustpro verify` compares the inventory of the starting point with the work tree's
(`rustpro.verify.weakening.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Bumped when the stored form changes: a snapshot with another version is read as invalid.
JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Assertion:
    """One check in a test: an assert-family macro, `?`, `.unwrap()`/`.expect()`, a checking
    helper's call, or a check inside a helper of the same file the test calls."""

    text: str  # normalised (whitespace and comments gone): `assert_eq!(add(1, 2), 4)`
    subject: str  # what is checked, to pair an edited assertion with its old self
    expected: str  # the expected-value operand, normalised; "" when the check has none
    line: int
    trivial: bool = False  # checks nothing: `assert!(true)`, `assert_eq!(x, x)`


@dataclass(frozen=True, slots=True)
class Suppression:
    """`#[allow(..)]`, `#[expect(..)]` or `// rustpro: allow(..)` in or on a test."""

    text: str  # normalised
    line: int
    reasoned: bool


@dataclass(frozen=True, slots=True)
class TestFacts:
    """One test (a `#[test]`-like function, a proptest case, a doctest) as its syntax says."""

    path: str  # file, relative to the tree's root
    line: int  # the function's (or the doctest fence's) 1-based line
    name: str  # the function name; `Item::doctest#N` for a doctest
    kind: str  # "test" or "doctest"
    attributes: tuple[str, ...]  # normalised attributes (`#[tokio::test]`, `#[ignore]`, ..)
    ignored: bool
    should_panic: str  # the normalised `#[should_panic..]` (or doctest `should_panic`), or ""
    cfgs: tuple[str, ...]  # every cfg predicate gating it: its own, its modules', its files'
    excluded: bool  # a cfg gate never holds under `cargo test` with default features
    cases: tuple[str, ...]  # `#[test_case(..)]` / `#[case(..)]` arguments, normalised
    fingerprint: str  # a digest of the body's tokens (function names masked)
    assertions: tuple[Assertion, ...]
    early_returns: tuple[int, ...]  # lines of `return`s that skip code or checks after them
    suppressions: tuple[Suppression, ...]
    # Rows of tables of cases in the body (`&[("n", "EOF ..")]`): subject `row CASE`, the
    # expected value is the rest of the row.
    rows: tuple[Assertion, ...] = ()

    @property
    def runs(self) -> int:
        """How many tests `cargo test` runs for this one (each case counts)."""
        if self.excluded or self.ignored:
            return 0
        return max(1, len(self.cases))

    def checks(self) -> list[Assertion]:
        """The assertions that check something (trivial ones left out)."""
        return [assertion for assertion in self.assertions if not assertion.trivial]


@dataclass(frozen=True, slots=True)
class TestInventory:
    """Every test of a tree and the files that hold test code."""

    tests: dict[str, TestFacts]  # id -> facts; `path::mod::fn`, `path::Item::doctest#N`
    files: frozenset[str]  # test files: `tests/*.rs`, files holding test modules or tests

    @property
    def total_runs(self) -> int:
        """The number of tests `cargo test` runs (ignored and cfg-excluded ones left out)."""
        return sum(facts.runs for facts in self.tests.values())

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form; `from_json` reads it back."""
        return {
            "version": JSON_VERSION,
            "files": sorted(self.files),
            "tests": {test_id: _facts_json(facts) for test_id, facts in self.tests.items()},
        }

    @classmethod
    def from_json(cls, data: Any) -> TestInventory:
        """The inventory `to_json` stored; `ValueError` when `data` is not one."""
        if not isinstance(data, Mapping) or data.get("version") != JSON_VERSION:
            raise ValueError("not a test inventory of this rustpro version")
        try:
            files = frozenset(_strings(data["files"]))
            tests = {str(key): _facts(value) for key, value in dict(data["tests"]).items()}
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"malformed test inventory: {error}") from None
        return cls(tests=tests, files=files)


def _facts_json(facts: TestFacts) -> dict[str, Any]:
    return {
        "path": facts.path,
        "line": facts.line,
        "name": facts.name,
        "kind": facts.kind,
        "attributes": list(facts.attributes),
        "ignored": facts.ignored,
        "should_panic": facts.should_panic,
        "cfgs": list(facts.cfgs),
        "excluded": facts.excluded,
        "cases": list(facts.cases),
        "fingerprint": facts.fingerprint,
        "assertions": [
            [a.text, a.subject, a.expected, a.line, a.trivial] for a in facts.assertions
        ],
        "early_returns": list(facts.early_returns),
        "suppressions": [[s.text, s.line, s.reasoned] for s in facts.suppressions],
        "rows": [[a.text, a.subject, a.expected, a.line, a.trivial] for a in facts.rows],
    }


def _facts(data: Any) -> TestFacts:
    return TestFacts(
        path=str(data["path"]),
        line=int(data["line"]),
        name=str(data["name"]),
        kind=str(data["kind"]),
        attributes=tuple(_strings(data["attributes"])),
        ignored=bool(data["ignored"]),
        should_panic=str(data["should_panic"]),
        cfgs=tuple(_strings(data["cfgs"])),
        excluded=bool(data["excluded"]),
        cases=tuple(_strings(data["cases"])),
        fingerprint=str(data["fingerprint"]),
        assertions=_assertions(data["assertions"]),
        rows=_assertions(data["rows"]),
        early_returns=tuple(int(line) for line in data["early_returns"]),
        suppressions=tuple(
            Suppression(str(text), int(line), bool(reasoned))
            for text, line, reasoned in data["suppressions"]
        ),
    )


def _assertions(data: Any) -> tuple[Assertion, ...]:
    return tuple(
        Assertion(str(text), str(subject), str(expected), int(line), bool(trivial))
        for text, subject, expected, line, trivial in data
    )


def _strings(data: Any) -> list[str]:
    if not isinstance(data, list):
        raise ValueError("expected a list")
    return [str(item) for item in data]
