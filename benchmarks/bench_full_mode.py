"""Wall time of `rustpro audit` (full mode) against `cargo clippy` + `cargo test` by hand.

Three sides run on the same copy of the same crate, each with its own fresh target dir
(cold), then again after touching the crate's sources (warm: dependencies built, the crate
itself rebuilt, as after an edit):

    hand      cargo clippy --workspace --all-targets; cargo test --workspace --no-fail-fast
    rustpro   rustpro audit CRATE            (also rustfmt --check, cargo doc, static rules,
                                             and the copy of the crate cargo runs in)
    same      rustpro audit --skip doc --skip fmt CRATE   (the same cargo work as by hand)

Rounds rotate the order so that no side always gets the warmer page cache. Wall time on a
shared machine is noisy, so CPU time (user + system of all child processes) is printed too.

    python benchmarks/bench_full_mode.py [CRATE] [--rounds N]

CRATE defaults to tests/fixtures/cargo/withdep (a library using `thiserror` from crates.io).
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
DEFAULT_CRATE = REPO / "tests" / "fixtures" / "cargo" / "withdep"
SIDES = ("hand", "rustpro", "same")


@dataclass(frozen=True)
class Cost:
    """Wall-clock and CPU seconds of one or more commands."""

    wall: float
    cpu: float

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.wall + other.wall, self.cpu + other.cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(args: Sequence[str], cwd: Path, env: dict[str, str]) -> Cost:
    """What `args` cost; output is discarded and the exit status ignored (failing tests are
    part of an audit's normal work)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    subprocess.run(
        list(args), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return Cost(time.perf_counter() - started, _children_cpu() - cpu)


def run_side(side: str, crate: Path, target: Path, cache: Path) -> Cost:
    """One timed run of a side (see the module docstring)."""
    if side == "hand":
        env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
        clippy = timed(["cargo", "clippy", "--workspace", "--all-targets"], crate, env)
        return clippy + timed(["cargo", "test", "--workspace", "--no-fail-fast"], crate, env)
    env = {**os.environ, "RUSTPRO_CACHE_DIR": str(cache)}
    args = [sys.executable, "-m", "rustpro", "audit", "--quiet", "--format", "json"]
    args += ["--target-dir", str(target)]
    if side == "same":
        args += ["--skip", "doc", "--skip", "fmt"]
    return timed([*args, str(crate)], crate, env)


def touch_sources(crate: Path) -> None:
    """Make cargo rebuild the crate itself (not its dependencies), as an edit would."""
    now = time.time()
    for path in crate.rglob("*.rs"):
        if "target" not in path.parts:
            os.utime(path, (now, now))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("crate", nargs="?", type=Path, default=DEFAULT_CRATE)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    costs: dict[tuple[str, str], list[Cost]] = {}
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-") as scratch:
        base = Path(scratch)
        crate = base / "crate"
        shutil.copytree(options.crate, crate, ignore=shutil.ignore_patterns("target"))
        # Fetch dependencies once so that the network is not part of any side's time.
        subprocess.run(["cargo", "fetch"], cwd=crate, check=True, capture_output=True)
        for round_number in range(options.rounds):
            shift = round_number % len(SIDES)
            for side in SIDES[shift:] + SIDES[:shift]:
                target = base / f"target-{side}-{round_number}"
                cache = base / f"cache-{side}-{round_number}"
                costs.setdefault((side, "cold"), []).append(run_side(side, crate, target, cache))
                touch_sources(crate)
                costs.setdefault((side, "warm"), []).append(run_side(side, crate, target, cache))
                shutil.rmtree(target, ignore_errors=True)
    print(f"crate: {options.crate}  rounds: {options.rounds}  cores: {os.cpu_count()}")
    for phase in ("cold", "warm"):
        hand = costs[("hand", phase)]
        hand_wall = statistics.median(c.wall for c in hand)
        hand_cpu = statistics.median(c.cpu for c in hand)
        for side in SIDES:
            runs = costs[(side, phase)]
            wall = statistics.median(c.wall for c in runs)
            cpu = statistics.median(c.cpu for c in runs)
            each = ", ".join(f"{c.wall:.2f}" for c in runs)
            print(
                f"{phase:4} {side:7} wall {wall:6.2f} s [{each}] ratio {wall / hand_wall:.2f}"
                f"   cpu {cpu:6.2f} s ratio {cpu / hand_cpu:.2f}"
            )


if __name__ == "__main__":
    main()
