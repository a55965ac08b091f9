"""Check 5 of `rustpro verify`: the change did not weaken the tests.

Two `TestInventory`s (the starting point's and the work tree's, from syntax alone: no cargo,
no git) are compared test by test. Tests are paired by id, then by fingerprint (a rename, a
move, a doctest renumbered by one added above it), then by their assertions (a rename with a
reworded body). An old test left unpaired is removed unless its assertions reappear in new
tests (a test split in two); a paired one is weakened when it is newly ignored, newly behind
a cfg that `cargo test` never enables, checks less, expects another value, expects a panic,
returns before its checks, or carries a new lint allowance without a reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rustpro.syntax.cfg import under_cargo_test
from rustpro.verify.facts import Assertion, TestFacts, TestInventory
from rustpro.verify.inventory import inventory

__all__ = [
    "KINDS",
    "TestFacts",
    "TestInventory",
    "Weakening",
    "compare",
    "inventory",
]

# The kinds of weakening, stable ids for reports and JSON.
KINDS = (
    "removed",
    "ignored",
    "cfg-excluded",
    "fewer-assertions",
    "expected-value-changed",
    "should-panic-added",
    "early-return",
    "unreasoned-allow",
    "file-deleted",
    "count-fell",
)
# Assertions quoted in one message; the rest are counted.
_QUOTED = 5
_REASON_HINT = '(write `reason = ".."`, or `// rustpro: allow(rule) -- why`)'
# A string literal turned into a `String` (see `_canonical`).
_STRING = r'("(?:[^"\\]|\\.)*")'
_STRING_METHOD = re.compile(_STRING + r"\.(?:to_string|to_owned|into)\(\)")
_STRING_FROM = re.compile(r"String::from\(" + _STRING + r"\)")
# A module path before a name (`std::io::`, `crate::`): the name means the same without it.
_MODULE_PATH = re.compile(r"(?<![\w:])(?:[a-z_][a-z0-9_]*::)+")
# Characters of code quoted at most (a long `let expected = ..` is cut).
_LONGEST = 120


@dataclass(frozen=True, slots=True)
class Weakening:
    """One way the change weakened the tests, with the evidence a reviewer needs."""

    kind: str  # one of KINDS
    test: str  # the test's id ("" for count-fell)
    path: str
    line: int  # in the new tree (the old tree's for removed and file-deleted)
    message: str
    note_only: bool = False  # an expected value changed under `--allow-test-edits`


def compare(
    old: TestInventory, new: TestInventory, *, allow_test_edits: bool = False
) -> list[Weakening]:
    """Every weakening of `old`'s tests in `new`, sorted by place.

    `allow_test_edits` turns changed expected values into notes (`note_only`); every other
    weakening stays a failure.
    """
    pairs, unpaired = _pair(old.tests, new.tests)
    found: list[Weakening] = []
    for old_id, new_id in pairs:
        found.extend(_weakened(new_id, old.tests[old_id], new.tests[new_id], allow_test_edits))
    lost = _not_moved(unpaired, old, new, pairs)
    found.extend(_removals(lost, old, new))
    found.extend(_new_tests_allowances(old, new, {new_id for _, new_id in pairs}))
    if new.total_runs < old.total_runs:
        found.append(
            Weakening(
                "count-fell",
                "",
                "",
                0,
                f"cargo test would run {new.total_runs} tests (unit, integration and doc, "
                f"each case counted, ignored and cfg-excluded ones not) where the starting "
                f"point ran {old.total_runs}",
            )
        )
    return sorted(_one_per_place(found), key=lambda w: (w.path, w.line, w.kind, w.test))


def _pair(
    old: dict[str, TestFacts], new: dict[str, TestFacts]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Old and new ids of the same test, and the old ids left without a partner."""
    old_left = dict.fromkeys(sorted(old))
    new_left = dict.fromkeys(sorted(new))
    pairs: list[tuple[str, str]] = []

    def take(old_id: str, new_id: str) -> None:
        pairs.append((old_id, new_id))
        del old_left[old_id]
        del new_left[new_id]

    # The same test, untouched or edited in place.
    for test_id in [t for t in old_left if t in new_left]:
        if old[test_id].fingerprint == new[test_id].fingerprint:
            take(test_id, test_id)
    # Renamed or moved with the same body (helpers renamed with it are masked).
    by_body: dict[tuple[str, str], list[str]] = {}
    for new_id in new_left:
        by_body.setdefault((new[new_id].kind, new[new_id].fingerprint), []).append(new_id)
    for old_id in list(old_left):
        partner = _first_left(by_body.get((old[old_id].kind, old[old_id].fingerprint)), new_left)
        if partner is not None:
            take(old_id, partner)
    for test_id in [t for t in old_left if t in new_left]:
        take(test_id, test_id)
    # Renamed with a reworded body but the same checks.
    by_checks: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for new_id in new_left:
        by_checks.setdefault((new[new_id].kind, _texts(new[new_id].checks())), []).append(new_id)
    for old_id in list(old_left):
        checks = _texts(old[old_id].checks())
        partner = (
            _first_left(by_checks.get((old[old_id].kind, checks)), new_left) if checks else None
        )
        if partner is not None:
            take(old_id, partner)
    return pairs, list(old_left)


def _first_left(candidates: list[str] | None, left: dict[str, None]) -> str | None:
    """The first of `candidates` still in `left`; the ones taken before are dropped for good,
    so many tests with one body cost linear time, not quadratic."""
    while candidates:
        if candidates[0] in left:
            return candidates[0]
        candidates.pop(0)
    return None


def _texts(checks: Iterable[Assertion]) -> tuple[str, ...]:
    return tuple(sorted(check.text for check in checks))


def _not_moved(
    unpaired: list[str], old: TestInventory, new: TestInventory, pairs: list[tuple[str, str]]
) -> list[str]:
    """The unpaired old tests whose checks did not move into new tests (a split, a merge).

    New tests that run offer all their checks; paired ones offer the checks they gained.
    """
    paired_new = {new_id for _, new_id in pairs}
    offered: Counter[str] = Counter()
    for new_id, facts in new.tests.items():
        if facts.runs and new_id not in paired_new:
            offered.update(check.text for check in facts.checks())
    for old_id, new_id in pairs:
        if new.tests[new_id].runs:
            gained = Counter(c.text for c in new.tests[new_id].checks())
            gained.subtract(c.text for c in old.tests[old_id].checks())
            offered.update(+gained)
    lost: list[str] = []
    for old_id in unpaired:
        wanted = Counter(check.text for check in old.tests[old_id].checks())
        if wanted and all(offered[text] >= count for text, count in wanted.items()):
            offered.subtract(wanted)
        else:
            lost.append(old_id)
    return lost


def _removals(lost: list[str], old: TestInventory, new: TestInventory) -> list[Weakening]:
    """`removed` per lost test; one `file-deleted` for a test file whose tests are all lost."""
    new_paths = {facts.path for facts in new.tests.values()}
    by_file: dict[str, list[str]] = {}
    for old_id in lost:
        by_file.setdefault(old.tests[old_id].path, []).append(old_id)
    found: list[Weakening] = []
    for path, ids in by_file.items():
        in_file = [t for t, facts in old.tests.items() if facts.path == path]
        gone = path in old.files and path not in new.files and path not in new_paths
        if gone and len(ids) == len(in_file):
            names = ", ".join(f"`{old.tests[t].name}`" for t in ids[:_QUOTED])
            more = f" and {len(ids) - _QUOTED} more" if len(ids) > _QUOTED else ""
            found.append(
                Weakening(
                    "file-deleted",
                    "",
                    path,
                    1,
                    f"test file {path} was deleted with its {len(ids)} test(s) ({names}{more}); "
                    "no new test makes their checks",
                )
            )
            continue
        for old_id in ids:
            facts = old.tests[old_id]
            found.append(
                Weakening(
                    "removed",
                    old_id,
                    facts.path,
                    facts.line,
                    f"{_label(facts)} `{old_id}` (was at {facts.path}:{facts.line}) is gone"
                    + (
                        f" and no new test makes its checks{_quote(facts.checks(), ': ')}"
                        if facts.checks()
                        else " and no new test has its body"
                    ),
                )
            )
    return found


def _new_tests_allowances(
    old: TestInventory, new: TestInventory, paired: set[str]
) -> list[Weakening]:
    """Allowances without a reason in tests that are new. One that its file already had (on
    the test module, atop the file, on a test that moved) is not new."""
    known: dict[str, set[str]] = {}
    for facts in old.tests.values():
        texts = known.setdefault(facts.path, set())
        texts.update(s.text for s in facts.suppressions if not s.reasoned)
    found: list[Weakening] = []
    for test_id, facts in new.tests.items():
        if test_id in paired:
            continue
        for suppression in facts.suppressions:
            if suppression.reasoned or suppression.text in known.get(facts.path, ()):
                continue
            found.append(
                Weakening(
                    "unreasoned-allow",
                    test_id,
                    facts.path,
                    suppression.line,
                    f"{_label(facts)} `{test_id}` (new): `{suppression.text}` without a reason "
                    f"{_REASON_HINT}",
                )
            )
    return found


def _weakened(test_id: str, old: TestFacts, new: TestFacts, allow_edits: bool) -> list[Weakening]:
    """How the new version of one test checks less than the old one."""
    found: list[Weakening] = []
    label = f"{_label(new)} `{test_id}`"

    def add(kind: str, line: int, message: str, note_only: bool = False) -> None:
        found.append(Weakening(kind, test_id, new.path, line, message, note_only))

    if new.ignored and not old.ignored:
        how = "its fence now says `ignore`" if new.kind == "doctest" else "it is now `#[ignore]`d"
        add("ignored", new.line, f"{label}: {how}, so cargo test no longer runs it")
    if new.excluded and not old.excluded:
        gate = _excluding_gate(old, new)
        add(
            "cfg-excluded",
            new.line,
            f"{label} is now behind `#[cfg{gate}]`, which does not hold under `cargo test` "
            "with the default features: it is no longer compiled or run",
        )
    if new.should_panic and not old.should_panic:
        add(
            "should-panic-added",
            new.line,
            f"{label} now passes by failing (`{new.should_panic}`): a panic that used to fail "
            "it makes it pass",
        )
    elif new.should_panic and old.should_panic != new.should_panic:
        add(
            "expected-value-changed",
            new.line,
            f"{label}: the expected panic changed from `{old.should_panic}` to "
            f"`{new.should_panic}`",
            allow_edits,
        )
    if len(new.early_returns) > len(old.early_returns):
        line = next((n for n in new.early_returns if n not in old.early_returns), new.line)
        add(
            "early-return",
            line,
            f"{label} now returns early at {new.path}:{line}, before code or checks that follow it",
        )
    found.extend(_checks_weakened(test_id, label, old, new, allow_edits))
    found.extend(_rows_weakened(test_id, label, old, new, allow_edits))
    found.extend(_cases_weakened(test_id, label, old, new, allow_edits))
    new_unreasoned = Counter(s.text for s in new.suppressions if not s.reasoned)
    new_unreasoned.subtract(s.text for s in old.suppressions if not s.reasoned)
    for suppression in new.suppressions:
        if not suppression.reasoned and new_unreasoned[suppression.text] > 0:
            new_unreasoned[suppression.text] -= 1
            add(
                "unreasoned-allow",
                suppression.line,
                f"{label}: new `{suppression.text}` without a reason {_REASON_HINT}",
            )
    return found


def _checks_weakened(
    test_id: str, label: str, old: TestFacts, new: TestFacts, allow_edits: bool
) -> list[Weakening]:
    found: list[Weakening] = []
    old_checks, new_checks = old.checks(), new.checks()
    old_texts = Counter(check.text for check in old_checks)
    new_texts = Counter(check.text for check in new_checks)
    for before, after in _edited_expectations(old_checks, new_checks):
        was = f" (was `{_short(before.text)}`)" if before.text != after.text else ""
        found.append(
            Weakening(
                "expected-value-changed",
                test_id,
                new.path,
                after.line,
                f"{label}: `{_short(after.text)}` now expects `{_short(after.expected)}` "
                f"where it expected `{_short(before.expected)}`{was}",
                allow_edits,
            )
        )
    # A parametrised test makes its checks once per case: turning three asserts into one
    # assert over three `#[case]`s checks as much. A case dropped is reported as removed.
    made, makes = _runs_of_checks(old), _runs_of_checks(new)
    if makes < made and len(new_checks) < len(old_checks):
        gone = old_texts - new_texts
        disappeared: list[Assertion] = []
        for check in old_checks:
            if gone[check.text] > 0:
                gone[check.text] -= 1
                disappeared.append(check)
        per_case = " (each case counted)" if old.cases or new.cases else ""
        found.append(
            Weakening(
                "fewer-assertions",
                test_id,
                new.path,
                new.line,
                f"{label} makes {makes} check(s) where it made {made}{per_case}"
                f"{_quote(disappeared, '; gone: ')}",
            )
        )
    return found


def _rows_weakened(
    test_id: str, label: str, old: TestFacts, new: TestFacts, allow_edits: bool
) -> list[Weakening]:
    """Rows of a table of cases that now expect another value, or are gone."""
    found = [
        Weakening(
            "expected-value-changed",
            test_id,
            new.path,
            after.line,
            f"{label}: the row `{_short(after.text)}` of its table of cases now expects "
            f"`{_short(after.expected)}` where it expected `{_short(before.expected)}`",
            allow_edits,
        )
        for before, after in _edited_expectations(list(old.rows), list(new.rows))
    ]
    if len(new.rows) < len(old.rows):
        gone = Counter(row.text for row in old.rows) - Counter(row.text for row in new.rows)
        lost: list[Assertion] = []
        for row in old.rows:
            if gone[row.text] > 0:
                gone[row.text] -= 1
                lost.append(row)
        found.append(
            Weakening(
                "fewer-assertions",
                test_id,
                new.path,
                new.line,
                f"{label} checks {len(new.rows)} row(s) of cases where it checked "
                f"{len(old.rows)}{_quote(lost, '; gone: ')}",
            )
        )
    return found


def _runs_of_checks(facts: TestFacts) -> int:
    return len(facts.checks()) * max(1, len(facts.cases))


def _edited_expectations(
    old_checks: list[Assertion], new_checks: list[Assertion]
) -> list[tuple[Assertion, Assertion]]:
    """Old and new versions of checks that check the same thing against another value."""
    old_keys = Counter((check.text, _canonical(check.expected)) for check in old_checks)
    new_keys = Counter((check.text, _canonical(check.expected)) for check in new_checks)
    used: set[int] = set()
    edits: list[tuple[Assertion, Assertion]] = []
    for before in old_checks:
        key = (before.text, _canonical(before.expected))
        if not before.expected:
            continue
        if new_keys[key] > 0:
            new_keys[key] -= 1  # unchanged
            continue
        after = next(
            (
                (index, check)
                for index, check in enumerate(new_checks)
                if index not in used
                and check.subject == before.subject
                and _canonical(check.expected) != key[1]
                and old_keys[(check.text, _canonical(check.expected))] == 0
            ),
            None,
        )
        if after is not None:
            used.add(after[0])
            edits.append((before, after[1]))
    return edits


def _canonical(value: str) -> str:
    """An expected value with different spellings of one value made one: `"a".to_string()`,
    `"a".to_owned()`, `"a".into()` and `String::from("a")` all expect `"a"`, and
    `io::ErrorKind::Other` is `ErrorKind::Other` (module paths dropped)."""
    if "::" in value:
        value = _MODULE_PATH.sub("", value)
    if '"' in value:
        value = _STRING_FROM.sub(r"\1", _STRING_METHOD.sub(r"\1", value))
    return value


def _cases_weakened(
    test_id: str, label: str, old: TestFacts, new: TestFacts, allow_edits: bool
) -> list[Weakening]:
    gone = list((Counter(old.cases) - Counter(new.cases)).elements())
    if not gone:
        return []
    quoted = ", ".join(f"`{case}`" for case in gone[:_QUOTED])
    if len(new.cases) < len(old.cases):
        return [
            Weakening(
                "removed",
                test_id,
                new.path,
                new.line,
                f"{label} lost {len(old.cases) - len(new.cases)} of its cases: {quoted}",
            )
        ]
    added = list((Counter(new.cases) - Counter(old.cases)).elements())
    return [
        Weakening(
            "expected-value-changed",
            test_id,
            new.path,
            new.line,
            f"{label}: case(s) {quoted} now read "
            + ", ".join(f"`{case}`" for case in added[:_QUOTED]),
            allow_edits,
        )
    ]


def _excluding_gate(old: TestFacts, new: TestFacts) -> str:
    """The cfg predicate that newly keeps the test out of `cargo test`."""
    fresh = [cfg for cfg in new.cfgs if cfg not in old.cfgs]
    for cfg in fresh or list(new.cfgs):
        if under_cargo_test(cfg, frozenset()) is False:  # the gate, whichever features
            return cfg
    return fresh[0] if fresh else "(..)"


def _short(code: str) -> str:
    """Code quoted in a message, cut to a readable length."""
    return code if len(code) <= _LONGEST else code[: _LONGEST - 1] + "…"


def _label(facts: TestFacts) -> str:
    return "doctest" if facts.kind == "doctest" else "test"


def _quote(checks: list[Assertion], lead: str) -> str:
    if not checks:
        return ""
    quoted = ", ".join(f"`{_short(c.text)}` (line {c.line})" for c in checks[:_QUOTED])
    more = f" and {len(checks) - _QUOTED} more" if len(checks) > _QUOTED else ""
    return f"{lead}{quoted}{more}"


def _one_per_place(found: list[Weakening]) -> list[Weakening]:
    """One `unreasoned-allow` per allowance: one on a test module reaches each of its tests."""
    kept: list[Weakening] = []
    seen: dict[tuple[str, int, str], int] = {}
    for weakening in found:
        if weakening.kind != "unreasoned-allow":
            kept.append(weakening)
            continue
        place = (weakening.path, weakening.line, weakening.kind)
        if place in seen:
            continue
        seen[place] = len(kept)
        kept.append(weakening)
    return kept
