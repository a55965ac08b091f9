"""Wall time of `rustpro audit` (full mode) against `cargo clippy` + `cargo test` by hand.

Both sides run on the same copy of the same crate, each with its own fresh target dir
(cold), then again after touching the crate's sources (warm: dependencies built, the crate
itself rebuilt, as after an edit). Runs alternate between the two sides so that neither
always gets the warmer page cache. Prints the medians and the ratio.

    python benchmarks/bench_full_mode.py [CRATE] [--rounds N]

CRATE defaults to tests/fixtures/cargo/withdep (a library using `thiserror` from crates.io).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CRATE = REPO / "tests" / "fixtures" / "cargo" / "withdep"


def timed(args: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds `args` took; its output is discarded, its exit status ignored (failing
    tests are part of an audit's normal work)."""
    started = time.perf_counter()
    subprocess.run(
        list(args), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def by_hand(crate: Path, target: Path) -> float:
    """`cargo clippy --workspace --all-targets` then `cargo test --workspace`."""
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    clippy = timed(["cargo", "clippy", "--workspace", "--all-targets"], crate, env)
    tests = timed(["cargo", "test", "--workspace", "--no-fail-fast"], crate, env)
    return clippy + tests


def rustpro(crate: Path, target: Path, cache: Path) -> float:
    """`rustpro audit CRATE` in full mode, as a fresh process (startup included)."""
    env = {**os.environ, "RUSTPRO_CACHE_DIR": str(cache)}
    args = [sys.executable, "-m", "rustpro", "audit", "--quiet", "--format", "json"]
    return timed([*args, "--target-dir", str(target), str(crate)], crate, env)


def run_side(side: str, crate: Path, target: Path, cache: Path) -> float:
    """One timed run of `hand` or `rustpro`."""
    return by_hand(crate, target) if side == "hand" else rustpro(crate, target, cache)


def touch_sources(crate: Path) -> None:
    """Make cargo rebuild the crate itself (not its dependencies), as an edit would."""
    now = time.time()
    for path in crate.rglob("*.rs"):
        if "target" not in path.parts:
            os.utime(path, (now, now))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crate", nargs="?", type=Path, default=DEFAULT_CRATE)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    results: dict[str, list[float]] = {"hand-cold": [], "rustpro-cold": [], "hand-warm": [],
                                       "rustpro-warm": []}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-") as scratch:
        base = Path(scratch)
        crate = base / "crate"
        shutil.copytree(options.crate, crate, ignore=shutil.ignore_patterns("target"))
        # Fetch dependencies once so that the network is not part of either side's time.
        subprocess.run(["cargo", "fetch"], cwd=crate, check=True, capture_output=True)
        for round_number in range(options.rounds):
            order = ["hand", "rustpro"] if round_number % 2 == 0 else ["rustpro", "hand"]
            for side in order:
                target = base / f"target-{side}-{round_number}"
                cache = base / f"cache-{round_number}"
                results[f"{side}-cold"].append(run_side(side, crate, target, cache))
                touch_sources(crate)
                results[f"{side}-warm"].append(run_side(side, crate, target, cache))
                shutil.rmtree(target, ignore_errors=True)
    print(f"crate: {options.crate}  rounds: {options.rounds}  cores: {os.cpu_count()}")
    for phase in ("cold", "warm"):
        hand = statistics.median(results[f"hand-{phase}"])
        ours = statistics.median(results[f"rustpro-{phase}"])
        runs = ", ".join(f"{t:.2f}" for t in results[f"rustpro-{phase}"])
        hand_runs = ", ".join(f"{t:.2f}" for t in results[f"hand-{phase}"])
        print(
            f"{phase}: clippy+test by hand {hand:.2f} s [{hand_runs}]  "
            f"rustpro audit {ours:.2f} s [{runs}]  ratio {ours / hand:.2f}"
        )


if __name__ == "__main__":
    main()
