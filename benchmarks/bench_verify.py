"""Warm `rustpro verify` against the cargo commands it stands for, run by hand.

The speed target (issue 13): warm, with nothing changed since the last verify, `rustpro
verify` costs at most 1.3x of

    hand      cargo check --all-targets; cargo test; cargo clippy --all-targets

on the same crate. The crate is copied into a temporary git repository (verify's default
starting point is HEAD), each side gets its own build directory, both are run once untimed
(cold), then `--rounds` times each, alternating which goes first. Wall time on a shared
machine is noisy: the best and the median of the rounds are reported, with the CPU time
(user + system of children), and the ratio of both.

    python benchmarks/bench_verify.py [CRATE ...] [--rounds N] [--work DIR]

`--work DIR` keeps the copies, build directories and rustpro's cache in DIR (one
subdirectory per crate) and reuses them on the next run, so a crate whose cold build takes
minutes is built once; the "cold" column then shows a warm first run.

CRATE defaults to tests/fixtures/cargo/verifiable (a tiny library). The exit status of verify
is printed, not judged: without the weakening module verify does all of its work and then
says check 5 could not run (exit 2).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CRATE = REPO / "tests" / "fixtures" / "cargo" / "verifiable"
HAND = (
    ("cargo", "check", "--all-targets"),
    ("cargo", "test"),
    ("cargo", "clippy", "--all-targets"),
)
TARGET_RATIO = 1.3


@dataclass(frozen=True)
class Cost:
    """Wall-clock and CPU seconds of one or more commands, and the last exit status."""

    wall: float
    cpu: float
    status: int = 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(commands: Sequence[Sequence[str]], cwd: Path, env: dict[str, str]) -> Cost:
    """What running `commands` one after the other cost (output discarded)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    status = 0
    for args in commands:
        done = subprocess.run(
            args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        status = done.returncode
    return Cost(time.perf_counter() - started, _children_cpu() - cpu, status)


def prepare(crate: Path, work: Path) -> Path:
    """A copy of `crate` committed to a fresh git repository."""
    copy = work / crate.name
    shutil.copytree(crate, copy, ignore=shutil.ignore_patterns("target", ".git"))
    git = ["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "start"]):
        subprocess.run([*git, *args], cwd=copy, check=True)
    return copy


def bench(crate: Path, rounds: int, keep: Path | None = None) -> float:
    """Print the two sides' costs on `crate`; returns the ratio of median wall times."""
    if keep is not None:
        work = keep / crate.name
        work.mkdir(parents=True, exist_ok=True)
        copy = work / crate.name
        if not (copy / ".git").is_dir():
            shutil.rmtree(copy, ignore_errors=True)
            copy = prepare(crate, work)
        return _bench(crate, copy, work, rounds)
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-verify-") as temp:
        work = Path(temp)
        return _bench(crate, prepare(crate, work), work, rounds)


def _bench(crate: Path, copy: Path, work: Path, rounds: int) -> float:
    """Time both sides on the git copy `copy` of `crate`, builds kept in `work`."""
    hand_env = dict(os.environ, CARGO_TARGET_DIR=str(work / "hand-target"))
    verify_env = dict(os.environ, RUSTPRO_CACHE_DIR=str(work / "rustpro-cache"))
    # An installed rustpro runs from compiled bytecode; a sandbox that forbids writing
    # it would charge verify for compiling every module on every run.
    verify_env.pop("PYTHONDONTWRITEBYTECODE", None)
    verify = [(sys.executable, "-m", "rustpro", "verify", "-q", str(copy))]
    sides = {"hand": (HAND, hand_env), "verify": (verify, verify_env)}
    cold = {name: timed(cmds, copy, env) for name, (cmds, env) in sides.items()}
    results: dict[str, list[Cost]] = {name: [] for name in sides}
    for round_ in range(rounds):
        order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
        for name in order:
            commands, env = sides[name]
            results[name].append(timed(commands, copy, env))
    print(f"{crate}  ({rounds} warm rounds)")
    for name, costs in results.items():
        wall = statistics.median(c.wall for c in costs)
        best = min(c.wall for c in costs)
        cpu = statistics.median(c.cpu for c in costs)
        print(
            f"  {name:<7} cold {cold[name].wall:7.2f} s   warm best {best:6.2f} s, "
            f"median {wall:6.2f} s wall, {cpu:6.2f} s cpu   "
            f"(last exit status {costs[-1].status})"
        )
    hand = statistics.median(c.wall for c in results["hand"])
    mine = statistics.median(c.wall for c in results["verify"])
    ratio = mine / hand if hand else float("inf")
    best_hand = min(c.wall for c in results["hand"])
    best_mine = min(c.wall for c in results["verify"])
    best_ratio = best_mine / best_hand if best_hand else float("inf")
    verdict = "within" if ratio <= TARGET_RATIO else "OVER"
    print(
        f"  ratio verify / hand: {ratio:.2f} of medians ({verdict} the {TARGET_RATIO}x "
        f"target), {best_ratio:.2f} of bests"
    )
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    """Benchmark each crate named (default: the tiny fixture)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("crates", nargs="*", type=Path, default=[DEFAULT_CRATE])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None, help="keep and reuse builds here")
    args = parser.parse_args(argv)
    keep = args.work.resolve() if args.work is not None else None
    for crate in args.crates:
        bench(crate.resolve(), args.rounds, keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
