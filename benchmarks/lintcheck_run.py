"""Audit the lintcheck corpus: every unit with `--static`, each finding fingerprinted.

Units are audited in parallel, one process each (an audit of one unit runs on one worker). A
unit's outcome is cached in the lintcheck cache dir, keyed by rustpro's code (the engine
fingerprint the result cache uses), the unit's pins and this module's format, so `show` and
`label` answer at once and any change to rustpro's code re-audits.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.lintcheck_corpus import Unit, cache_dir
from benchmarks.lintcheck_data import Observation
from rustpro.config import ALL_RULES
from rustpro.discovery.layout import CrateLayout, Workspace, discover
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.engine.cache import engine_fingerprint
from rustpro.fingerprint import fingerprint_findings, source_reader

# Bump when what a cached unit run holds changes.
RUN_FORMAT = 5


@dataclass(slots=True)
class UnitRun:
    """The audit of one unit: its findings, and its packages' roles and sizes."""

    crate: str
    category: str
    observations: list[Observation]
    # package directory ("" for a single package) -> [package name, role, lines]
    packages: dict[str, tuple[str, str, int]]
    seconds: float
    parse_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> int:
        """Lines of Rust in the unit's packages."""
        return sum(lines for _, _, lines in self.packages.values())


def package_roles(result: AuditResult) -> dict[str, str]:
    """PACKAGE ROLES: the role of each package of an audit, by its directory ("" at the root).

    This is the one place lintcheck decides roles: the engine's (`AuditResult.packages`:
    library, application, internal, test-support, example, bench, tool). The report groups
    findings per kloc by whatever this returns.
    """
    return {
        ("" if package.path == "." else package.path): package.role.value
        for package in result.packages
    }


def _package_dir(crate: CrateLayout, workspace: Workspace) -> str:
    relative = crate.root.resolve().relative_to(workspace.root.resolve()).as_posix()
    return "" if relative == "." else relative


def _count_lines(crate: CrateLayout) -> int:
    # Every .rs file of the package, compiled or not (the engine reports lines per audit, not
    # per package), counted as the engine counts a file's lines (newlines + 1).
    total = 0
    for entry in crate.files:
        try:
            total += entry.path.read_bytes().count(b"\n") + 1
        except OSError:
            continue
    return total


def audit_unit(unit: Unit, root: Path) -> UnitRun:
    """Audit one assembled unit and fingerprint its findings."""
    started = time.perf_counter()
    # No result cache: it is keyed by rustpro's code like the unit runs, so it could only
    # serve a unit whose run is cached already, and writing it doubles a cold run's time.
    # Every group, not only the default one: opt-in rules get their precision measured too.
    options = AuditOptions(
        static=True, use_cache=False, workers=1, select=(ALL_RULES,), anchors=True
    )
    result = run_audit(root, options)
    workspace = discover(root)
    roles = package_roles(result)
    packages: dict[str, tuple[str, str, int]] = {}
    for crate in workspace.crates:
        directory = _package_dir(crate, workspace)
        role = roles.get(directory, "unknown")
        packages[directory] = (crate.name, role, _count_lines(crate))
    prints = fingerprint_findings(result.findings, source_reader(result.root), result.known_places)
    observations = [
        Observation(
            crate=unit.name,
            rule=finding.rule,
            path=finding.path,
            line=finding.line,
            column=finding.column,
            message=finding.message,
            fingerprint=print_,
            role=_role_of(finding.path, roles),
            group=finding.group,
        )
        for finding, print_ in zip(result.findings, prints, strict=True)
    ]
    return UnitRun(
        crate=unit.name,
        category=unit.category,
        observations=observations,
        packages=packages,
        seconds=time.perf_counter() - started,
        parse_errors=list(result.parse_errors),
        warnings=list(result.warnings),
    )


def _role_of(path: str, roles: dict[str, str]) -> str:
    # The deepest package directory holding the file (a package may sit inside another).
    holders = [d for d in roles if d == "" or path == d or path.startswith(d + "/")]
    # A workspace's own Cargo.toml belongs to no package.
    return roles[max(holders, key=len)] if holders else "workspace-root"


def run_corpus(
    units: list[Unit], roots: dict[str, Path], *, jobs: int | None = None, use_cache: bool = True
) -> list[UnitRun]:
    """Every unit's run, in corpus order; cached runs are reused unless `use_cache` is False."""
    runs: dict[str, UnitRun] = {}
    missing: list[Unit] = []
    for unit in units:
        cached = _load_cached(unit) if use_cache else None
        if cached is not None:
            runs[unit.name] = cached
        else:
            missing.append(unit)
    # Biggest first, so the last unit to finish is a small one.
    missing.sort(key=lambda u: -_source_bytes(roots[u.name]))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(missing)))
    if workers == 1:
        fresh = [audit_unit(unit, roots[unit.name]) for unit in missing]
    else:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            fresh = list(pool.map(audit_unit, missing, [roots[u.name] for u in missing]))
    for run in fresh:
        runs[run.crate] = run
        _store_cached(next(u for u in units if u.name == run.crate), run)
    return [runs[unit.name] for unit in units]


def _source_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*.rs") if path.is_file())


def _cache_path(unit: Unit) -> Path:
    key = hashlib.sha256(f"{RUN_FORMAT}\0{engine_fingerprint()}\0{unit.stamp()}".encode())
    return cache_dir() / "runs" / unit.name / f"{key.hexdigest()[:16]}.json"


def _load_cached(unit: Unit) -> UnitRun | None:
    try:
        data = json.loads(_cache_path(unit).read_text(encoding="utf-8"))
        data["observations"] = [Observation(**o) for o in data["observations"]]
        data["packages"] = {k: tuple(v) for k, v in data["packages"].items()}
        return UnitRun(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _store_cached(unit: Unit, run: UnitRun) -> None:
    path = _cache_path(unit)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob("*.json"):
            stale.unlink(missing_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(asdict(run)), encoding="utf-8")
        partial.replace(path)
    except OSError:
        return  # a cache that cannot be written only costs time
