"""Check 5 of `rustpro verify`: tests not weakened, judged from two trees' syntax.

Each case is one scripted edit of the fixture crate `tests/fixtures/weakening/calc`: every
kind of weakening is caught and named, and legitimate changes pass.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rustpro.syntax.cfg import under_cargo_test
from rustpro.verify import weakening
from rustpro.verify.weakening import KINDS, Weakening, compare, inventory

CRATE = Path(__file__).parent / "fixtures" / "weakening" / "calc"
LIB = "src/lib.rs"
INTEGRATION = "tests/integration.rs"


def _sources() -> dict[str, str]:
    return {
        path.relative_to(CRATE).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(CRATE.rglob("*"))
        if path.is_file()
    }


BASE = _sources()
BASE_INVENTORY = inventory(BASE)


def _edit(path: str, old: str, new: str, sources: dict[str, str] | None = None) -> dict[str, str]:
    """The fixture with `old` replaced by `new` once in `path` (which must hold it)."""
    edited = dict(BASE if sources is None else sources)
    assert edited[path].count(old) == 1, f"{old!r} is not once in {path}"
    edited[path] = edited[path].replace(old, new)
    return edited


def _weakenings(new: dict[str, str], *, allow_test_edits: bool = False) -> list[Weakening]:
    return compare(BASE_INVENTORY, inventory(new), allow_test_edits=allow_test_edits)


def _kinds(new: dict[str, str]) -> list[str]:
    return [weakening.kind for weakening in _weakenings(new)]


def _only(new: dict[str, str], kind: str) -> Weakening:
    """The one weakening of `kind` (a count-fell beside it is allowed)."""
    found = _weakenings(new)
    assert [w.kind for w in found if w.kind != "count-fell"] == [kind], found
    return next(w for w in found if w.kind == kind)


# --- the fixture as read ---------------------------------------------------------------------


def test_the_fixture_inventory() -> None:
    assert sorted(BASE_INVENTORY.tests) == [
        "src/lib.rs::add::doctest#1",
        "src/lib.rs::doctest#1",
        "src/lib.rs::tests::adds_cases",
        "src/lib.rs::tests::adds_small_numbers",
        "src/lib.rs::tests::adds_through_helper",
        "src/lib.rs::tests::overflows",
        "src/lib.rs::tests::parses",
        "src/lib.rs::tests::parses_table",
        "src/lib.rs::tests::rejects_garbage",
        "tests/extra.rs::zero_is_neutral",
        "tests/integration.rs::add_commutes",
        "tests/integration.rs::integration_adds",
    ]
    assert BASE_INVENTORY.files == {LIB, INTEGRATION, "tests/extra.rs"}
    # Two cases of adds_cases count as two tests; the ```text block is no doctest.
    assert BASE_INVENTORY.total_runs == 13
    helper = BASE_INVENTORY.tests["src/lib.rs::tests::adds_through_helper"]
    assert [a.text for a in helper.assertions] == ["assert_eq!(add(a, b), expected)"]
    parses = BASE_INVENTORY.tests["src/lib.rs::tests::parses"]
    assert [a.text for a in parses.assertions] == ['parse(" 42 ")?', "assert_eq!(value, 42)"]
    table = BASE_INVENTORY.tests["src/lib.rs::tests::parses_table"]
    assert [(row.subject, row.expected) for row in table.rows] == [
        ('row " 1"', "1"),
        ('row "2 "', "2"),
        ('row "-3"', "-3"),
    ]
    prop = BASE_INVENTORY.tests["tests/integration.rs::add_commutes"]
    assert [(a.text, a.line) for a in prop.assertions] == [
        ("prop_assert_eq!(add(a, b), add(b, a))", 12)
    ]


def test_the_inventory_survives_json() -> None:
    stored = json.loads(json.dumps(BASE_INVENTORY.to_json()))
    assert weakening.TestInventory.from_json(stored) == BASE_INVENTORY


@pytest.mark.parametrize("data", [None, [], {"version": 0}, {"version": 1, "files": 3}])
def test_a_malformed_inventory_is_a_value_error(data: object) -> None:
    with pytest.raises(ValueError):
        weakening.TestInventory.from_json(data)


def test_nothing_changed_is_no_weakening() -> None:
    assert compare(BASE_INVENTORY, inventory(dict(BASE))) == []


# --- each kind is caught and named -----------------------------------------------------------

SMALL = "    #[test]\n    fn adds_small_numbers() {\n"


def test_removed_test() -> None:
    new = _edit(
        LIB,
        SMALL + "        assert_eq!(add(1, 2), 3);\n        assert_eq!(add(-1, 1), 0);\n    }\n",
        "",
    )
    found = _weakenings(new)
    assert [w.kind for w in found] == ["count-fell", "removed"]
    removed = found[1]
    assert removed.test == "src/lib.rs::tests::adds_small_numbers"
    assert (removed.path, removed.line) == (LIB, 37)
    assert "`assert_eq!(add(1, 2), 3)` (line 38)" in removed.message
    assert found[0].message.startswith("cargo test would run 12 tests")


def test_renamed_with_weaker_checks_is_removed() -> None:
    new = _edit(LIB, "fn adds_small_numbers() {", "fn adds_numbers() {")
    new = _edit(LIB, "        assert_eq!(add(-1, 1), 0);\n", "", new)
    assert _kinds(new) == ["removed"]


def test_ignored() -> None:
    found = _only(
        _edit(LIB, SMALL, "    #[test]\n    #[ignore]\n    fn adds_small_numbers() {\n"), "ignored"
    )
    assert "now `#[ignore]`d" in found.message


@pytest.mark.parametrize(
    "gate", ['feature = "slow"', "any()", 'target_os = "nonexistent"', "FALSE", "miri"]
)
def test_cfg_excluded(gate: str) -> None:
    new = _edit(LIB, SMALL, f"    #[cfg({gate})]\n" + SMALL)
    found = _only(new, "cfg-excluded")
    assert found.test == "src/lib.rs::tests::adds_small_numbers"
    assert f"#[cfg({gate})]" in found.message


@pytest.mark.parametrize("gate", ['feature = "std"', "test", "unix", "all()", "not(miri)"])
def test_cfg_that_cargo_test_may_enable_passes(gate: str) -> None:
    assert _kinds(_edit(LIB, SMALL, f"    #[cfg({gate})]\n" + SMALL)) == []


def test_features_are_not_judged_without_the_manifest() -> None:
    without = {path: text for path, text in BASE.items() if path.endswith(".rs")}
    gated = _edit(LIB, SMALL, '    #[cfg(feature = "slow")]\n' + SMALL, without)
    assert compare(inventory(without), inventory(gated)) == []
    gated = _edit(LIB, SMALL, "    #[cfg(any())]\n" + SMALL, without)
    assert [w.kind for w in compare(inventory(without), inventory(gated))] == [
        "count-fell",
        "cfg-excluded",
    ]


def test_cfg_excluded_through_a_module_file() -> None:
    """A test in a file is gated by the `mod` declaration that names the file."""
    moved = _edit(LIB, "#[cfg(test)]\nmod tests {", "#[cfg(test)]\nmod tests;\nmod _unused {")
    moved["src/tests.rs"] = "use super::*;\n#[test]\nfn in_file() { assert_eq!(add(1, 1), 2); }\n"
    gated = _edit(
        LIB, "#[cfg(test)]\nmod tests;", '#[cfg(all(test, feature = "slow"))]\nmod tests;', moved
    )
    found = compare(inventory(moved), inventory(gated))
    assert [(w.kind, w.test) for w in found if w.kind != "count-fell"] == [
        ("cfg-excluded", "src/tests.rs::in_file")
    ]


def test_fewer_assertions_names_the_one_gone() -> None:
    found = _only(_edit(LIB, "        assert_eq!(add(-1, 1), 0);\n", ""), "fewer-assertions")
    assert found.test == "src/lib.rs::tests::adds_small_numbers"
    assert "makes 1 check(s) where it made 2" in found.message
    assert "`assert_eq!(add(-1, 1), 0)` (line 39)" in found.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("        assert_eq!(add(-1, 1), 0);", "        assert!(true);"),  # checks nothing
        ('parse(" 42 ")?;', 'parse(" 42 ").unwrap_or(42);'),  # `?` was the check
        ('        parse("x").unwrap_err();', '        let _ = parse("x");'),  # so was unwrap_err
    ],
)
def test_fewer_assertions(old: str, new: str) -> None:
    assert _kinds(_edit(LIB, old, new)) == ["fewer-assertions"]


def test_a_helper_that_checks_less_weakens_its_test() -> None:
    found = _only(_edit(LIB, "        assert_eq!(add(a, b), expected);\n", ""), "fewer-assertions")
    assert found.test == "src/lib.rs::tests::adds_through_helper"


COMMON = "tests/common/mod.rs"
SHARED_CHECK = (
    "pub fn check_sum(a: i32, b: i32, sum: i32) {\n    assert_eq!(calc::add(a, b), sum);\n}\n"
)


def _with_shared_helper() -> dict[str, str]:
    """The integration test calling a helper of `tests/common/mod.rs`."""
    new = _edit(
        INTEGRATION, "    assert_eq!(add(20, 22), 42);\n", "    common::check_sum(20, 22, 42);\n"
    )
    new = _edit(INTEGRATION, "use calc::add;\n", "mod common;\nuse calc::add;\n", new)
    new[COMMON] = SHARED_CHECK
    return new


def test_a_check_moved_into_a_helper_of_another_file_passes() -> None:
    assert _kinds(_with_shared_helper()) == []


def test_a_helper_of_another_file_that_checks_less() -> None:
    moved = _with_shared_helper()
    weaker = _edit(
        COMMON, "    assert_eq!(calc::add(a, b), sum);\n", "    let _ = (a, b, sum);\n", moved
    )
    found = compare(inventory(moved), inventory(weaker))
    assert [(w.kind, w.test) for w in found] == [
        ("fewer-assertions", "tests/integration.rs::integration_adds")
    ]


def test_a_property_that_checks_less() -> None:
    new = _edit(
        INTEGRATION,
        "        prop_assert_eq!(add(a, b), add(b, a));\n",
        "        let _ = add(a, b);\n",
    )
    found = _only(new, "fewer-assertions")
    assert found.test == "tests/integration.rs::add_commutes"


def test_expected_value_changed() -> None:
    new = _edit(
        LIB,
        "assert_eq!(add(1, 2), 3);\n        assert_eq!(add(-1",
        "assert_eq!(add(1, 2), 4);\n        assert_eq!(add(-1",
    )
    found = _only(new, "expected-value-changed")
    assert found.line == 38
    assert "now expects `4` where it expected `3`" in found.message
    assert not found.note_only
    noted = _weakenings(new, allow_test_edits=True)
    assert [(w.kind, w.note_only) for w in noted] == [("expected-value-changed", True)]


def test_expected_value_bound_to_a_variable_changed() -> None:
    new = _edit(
        LIB,
        '        let value = parse(" 42 ")?;\n        assert_eq!(value, 42);',
        '        let value = parse(" 42 ")?;\n        let expected = 41;\n'
        "        assert_eq!(value, expected);",
    )
    base = _edit(
        LIB,
        '        let value = parse(" 42 ")?;\n        assert_eq!(value, 42);',
        '        let value = parse(" 42 ")?;\n        let expected = 42;\n'
        "        assert_eq!(value, expected);",
    )
    assert compare(BASE_INVENTORY, inventory(base)) == []
    found = compare(inventory(base), inventory(new))
    assert [w.kind for w in found] == ["expected-value-changed"]
    assert "`assert_eq!(value, expected)` now expects `41` where it expected `42`" in (
        found[0].message
    )


def test_expected_value_changed_on_the_left() -> None:
    new = _edit(LIB, "assert_eq!(value, 42);", "assert_eq!(41, value);")
    assert "now expects `41` where it expected `42`" in _only(new, "expected-value-changed").message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("assert_eq!(add(1, 2), 3);", "assert_eq!(add(1, 2), 3,);"),
        ("assert_eq!(value, 42);", 'assert_eq!(value.to_string(), "42".to_string());'),
    ],
)
def test_the_same_expected_value_respelled_passes(old: str, new: str) -> None:
    assert _kinds(_edit(LIB, old, new)) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"42".to_string()', '"42".to_owned()'),
        ('"42".to_string()', 'String::from("42")'),
        ("ErrorKind::Other", "std::io::ErrorKind::Other"),
    ],
)
def test_spellings_of_one_expected_value(old: str, new: str) -> None:
    before = _edit(LIB, "assert_eq!(value, 42);", f"assert_eq!(got(value), {old});")
    after = _edit(LIB, "assert_eq!(value, 42);", f"assert_eq!(got(value), {new});")
    assert compare(inventory(before), inventory(after)) == []


def test_expected_pattern_changed() -> None:
    before = _edit(LIB, "assert_eq!(value, 42);", "assert!(matches!(value, 40..=45));")
    after = _edit(LIB, "assert_eq!(value, 42);", "assert!(matches!(value, 0..=45));")
    found = compare(inventory(before), inventory(after))
    assert [w.kind for w in found] == ["expected-value-changed"]
    assert "now expects `0..=45` where it expected `40..=45`" in found[0].message


def test_a_row_of_a_table_of_cases_that_expects_another_value() -> None:
    found = _only(_edit(LIB, '("2 ", 2)', '("2 ", 3)'), "expected-value-changed")
    assert found.test == "src/lib.rs::tests::parses_table"
    assert 'row `("2 ", 3)` of its table of cases now expects `3` where it expected `2`' in (
        found.message
    )


def test_a_row_of_a_table_of_cases_removed() -> None:
    found = _only(_edit(LIB, ', ("-3", -3)]', "]"), "fewer-assertions")
    assert 'gone: `("-3", -3)`' in found.message


def test_rows_added_to_a_table_pass() -> None:
    assert _kinds(_edit(LIB, '("-3", -3)]', '("-3", -3), ("+4", 4)]')) == []


def test_expected_panic_message_changed() -> None:
    new = _edit(LIB, 'expected = "overflow"', 'expected = "attempt"')
    assert _only(new, "expected-value-changed").test == "src/lib.rs::tests::overflows"


def test_should_panic_added() -> None:
    new = _edit(LIB, SMALL, "    #[test]\n    #[should_panic]\n    fn adds_small_numbers() {\n")
    assert "`#[should_panic]`" in _only(new, "should-panic-added").message


def test_early_return() -> None:
    new = _edit(
        LIB,
        SMALL,
        SMALL + '        if std::env::var("CI").is_ok() {\n            return;\n        }\n',
    )
    found = _only(new, "early-return")
    assert found.line == 39  # the `return`, under `if` on line 38


def test_return_at_the_end_is_not_early() -> None:
    assert _kinds(_edit(LIB, "        Ok(())\n", "        return Ok(());\n")) == []


@pytest.mark.parametrize(
    "suppression",
    [
        "    #[allow(unused_variables)]\n",
        "    #[expect(clippy::unwrap_used)]\n",
        "    // rustpro: allow(unwrap-in-production)\n",
    ],
)
def test_unreasoned_allow(suppression: str) -> None:
    found = _only(_edit(LIB, SMALL, suppression + SMALL), "unreasoned-allow")
    assert found.line == 36
    assert suppression.strip() in found.message


@pytest.mark.parametrize(
    "suppression",
    [
        '    #[allow(unused_variables, reason = "the fixture binds what it shows")]\n',
        "    #[allow(unused_variables)] // the fixture binds what it shows\n",
        "    // the fixture binds what it shows\n    #[allow(unused_variables)]\n",
        "    // rustpro: allow(unwrap-in-production) -- the input is a literal\n",
    ],
)
def test_allow_with_a_reason_passes(suppression: str) -> None:
    assert _kinds(_edit(LIB, SMALL, suppression + SMALL)) == []


def test_an_allow_on_the_test_module_is_reported_once() -> None:
    new = _edit(LIB, "#[cfg(test)]\nmod tests {", "#[cfg(test)]\n#[allow(dead_code)]\nmod tests {")
    found = _weakenings(new)
    assert [(w.kind, w.line) for w in found] == [("unreasoned-allow", 29)]


def test_an_allow_on_a_new_test() -> None:
    new = _edit(
        LIB,
        SMALL,
        "    #[test]\n    #[allow(unused)]\n    fn adds_zero() {\n"
        "        assert_eq!(add(0, 7), 7);\n    }\n\n" + SMALL,
    )
    found = _only(new, "unreasoned-allow")
    assert (found.test, found.line) == ("src/lib.rs::tests::adds_zero", 37)


def test_a_new_test_under_an_old_module_allowance_passes() -> None:
    allowed = _edit(
        LIB, "#[cfg(test)]\nmod tests {", "#[cfg(test)]\n#[allow(dead_code)]\nmod tests {"
    )
    added = _edit(
        LIB,
        SMALL,
        "    #[test]\n    fn adds_zero() {\n        assert_eq!(add(0, 7), 7);\n    }\n\n" + SMALL,
        allowed,
    )
    assert compare(inventory(allowed), inventory(added)) == []


def test_an_allow_inside_a_test_body() -> None:
    new = _edit(LIB, "        let value =", "        #[allow(unused_mut)]\n        let value =")
    assert _only(new, "unreasoned-allow").test == "src/lib.rs::tests::parses"


def test_file_deleted() -> None:
    new = dict(BASE)
    del new["tests/extra.rs"]
    found = _weakenings(new)
    assert [w.kind for w in found] == ["count-fell", "file-deleted"]
    assert (found[1].path, found[1].line) == ("tests/extra.rs", 1)
    assert "`zero_is_neutral`" in found[1].message


def test_count_fell_alone_when_a_case_is_dropped() -> None:
    new = _edit(LIB, '    #[test_case::test_case(2, 2, 4 ; "two and two")]\n', "")
    found = _weakenings(new)
    assert [w.kind for w in found] == ["count-fell", "removed"]
    assert '`(2, 2, 4; "two and two")`' in found[1].message


def test_asserts_folded_into_cases_pass() -> None:
    new = _edit(
        LIB,
        SMALL + "        assert_eq!(add(1, 2), 3);\n        assert_eq!(add(-1, 1), 0);\n    }\n",
        "    #[rstest::rstest]\n    #[case(1, 2, 3)]\n    #[case(-1, 1, 0)]\n"
        "    fn adds_small_numbers(#[case] a: i32, #[case] b: i32, #[case] sum: i32) {\n"
        "        assert_eq!(add(a, b), sum);\n    }\n",
    )
    assert _kinds(new) == []


def test_a_case_whose_expected_value_changed() -> None:
    new = _edit(LIB, '(2, 2, 4 ; "two and two")', '(2, 2, 5 ; "two and two")')
    assert _kinds(new) == ["expected-value-changed"]


def test_every_kind_has_a_case_here() -> None:
    """Each id in KINDS is asserted by name somewhere in this file."""
    text = Path(__file__).read_text(encoding="utf-8")
    assert [kind for kind in KINDS if f'"{kind}"' not in text] == []


def test_a_removed_test_without_checks_is_named() -> None:
    new = _edit(LIB, "    #[test]\n    #[should_panic(expected", "    #[should_panic(expected")
    found = _weakenings(new)
    assert [w.kind for w in found] == ["count-fell", "removed"]
    assert found[1].message.endswith("is gone and no new test has its body")


def test_an_allow_atop_a_unit_test_file() -> None:
    """`#![allow(..)]` at the top of the file a `#[cfg(test)] mod tests;` names is test code."""
    moved = _edit(LIB, "#[cfg(test)]\nmod tests {", "#[cfg(test)]\nmod tests;\nmod _unused {")
    moved["src/tests.rs"] = "use super::*;\n#[test]\nfn in_file() { assert_eq!(add(1, 1), 2); }\n"
    allowed = dict(moved)
    allowed["src/tests.rs"] = "#![allow(clippy::pedantic)]\n" + moved["src/tests.rs"]
    found = compare(inventory(moved), inventory(allowed))
    assert [(w.kind, w.line) for w in found] == [("unreasoned-allow", 1)]
    assert found[0].path == "src/tests.rs"


_HOSTILE_TAIL = (
    "\n#[cfg(test)] mod tests { fn check() { h399(); }\n"
    "#[test] fn t() { check(); assert!(ok()); } }\n"
)


@pytest.mark.parametrize(
    ("text", "tests"),
    [
        ("mod m {\n" * 3000 + "}\n" * 3000, 1),  # deeper than the walk reads
        (  # each helper calls the one before twice: followed once each
            "fn h0() { h0(); }\n"
            + "".join(f"fn h{i}() {{ h{i - 1}(); h{i - 1}(); }}\n" for i in range(1, 400)),
            1,
        ),
        ("#[test] fn t( {{{{ assert!(\n", 0),  # not Rust: nothing to judge
        ("", 1),
    ],
)
def test_hostile_files_are_read(text: str, tests: int) -> None:
    found = inventory({"tests/hostile.rs": text + _HOSTILE_TAIL})
    assert len(found.tests) == tests
    assert compare(found, found) == []


def test_a_test_marked_through_cfg_attr_is_a_test() -> None:
    """tokio marks tests `#[cfg_attr(not(target_family = "wasm"), tokio::test(..))]`."""
    new = _edit(
        INTEGRATION,
        "#[test]\nfn integration_adds() {",
        '#[cfg_attr(not(target_family = "wasm"), tokio::test(flavor = "multi_thread"))]\n'
        '#[cfg_attr(target_family = "wasm", tokio::test)]\n'
        "async fn integration_adds() {",
    )
    assert "tests/integration.rs::integration_adds" in inventory(new).tests
    assert _kinds(new) == []


# --- doctests --------------------------------------------------------------------------------

ADD_DOCTEST = "/// ```\n/// assert_eq!(calc::add(2, 2), 4);\n/// ```\n"


def test_doctest_removed() -> None:
    found = _weakenings(_edit(LIB, ADD_DOCTEST, ""))
    assert [(w.kind, w.test) for w in found] == [
        ("count-fell", ""),
        ("removed", "src/lib.rs::add::doctest#1"),
    ]
    assert found[1].message.startswith("doctest `src/lib.rs::add::doctest#1` (was at src/lib.rs:9)")


def test_doctest_newly_ignored() -> None:
    new = _edit(LIB, ADD_DOCTEST, ADD_DOCTEST.replace("/// ```\n///", "/// ```ignore\n///", 1))
    assert _only(new, "ignored").test == "src/lib.rs::add::doctest#1"


def test_doctest_expected_value_changed() -> None:
    new = _edit(LIB, "calc::add(2, 2), 4);", "calc::add(2, 2), 5);")
    assert _only(new, "expected-value-changed").line == 10


@pytest.mark.parametrize("fence", ["```rust", "```no_run", "```edition2021"])
def test_doctest_fences_that_still_compile_pass(fence: str) -> None:
    assert _kinds(_edit(LIB, ADD_DOCTEST, ADD_DOCTEST.replace("```", fence, 1))) == []


def test_a_doctest_added_above_another_renumbers_nothing_away() -> None:
    extra = "/// ```\n/// assert_eq!(calc::add(0, 0), 0);\n/// ```\n///\n"
    assert _kinds(_edit(LIB, ADD_DOCTEST, extra + ADD_DOCTEST)) == []


# --- legitimate changes pass -----------------------------------------------------------------


def test_adding_a_test() -> None:
    new = _edit(
        LIB,
        SMALL,
        "    #[test]\n    fn adds_zero() {\n        assert_eq!(add(0, 7), 7);\n    }\n\n" + SMALL,
    )
    assert _kinds(new) == []


def test_renaming_a_test_and_its_helper_together() -> None:
    new = _edit(
        LIB,
        "fn adds_through_helper() {\n        check_sum(",
        "fn sums_through_helper() {\n        assert_sum(",
    )
    new = _edit(LIB, "fn check_sum(", "fn assert_sum(", new)
    assert _kinds(new) == []


def test_renaming_a_test_and_rewording_its_setup() -> None:
    new = _edit(LIB, "fn parses() ->", "fn parses_padded() ->")
    new = _edit(LIB, "        let value =", '        let input = " 42 ";\n        let value =', new)
    assert _kinds(new) == []


def test_splitting_a_test_in_two_with_the_same_assertions() -> None:
    split = (
        "    #[test]\n    fn adds_positive() {\n        assert_eq!(add(1, 2), 3);\n    }\n\n"
        "    #[test]\n    fn adds_opposites() {\n        assert_eq!(add(-1, 1), 0);\n    }\n"
    )
    old = SMALL + "        assert_eq!(add(1, 2), 3);\n        assert_eq!(add(-1, 1), 0);\n    }\n"
    assert _kinds(_edit(LIB, old, split)) == []


def test_splitting_into_an_ignored_test_is_removal() -> None:
    split = (
        "    #[test]\n    fn adds_positive() {\n        assert_eq!(add(1, 2), 3);\n    }\n\n"
        "    #[test]\n    #[ignore]\n"
        "    fn adds_opposites() {\n        assert_eq!(add(-1, 1), 0);\n    }\n"
    )
    old = SMALL + "        assert_eq!(add(1, 2), 3);\n        assert_eq!(add(-1, 1), 0);\n    }\n"
    assert "removed" in _kinds(_edit(LIB, old, split))


def test_refactoring_production_code() -> None:
    new = _edit(LIB, "    a + b\n", "    b.wrapping_add(a)\n")
    new = _edit(
        LIB,
        "    text.trim().parse()\n",
        "    let trimmed = text.trim();\n    trimmed.parse::<i32>()\n",
        new,
    )
    assert _kinds(new) == []


def test_renaming_the_function_under_test_with_its_callers() -> None:
    new = dict(BASE)
    for path in (LIB, INTEGRATION, "tests/extra.rs"):
        new[path] = new[path].replace("add(", "sum(").replace("add;", "sum;")
    found = _weakenings(new)
    # The doctests and assertions name the function: their fingerprints hold it masked only
    # where it is defined, so only the checks' texts moved, never their number.
    assert [w.kind for w in found if w.kind in ("removed", "fewer-assertions")] == []


def test_editing_docs_prose() -> None:
    new = _edit(
        LIB,
        "/// Adds two numbers.\n",
        "/// Returns the sum of two numbers.\n///\n/// Overflow panics in debug builds.\n",
    )
    new = _edit(LIB, "add(2, 2) = 4, shown, not compiled", "2 + 2 = 4", new)
    assert _kinds(new) == []


def test_reformatting() -> None:
    new = _edit(
        LIB,
        "        assert_eq!(add(1, 2), 3);\n",
        "        assert_eq!(\n            add(1, 2), // small\n            3,\n        );\n",
    )
    new = _edit(INTEGRATION, "fn integration_adds() {\n", "fn integration_adds()\n{\n", new)
    assert _kinds(new) == []


def test_moving_unit_tests_into_their_own_file() -> None:
    start = BASE[LIB].index("#[cfg(test)]\nmod tests {")
    body = BASE[LIB][start:].split("{", 1)[1].rsplit("}", 1)[0]
    new = dict(BASE)
    new[LIB] = BASE[LIB][:start] + "#[cfg(test)]\nmod tests;\n"
    new["src/tests.rs"] = body
    assert _kinds(new) == []


# --- hypothesis: order and whitespace never weaken ---------------------------------------------


def _test_functions() -> tuple[str, list[str], str]:
    """The fixture's unit test module split into its head, its items and its tail."""
    text = BASE[LIB]
    head, rest = text.split("    fn check_sum", 1)
    module, tail = rest.rsplit("\n}\n", 1)
    items = ("    fn check_sum" + module).split("\n\n")
    return head, items, "\n}\n" + tail


_HEAD, _ITEMS, _TAIL = _test_functions()
# A whitespace run outside strings and comments: replaced by another one, keeping a newline
# where there was one (a line comment ends there).
_RUNS = st.lists(
    st.sampled_from([" ", "  ", "\t", "\n", "\n    ", " \n\n "]), min_size=1, max_size=3
)


_PIECES = re.compile(r'//[^\n]*|"(?:[^"\\]|\\.)*"|\s+|.', re.DOTALL)


def _respace(text: str, choices: list[list[str]]) -> str:
    """`text` with each whitespace run between tokens replaced by one of `choices`."""
    out: list[str] = []
    runs = 0
    for piece in _PIECES.findall(text):
        if piece.isspace():
            replacement = "".join(choices[runs % len(choices)])
            runs += 1
            if "\n" in piece and "\n" not in replacement:
                replacement += "\n"
            piece = replacement
        out.append(piece)
    return "".join(out)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(len(_ITEMS))), spaces=st.lists(_RUNS, min_size=1, max_size=20))
def test_reordering_and_whitespace_never_weaken(order: list[int], spaces: list[list[str]]) -> None:
    module = "\n\n".join(_ITEMS[i] for i in order)
    new = dict(BASE)
    new[LIB] = _respace(_HEAD + module + _TAIL, spaces)
    new[INTEGRATION] = _respace(BASE[INTEGRATION], list(reversed(spaces)))
    assert compare(BASE_INVENTORY, inventory(new)) == []


# --- cfg under cargo test --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("(test)", True),
        ("(debug_assertions)", True),
        ("(all())", True),
        ("(any())", False),
        ('(feature = "std")', True),
        ('(feature = "slow")', False),
        ('(not(feature = "slow"))', True),
        ('(target_os = "linux")', None),
        ('(target_os = "nonexistent")', False),
        ('(any(unix, target_os = "nonexistent"))', None),
        ('(all(unix, target_os = "nonexistent"))', False),
        ("(unix)", None),
        ("(not(windows))", None),
        ("(miri)", False),
        ("(doc)", False),
        ("(not(miri))", True),
        ("(FALSE)", False),
        ('(panic = "abort")', False),
        ('(target_env = "musl")', None),
        ("(all(test,)", None),  # not a predicate: never judged
        ("(not(a, b))", None),
    ],
)
def test_under_cargo_test(arguments: str, expected: bool | None) -> None:
    assert under_cargo_test(arguments, frozenset({"default", "std"})) is expected


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [('(feature = "std")', None), ('(all(feature = "x", any()))', False), ("(test)", True)],
)
def test_under_cargo_test_with_unknown_features(arguments: str, expected: bool | None) -> None:
    assert under_cargo_test(arguments, None) is expected
