"""The committed lintcheck data: labels, the last run's fingerprints, and the precision summary.

- `benchmarks/lintcheck/labels.jsonl`: one judged finding a line (crate, rule, path, line,
  fingerprint, verdict, reason), sorted, so a new label is a one-line diff. A label is keyed by
  (crate, fingerprint): the line number is informative only.
- `benchmarks/lintcheck/last-run.json`: per crate and rule, each finding's fingerprint and
  `path:line`, as of the last `report --update`; the report diffs the current run against it.
- `src/rustpro/precision.json` (see `rustpro.precision`): per rule, fired / labelled / TP / FP /
  debatable, derived from the two files above.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from rustpro.catalog import catalog
from rustpro.fingerprint import FINGERPRINT_LENGTH
from rustpro.precision import RulePrecision

DATA_DIR = Path(__file__).resolve().parent / "lintcheck"
LABELS_FILE = DATA_DIR / "labels.jsonl"
LAST_RUN_FILE = DATA_DIR / "last-run.json"
VERDICTS = ("tp", "fp", "debatable")
# The labelling campaign's target per rule (all of them when fewer fire).
LABELS_WANTED_PER_RULE = 15

_FINGERPRINT = re.compile(rf"^[0-9a-f]{{{FINGERPRINT_LENGTH}}}$")
_LABEL_FIELDS = ("crate", "rule", "path", "line", "fingerprint", "verdict", "reason")

# (crate, fingerprint): what identifies a finding across runs.
FindingKey = tuple[str, str]


class DataError(Exception):
    """A committed lintcheck file is malformed; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One finding of the current run, as lintcheck sees it."""

    crate: str  # the corpus unit
    rule: str
    path: str  # relative to the unit's directory
    line: int
    column: int
    message: str
    fingerprint: str
    role: str  # the role of the package holding the file
    group: str = ""  # the finding's own opt-in group (a rule's pedantic tier), "" for none

    @property
    def row(self) -> str:
        """The report row this finding counts in: its rule, or `rule [group]` for a
        rule's opt-in tier (measured apart: only the rule's own group must meet the bar)."""
        return tier_row(self.rule, self.group)

    @property
    def key(self) -> FindingKey:
        """What labels and the last run key this finding by."""
        return (self.crate, self.fingerprint)

    @property
    def where(self) -> str:
        """`path:line`."""
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Label:
    """A human verdict on one finding, with a one-line reason."""

    crate: str
    rule: str
    path: str
    line: int
    fingerprint: str
    verdict: str
    reason: str

    @property
    def key(self) -> FindingKey:
        """The finding this label judges."""
        return (self.crate, self.fingerprint)

    def describe(self) -> str:
        """One line naming the finding and the verdict's reason."""
        return (
            f"{self.crate} {self.rule} {self.path}:{self.line} [{self.fingerprint}] "
            f"({self.verdict}: {self.reason})"
        )

    @classmethod
    def of(cls, observation: Observation, verdict: str, reason: str) -> Label:
        """A label for a finding of the current run."""
        return cls(
            crate=observation.crate,
            rule=observation.rule,
            path=observation.path,
            line=observation.line,
            fingerprint=observation.fingerprint,
            verdict=verdict,
            reason=reason,
        )


def load_labels(path: Path = LABELS_FILE, crates: set[str] | None = None) -> list[Label]:
    """The labels of `path` (none when it does not exist), validated line by line."""
    if not path.is_file():
        return []
    labels: list[Label] = []
    seen: dict[FindingKey, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise DataError(f"{where}: not JSON: {err}") from None
        label = _label(raw, where, crates)
        if label.key in seen:
            raise DataError(f"{where}: labels the finding of line {seen[label.key]} again")
        seen[label.key] = number
        labels.append(label)
    return labels


def _label(raw: object, where: str, crates: set[str] | None) -> Label:
    if not isinstance(raw, dict) or set(raw) != set(_LABEL_FIELDS):
        raise DataError(f"{where}: a label has exactly the fields {', '.join(_LABEL_FIELDS)}")
    label = Label(**raw)
    if crates is not None and label.crate not in crates:
        raise DataError(f"{where}: crate {label.crate!r} is not in the corpus")
    if label.rule not in catalog():
        raise DataError(f"{where}: rule {label.rule!r} is not in the catalog")
    if not isinstance(label.fingerprint, str) or not _FINGERPRINT.match(label.fingerprint):
        raise DataError(f"{where}: fingerprint {label.fingerprint!r} is not 16 hex digits")
    if label.verdict not in VERDICTS:
        raise DataError(f"{where}: verdict {label.verdict!r} is not one of {VERDICTS}")
    check_reason(label.reason, where)
    if not isinstance(label.path, str) or not isinstance(label.line, int):
        raise DataError(f"{where}: path must be text and line a number")
    return label


def check_reason(reason: object, where: str = "reason") -> None:
    """A reason is one non-empty line of text."""
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
        raise DataError(f"{where}: the reason must be one non-empty line")


def save_labels(labels: list[Label], path: Path = LABELS_FILE) -> None:
    """Write `labels` sorted by crate, rule, path and line: one JSON object a line."""
    ordered = sorted(labels, key=lambda x: (x.crate, x.rule, x.path, x.line, x.fingerprint))
    lines = [
        json.dumps({name: getattr(label, name) for name in _LABEL_FIELDS}, ensure_ascii=False)
        for label in ordered
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


# crate -> rule -> fingerprint -> "path:line"
RunFingerprints = dict[str, dict[str, dict[str, str]]]


def tier_row(rule: str, group: str) -> str:
    """`rule`, or `rule [group]` for the findings a rule puts in an opt-in group."""
    return f"{rule} [{group}]" if group else rule


def row_rule(row: str) -> str:
    """The rule name of a report row (`unwrap-in-production [pedantic]` -> the rule)."""
    return row.split(" [", 1)[0]


def run_fingerprints(observations: list[Observation]) -> RunFingerprints:
    """The run as the last-run file stores it (keyed by report row, see `Observation.row`)."""
    tree: RunFingerprints = {}
    for obs in observations:
        tree.setdefault(obs.crate, {}).setdefault(obs.row, {})[obs.fingerprint] = obs.where
    return tree


def load_last_run(path: Path = LAST_RUN_FILE) -> RunFingerprints:
    """The committed last run (empty when there is none)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    crates: RunFingerprints = data.get("crates", {})
    return crates


def save_last_run(run: RunFingerprints, path: Path = LAST_RUN_FILE) -> None:
    """Write the run, sorted, one finding a line."""
    path.write_text(json.dumps({"crates": run}, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def keys_by_rule(run: RunFingerprints) -> dict[str, dict[FindingKey, str]]:
    """rule -> (crate, fingerprint) -> `path:line`."""
    by_rule: dict[str, dict[FindingKey, str]] = defaultdict(dict)
    for crate, rules in run.items():
        for rule, prints in rules.items():
            for fingerprint, where in prints.items():
                by_rule[rule][(crate, fingerprint)] = where
    return dict(by_rule)


@dataclass(frozen=True, slots=True)
class RuleDiff:
    """What changed for one rule between two runs: findings that appeared and that went."""

    rule: str
    new: list[tuple[FindingKey, str]]
    gone: list[tuple[FindingKey, str]]


def diff_runs(before: RunFingerprints, after: RunFingerprints) -> list[RuleDiff]:
    """Per rule (sorted), the findings new in `after` and gone from `before`; unchanged omitted."""
    old, new = keys_by_rule(before), keys_by_rule(after)
    diffs: list[RuleDiff] = []
    for rule in sorted(set(old) | set(new)):
        was, now = old.get(rule, {}), new.get(rule, {})
        appeared = sorted((key, now[key]) for key in now.keys() - was.keys())
        went = sorted((key, was[key]) for key in was.keys() - now.keys())
        if appeared or went:
            diffs.append(RuleDiff(rule, appeared, went))
    return diffs


@dataclass(frozen=True, slots=True)
class Regressions:
    """Labels the current run contradicts: a fixed FP fires again, a labelled TP is gone."""

    fp_back: list[Label]
    tp_gone: list[Label]

    def __bool__(self) -> bool:
        return bool(self.fp_back or self.tp_gone)

    def lines(self) -> list[str]:
        """One line per regression, naming the finding and its label's reason."""
        return [f"labelled FP fires again: {x.describe()}" for x in self.fp_back] + [
            f"labelled TP no longer fires: {x.describe()}" for x in self.tp_gone
        ]


def regressions(
    labels: list[Label], current: set[FindingKey], last: set[FindingKey], crates: set[str]
) -> Regressions:
    """The labels of `crates` (the units that were run) that the current run contradicts.

    A labelled FP that still fired in the last committed run is an open FP: it counts against
    the rule's precision but fails nothing. Once a run without it is committed, it is fixed,
    and firing again is a regression. A labelled TP must always fire. Accepting either change
    means editing its label, so it shows in review.
    """
    relevant = [label for label in labels if label.crate in crates]
    return Regressions(
        fp_back=[
            x for x in relevant if x.verdict == "fp" and x.key in current and x.key not in last
        ],
        tp_gone=[x for x in relevant if x.verdict == "tp" and x.key not in current],
    )


def run_keys(run: RunFingerprints) -> set[FindingKey]:
    """Every finding of a run, by key."""
    return {(crate, p) for crate, rules in run.items() for prints in rules.values() for p in prints}


def precision_summary(
    labels: list[Label],
    run: RunFingerprints,
    previous: dict[str, RulePrecision],
    today: datetime.date | None = None,
) -> dict[str, RulePrecision]:
    """Per catalog rule: findings of `run` and the verdicts of those among them that are labelled.

    Labels of findings that no longer fire (a fixed FP) are not counted: precision describes
    what the rule reports now. A rule whose counts did not change keeps its previous date.
    """
    day = (today or datetime.date.today()).isoformat()
    by_rule = keys_by_rule(run)
    row_of = {key: row for row, keys in by_rule.items() for key in keys}
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    for label in labels:
        row = row_of.get(label.key)
        if row is not None and row_rule(row) == label.rule:
            verdicts[row][label.verdict] += 1
    summary: dict[str, RulePrecision] = {}
    tiers = sorted(row for row in by_rule if row not in catalog() and row_rule(row) in catalog())
    for rule in (*catalog(), *tiers):
        counts = verdicts[rule]
        entry = RulePrecision(
            fired=len(by_rule.get(rule, {})),
            labelled=sum(counts.values()),
            tp=counts["tp"],
            fp=counts["fp"],
            debatable=counts["debatable"],
            date=day,
        )
        old = previous.get(rule)
        summary[rule] = old if old is not None and old.same_counts(entry) else entry
    return summary
