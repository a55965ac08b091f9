"""What counts as checking something in a test: the vocabulary the testing rules share.

A test fails when it panics or returns `Err`, so anything that can panic on a wrong value
(assert-family macros, `unwrap`/`expect`, `panic!`) or hand an `Err` back (`?`) is a check.
Names are matched by their last path segment: `insta::assert_snapshot!` is `assert_snapshot`.
"""

from __future__ import annotations

# Fact key prefix: `testing.asserts:NAME` is recorded for every function or macro whose body
# panics on a failed check, so a test that only calls such a helper is not reported.
ASSERTING_FACT = "testing.asserts:"
ASSERTING_VALUE = "yes"

# Macros that fail the test: panics, and early `Err` returns in `Result`-returning tests.
_FAILING_MACROS = frozenset(
    {"panic", "unreachable", "todo", "unimplemented", "ensure", "bail", "check", "verify"}
)
# Macros that run a property-test harness, which fails the test on a falsified property.
_HARNESS_MACROS = frozenset({"proptest", "quickcheck", "bolero", "arbtest"})
# Methods that panic on the unexpected case.
PANICKING_METHODS = frozenset(
    {"unwrap", "unwrap_err", "expect", "expect_err", "unwrap_none", "expect_none"}
)
# Helper-name prefixes that say "this checks": `check_roundtrip(..)`, `assert_parses(..)`.
_CHECKING_PREFIXES = ("assert", "check", "verify", "expect")


# `is_asserting_macro` as one regular expression over a macro's last path segment, for the
# engine's candidate filter (`macro_calls(matching=..)`); test-without-assertion relies on
# the two agreeing, keep them in step.
ASSERTING_MACRO_NAME = (
    "assert|^("
    + "|".join(_CHECKING_PREFIXES)
    + ")|^("
    + "|".join(sorted(_FAILING_MACROS | _HARNESS_MACROS))
    + ")$"
)


# Every name the predicates below hold for contains one of these: a text without any of them
# names nothing that checks.
CHECKING_NAME_PARTS = tuple(
    sorted({*_CHECKING_PREFIXES, *_FAILING_MACROS, *_HARNESS_MACROS, *PANICKING_METHODS})
)


def last_segment(path: str) -> str:
    """`assert_eq` for `pretty_assertions::assert_eq`."""
    return path.replace(" ", "").rsplit("::", 1)[-1]


def is_asserting_macro(name: str) -> bool:
    """True for macros that check: `*assert*`, `panic!`, `ensure!`, `check*!`, `verify*!`.."""
    name = last_segment(name)
    return (
        "assert" in name
        or name in _FAILING_MACROS
        or name in _HARNESS_MACROS
        or name.startswith(_CHECKING_PREFIXES)
    )


def is_panicking_method(name: str) -> bool:
    """True for `.unwrap()`, `.expect(..)` and friends, and `.*assert*()` methods.

    `.assert()` (assert_cmd), `.assert_eq(..)` (expect-test), `.debug_assert()` (clap) and
    mockall's `.expect_*()` expectations all fail the test on a wrong value.
    """
    return name in PANICKING_METHODS or "assert" in name or name.startswith("expect_")


def is_checking_helper(name: str) -> bool:
    """True for a function whose name says it checks: `assert_*`, `check*`, `verify*`, `expect*`."""
    return last_segment(name).startswith(_CHECKING_PREFIXES)


def asserting_fact_key(name: str) -> str:
    """The fact key recorded for a helper function or macro `name` that asserts."""
    return ASSERTING_FACT + last_segment(name)
