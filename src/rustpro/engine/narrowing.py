"""What an audit reports of its findings: those not in the baseline, in the files changed.

The audit itself is never narrowed (crate-level facts need the whole crate); only its final
findings are, before they are scored and gated:

1. `--write-baseline FILE` records every finding's fingerprint in FILE, which then serves as
   this run's baseline (so the run reports nothing old and passes);
2. `--baseline FILE` (or `baseline` in rustpro.toml) hides the findings whose fingerprints it
   holds, and counts its entries that this run could have reported and did not: fixed;
3. `--changed-since REF` hides what remains outside the files changed since REF.

Each finding is counted once: reported + baseline_hidden + changed_hidden = all findings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from rustpro.errors import UsageError
from rustpro.model import Checkpoint, Finding, Severity

if TYPE_CHECKING:  # the baseline modules load only when a run uses a baseline (start-up cost)
    from rustpro.baseline import Baseline, BaselineEntry
    from rustpro.fingerprint import AnchoredSpan

# Whether this run could have reported a baseline entry's finding (its file is in the
# audit's scope, its rule ran and is selected): only then does its absence mean "fixed".
Observable: TypeAlias = "Callable[[BaselineEntry], bool]"


@dataclass(slots=True)
class Narrowed:
    """The findings to report, and how many of the others each step hid."""

    findings: list[Finding]
    baseline_hidden: int = 0
    baseline_fixed: int = 0
    changed_hidden: int = 0


@dataclass(frozen=True, slots=True)
class Narrowing:
    """The baseline and changed files of a run, read before the audit so that a missing
    file or an unknown ref stops it at once."""

    baseline: Baseline | None = None
    write_to: Path | None = None
    changed: frozenset[str] | None = None
    # When writing: the file's entries before, kept where this run could not see them.
    previous: Baseline | None = None
    # Baselines key findings by their path from the workspace around a member audited on its
    # own (`crates/a/` + the report path), so one baseline serves the workspace and its
    # members alike; "" when the audited root is that workspace or stands alone.
    prefix: str = ""
    workspace_root: Path | None = None  # where `prefix` starts

    @classmethod
    def prepare(
        cls,
        root: Path,
        *,
        baseline: Path | None,
        write_to: Path | None,
        changed_since: str | None,
        workspace_root: Path | None = None,
    ) -> Narrowing:
        """Read the baseline (or the file about to be rewritten) and ask git what changed."""
        if write_to is not None and baseline is not None and _same(baseline, write_to):
            baseline = None  # `--baseline F --write-baseline F`: judged against the new F
        if write_to is not None and baseline is not None:
            raise UsageError(
                f"--write-baseline {write_to} and --baseline {baseline}: the run is judged "
                "against the baseline it writes; give one file"
            )
        changed = None
        if changed_since is not None:
            from rustpro.changed import changed_files  # subprocess: only for this flag

            changed = changed_files(root, changed_since)
        if write_to is None and baseline is None:
            return cls(changed=changed)
        from rustpro.baseline import load_baseline

        prefix = _prefix(root, workspace_root)
        around = workspace_root if prefix else None
        if write_to is not None:
            previous = load_baseline(write_to, for_rewrite=True)
            return cls(None, write_to, changed, previous, prefix, around)
        loaded = load_baseline(baseline) if baseline is not None else None
        return cls(loaded, None, changed, None, prefix, around)

    @property
    def fingerprints(self) -> bool:
        """True when the run fingerprints its findings (a baseline is read or written)."""
        return self.baseline is not None or self.write_to is not None

    @property
    def idle(self) -> bool:
        """True when nothing is narrowed (no fingerprint needs computing)."""
        return self.baseline is None and self.write_to is None and self.changed is None

    def apply(
        self,
        findings: list[Finding],
        root: Path,
        observable: Observable,
        anchors: Mapping[str, Sequence[AnchoredSpan]] | None = None,
    ) -> Narrowed:
        """The findings to report; writes the baseline file when asked to. `anchors`: the
        places the file pass recorded (`AuditResult.anchors`), so no file is parsed again."""
        if self.idle:
            return Narrowed(findings)
        narrowed = Narrowed(findings)
        if self.baseline is not None or self.write_to is not None:
            narrowed = self._against_baseline(
                findings, root, self._unprefixed(observable), anchors or {}
            )
        if self.changed is not None:
            inside = [f for f in narrowed.findings if f.path in self.changed]
            narrowed.changed_hidden = len(narrowed.findings) - len(inside)
            narrowed.findings = inside
        return narrowed

    def _unprefixed(self, observable: Observable) -> Observable:
        prefix = self.prefix
        if not prefix:
            return observable

        def inside(entry: BaselineEntry) -> bool:
            if not entry.path.startswith(prefix):
                return False  # another member of the workspace
            return observable(replace(entry, path=entry.path[len(prefix) :]))

        return inside

    def _against_baseline(
        self,
        findings: list[Finding],
        root: Path,
        observable: Observable,
        anchors: Mapping[str, Sequence[AnchoredSpan]],
    ) -> Narrowed:
        from rustpro.baseline import entries_of, render_baseline, write_baseline
        from rustpro.fingerprint import fingerprint_findings, known_places, source_reader

        keyed = findings
        prefix = ""
        if self.workspace_root is not None:  # paths from the workspace root, read from there
            prefix = self.prefix
            keyed = [replace(f, path=prefix + f.path) for f in findings]
            root = self.workspace_root
        prints = fingerprint_findings(keyed, source_reader(root), known_places(anchors, prefix))
        baseline = self.baseline
        if self.write_to is not None:
            previous = self.previous
            unseen = [e for e in previous.entries.values() if not observable(e)] if previous else []
            entries = [*entries_of(keyed, prints), *unseen]
            write_baseline(self.write_to, render_baseline(entries, previous))
            baseline = previous  # what it held before: its entries now gone are fixed
        current = set(prints)
        fixed = 0
        if baseline is not None:
            gone = [e for e in baseline.entries.values() if e.fingerprint not in current]
            fixed = sum(1 for entry in gone if observable(entry))
        if self.write_to is not None:
            return Narrowed([], baseline_hidden=len(findings), baseline_fixed=fixed)
        assert baseline is not None
        reported = [f for f, p in zip(findings, prints, strict=True) if p not in baseline]
        return Narrowed(reported, len(findings) - len(reported), fixed)


def observable_in(
    keeps: Callable[[Finding], bool],
    owns: Callable[[str], bool],
    reportable: Sequence[tuple[str, Checkpoint, str]],
) -> Observable:
    """Whether a run could report an entry's finding: its rule is among those it can report
    (`reportable`: rustpro's, and in full mode the tools'), the selection `keeps` it, and
    the scope `owns` its file."""
    rules = {rule: (checkpoint, source) for rule, checkpoint, source in reportable}

    def observable(entry: BaselineEntry) -> bool:
        known = rules.get(entry.rule)
        if known is None or not owns(entry.path):
            return False
        checkpoint, source = known
        probe = Finding(
            rule=entry.rule,
            checkpoint=checkpoint,
            severity=Severity.WARNING,
            path=entry.path,
            line=1,
            column=1,
            end_line=1,
            end_column=1,
            message="",
            help="",
            source=source,
            group=entry.group,
        )
        return keeps(probe)

    return observable


def _prefix(root: Path, workspace_root: Path | None) -> str:
    if workspace_root is None:
        return ""
    try:
        relative = root.resolve().relative_to(workspace_root.resolve()).as_posix()
    except (ValueError, OSError):
        return ""
    return "" if relative == "." else f"{relative}/"


def _same(first: Path, second: Path) -> bool:
    try:
        return first.resolve() == second.resolve()
    except OSError:
        return first == second
