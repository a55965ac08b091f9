"""Running the file pass over many files: cached, and spread over all cores when it pays."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rustpro.engine.filepass import FileResult, analyze_source, prepare
from rustpro.engine.gates import RuleNames
from rustpro.engine.reading import SourceSkipped, read_source
from rustpro.model import Role
from rustpro.stopping import close_pool, start_pool

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    # Imported where a cache is used: its hashing, JSON codec and platformdirs cost every
    # `--no-cache` run some 10 ms of imports.
    from rustpro.engine.cache import ResultCache

# Why a file whose nesting defeats the analysis (Python's recursion limit) is skipped.
NESTED_TOO_DEEPLY = "skipped: nested too deeply to analyse"
# Below this much source, starting worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 512 * 1024


@dataclass(frozen=True, slots=True)
class FileJob:
    """One file to analyse."""

    path: Path
    relpath: str
    role: Role


def analyze_file(
    job: FileJob,
    max_bytes: int,
    cache: ResultCache | None,
    rules: RuleNames = None,
    anchors: bool = True,
) -> FileResult:
    """Read, analyse (or fetch from cache) one file with `rules` (None: every file rule),
    recording its findings' places when `anchors` asks; never raises for bad input."""
    try:
        source = read_source(job.path, max_bytes)
    except SourceSkipped as skipped:
        return FileResult(relpath=job.relpath, role=job.role, skipped=str(skipped))
    key = cache.key(source, job.relpath, job.role, rules) if cache else ""
    if cache is not None:
        cached = cache.get(key)
        # An entry written by a run that did not record places serves only runs that do not.
        if cached is not None and (not anchors or cached.anchors is not None):
            return cached
    try:
        result = analyze_source(source, job.relpath, job.role, rules, anchors)
    except RecursionError:  # no traceback, and no end to the audit, for one hostile file
        return FileResult(relpath=job.relpath, role=job.role, skipped=NESTED_TOO_DEEPLY)
    if cache is not None and not result.rule_errors:
        cache.put(key, result)
    return result


def _analyze_chunk(
    jobs: Sequence[FileJob],
    max_bytes: int,
    cache_root: Path | None,
    rules: RuleNames,
    anchors: bool,
) -> list[FileResult]:
    cache = None
    if cache_root is not None:
        from rustpro.engine.cache import ResultCache

        cache = ResultCache(cache_root)
    with _without_cycle_collection():
        return [analyze_file(job, max_bytes, cache, rules, anchors) for job in jobs]


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while files are analysed.

    The file pass allocates many short-lived objects (nodes, captures, candidates) and makes
    no reference cycles worth collecting, yet each allocation burst triggers collections
    that walk every live object: a few percent of the audit. Reference counting still frees
    everything; collection resumes afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def analyze_files(
    jobs: Sequence[FileJob],
    *,
    max_bytes: int,
    cache: ResultCache | None,
    workers: int | None = None,
    rules: RuleNames = None,
    anchors: bool = True,
) -> list[FileResult]:
    """Results for every job, in job order."""
    with FileAnalyzer(
        max_bytes=max_bytes, cache=cache, workers=workers, rules=rules, anchors=anchors
    ) as analyzer:
        return analyzer.analyze(jobs)


class FileAnalyzer:
    """Analyses batches of files (the module tree's waves) with one pool of workers.

    The pool starts with the first batch big enough to pay for it and serves every later
    batch; small batches run in this process.
    """

    def __init__(
        self,
        *,
        max_bytes: int,
        cache: ResultCache | None,
        workers: int | None = None,
        rules: RuleNames = None,
        anchors: bool = True,
    ) -> None:
        self.max_bytes = max_bytes
        self.cache = cache
        self.rules = rules  # the file rules to run (`engine.ruleset`); None: every one
        self.anchors = anchors  # record findings' places for fingerprints (`filepass`)
        self.count = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> FileAnalyzer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        # Leaving with an exception (Ctrl-C, SIGTERM, an error): the workers stop at once.
        self.close(interrupted=exc_type is not None)

    def close(self, *, interrupted: bool = False) -> None:
        """Stop the workers, if any were started: when their work is done, or at once."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            close_pool(pool, interrupted=interrupted)

    def analyze(self, jobs: Sequence[FileJob]) -> list[FileResult]:
        """Results for every job, in job order."""
        # Sizes are asked only when more than one worker could run.
        if (
            self.count <= 1
            or len(jobs) < 2
            or (self._pool is None and _total_size(jobs) < PARALLEL_MIN_BYTES)
        ):
            with _without_cycle_collection():
                return [
                    analyze_file(job, self.max_bytes, self.cache, self.rules, self.anchors)
                    for job in jobs
                ]
        # Big files first spread the load evenly; results are put back in job order afterwards.
        order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i].path))
        chunks: list[list[int]] = [[] for _ in range(min(self.count * 4, len(jobs)))]
        for position, index in enumerate(order):
            chunks[position % len(chunks)].append(index)
        cache_dir = self.cache.root.parent.parent if self.cache is not None else None
        results: list[FileResult | None] = [None] * len(jobs)
        if self._pool is None:
            prepare(self.rules)  # forked workers inherit the loaded rules and the compiled query
            self._pool = start_pool(self.count)
        pool = self._pool
        futures = [
            (
                chunk,
                pool.submit(
                    _analyze_chunk,
                    [jobs[i] for i in chunk],
                    self.max_bytes,
                    cache_dir,
                    self.rules,
                    self.anchors,
                ),
            )
            for chunk in chunks
            if chunk
        ]
        for chunk, future in futures:
            for index, result in zip(chunk, future.result(), strict=True):
                results[index] = result
        return [r for r in results if r is not None]


def _total_size(jobs: Sequence[FileJob]) -> int:
    return sum(_size(job.path) for job in jobs)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
