"""Lintcheck: rustpro's precision measured on a labelled corpus of real crates.io packages.

    python benchmarks/lintcheck.py fetch                      # download and assemble the corpus
    python benchmarks/lintcheck.py show --rule RULE [--crate C] [--sample N --seed S]
                                        [--unlabelled] [--context K]
    python benchmarks/lintcheck.py label FINGERPRINT tp|fp|debatable "one-line reason" [--crate C]
    python benchmarks/lintcheck.py report [--update]          # --update rewrites the committed data
    python benchmarks/lintcheck.py pin NAME VERSION           # a corpus.toml entry, from the index

The corpus is `benchmarks/lintcheck/corpus.toml` (see benchmarks/lintcheck_corpus.py), the
labels `benchmarks/lintcheck/labels.jsonl` (benchmarks/lintcheck_data.py). A finding is known
by its fingerprint (rustpro.fingerprint), which survives line shifts. `report --update`
rewrites `last-run.json`, `src/rustpro/precision.json` and the rule pages under docs/rules/.
tests/test_lintcheck.py fails when a fixed FP (labelled fp, absent from the committed last run)
fires again or a labelled TP is gone; `report --update` refuses to commit such a run.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.lintcheck_corpus import (
    CorpusError,
    CorpusUnavailable,
    Unit,
    load_corpus,
    pin_line,
    prepare_corpus,
)
from benchmarks.lintcheck_data import (
    LABELS_WANTED_PER_RULE,
    VERDICTS,
    DataError,
    Label,
    Observation,
    RuleDiff,
    RunFingerprints,
    check_reason,
    diff_runs,
    load_labels,
    load_last_run,
    precision_summary,
    regressions,
    row_rule,
    run_fingerprints,
    run_keys,
    save_labels,
    save_last_run,
)
from benchmarks.lintcheck_run import UnitRun, run_corpus
from rustpro import docsgen, precision
from rustpro.catalog import DEFAULT_GROUP, catalog

REPO = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO / "docs" / "rules"
DIFF_LINES_PER_RULE = 5  # findings listed per rule in the report's diff; the rest are counted


def load_and_run(
    crate: str | None = None, *, use_cache: bool = True, jobs: int | None = None
) -> tuple[list[Unit], list[UnitRun], dict[str, Path]]:
    """The corpus (or one crate of it), assembled and audited."""
    units = load_corpus()
    if crate is not None:
        units = [u for u in units if u.name == crate]
        if not units:
            raise SystemExit(f"no crate {crate!r} in the corpus")
    roots = prepare_corpus(units)
    return units, run_corpus(units, roots, jobs=jobs, use_cache=use_cache), roots


def corpus_names() -> set[str]:
    """The names of every crate (unit) of the corpus: what labels may refer to."""
    return {unit.name for unit in load_corpus()}


def observations_of(runs: list[UnitRun]) -> list[Observation]:
    """Every finding of the runs, in corpus order."""
    return [obs for run in runs for obs in run.observations]


# -- report ---------------------------------------------------------------------------------


def rule_table(observations: list[Observation], labels: list[Label]) -> list[str]:
    """Per rule: group, fired, labelled, verdicts, precision, debatable share, and the labels
    the campaign still wants (default-group rules only)."""
    verdict_of = {label.key: label.verdict for label in labels}
    fired: Counter[str] = Counter(obs.row for obs in observations)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for obs in observations:
        if obs.key in verdict_of:
            counts[obs.row][verdict_of[obs.key]] += 1
    header = f"{'rule':34} {'group':11} {'fired':>6} {'lab':>4} {'TP':>4} {'FP':>4} {'deb':>4}"
    lines = [header + f" {'prec':>6} {'deb%':>5} {'want':>5}"]
    for rule in sorted(fired, key=lambda r: (-fired[r], r)):
        tally = counts[rule]
        labelled = sum(tally.values())
        judged = tally["tp"] + tally["fp"]
        prec = f"{tally['tp'] / judged:.0%}" if judged else "-"
        deb = f"{tally['debatable'] / labelled:.0%}" if labelled else "-"
        group = _group(rule)
        wanted = min(LABELS_WANTED_PER_RULE, fired[rule]) if group == DEFAULT_GROUP else 0
        want = max(0, wanted - labelled)
        lines.append(
            f"{rule:34} {group:11} {fired[rule]:6} {labelled:4} {tally['tp']:4} {tally['fp']:4} "
            f"{tally['debatable']:4} {prec:>6} {deb:>5} {want or '':>5}"
        )
    return lines


def _group(row: str) -> str:
    """A row's group: the tier's (`rule [pedantic]`), else the rule's catalog group."""
    if row not in catalog() and row_rule(row) != row:
        return row[len(row_rule(row)) + 2 : -1]
    entry = catalog().get(row)
    return entry.group if entry is not None else "-"


def role_table(runs: list[UnitRun]) -> list[str]:
    """Findings per thousand lines, per package role and per corpus category."""
    lines_by: dict[str, Counter[str]] = {"role": Counter(), "category": Counter()}
    found_by: dict[str, Counter[str]] = {"role": Counter(), "category": Counter()}
    packages_by: Counter[str] = Counter()
    for run in runs:
        for _name, role, count in run.packages.values():
            lines_by["role"][role] += count
            packages_by[role] += 1
        lines_by["category"][run.category] += run.lines
        found_by["category"][run.category] += len(run.observations)
        for obs in run.observations:
            found_by["role"][obs.role] += 1
    out = [f"{'package role':18} {'packages':>8} {'kloc':>7} {'findings':>8} {'per kloc':>8}"]
    for role in sorted(set(lines_by["role"]) | set(found_by["role"])):
        out.append(_per_kloc_row(role, packages_by[role], lines_by["role"][role], found_by["role"]))
    out += ["", f"{'corpus category':18} {'units':>8} {'kloc':>7} {'findings':>8} {'per kloc':>8}"]
    units_by = Counter(run.category for run in runs)
    for category in sorted(units_by):
        out.append(
            _per_kloc_row(
                category, units_by[category], lines_by["category"][category], found_by["category"]
            )
        )
    return out


def _per_kloc_row(name: str, members: int, lines: int, found: Counter[str]) -> str:
    kloc = lines / 1000
    rate = f"{found[name] / kloc:.1f}" if kloc else "-"
    return f"{name:18} {members:8} {kloc:7.1f} {found[name]:8} {rate:>8}"


def diff_report(diffs: list[RuleDiff], limit: int = DIFF_LINES_PER_RULE) -> list[str]:
    """The diff against the last committed run: per rule, counts and the first findings."""
    if not diffs:
        return ["no change since the last committed run"]
    new = sum(len(d.new) for d in diffs)
    gone = sum(len(d.gone) for d in diffs)
    out = [f"{new} new, {gone} gone since the last committed run"]
    for diff in diffs:
        out.append(f"  {diff.rule}: +{len(diff.new)} -{len(diff.gone)}")
        for sign, entries in (("+", diff.new), ("-", diff.gone)):
            for (crate, fingerprint), where in entries[:limit]:
                out.append(f"    {sign} {crate} {where} [{fingerprint}]")
            if len(entries) > limit:
                out.append(f"    {sign} ... and {len(entries) - limit} more")
    return out


def report_command(args: argparse.Namespace) -> int:
    """Print the report; with --update, rewrite the committed run, precision and rule pages."""
    started = time.perf_counter()
    units, runs, _ = load_and_run(use_cache=not args.no_cache, jobs=args.jobs)
    seconds = time.perf_counter() - started
    labels = load_labels(crates={u.name for u in units})
    observations = observations_of(runs)
    current = run_fingerprints(observations)
    lines = sum(run.lines for run in runs)
    packages = sum(len(u.packages) for u in units)
    print(
        f"lintcheck: {len(units)} crates ({packages} packages), {lines / 1000:.0f} kloc, "
        f"{len(observations)} findings, {len(labels)} labels; "
        f"{seconds:.1f} s (the crates' audits took {sum(r.seconds for r in runs):.1f} s in all)"
    )
    troubles = [f"{r.crate}: {w}" for r in runs for w in r.warnings]
    broken = sum(len(r.parse_errors) for r in runs)
    if broken:
        print(f"{broken} files do not fully parse")
    for trouble in troubles:
        print(f"warning: {trouble}")
    print("\n## per rule\n")
    print("\n".join(rule_table(observations, labels)))
    print("\n## findings per kloc\n")
    print("\n".join(role_table(runs)))
    last = load_last_run()
    print("\n## diff against the last committed run\n")
    print("\n".join(diff_report(diff_runs(last, current))))
    found = regressions(labels, run_keys(current), run_keys(last), {u.name for u in units})
    if found:
        print("\n## labels contradicted by this run\n")
        print("\n".join(found.lines()))
        if args.update:
            print("\nnot updated: fix the rule, or change or delete these labels first")
        return 1
    if args.update:
        _update(labels, current)
    return 0


def _update(labels: list[Label], current: RunFingerprints) -> None:
    save_last_run(current)
    target = precision.path()
    previous = precision.parse(target.read_text(encoding="utf-8")) if target.is_file() else {}
    target.write_text(precision.dumps(precision_summary(labels, current, previous)), "utf-8")
    precision.measured.cache_clear()  # the rule pages below must see the new file
    changed = docsgen.write_pages(DOCS_DIR)
    print(f"\nupdated last-run.json, precision.json and {len(changed)} rule pages")


# -- show and label -------------------------------------------------------------------------


def show_command(args: argparse.Namespace) -> int:
    """Print findings with their code and fingerprint, for labelling."""
    _, runs, roots = load_and_run(args.crate, jobs=args.jobs)
    labels = {label.key: label for label in load_labels(crates=corpus_names())}
    chosen = [
        obs
        for obs in observations_of(runs)
        if (args.rule is None or obs.rule == args.rule)
        and not (args.unlabelled and obs.key in labels)
    ]
    if args.sample is not None and args.sample < len(chosen):
        chosen = random.Random(args.seed).sample(chosen, args.sample)
    for number, obs in enumerate(chosen, start=1):
        label = labels.get(obs.key)
        verdict = f"{label.verdict}: {label.reason}" if label else "unlabelled"
        print(f"== [{number}/{len(chosen)}] {obs.crate} {obs.where}:{obs.column} {obs.rule}")
        print(f"   fingerprint {obs.fingerprint}  role {obs.role}  ({verdict})")
        print(f"   {obs.message}")
        print("\n".join(context_lines(roots[obs.crate] / obs.path, obs.line, args.context)))
        # Fingerprints are unique per crate only, so the hint names the crate.
        print(f'   label --crate {obs.crate} {obs.fingerprint} tp|fp|debatable "reason"')
        print()
    print(f"{len(chosen)} findings shown")
    return 0


def context_lines(path: Path, line: int, around: int) -> list[str]:
    """The lines around `line`, numbered, the finding's own marked with `>`."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace").split("\n")
    except OSError as err:
        return [f"   (cannot read {path}: {err.strerror})"]
    first, last = max(1, line - around), min(len(text), line + around)
    return [
        f"{'>' if number == line else ' '} {number:5} | {text[number - 1]}"
        for number in range(first, last + 1)
    ]


def label_command(args: argparse.Namespace) -> int:
    """Record (or replace) the verdict on the current finding with this fingerprint."""
    try:
        check_reason(args.reason)
    except DataError as err:
        raise SystemExit(str(err)) from None
    _, runs, _ = load_and_run(args.crate, jobs=args.jobs)
    matches = [obs for obs in observations_of(runs) if obs.fingerprint == args.fingerprint]
    if not matches:
        raise SystemExit(f"no current finding has fingerprint {args.fingerprint}")
    if len({obs.crate for obs in matches}) > 1:
        crates = ", ".join(sorted({obs.crate for obs in matches}))
        raise SystemExit(f"fingerprint {args.fingerprint} is in several crates ({crates}): --crate")
    if matches[0].key not in run_keys(load_last_run()):
        raise SystemExit(
            "that finding is not in last-run.json yet: run `report --update` first, so a "
            "labelled FP that fires now is an open FP rather than one that came back"
        )
    labels = load_labels(crates=corpus_names())
    new = Label.of(matches[0], args.verdict, args.reason.strip())
    replaced = [x for x in labels if x.key == new.key]
    save_labels([x for x in labels if x.key != new.key] + [new])
    for old in replaced:
        print(f"replaced: {old.describe()}")
    print(f"labelled: {new.describe()}")
    return 0


# -- plumbing -------------------------------------------------------------------------------


def fetch_command(_: argparse.Namespace) -> int:
    """Download and assemble the corpus; print where it is and how big."""
    started = time.perf_counter()
    units = load_corpus()
    roots = prepare_corpus(units)
    sizes = {
        name: sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
        for name, root in roots.items()
    }
    for unit in units:
        print(
            f"{unit.name:20} {unit.category:14} {len(unit.packages):2} packages "
            f"{sizes[unit.name] / 1e6:6.2f} MB"
        )
    print(
        f"{len(units)} crates, {sum(len(u.packages) for u in units)} packages, "
        f"{sum(sizes.values()) / 1e6:.1f} MB unpacked, {time.perf_counter() - started:.1f} s"
    )
    return 0


def pin_command(args: argparse.Namespace) -> int:
    """Print a corpus.toml package entry, checksum taken from the crates.io sparse index."""
    print(pin_line(args.name, args.version))
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line."""
    top = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    top.add_argument("--jobs", type=int, default=None, help="audit processes (default: cores)")
    commands = top.add_subparsers(dest="command", required=True)
    commands.add_parser("fetch", help="download and assemble the corpus").set_defaults(
        run=fetch_command
    )
    shown = commands.add_parser("show", help="print findings with their code, for labelling")
    shown.add_argument("--rule")
    shown.add_argument("--crate")
    shown.add_argument("--sample", type=int)
    shown.add_argument("--seed", type=int, default=0)
    shown.add_argument("--unlabelled", action="store_true")
    shown.add_argument("--context", type=int, default=6, help="lines shown around the finding")
    shown.set_defaults(run=show_command)
    judged = commands.add_parser("label", help="record a verdict on one finding")
    judged.add_argument("fingerprint")
    judged.add_argument("verdict", choices=VERDICTS)
    judged.add_argument("reason")
    judged.add_argument("--crate")
    judged.set_defaults(run=label_command)
    reported = commands.add_parser("report", help="precision, findings per kloc, diff")
    reported.add_argument("--update", action="store_true", help="rewrite the committed data")
    reported.add_argument("--no-cache", action="store_true", help="re-audit every crate")
    reported.set_defaults(run=report_command)
    pinned = commands.add_parser("pin", help="print a corpus.toml entry for NAME VERSION")
    pinned.add_argument("name")
    pinned.add_argument("version")
    pinned.set_defaults(run=pin_command)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; corpus trouble ends with its reason, exit status 2."""
    args = parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except (CorpusUnavailable, CorpusError, DataError) as err:
        print(f"lintcheck: {err}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `show ... | head` ends quietly
    sys.exit(main())
