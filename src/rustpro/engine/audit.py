"""The audit pipeline from a path to scored findings: discover, analyse, resolve, filter, score."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rustpro import __version__
from rustpro._startup import collector_paused
from rustpro.catalog import catalog
from rustpro.config import AuditConfig, load_config
from rustpro.discovery.layout import Workspace, assign_roles, discover
from rustpro.discovery.roles import EVERY_ROLE, PackageRole
from rustpro.engine.crateview import CrateView, WorkspaceView
from rustpro.engine.filepass import FileResult
from rustpro.engine.merge import merge_overlapping
from rustpro.engine.modtree import ModuleTreeWalk, TreeOutcome
from rustpro.engine.narrowing import Narrowing, observable_in
from rustpro.engine.parallel import FileAnalyzer, FileJob
from rustpro.engine.reading import DEFAULT_MAX_FILE_BYTES
from rustpro.engine.ruleset import reportable_rules
from rustpro.engine.structure import SuppressionComment
from rustpro.engine.suppress import apply_suppressions
from rustpro.errors import AuditPathError, UsageError
from rustpro.fingerprint import AnchoredSpan, KnownPlaces, known_places
from rustpro.model import Checkpoint, CheckpointResult, Finding
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.registry import (
    all_rules,
    crate_rules,
    crate_rules_named,
    loaded_class,
    workspace_rules,
    workspace_rules_named,
)
from rustpro.scoring import idle_checkpoints, score_checkpoints
from rustpro.toolrules import NEEDS, tool_of

if TYPE_CHECKING:
    from rustpro.engine.cache import ResultCache


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
    # Gates: checkpoints that must pass (`--require`), the least overall score (`--min-score`).
    require: tuple[str, ...] = ()
    min_score: int | None = None
    # `-p NAME`: report on these packages only (the rest of the workspace is still read).
    packages: tuple[str, ...] = ()
    # Source files named on the command line: report findings in these files only (their
    # crates are still analysed whole: the module tree and the public API need them).
    files: tuple[Path, ...] = ()
    # Report only findings not in this baseline file (else the configuration's `baseline`,
    # unless `use_baseline` is False); `write_baseline`: record every finding there first.
    baseline: Path | None = None
    use_baseline: bool = True
    write_baseline: Path | None = None
    # Report only findings in files changed since this git ref (and untracked files).
    changed_since: str | None = None
    # Record where each finding sits as its fingerprint names it (`AuditResult.anchors`)
    # while its file's tree is at hand, so that fingerprinting (SARIF, GitLab) reads and
    # parses no file again. Always done when a baseline is read or written. Off otherwise:
    # a fingerprint names the code a finding flags, and on code that nests a construct in
    # itself (`unsafe { f(unsafe { .. }) }`) that costs the square of the nesting.
    anchors: bool = False


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
    packages: list[PackageSummary] = field(default_factory=list)
    generated_files: list[str] = field(default_factory=list)  # relpaths, skipped by every rule
    # Relpaths of every file read and parsed: what the module tree reached, minus skipped files.
    analysed_files: list[str] = field(default_factory=list)
    docs_only_modules: int = 0  # `#[cfg(docsrs)] mod x;` shims, not audited
    # Findings the baseline hid, its entries this run could have reported and did not, and
    # findings outside the files changed since `--changed-since`'s ref (see engine.narrowing).
    baseline_hidden: int = 0
    baseline_fixed: int = 0
    changed_hidden: int = 0
    # Per analysed file (relpath), the places of its file-pass findings as fingerprints name
    # them (`fingerprint.anchor_places`): SARIF, GitLab and baselines read no file for them.
    anchors: dict[str, list[AnchoredSpan]] = field(default_factory=dict)

    @property
    def known_places(self) -> KnownPlaces:
        """A lookup of the places the file pass recorded, for `fingerprint_findings`."""
        return known_places(self.anchors)

    @property
    def not_compiled(self) -> int:
        """`.rs` files under the packages that no target compiles (data, not code)."""
        return sum(p.not_compiled for p in self.packages)


@dataclass(frozen=True, slots=True)
class PackageSummary:
    """One audited package: where it is, the role rustpro decided for it, and why."""

    name: str
    path: str  # the package directory relative to the audit root ("." for the root)
    role: PackageRole
    evidence: str
    not_compiled: int = 0


@dataclass(slots=True)
class ExtraResult:
    """What a later stage (full mode) adds to an audit."""

    findings: list[Finding]
    evidence: dict[Checkpoint, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Finer evidence (per test binary, say): in the JSON report, not in the text table.
    details: dict[Checkpoint, list[str]] = field(default_factory=dict)
    # The stage's rules as `(rule, checkpoint, source)`, so that a checkpoint whose rules
    # are all deselected shows as not run; and the checkpoint of a tool rule named in
    # `--select` (`clippy::zombie_processes`).
    reportable: tuple[tuple[str, Checkpoint, str], ...] = ()
    checkpoint_of: Callable[[str], Checkpoint] | None = None
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
    workspace = discover(path, options.packages)
    if not workspace.crates:
        # A score of 100 for no code at all would pass a gate it never checked.
        detail = f" ({'; '.join(workspace.warnings)})" if workspace.warnings else ""
        raise AuditPathError(
            f"{path}: nothing to audit: the workspace has no readable package{detail}", path
        )
    enclosing = workspace.enclosing
    config = load_config(
        workspace.root,
        workspace.manifest,
        (enclosing.root, enclosing.manifest) if enclosing is not None else None,
    ).with_overrides(
        select=options.select,
        ignore=options.ignore,
        fail_on=options.fail_on,
        require=options.require,
        min_score=options.min_score,
    )
    if config.roles:
        assign_roles(workspace, dict(config.roles))
    warnings = _static_blind_spots(config) if options.static else []
    scope = _Scope.of(workspace, options.files)
    configured = config.baseline if options.use_baseline else None
    narrowing = Narrowing.prepare(
        workspace.root,
        baseline=options.baseline or configured,
        write_to=options.write_baseline,
        changed_since=options.changed_since,
        workspace_root=enclosing.root if enclosing is not None else None,
    )
    # Full mode's cargo steps run while the static pass below reads the sources; named files
    # are checked first (the module tree says whether they are compiled at all).
    pending = _InBackground(extra, workspace) if extra is not None and not scope.files else None
    cache = None
    if options.use_cache:
        from rustpro.cacheclean import mark_used, prune_stale_generations
        from rustpro.engine.cache import ResultCache  # its imports cost `--no-cache` runs

        cache = ResultCache()
        # Results of other versions of rustpro are never read again: gone once unused for
        # a week (looked at once a day), so upgrades do not pile them up.
        mark_used(cache.root)
        prune_stale_generations()
    # Only the rules whose findings this configuration can report run (`engine.ruleset`);
    # their modules are imported now (`rustpro._startup`).
    with collector_paused():
        rules = reportable_rules(config, full_mode=not options.static)
    anchors = options.anchors or narrowing.fingerprints
    per_crate, tree = _analyse_compiled(workspace, options, cache, rules, anchors)
    warnings += [*workspace.warnings, *tree.warnings, *scope.uncompiled_files(tree, path)]
    if extra is not None and pending is None:
        # cargo builds the packages the named files belong to, not the whole workspace.
        workspace.selected = tuple(workspace.crates[i].name for i in sorted(scope.crates))
        pending = _InBackground(extra, workspace)
    reported = [index in scope.crates for index in range(len(workspace.crates))]
    results = [r for index, rs in enumerate(per_crate) if reported[index] for r in rs]
    results = [r for r in results if scope.covers(r.relpath)]
    findings: list[Finding] = []
    views = [
        CrateView(crate, per_crate[index], workspace.root, tree.modules[index])
        for index, crate in enumerate(workspace.crates)
    ]
    whole = WorkspaceView(workspace, views)
    for view in views:
        view.workspace = whole
    if any(r.structure.suppressions for crate_results in per_crate for r in crate_results):
        rules = None  # suppression comments count what they silence, of every rule

    for index, view in enumerate(views):
        if not reported[index]:
            continue  # read for its facts only (`-p`): its findings would be dropped
        role = view.layout.role.role
        findings.extend(_file_findings(view, view.results, role))
        for rule in crate_rules() if rules is None else crate_rules_named(rules):
            if role not in rule.spec.roles:
                continue
            try:
                findings.extend(rule.check_crate(view))
            except Exception as err:  # a rule bug must not sink the whole audit
                warnings.append(f"rule {rule.name} failed on crate {view.name}: {err!r}")
    for workspace_rule in workspace_rules() if rules is None else workspace_rules_named(rules):
        try:
            findings.extend(workspace_rule.check_workspace(whole))
        except Exception as err:  # a rule bug must not sink the whole audit
            warnings.append(f"rule {workspace_rule.name} failed on the workspace: {err!r}")
    evidence: dict[Checkpoint, list[str]] = {}
    details: dict[Checkpoint, list[str]] = {}
    reportable = [(spec.name, spec.checkpoint, "rustpro") for spec in catalog().values()]
    if pending is not None:
        outcome = pending.result()
        if isinstance(outcome, tuple):
            outcome = ExtraResult(outcome[0], outcome[1])
        evidence = outcome.evidence
        details = outcome.details
        reportable += _tool_rules(outcome, config)
        warnings.extend(outcome.warnings)
        if outcome.combine is not None:
            findings = outcome.combine(findings, outcome.findings)
        else:
            findings.extend(outcome.findings)
    comments: dict[str, list[SuppressionComment]] = {
        r.relpath: r.structure.suppressions for r in results if r.structure.suppressions
    }
    # Generated files are nobody's to fix, whichever pass found something in them.
    generated = {r.relpath for r in results if r.structure.generated}
    findings = [f for f in findings if f.source != "rustpro" or f.path not in generated]
    findings, suppressed = apply_suppressions(_dedupe(findings), comments)
    findings = merge_overlapping([f for f in findings if config.keeps(f) and scope.owns(f.path)])
    findings.sort(key=Finding.sort_key)
    places = {r.relpath: r.anchors for r in results if r.anchors}
    narrowed = narrowing.apply(
        findings, workspace.root, observable_in(config.keeps, scope.owns, reportable), places
    )
    findings = narrowed.findings
    lines = sum(r.lines for r in results if not r.structure.generated)
    not_run = idle_checkpoints(config.keeps, reportable)
    checkpoints = score_checkpoints(findings, lines, not_run)
    for checkpoint, notes in evidence.items():
        checkpoints[checkpoint].evidence.extend(notes)
    for checkpoint, notes in details.items():
        checkpoints[checkpoint].details.extend(notes)
    for result in results:
        warnings.extend(result.rule_errors)
    files = sum(1 for r in results if r.skipped is None)
    _check_something_was_read(path, files, results, workspace, tree.outside_root)
    return AuditResult(
        root=workspace.root,
        mode="static" if options.static else "full",
        findings=findings,
        checkpoints=checkpoints,
        config=config,
        files=files,
        lines=lines,
        seconds=time.perf_counter() - started,
        crates=[c.name for index, c in enumerate(workspace.crates) if reported[index]],
        parse_errors=[
            f"{r.relpath}:{r.parse_error_line}" for r in results if r.parse_error_line is not None
        ],
        skipped_files=[f"{r.relpath}: {r.skipped}" for r in results if r.skipped],
        warnings=warnings,
        suppressed=suppressed,
        packages=[
            PackageSummary(
                name=crate.name,
                path=_relative_dir(crate.root, workspace.root),
                role=crate.role.role,
                evidence=crate.role.evidence,
                not_compiled=tree.not_compiled[index] if not scope.files else 0,
            )
            for index, crate in enumerate(workspace.crates)
            if reported[index]
        ],
        generated_files=sorted(g for g in generated if scope.covers(g)),
        analysed_files=[r.relpath for r in results if r.skipped is None],
        docs_only_modules=tree.docs_only,
        baseline_hidden=narrowed.baseline_hidden,
        baseline_fixed=narrowed.baseline_fixed,
        changed_hidden=narrowed.changed_hidden,
        anchors=places,
    )


@dataclass(frozen=True, slots=True)
class _Scope:
    """What an audit reports on: the packages `-p` selects (else all) and the source files
    named on the command line (else all of them). The rest is read, never reported."""

    crates: frozenset[int]  # indexes into `Workspace.crates`
    # Each package's directory relative to the root, with a trailing `/` ("" for the root
    # package), longest first: the first that prefixes a path owns it.
    dirs: tuple[tuple[str, int], ...]
    files: frozenset[str] = frozenset()  # relpaths; empty: every file
    # No `-p` and no files: everything is reported, workspace-level findings included.
    everything: bool = False

    @classmethod
    def of(cls, workspace: Workspace, files: tuple[Path, ...]) -> _Scope:
        """The scope of `-p` (`workspace.selected`) and of the named `files`."""
        dirs = sorted(
            (
                (_dir_prefix(crate.root, workspace.root), index)
                for index, crate in enumerate(workspace.crates)
            ),
            key=lambda pair: -len(pair[0]),
        )
        selected = frozenset(
            index
            for index, crate in enumerate(workspace.crates)
            if not workspace.selected or crate.name in workspace.selected
        )
        scope = cls(selected, tuple(dirs), everything=not workspace.selected and not files)
        if not files:
            return scope
        relpaths = frozenset(_named_file(file, workspace.root) for file in files)
        owners = {scope.owner(relpath) for relpath in relpaths}
        outside = sorted(
            relpath
            for relpath in relpaths
            if workspace.selected and scope.owner(relpath) not in selected
        )
        if outside:
            raise UsageError(
                f"{outside[0]} is not in the selected package(s) {', '.join(workspace.selected)}"
            )
        return cls(frozenset(i for i in owners if i is not None), tuple(dirs), relpaths)

    def owner(self, path: str) -> int | None:
        """The package a report path belongs to (None: the workspace's own manifest)."""
        return next((index for prefix, index in self.dirs if path.startswith(prefix)), None)

    def owns(self, path: str) -> bool:
        """Whether a finding at report path `path` is reported."""
        if self.files:
            return path in self.files
        return self.everything or self.owner(path) in self.crates

    def covers(self, relpath: str) -> bool:
        """Whether an analysed file counts in the report (files, lines, skipped files)."""
        return not self.files or relpath in self.files

    def uncompiled_files(self, tree: TreeOutcome, path: Path) -> list[str]:
        """A warning per named file that no target compiles; an error when none is."""
        compiled = {relpath for modules in tree.modules for relpath in modules}
        missing = sorted(self.files - compiled)
        if not missing or not self.files:
            return []
        why = (
            "not compiled by any target (no `mod` declaration or target reaches it), so "
            "rustpro does not audit it"
        )
        if len(missing) == len(self.files):
            raise AuditPathError(f"nothing to audit: {missing[0]} is {why}", path)
        return [f"{relpath}: {why}" for relpath in missing]


def _dir_prefix(directory: Path, root: Path) -> str:
    relative = _relative_dir(directory, root)
    return "" if relative == "." else f"{relative}/"


def _named_file(file: Path, root: Path) -> str:
    """A file named on the command line as a report path (its directory resolved, its own
    name kept: a symlinked file is audited where it is linked, as the module tree sees it)."""
    try:
        located = file.absolute().parent.resolve() / file.name
        return located.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{file}: not inside the audited crate or workspace ({root})") from None
    except OSError as err:
        raise UsageError(f"{file}: {err.strerror or err}") from None


def _static_blind_spots(config: AuditConfig) -> list[str]:
    """Warnings for selected tool rules, which `--static` cannot report; a usage error when
    nothing selected is left that it can."""
    blind = [selector for selector in config.select if tool_of(selector) is not None]
    if not blind:
        return []
    notes = {selector: _blind_note(selector) for selector in blind}
    if len(blind) == len(config.select):
        first = blind[0]
        raise UsageError(
            f"nothing selected that --static can report: `{first}` needs full mode "
            f"({notes[first]}); drop --static, or select rustpro's rules"
        )
    return [f"`{s}` is selected, but --static cannot report it ({notes[s]})" for s in blind]


def _blind_note(selector: str) -> str:
    tool = tool_of(selector) or ""
    note = NEEDS[tool]
    lint = selector.partition("::")[2]
    twins = sorted(
        rule.name
        for rule in all_rules()
        if (tool == "clippy" and lint in rule.clippy_twins)
        or (tool == "rustc" and lint in rule.rustc_twins)
    )
    if twins:
        note += f"; rustpro's own twin `{twins[0]}` runs in --static"
    return note


def _check_something_was_read(
    path: Path, files: int, results: list[FileResult], workspace: Workspace, outside: list[str]
) -> None:
    """An audit that could read no source file at all (permissions, unreadable directories,
    sources outside the audited root: `src -> /elsewhere`) passes no gate: exit 2. Files
    read and then skipped for what they hold (not UTF-8, over the size limit) are the code's
    own verdict and leave a report."""
    if files:
        return
    # `read_source` says "cannot read: ..." when the operating system refused.
    reasons = [
        f"{r.relpath}: {r.skipped}"
        for r in results
        if r.skipped is not None and r.skipped.startswith("cannot read")
    ]
    reasons += [f"{directory}/ cannot be read" for directory in workspace.unreadable]
    reasons += outside  # rustpro refused: those files are never read
    if reasons:
        shown = "; ".join(reasons[:3]) + (
            f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
        )
        raise AuditPathError(
            f"{path}: nothing to audit: no source file could be read ({shown})", path
        )


def _analyse_compiled(
    workspace: Workspace,
    options: AuditOptions,
    cache: ResultCache | None,
    rules: frozenset[str] | None = None,
    anchors: bool = False,
) -> tuple[list[list[FileResult]], TreeOutcome]:
    """Analyse the files the module tree reaches, wave by wave, with the file rules named in
    `rules` (None: every one), recording their findings' places when `anchors` says so;
    results per crate."""
    walk = ModuleTreeWalk(workspace.crates, workspace.root)
    per_crate: list[list[FileResult]] = [[] for _ in workspace.crates]
    with FileAnalyzer(
        max_bytes=options.max_file_bytes,
        cache=cache,
        workers=options.workers,
        rules=rules,
        anchors=anchors,
    ) as analyzer:
        wave = walk.roots()
        while wave:
            analysed = analyzer.analyze([FileJob(f.path, f.relpath, f.role) for f in wave])
            for compiled, result in zip(wave, analysed, strict=True):
                per_crate[compiled.crate].append(result)
            wave = walk.children(
                (f, r.structure if r.skipped is None else None)
                for f, r in zip(wave, analysed, strict=True)
            )
    return per_crate, walk.finish()


def _tool_rules(outcome: ExtraResult, config: AuditConfig) -> list[tuple[str, Checkpoint, str]]:
    """The rules a later stage can report, and the tool rules `select` names."""
    rules = list(outcome.reportable)
    if outcome.checkpoint_of is not None:
        for selector in config.select:
            if "::" in selector and not selector.endswith("::*"):
                rules.append((selector, outcome.checkpoint_of(selector), selector.split("::")[0]))
    return rules


def _relative_dir(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() or "."
    except ValueError:
        return path.as_posix()


class _InBackground:
    """A hook running in a daemon thread; `result()` waits for it (interruptibly) and
    re-raises what it raised. A daemon, so Ctrl-C during the wait is never held up by it."""

    def __init__(self, hook: ExtraFindings, workspace: Workspace) -> None:
        self._outcome: ExtraResult | tuple[list[Finding], dict[Checkpoint, list[str]]] | None
        self._outcome = None
        self._error: BaseException | None = None
        import threading  # here: only full mode's cargo runs in the background (a static
        # audit never does, and spares importing it at every start)

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


def _file_findings(view: CrateView, results: list[FileResult], role: PackageRole) -> list[Finding]:
    kept: list[Finding] = []
    for result in results:
        # `#[cfg(test)] mod tests;` makes a whole file test-only, which only the crate pass
        # knows; production rules' findings in such files are dropped here.
        test_only = view.is_test_only_file(result)
        # Lints allowed on a `mod` declaration or at the top of a parent module's file hold
        # in this file too, which its own file pass cannot see.
        allowed = view.allowed_lints(result.relpath)
        for candidate in result.candidates:
            rule = candidate.finding.rule
            if role not in _rule_roles(rule):
                continue  # the rule is not for this kind of package (its audience)
            if test_only and _production_rule(rule):
                continue
            if allowed and _allowed_lints(rule) & allowed:
                continue
            # Code behind a feature the package does not declare is compiled by no build:
            # nobody reviews it as code (a stub left from a removed feature, say).
            if view.never_compiled(result, candidate.finding.line):
                continue
            if view.stands(candidate):
                kept.append(candidate.finding)
    return kept


@functools.cache
def _rule_roles(rule_name: str) -> frozenset[PackageRole]:
    entry = catalog().get(rule_name)
    return entry.roles if entry is not None else EVERY_ROLE


@functools.cache
def _production_rule(name: str) -> bool:
    # Asked of the rules that reported something, which ran: their modules are loaded.
    cls = loaded_class(name)
    return cls is not None and issubclass(cls, FileRule) and cls.scope is Scope.PRODUCTION


@functools.cache
def _allowed_lints(rule_name: str) -> frozenset[str]:
    """The lint names whose `allow` silences rule `rule_name` (its clippy and rustc twins)."""
    cls = loaded_class(rule_name)
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
