"""The audit pipeline from a path to scored findings: discover, analyse, resolve, filter, score."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rustpro import __version__
from rustpro.config import AuditConfig, load_config
from rustpro.discovery.layout import Workspace, discover
from rustpro.engine.cache import ResultCache
from rustpro.engine.crateview import CrateView
from rustpro.engine.filepass import FileResult
from rustpro.engine.parallel import FileJob, analyze_files
from rustpro.engine.reading import DEFAULT_MAX_FILE_BYTES
from rustpro.engine.structure import SuppressionComment
from rustpro.engine.suppress import apply_suppressions
from rustpro.model import Checkpoint, CheckpointResult, Finding
from rustpro.rules.base import Scope
from rustpro.rules.registry import crate_rules, file_rules, rule_class
from rustpro.scoring import score_checkpoints


@dataclass(frozen=True, slots=True)
class AuditOptions:
    """How to run an audit (the CLI builds this from flags and configuration)."""

    static: bool = True
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    use_cache: bool = True
    workers: int | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None


@dataclass(slots=True)
class AuditResult:
    """A finished audit: what the reports render and the exit code is decided from."""

    root: Path
    mode: str
    findings: list[Finding]
    checkpoints: dict[Checkpoint, CheckpointResult]
    config: AuditConfig
    files: int
    lines: int
    seconds: float
    crates: list[str]
    parse_errors: list[str] = field(default_factory=list)  # "path:line" of each broken file
    skipped_files: list[str] = field(default_factory=list)  # "path: reason"
    warnings: list[str] = field(default_factory=list)
    suppressed: int = 0
    tool_version: str = __version__


@dataclass(slots=True)
class ExtraResult:
    """What a later stage (full mode) adds to an audit."""

    findings: list[Finding]
    evidence: dict[Checkpoint, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Folds the stage's findings into the static ones (full mode merges clippy twins);
    # None appends them.
    combine: Callable[[list[Finding], list[Finding]], list[Finding]] | None = None


# A hook for later stages (full mode): receives the workspace, returns extra findings
# (an `ExtraResult`, or the older `(findings, evidence)` pair).
ExtraFindings = Callable[
    [Workspace], ExtraResult | tuple[list[Finding], dict[Checkpoint, list[str]]]
]


def run_audit(
    path: Path, options: AuditOptions | None = None, extra: ExtraFindings | None = None
) -> AuditResult:
    """Audit the crate or workspace at `path`; raises `RustproError` when it cannot run."""
    options = options or AuditOptions()
    started = time.perf_counter()
    workspace = discover(path)
    # Full mode's cargo steps run while the static pass below reads the sources.
    pending = _InBackground(extra, workspace) if extra is not None else None
    config = load_config(workspace.root, workspace.manifest).with_overrides(
        select=options.select, ignore=options.ignore, fail_on=options.fail_on
    )
    jobs = [
        FileJob(entry.path, entry.relpath, entry.role)
        for crate in workspace.crates
        for entry in crate.files
    ]
    cache = ResultCache() if options.use_cache else None
    results = analyze_files(
        jobs, max_bytes=options.max_file_bytes, cache=cache, workers=options.workers
    )
    by_path = {r.relpath: r for r in results}
    findings: list[Finding] = []
    warnings = list(workspace.warnings)
    for crate in workspace.crates:
        crate_results = [by_path[e.relpath] for e in crate.files if e.relpath in by_path]
        view = CrateView(crate, crate_results, workspace.root)
        findings.extend(_file_findings(view, crate_results))
        for rule in crate_rules():
            try:
                findings.extend(rule.check_crate(view))
            except Exception as err:  # a rule bug must not sink the whole audit
                warnings.append(f"rule {rule.name} failed on crate {crate.name}: {err!r}")
    evidence: dict[Checkpoint, list[str]] = {}
    if pending is not None:
        outcome = pending.result()
        if isinstance(outcome, tuple):
            outcome = ExtraResult(outcome[0], outcome[1])
        evidence = outcome.evidence
        warnings.extend(outcome.warnings)
        if outcome.combine is not None:
            findings = outcome.combine(findings, outcome.findings)
        else:
            findings.extend(outcome.findings)
    comments: dict[str, list[SuppressionComment]] = {
        r.relpath: r.structure.suppressions for r in results if r.structure.suppressions
    }
    findings, suppressed = apply_suppressions(_dedupe(findings), comments)
    findings = sorted((f for f in findings if config.keeps(f)), key=Finding.sort_key)
    lines = sum(r.lines for r in results)
    checkpoints = score_checkpoints(findings, lines)
    for checkpoint, notes in evidence.items():
        checkpoints[checkpoint].evidence.extend(notes)
    for result in results:
        warnings.extend(result.rule_errors)
    return AuditResult(
        root=workspace.root,
        mode="static" if options.static else "full",
        findings=findings,
        checkpoints=checkpoints,
        config=config,
        files=sum(1 for r in results if r.skipped is None),
        lines=lines,
        seconds=time.perf_counter() - started,
        crates=[c.name for c in workspace.crates],
        parse_errors=[
            f"{r.relpath}:{r.parse_error_line}" for r in results if r.parse_error_line is not None
        ],
        skipped_files=[f"{r.relpath}: {r.skipped}" for r in results if r.skipped],
        warnings=warnings,
        suppressed=suppressed,
    )


class _InBackground:
    """A hook running in a daemon thread; `result()` waits for it (interruptibly) and
    re-raises what it raised. A daemon, so Ctrl-C during the wait is never held up by it."""

    def __init__(self, hook: ExtraFindings, workspace: Workspace) -> None:
        self._outcome: ExtraResult | tuple[list[Finding], dict[Checkpoint, list[str]]] | None
        self._outcome = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(hook, workspace), name="rustpro-extra", daemon=True
        )
        self._thread.start()

    def _run(self, hook: ExtraFindings, workspace: Workspace) -> None:
        try:
            self._outcome = hook(workspace)
        except BaseException as err:  # handed to the caller's thread by result()
            self._error = err

    def result(self) -> ExtraResult | tuple[list[Finding], dict[Checkpoint, list[str]]]:
        """The hook's outcome, once it is done."""
        while self._thread.is_alive():
            self._thread.join(0.1)  # a bounded join keeps KeyboardInterrupt deliverable
        if self._error is not None:
            raise self._error
        assert self._outcome is not None
        return self._outcome


def _file_findings(view: CrateView, results: list[FileResult]) -> list[Finding]:
    kept: list[Finding] = []
    for result in results:
        # `#[cfg(test)] mod tests;` makes a whole file test-only, which only the crate pass
        # knows; production rules' findings in such files are dropped here.
        test_only = view.is_test_only_file(result)
        # Lints allowed on a `mod` declaration or at the top of a parent module's file hold
        # in this file too, which its own file pass cannot see.
        allowed = view.allowed_lints(result.relpath)
        for candidate in result.candidates:
            if test_only and _production_rule(candidate.finding.rule):
                continue
            if allowed and _allowed_lints(candidate.finding.rule) & allowed:
                continue
            if view.stands(candidate):
                kept.append(candidate.finding)
    return kept


@functools.cache
def _production_rule_names() -> frozenset[str]:
    return frozenset(r.name for r in file_rules() if r.scope is Scope.PRODUCTION)


def _production_rule(name: str) -> bool:
    return name in _production_rule_names()


@functools.cache
def _allowed_lints(rule_name: str) -> frozenset[str]:
    """The lint names whose `allow` silences rule `rule_name` (its clippy and rustc twins)."""
    cls = rule_class(rule_name)
    if cls is None:
        return frozenset()
    return frozenset((*(f"clippy::{t}" for t in cls.clippy_twins), *cls.rustc_twins))


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int, int]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule, finding.path, finding.line, finding.column)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique
