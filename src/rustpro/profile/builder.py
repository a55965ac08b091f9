"""The profile pipeline: discover, read and parse each file once, collect facts, answer.

It shares discovery (`discover`), safe reading (`read_source`) and parsing with the audit, and
runs no rules: the only pass over each tree is the profile's own fact query.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rustpro import __version__
from rustpro.discovery.layout import CrateLayout, Workspace, discover
from rustpro.discovery.manifest import Manifest, read_manifest
from rustpro.engine.modtree import CompiledFile, ModuleTreeWalk
from rustpro.engine.parallel import NESTED_TOO_DEEPLY
from rustpro.engine.reading import DEFAULT_MAX_FILE_BYTES, SourceSkipped, read_source
from rustpro.errors import ManifestError
from rustpro.model import Role
from rustpro.profile.collect import (
    collect,
    feature_gate_msrv_facts,
    gate_msrv_facts,
    move_to_tests,
)
from rustpro.profile.model import Profile, SubjectProfile
from rustpro.profile.questions import answer_all
from rustpro.profile.subject import Subject, crate_subject, workspace_subject
from rustpro.profile.tally import FileFacts
from rustpro.stopping import close_pool, start_pool

# Below this much source, starting worker processes costs more than it saves.
_PARALLEL_MIN_BYTES = 1024 * 1024

_Job = tuple[Path, str, Role]


def build_profile(
    path: Path, *, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES, workers: int | None = None
) -> Profile:
    """Profile the crate or workspace at `path`; raises `RustproError` when it cannot."""
    started = time.perf_counter()
    workspace = discover(path)
    per_crate, tree_warnings = _collect_compiled(workspace, max_file_bytes, workers)
    facts = {f.relpath: f for files in per_crate for f in files}
    subjects: list[Subject] = []
    profiles_from = _enclosing_workspace_manifest(workspace)
    for crate, files in zip(workspace.crates, per_crate, strict=True):
        _mark_module_files(crate, files, workspace)
        subjects.append(crate_subject(crate, files, workspace, profiles_from))
    whole = _workspace_subject(workspace, subjects)
    warnings = [*workspace.warnings, *tree_warnings]
    for file in sorted(facts.values(), key=lambda f: f.relpath):  # same order in parallel
        if file.skipped:
            warnings.append(f"{file.relpath}: {file.skipped}")
        elif file.parse_error_line is not None:
            warnings.append(
                f"{file.relpath}:{file.parse_error_line}: syntax error; profiled "
                "the rest of the file"
            )
    return Profile(
        root=str(workspace.root),
        tool_version=__version__,
        workspace=_profile_of(whole) if whole is not None else None,
        crates=[_profile_of(s) for s in subjects],
        files=sum(1 for f in facts.values() if f.skipped is None),
        lines=sum(f.lines for f in facts.values()),
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


def _enclosing_workspace_manifest(workspace: Workspace) -> Manifest | None:
    """The root manifest of the workspace a lone member belongs to (cargo reads its
    `[profile.*]` tables, not the member's), or None when the profiled root is that root."""
    if workspace.is_workspace:
        return None
    for parent in workspace.root.parents:
        candidate = parent / "Cargo.toml"
        if not candidate.is_file():
            continue
        try:
            manifest = read_manifest(candidate)
        except ManifestError:
            return None
        return manifest if manifest.workspace is not None else None
    return None


def _workspace_subject(workspace: Workspace, subjects: list[Subject]) -> Subject | None:
    # A single package is its own whole; a workspace (even of one member) gets its own view.
    if workspace.is_workspace or len(subjects) > 1:
        return workspace_subject(workspace, subjects)
    return None


def _profile_of(subject: Subject) -> SubjectProfile:
    return SubjectProfile(subject.name, subject.kind, subject.path, answer_all(subject))


def _collect_one(job: _Job, max_bytes: int) -> FileFacts:
    path, relpath, role = job
    try:
        source = read_source(path, max_bytes)
    except SourceSkipped as skipped:
        return FileFacts(relpath=relpath, role=role.value, skipped=str(skipped))
    try:
        return collect(source, relpath, role)
    except RecursionError:  # no traceback, and no end to the profile, for one hostile file
        return FileFacts(relpath=relpath, role=role.value, skipped=NESTED_TOO_DEEPLY)


def _collect_chunk(jobs: Sequence[_Job], max_bytes: int) -> list[FileFacts]:
    return [_collect_one(job, max_bytes) for job in jobs]


def _collect_compiled(
    workspace: Workspace, max_bytes: int, workers: int | None
) -> tuple[list[list[FileFacts]], list[str]]:
    """The facts of every file the module tree reaches (`engine.modtree`), per crate, and
    the tree's warnings (modules outside the audited root): like the audit, the profile
    reads only compiled code, one wave of the tree at a time."""
    walk = ModuleTreeWalk(workspace.crates, workspace.root)
    per_crate: list[list[FileFacts]] = [[] for _ in workspace.crates]
    count = workers if workers is not None else (os.cpu_count() or 1)
    pool: ProcessPoolExecutor | None = None
    finished = False
    try:
        wave = walk.roots()
        while wave:
            # The profile tells unit from integration tests by the target a file belongs to
            # (`#[cfg(test)] mod tests;` files are moved to the tests area afterwards).
            jobs = [(f.path, f.relpath, _target_role(f)) for f in wave]
            if (
                pool is None
                and count > 1
                and len(jobs) > 1
                and sum(_size(job[0]) for job in jobs) >= _PARALLEL_MIN_BYTES
            ):
                pool = start_pool(count)
            if pool is None or len(jobs) < 2:
                collected = _collect_chunk(jobs, max_bytes)
            else:
                chunks = [jobs[i :: count * 4] for i in range(min(count * 4, len(jobs)))]
                by_path: dict[str, FileFacts] = {}
                for part in pool.map(_collect_chunk, chunks, [max_bytes] * len(chunks)):
                    by_path.update((f.relpath, f) for f in part)
                collected = [by_path[job[1]] for job in jobs]
            for compiled, found in zip(wave, collected, strict=True):
                per_crate[compiled.crate].append(found)
            wave = walk.children(
                (f, found.structure if found.skipped is None else None)
                for f, found in zip(wave, collected, strict=True)
            )
        finished = True
    finally:
        if pool is not None:
            # Interrupted (Ctrl-C, SIGTERM, an error): the workers stop at once.
            close_pool(pool, interrupted=not finished)
    return per_crate, walk.finish().warnings


def _target_role(compiled: CompiledFile) -> Role:
    if compiled.info.target_kind in ("lib", "bin"):
        return Role.PRODUCTION
    return compiled.role


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mark_module_files(crate: CrateLayout, files: list[FileFacts], workspace: Workspace) -> None:
    """Files declared as `#[cfg(test)] mod name;` are test code, though they live in src/;
    files declared under a custom cfg (`#[cfg(probe)] mod name;`) do not raise the MSRV,
    and those under `#[cfg(feature = "x")]` raise it only where `x` is on."""
    by_path = {f.relpath: f for f in files}
    roots = {t.root for t in crate.targets}
    for facts in files:
        path = workspace.root / facts.relpath
        owns_dir = path in roots or path.name == "mod.rs"
        base = path.parent if owns_dir else path.parent / path.stem
        for names, action in (
            (facts.test_mods, move_to_tests),
            (facts.cfg_gated_mods, gate_msrv_facts),
        ):
            for name in names:
                for child in _module_files(name, base, by_path, workspace.root):
                    action(child)
        for name, features in facts.feature_gated_mods:
            for child in _module_files(name, base, by_path, workspace.root):
                feature_gate_msrv_facts(child, features)


def _module_files(
    name: str, base: Path, by_path: dict[str, FileFacts], root: Path
) -> list[FileFacts]:
    """The facts of module `name`'s file under `base` (`name.rs` or `name/mod.rs`)."""
    found = (by_path.get(_rel(c, root)) for c in (base / f"{name}.rs", base / name / "mod.rs"))
    return [child for child in found if child is not None]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
