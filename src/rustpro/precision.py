"""Each rule's precision as measured on the lintcheck corpus of real crates.

`benchmarks/lintcheck.py report --update` audits the corpus, counts the labelled findings of
each rule (TP, FP, debatable) and writes `precision.json` beside this module; the rule pages
and `rustpro explain` show it. Precision is TP / (TP + FP): debatable findings are neither.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from rustpro.packaged_data import read_text

PRECISION_FILE = "precision.json"


@dataclass(frozen=True, slots=True)
class RulePrecision:
    """One rule's counts on the corpus; `date` is when they last changed (ISO day)."""

    fired: int
    labelled: int
    tp: int
    fp: int
    debatable: int
    date: str

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP), or None while no labelled finding is TP or FP."""
        judged = self.tp + self.fp
        return self.tp / judged if judged else None

    def same_counts(self, other: RulePrecision) -> bool:
        """Equal but for the date."""
        return (self.fired, self.labelled, self.tp, self.fp, self.debatable) == (
            other.fired,
            other.labelled,
            other.tp,
            other.fp,
            other.debatable,
        )


def parse(text: str) -> dict[str, RulePrecision]:
    """The per-rule entries of a precision file's text."""
    data = json.loads(text)
    return {name: RulePrecision(**entry) for name, entry in data.get("rules", {}).items()}


def dumps(rules: dict[str, RulePrecision]) -> str:
    """A precision file's text: one entry per rule, sorted, stable for diffs."""
    body = {"rules": {name: asdict(rules[name]) for name in sorted(rules)}}
    return json.dumps(body, indent=1, sort_keys=True) + "\n"


def path() -> Path:
    """Where the committed file lives (next to this module, shipped as package data)."""
    return Path(__file__).resolve().parent / PRECISION_FILE


@functools.cache
def measured() -> dict[str, RulePrecision]:
    """The committed measurements; empty when the file is absent."""
    try:
        text = read_text(PRECISION_FILE)
    except OSError:  # absent
        return {}
    return parse(text)


def describe(entry: RulePrecision | None) -> str:
    """The rule page's sentence about its measured precision."""
    if entry is None:
        return "not yet measured."
    corpus = "the lintcheck corpus of real crates"
    if entry.fired == 0 and entry.labelled == 0:
        return f"not yet measured (it does not fire on {corpus})."
    if entry.labelled == 0:
        fired = f"{entry.fired} finding{'s' if entry.fired != 1 else ''}"
        return f"not yet measured ({fired} on {corpus}, none labelled yet)."
    counts = f"{entry.tp} TP, {entry.fp} FP, {entry.debatable} debatable"
    sample = f"{entry.labelled} labelled of {entry.fired} findings on {corpus}"
    value = entry.precision
    if value is None:
        return f"not measurable yet: all {sample} are debatable ({entry.date})."
    return f"{value:.0%} ({counts}; {sample}, {entry.date})."


# What a rule must measure on the corpus to run by default (issue: precision >= 90% and at
# most a quarter of its labels debatable).
PRECISION_BAR = 0.9
DEBATABLE_BAR = 0.25


def misses_the_bar(entry: RulePrecision | None) -> str | None:
    """Why a measured rule is not precise enough for the default group, or None."""
    if entry is None or entry.labelled == 0:
        return None
    reasons = []
    value = entry.precision
    if value is not None and value < PRECISION_BAR:
        reasons.append(f"its precision is {value:.0%} (the bar is {PRECISION_BAR:.0%})")
    share = entry.debatable / entry.labelled
    if share > DEBATABLE_BAR:
        reasons.append(
            f"{share:.0%} of its labelled findings are debatable (the bar is at most "
            f"{DEBATABLE_BAR:.0%})"
        )
    return " and ".join(reasons) or None
