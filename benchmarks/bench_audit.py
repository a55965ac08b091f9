"""How much a static audit costs over parsing alone, on real crates from crates.io.

    python benchmarks/bench_audit.py            # or: make bench
    python benchmarks/bench_audit.py --profile  # also where the single-worker audit spends time

Downloads the pinned crates of benchmarks/realcrates.py (once, into the user cache dir), then
times, in the same run and over the same files: the raw tree-sitter parse of every file the
audit reads, the full static audit on one worker without cache, the same on two workers, and
an audit with a warm result cache. Target: audit <= 2x parse time on one core.
This is a benchmark, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.realcrates import CratesUnavailable, RealCrate, fetch_pinned_crates
from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.syntax.parser import parse

TARGET_RATIO = 2.0
# Single-process figures are CPU time of this process, so that other load on the machine does
# not distort the ratio; the 2-worker figure is wall-clock time (its CPU is in the workers).
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class CrateSources:
    """One crate and the bytes of every file its audit reads."""

    crate: RealCrate
    sources: list[bytes]

    @property
    def size(self) -> int:
        """Total bytes."""
        return sum(len(s) for s in self.sources)


def _best_of(repeats: int, action: Callable[[], object], clock: Clock = time.process_time) -> float:
    """The fastest of `repeats` runs of `action`, in seconds of `clock`."""
    best = float("inf")
    for _ in range(repeats):
        started = clock()
        action()
        best = min(best, clock() - started)
    return best


def _load(crate: RealCrate) -> CrateSources:
    # The files the audit reads are the module tree's (no test data, no uncompiled files):
    # the parse baseline parses exactly those.
    result = run_audit(crate.root, AuditOptions(static=True, use_cache=False, workers=1))
    return CrateSources(crate, [(result.root / p).read_bytes() for p in result.analysed_files])


def _parse_all(crates: list[CrateSources]) -> None:
    for crate in crates:
        for source in crate.sources:
            parse(source)


def _audit_all(crates: list[CrateSources], options: AuditOptions) -> None:
    for crate in crates:
        run_audit(crate.crate.root, options)


def _paired_ratios(crates: list[CrateSources], options: AuditOptions, rounds: int) -> list[float]:
    """Audit/parse CPU ratios of `rounds` rounds, each timing a parse and an audit back to back.

    On a machine whose speed drifts between runs (a shared VM), a ratio taken within one
    round is steadier than the best parse and the best audit taken at different times.
    """
    ratios: list[float] = []
    for _ in range(rounds):
        started = time.process_time()
        _parse_all(crates)
        parsed = time.process_time() - started
        started = time.process_time()
        _audit_all(crates, options)
        ratios.append((time.process_time() - started) / parsed)
    return ratios


def _row(label: str, seconds: float, parse_seconds: float) -> str:
    return f"  {label:<34} {seconds * 1000:9.1f} ms   {seconds / parse_seconds:5.2f}x parse"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--profile", action="store_true", help="profile the 1-worker audit")
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="also print the median of this many paired (parse, audit) ratios",
    )
    args = parser.parse_args(argv)
    try:
        crates = [_load(c) for c in fetch_pinned_crates()]
    except CratesUnavailable as unavailable:
        print(f"bench_audit: cannot run: {unavailable}", file=sys.stderr)
        return 2
    files = sum(len(c.sources) for c in crates)
    size = sum(c.size for c in crates)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}")
    print(f"python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"crates: {', '.join(f'{c.crate.name} {c.crate.version}' for c in crates)}")
    print(f"files: {files}, {size / 1024:.0f} KiB of Rust (best of {args.repeats} runs)\n")

    single = AuditOptions(static=True, use_cache=False, workers=1)
    _audit_all(crates, single)  # warm-up: imports, rule loading, query compilation
    print("per crate, 1 worker, no cache (CPU time):")
    for crate in crates:
        parse_time = _best_of(args.repeats, lambda c=crate: _parse_all([c]))  # type: ignore[misc]
        audit_time = _best_of(
            args.repeats,
            lambda c=crate: run_audit(c.crate.root, single),  # type: ignore[misc]
        )
        print(
            f"  {crate.crate.name:<14} {len(crate.sources):4} files {crate.size / 1024:7.0f} KiB"
            f"   parse {parse_time * 1000:8.1f} ms   audit {audit_time * 1000:8.1f} ms"
            f"   {audit_time / parse_time:5.2f}x"
        )

    parse_time = _best_of(args.repeats, lambda: _parse_all(crates))
    audit_time = _best_of(args.repeats, lambda: _audit_all(crates, single))
    two_workers = _best_of(
        args.repeats,
        lambda: _audit_all(crates, AuditOptions(static=True, use_cache=False, workers=2)),
        clock=time.perf_counter,
    )
    one_worker_wall = _best_of(
        args.repeats, lambda: _audit_all(crates, single), clock=time.perf_counter
    )
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-cache-") as cache_dir:
        os.environ["RUSTPRO_CACHE_DIR"] = cache_dir
        cached = AuditOptions(static=True, use_cache=True, workers=1)
        _audit_all(crates, cached)  # fill the cache
        warm = _best_of(args.repeats, lambda: _audit_all(crates, cached))
        del os.environ["RUSTPRO_CACHE_DIR"]

    print("\nall crates:")
    print(f"  {'raw tree-sitter parse (CPU)':<34} {parse_time * 1000:9.1f} ms")
    print(_row("static audit, 1 worker (CPU)", audit_time, parse_time))
    print(_row("static audit, warm cache (CPU)", warm, parse_time))
    print(f"  {'static audit, 1 worker (wall)':<34} {one_worker_wall * 1000:9.1f} ms")
    print(f"  {'static audit, 2 workers (wall)':<34} {two_workers * 1000:9.1f} ms")
    ratio = audit_time / parse_time
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    print(f"\nratio audit/parse (1 worker): {ratio:.2f}x, {verdict} the {TARGET_RATIO:.0f}x target")
    if args.rounds > 0:
        paired = sorted(_paired_ratios(crates, single, args.rounds))
        print(
            f"paired rounds ({args.rounds}): median {statistics.median(paired):.2f}x, "
            f"range {paired[0]:.2f}-{paired[-1]:.2f}x"
        )

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        _audit_all(crates, single)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        print("\nprofile of the 1-worker audit, by own time:")
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
