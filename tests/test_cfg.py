"""cfg predicates: which builds they limit code to (tests, docs, or none)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rustpro.syntax.cfg import CfgOnly, cfg_only, excluded_features, required_features

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


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('(not(feature = "std"))', ("std",)),
        ('(all(not(feature = "std"), feature = "core-error"))', ("std",)),
        ('(not(any(feature = "b", feature = "a")))', ("a", "b")),
        ('(not(all(feature = "a", feature = "b")))', ()),  # `a` alone may be on
        ('(any(not(feature = "a"), unix))', ()),  # `unix` may hold with `a` on
        ('(feature = "a")', ()),
        ("(not(unix))", ()),
        ("(not(feature = ))", ()),  # not a predicate: excludes nothing
        ("", ()),
    ],
)
def test_excluded_features(arguments: str, expected: tuple[str, ...]) -> None:
    assert excluded_features(arguments) == expected


# A predicate over three features and two other cfgs, as its text and as a function of the
# features on and the other cfgs that hold.
_FEATURE_NAMES = ("a", "b", "c")
_Predicate = tuple[str, Callable[[frozenset[str], frozenset[str]], bool]]


def _feature(name: str) -> _Predicate:
    return f'feature = "{name}"', lambda on, cfgs: name in on


def _cfg(name: str) -> _Predicate:
    return name, lambda on, cfgs: name in cfgs


def _combined(kind: str, parts: list[_Predicate]) -> _Predicate:
    text = f"{kind}({', '.join(p[0] for p in parts)})"
    if kind == "not":
        (part,) = parts
        return text, lambda on, cfgs: not part[1](on, cfgs)
    test = all if kind == "all" else any
    return text, lambda on, cfgs: test(p[1](on, cfgs) for p in parts)


_SIGNED_PREDICATES = st.recursive(
    st.sampled_from(_FEATURE_NAMES).map(_feature) | st.sampled_from(("unix", "test")).map(_cfg),
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3).flatmap(
            lambda parts: st.sampled_from(("all", "any")).map(lambda k: _combined(k, parts))
        )
        | inner.map(lambda part: _combined("not", [part]))
    ),
    max_leaves=8,
)


@given(_SIGNED_PREDICATES)
def test_excluded_features_are_off_wherever_the_predicate_holds(predicate: _Predicate) -> None:
    """Sound: under every choice of features and other cfgs where the predicate holds, no
    feature it says must be off is on (and none it says must be on is off)."""
    text, holds = predicate
    off = set(excluded_features(f"({text})"))
    needed = set(required_features(f"({text})"))
    for on in itertools.chain.from_iterable(
        itertools.combinations(_FEATURE_NAMES, n) for n in range(4)
    ):
        for cfgs in ((), ("unix",), ("test",), ("unix", "test")):
            if holds(frozenset(on), frozenset(cfgs)):
                assert not off & set(on), (text, on, cfgs)
                assert needed <= set(on), (text, on, cfgs)
