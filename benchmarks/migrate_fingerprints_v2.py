"""One-off: move the lintcheck labels and last run from fingerprint v1 to v2.

    python benchmarks/migrate_fingerprints_v2.py [--check]

Audits every corpus unit once, fingerprints each finding with the old algorithm (v1: rule,
path, normalised line text, occurrence; copied below) and the new one (`rustpro.fingerprint`),
and rewrites `labels.jsonl` and `last-run.json` through that mapping.

Labels of findings that no longer fire (fixed FPs, kept so that firing again fails a test)
are matched in the newest committed last run that still holds them: that commit's code is
exported to a temporary directory and its `audit_unit` re-run on the unit, with the v2
algorithm fingerprinting the findings it made beside its own v1.

Labels and last-run entries that are version 2 already (a current finding's v2 fingerprint,
or a label of the commit that added this script) are kept as they are, so the script also
migrates the v1 labels a branch made before it merged version 2.

It refuses to write unless every label and every last-run entry maps to a finding, the new
fingerprints are unique per crate, and the counts per rule are unchanged. `--check` only
verifies and prints the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.lintcheck_corpus import load_corpus, prepare_corpus
from benchmarks.lintcheck_data import (
    FindingKey,
    RunFingerprints,
    load_labels,
    load_last_run,
    row_rule,
    save_labels,
    save_last_run,
    tier_row,
)
from rustpro.config import ALL_RULES
from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.fingerprint import FINGERPRINT_LENGTH, fingerprint_findings, source_reader
from rustpro.model import Finding

REPO = Path(__file__).resolve().parent.parent
_SELF = "benchmarks/migrate_fingerprints_v2.py"
# Run inside an old commit's tree: its own audit_unit, with v2 fingerprints taken beside v1.
_REPLAY = """
import json, sys
from pathlib import Path
import benchmarks.lintcheck_run as run
from benchmarks.lintcheck_corpus import load_corpus, prepare_corpus
from rustpro import fingerprint_v2

pairs = {}
v1 = run.fingerprint_findings

def both(findings, read):
    old, new = v1(findings, read), fingerprint_v2.fingerprint_findings(findings, read)
    pairs.update(zip(old, new))
    return old

run.fingerprint_findings = both
wanted = set(sys.argv[1:])
units = [u for u in load_corpus() if u.name in wanted]
roots = prepare_corpus(units)
out = {}
for unit in units:
    pairs.clear()
    observed = run.audit_unit(unit, roots[unit.name])
    out[unit.name] = {
        o.fingerprint: [pairs[o.fingerprint], getattr(o, "row", o.rule)]
        for o in observed.observations
    }
print(json.dumps(out))
"""


def v1_fingerprints(findings: list[Finding], root: Path) -> list[str]:
    """Fingerprint v1, as `rustpro.fingerprint` computed it before version 2."""
    read = source_reader(root)
    lines: dict[str, list[str]] = {}
    texts = []
    for finding in findings:
        if finding.path not in lines:
            text = read(finding.path)
            lines[finding.path] = text.split("\n") if text is not None else []
        file_lines = lines[finding.path]
        line = file_lines[finding.line - 1] if 1 <= finding.line <= len(file_lines) else ""
        texts.append(" ".join(line.split()))
    order = sorted(
        range(len(findings)),
        key=lambda i: (
            findings[i].line,
            findings[i].column,
            findings[i].end_line,
            findings[i].end_column,
            findings[i].message,
        ),
    )
    seen: Counter[tuple[str, str, str]] = Counter()
    result = [""] * len(findings)
    for index in order:
        finding = findings[index]
        triple = (finding.rule, finding.path, texts[index])
        occurrence = seen[triple]
        seen[triple] += 1
        material = "\0".join((finding.rule, finding.path, texts[index], str(occurrence)))
        result[index] = hashlib.sha256(material.encode()).hexdigest()[:FINGERPRINT_LENGTH]
    return result


@dataclasses.dataclass
class Mapping:
    """Old key -> new fingerprint, and the rows (rule tiers) of each old key."""

    new: dict[FindingKey, str] = dataclasses.field(default_factory=dict)
    row: dict[FindingKey, str] = dataclasses.field(default_factory=dict)
    # Keys that are version 2 already: this run's findings (with their rows), and labels.
    current: dict[FindingKey, str] = dataclasses.field(default_factory=dict)
    migrated_labels: set[FindingKey] = dataclasses.field(default_factory=set)
    problems: list[str] = dataclasses.field(default_factory=list)


def build_mapping() -> Mapping:
    """Audit the corpus once; map each finding's v1 key to its v2 fingerprint."""
    units = load_corpus()
    roots = prepare_corpus(units)
    mapping = Mapping()
    for unit in units:
        options = AuditOptions(static=True, use_cache=False, workers=1, select=(ALL_RULES,))
        result = run_audit(roots[unit.name], options)
        old = v1_fingerprints(result.findings, result.root)
        new = fingerprint_findings(result.findings, source_reader(result.root))
        if len(set(old)) != len(old):
            mapping.problems.append(f"{unit.name}: v1 fingerprints collide")
        if len(set(new)) != len(new):
            mapping.problems.append(f"{unit.name}: v2 fingerprints collide")
        for finding, before, after in zip(result.findings, old, new, strict=True):
            mapping.new[(unit.name, before)] = after
            mapping.row[(unit.name, before)] = tier_row(finding.rule, finding.group)
            mapping.current[(unit.name, after)] = tier_row(finding.rule, finding.group)
    mapping.migrated_labels = labels_of_version_2()
    return mapping


def labels_of_version_2() -> set[FindingKey]:
    """The label keys of the commit that added this script (all version 2); none before."""
    added = subprocess.run(
        ["git", "-C", str(REPO), "log", "--diff-filter=A", "--format=%H", "--", _SELF],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not added:
        return set()
    shown = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{added[-1]}:benchmarks/lintcheck/labels.jsonl"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {(raw["crate"], raw["fingerprint"]) for raw in map(json.loads, shown.splitlines())}


# The first committed run (lintcheck's own commit) was made before its branch was rebased
# onto the module-tree engine: its code is the engine before that (the rebase's base) with the
# lintcheck commits' own files.
_MADE_BEFORE_REBASE = {
    "bf502a9d6b27bc5dc63c1575bfbcd56e71433fd3": (
        "69b75d618b3c9f6c99e8e35eebd293be9f2af006",
        (
            "benchmarks",
            "src/rustpro/fingerprint.py",
            "src/rustpro/precision.py",
            "src/rustpro/precision.json",
            "src/rustpro/docsgen.py",
        ),
    )
}


def _export(commit: str, tree: Path, paths: tuple[str, ...] = ()) -> None:
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, *paths], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)


def replay(commit: str, crates: set[str]) -> dict[str, dict[str, list[str]]]:
    """crate -> v1 fingerprint -> [v2 fingerprint, row], from `commit`'s code re-run."""
    with tempfile.TemporaryDirectory(prefix="rustpro-replay-") as temp:
        tree = Path(temp) / "tree"
        tree.mkdir()
        if commit in _MADE_BEFORE_REBASE:
            base, own = _MADE_BEFORE_REBASE[commit]
            _export(base, tree)
            shutil.rmtree(tree / "benchmarks", ignore_errors=True)
            _export(commit, tree, own)
        else:
            _export(commit, tree)
        package = tree / "src" / "rustpro"
        shutil.copy(REPO / "src/rustpro/fingerprint.py", package / "fingerprint_v2.py")
        shutil.copy(REPO / "src/rustpro/syntax/anchor.py", package / "syntax" / "anchor.py")
        env = {
            **os.environ,
            "PYTHONPATH": f"{tree / 'src'}{os.pathsep}{tree}",
            "RUSTPRO_CACHE_DIR": str(Path(temp) / "cache"),
        }
        done = subprocess.run(
            [sys.executable, "-c", _REPLAY, *sorted(crates)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tree,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"replay of {commit} failed: {done.stderr[-2000:]}")
    found: dict[str, dict[str, list[str]]] = json.loads(done.stdout)
    return found


def history_commits() -> list[str]:
    """The commits that changed the committed last run, newest first."""
    log = subprocess.run(
        ["git", "-C", str(REPO), "log", "--format=%H", "--", "benchmarks/lintcheck/last-run.json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return log.stdout.split()


def map_from_history(keys: list[tuple[FindingKey, str]], mapping: Mapping) -> None:
    """Map labels' keys (with their rules) that this run lacks, each from the newest
    committed run that holds it. A key mapped so must not name a finding of this run."""
    runs: dict[str, RunFingerprints] = {}
    source: dict[FindingKey, str] = {}
    for key, rule in keys:
        for commit in history_commits():
            if commit not in runs:
                path = f"{commit}:benchmarks/lintcheck/last-run.json"
                shown = subprocess.run(
                    ["git", "-C", str(REPO), "show", path],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs[commit] = json.loads(shown.stdout)["crates"]
            rows = runs[commit].get(key[0], {})
            if any(key[1] in prints and row_rule(row) == rule for row, prints in rows.items()):
                source[key] = commit
                break
        else:
            mapping.problems.append(f"{key} ({rule}) is in no committed run")
    current = {(crate, new) for (crate, _), new in mapping.new.items()}
    for commit in dict.fromkeys(source.values()):
        crates = {key[0] for key, where in source.items() if where == commit}
        print(f"replaying {commit[:10]} on {', '.join(sorted(crates))}", flush=True)
        replayed = replay(commit, crates)
        for key, where in source.items():
            if where != commit:
                continue
            found = replayed.get(key[0], {}).get(key[1])
            if found is None:
                mapping.problems.append(f"{key}: not reproduced by {commit[:10]}")
                continue
            new, row = found
            if (key[0], new) in current:
                mapping.problems.append(f"{key}: its v2 fingerprint names a current finding")
            mapping.new[key], mapping.row[key] = new, row


def migrate_last_run(last: RunFingerprints, mapping: Mapping) -> RunFingerprints:
    """The last run with v2 fingerprints (the same rows, findings and `path:line`s)."""
    moved: RunFingerprints = {}
    for crate, rows in last.items():
        for row, prints in rows.items():
            target = moved.setdefault(crate, {}).setdefault(row, {})
            for old, where in prints.items():
                key = (crate, old)
                if mapping.current.get(key) == row:
                    target[old] = where  # version 2 already
                    continue
                if key not in mapping.new or mapping.row[key] != row:
                    mapping.problems.append(f"last run: {crate} {row} {old} ({where}) not found")
                    continue
                target[mapping.new[key]] = where
            if len(target) != len(prints):
                mapping.problems.append(f"last run: {crate} {row}: count changed")
    return moved


def main() -> int:
    """Migrate (or with --check, verify) the committed lintcheck data."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify only, write nothing")
    args = parser.parse_args()
    mapping = build_mapping()
    labels = load_labels()
    done = {
        label.key
        for label in labels
        if label.key not in mapping.new
        and (label.key in mapping.current or label.key in mapping.migrated_labels)
    }
    absent = [
        (label.key, label.rule)
        for label in labels
        if label.key not in mapping.new and label.key not in done
    ]
    map_from_history(absent, mapping)
    migrated = []
    per_rule_before: Counter[str] = Counter(label.rule for label in labels)
    for label in labels:
        new = label.fingerprint if label.key in done else mapping.new.get(label.key)
        if new is None:
            mapping.problems.append(f"label matches no finding: {label.describe()}")
            continue
        migrated.append(dataclasses.replace(label, fingerprint=new))
    per_rule_after: Counter[str] = Counter(label.rule for label in migrated)
    if per_rule_before != per_rule_after:
        mapping.problems.append("label counts per rule changed")
    if len({label.key for label in migrated}) != len(migrated):
        mapping.problems.append("two labels map to one finding")
    last = load_last_run()
    moved = migrate_last_run(last, mapping)
    findings = sum(len(prints) for rows in last.values() for prints in rows.values())
    changed = sum(1 for old, new in zip(labels, migrated, strict=False) if old != new)
    print(
        f"{len(mapping.new)} findings mapped; {len(labels)} labels ({changed} new fingerprints), "
        f"{findings} last-run entries; labels per rule: {dict(sorted(per_rule_after.items()))}"
    )
    for problem in mapping.problems:
        print(f"problem: {problem}")
    if mapping.problems:
        return 1
    if not args.check:
        save_labels(migrated)
        save_last_run(moved)
        print("rewrote labels.jsonl and last-run.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
