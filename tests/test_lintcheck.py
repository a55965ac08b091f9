"""The lintcheck corpus (benchmarks/lintcheck/): labelled findings must keep their verdicts.

Fails when a fixed FP (labelled fp, absent from the committed last-run.json) fires again or a
finding labelled TP no longer fires, naming them, and when a rule raises on the corpus. Open
FPs (labelled, still in the last run) fail nothing: they are what the rule's precision counts.

A last-run.json that differs from this run does not fail either: rule changes move findings
legitimately, and labels are what records a judgement. The difference is printed at the end
of the session (tests/conftest.py), as a reminder to commit
`python benchmarks/lintcheck.py report --update` with the change.

The corpus is downloaded once into the user cache dir; the test skips, with the reason, only
when crates.io cannot be reached.
"""

from __future__ import annotations

import functools

import pytest
from benchmarks.lintcheck import diff_report
from benchmarks.lintcheck_corpus import CorpusUnavailable, load_corpus, prepare_corpus
from benchmarks.lintcheck_data import (
    diff_runs,
    keys_by_rule,
    load_labels,
    load_last_run,
    regressions,
    run_fingerprints,
    run_keys,
)
from benchmarks.lintcheck_run import UnitRun, run_corpus

from tests.support import LINTCHECK_DIFF

pytestmark = pytest.mark.realworld


@functools.cache
def _runs() -> list[UnitRun] | str:
    units = load_corpus()
    try:
        roots = prepare_corpus(units)
    except CorpusUnavailable as unavailable:
        return str(unavailable)
    return run_corpus(units, roots)


def _corpus_runs() -> list[UnitRun]:
    runs = _runs()
    if isinstance(runs, str):
        pytest.skip(f"lintcheck corpus unavailable: {runs}")
    return runs


def test_labelled_findings_keep_their_verdicts() -> None:
    runs = _corpus_runs()
    current = {obs.key for run in runs for obs in run.observations}
    crates = {run.crate for run in runs}
    last = run_keys(load_last_run())
    found = regressions(load_labels(crates=crates), current, last, crates)
    assert not found, "\n".join(found.lines())


def test_no_rule_raises_on_the_corpus() -> None:
    troubles = [f"{run.crate}: {warning}" for run in _corpus_runs() for warning in run.warnings]
    assert not troubles, "\n".join(troubles)


def test_difference_from_the_last_committed_run_is_reported(
    request: pytest.FixtureRequest,
) -> None:
    runs = _corpus_runs()
    current = run_fingerprints([obs for run in runs for obs in run.observations])
    last = load_last_run()
    diffs = diff_runs(last, current)
    if diffs:
        hint = "commit `python benchmarks/lintcheck.py report --update` with the change"
        request.config.stash[LINTCHECK_DIFF] = [*diff_report(diffs, limit=2), hint]
    # The diff accounts for every finding: last run + new - gone = this run, per rule.
    now, before = keys_by_rule(current), keys_by_rule(last)
    for diff in diffs:
        count = len(before.get(diff.rule, {})) + len(diff.new) - len(diff.gone)
        assert count == len(now.get(diff.rule, {})), diff.rule
