"""cfg predicates: which builds they limit code to (tests, docs, or none)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustpro.syntax.cfg import CfgOnly, cfg_only, required_features

TEST = CfgOnly.TEST
DOCS = CfgOnly.DOCS


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("(test)", TEST),
        ("( test )", TEST),
        ("(all(test, unix))", TEST),
        ('(all(unix, feature = "std", test))', TEST),
        ('(any(test, feature = "test-util"))', TEST),
        ('(any(test, feature = "testing"))', TEST),
        ('(any(test, feature = "mock"))', TEST),
        ("(any(test, loom))", TEST),
        ("(loom)", TEST),
        ("(fuzzing)", TEST),
        ('(feature = "__test_internals")', TEST),
        ("(docsrs)", DOCS),
        ("(all(docsrs, unix))", DOCS),
        ("(any(test, docsrs))", TEST),  # never in a normal build
        # Code that is in some normal build.
        ('(any(test, feature = "std"))', None),
        ("(not(test))", None),
        ("(any(docsrs, windows))", None),
        ('(feature = "latest")', None),  # `test` inside another word
        ('(feature = "contest")', None),
        ("(unix)", None),
        ("()", None),
        ("", None),
        ("(all(test,)", None),  # malformed: never guessed
        ("(test = )", None),
    ],
)
def test_cfg_only(arguments: str, expected: CfgOnly | None) -> None:
    assert cfg_only(arguments) is expected


_LEAVES = st.sampled_from(["test", "unix", "docsrs", 'feature = "std"', 'feature = "test-util"'])


def _predicates() -> st.SearchStrategy[str]:
    return st.recursive(
        _LEAVES,
        lambda inner: st.one_of(
            st.builds(lambda xs: f"all({', '.join(xs)})", st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda xs: f"any({', '.join(xs)})", st.lists(inner, min_size=1, max_size=3)),
            st.builds(lambda x: f"not({x})", inner),
        ),
        max_leaves=8,
    )


@given(_predicates())
def test_not_never_limits(predicate: str) -> None:
    # `not(..)` holds in some normal build whatever it negates.
    assert cfg_only(f"(not({predicate}))") is None


@given(_predicates(), _predicates())
def test_all_with_test_is_test_only(left: str, right: str) -> None:
    assert cfg_only(f"(all({left}, test, {right}))") is TEST


@given(st.text(max_size=40))
def test_any_text_gets_an_answer(text: str) -> None:
    assert cfg_only(text) in (None, TEST, DOCS)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('(feature = "tls")', ("tls",)),
        ('(all(unix, feature = "b", feature = "a"))', ("a", "b")),
        ('(all(feature = "a", all(test, feature = "b")))', ("a", "b")),
        ('(any(feature = "a", feature = "b"))', ()),  # either may hold without the other
        ('(not(feature = "a"))', ()),
        ('(all(not(feature = "a"), feature = "b"))', ("b",)),
        ("(unix)", ()),
        ("(feature = )", ()),  # not a predicate: requires nothing
        ("", ()),
    ],
)
def test_required_features(arguments: str, expected: tuple[str, ...]) -> None:
    assert required_features(arguments) == expected


@given(_predicates())
def test_any_and_not_require_no_feature(predicate: str) -> None:
    assert required_features(f"(any({predicate}, unix))") == ()
    assert required_features(f"(not({predicate}))") == ()


@given(_predicates())
def test_all_requires_what_its_parts_require(predicate: str) -> None:
    inner = set(required_features(f"({predicate})"))
    assert set(required_features(f'(all({predicate}, feature = "extra"))')) == inner | {"extra"}
