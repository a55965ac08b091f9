"""bench_process's whole-process figure in instructions: repeatable on a shared machine.

    python benchmarks/bench_instructions.py                      # the default corpus crates
    python benchmarks/bench_instructions.py --crate PATH --corpus hyper --format sarif

CPU times on a machine shared with other work (a VM's cores, other builds) move by a third
between two runs of the same code, as much as the gap a change is meant to close. Instructions
do not: each process here runs once under `valgrind --tool=callgrind`, which counts the
instructions it executes (the same count, give or take 1% for hash seeds, whatever else the
machine does). For each crate it counts the parse-only process of `bench_process.py` (python
importing tree-sitter and parsing the files the audit analyses) and the whole `rustpro audit
--static --no-cache -j 1 --format F` process, and prints their ratio; and the one-file crate's
audit against the interpreter with tree-sitter imported (start-up).

The instruction ratio is not the CPU-time ratio: rustpro's Python work runs at some 7% fewer
instructions per cycle than tree-sitter's parse (measured here: 5.5 against 5.9 billion per
second), so a CPU ratio is about 1.07x the instruction ratio. Each process runs about fifty
times slower under callgrind: a minute or two per crate. This is a benchmark, not a test: it
prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_process import (
    DEFAULT_CORPUS,
    PARSE_ONLY,
    TINY_LIB,
    TINY_MANIFEST,
    WHOLE_TARGET,
    _audit_argv,
    _child_env,
    _corpus_roots,
)
from rustpro.engine.audit import AuditOptions, run_audit


def instructions(argv: Sequence[str], env: dict[str, str], scratch: Path) -> int:
    """The instructions the process `argv` executes, counted by callgrind."""
    out = scratch / "callgrind.out"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        check=False,
    )
    if done.returncode not in (0, 1):  # 1: findings reached --fail-on
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"bench_instructions: {' '.join(argv)} failed: {' '.join(tail)}")
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            out.unlink()
            return int(line.split()[1])
    raise SystemExit(f"bench_instructions: no instruction total in {out}")


def _listing(root: Path, scratch: Path) -> Path:
    """The files the audit of `root` analyses, one per line (the parse-only process reads
    them)."""
    result = run_audit(root, AuditOptions(static=True, use_cache=False, workers=1))
    listing = scratch / f"{root.name}.files"
    listing.write_text("".join(f"{result.root / p}\n" for p in result.analysed_files), "utf-8")
    return listing


def main(argv: list[str] | None = None) -> int:
    """Count and print; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--crate", action="append", type=Path, default=[], help="a crate path")
    parser.add_argument("--corpus", action="append", default=[], help="a lintcheck corpus unit")
    parser.add_argument("--format", default="text", help="the report format (default: text)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("bench_instructions: valgrind is not installed (Debian: valgrind)", file=sys.stderr)
        return 2
    corpus = args.corpus or ([] if args.crate else list(DEFAULT_CORPUS))
    roots = [path.resolve() for path in [*args.crate, *_corpus_roots(corpus)]]
    print(f"instructions (callgrind), whole `rustpro audit --format {args.format}` process")
    print(f"over the parse-only process; target <= {WHOLE_TARGET}x (in CPU time)\n")
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-instructions-") as scratch_dir:
        scratch = Path(scratch_dir)
        env = _child_env(scratch / "pycache")
        env["PYTHONHASHSEED"] = "0"  # the same set and dict orders, so the same counts
        tiny = scratch / "tiny"
        (tiny / "src").mkdir(parents=True)
        (tiny / "Cargo.toml").write_text(TINY_MANIFEST, encoding="utf-8")
        (tiny / "src" / "lib.rs").write_text(TINY_LIB, encoding="utf-8")
        empty = scratch / "empty.files"
        empty.write_text("", encoding="utf-8")
        tiny_argv = _audit_argv(tiny, args.format, False)
        bare_argv = [sys.executable, "-c", PARSE_ONLY, str(empty)]
        for warm in (tiny_argv, bare_argv):  # bytecode written once, before anything counts
            subprocess.run(warm, env=env, capture_output=True, check=False)
        bare = instructions(bare_argv, env, scratch)
        start = instructions(tiny_argv, env, scratch)
        print(
            f"  start-up: python + tree-sitter {bare / 1e6:8.1f} M, one-file crate audit "
            f"{start / 1e6:8.1f} M ({start / bare:.2f}x)\n"
        )
        print(f"  {'crate':<12} {'files':>5} {'parse-only':>12} {'rustpro':>12} {'ratio':>7}")
        for root in roots:
            listing = _listing(root, scratch)
            audit_argv = _audit_argv(root, args.format, False)
            subprocess.run(audit_argv, env=env, capture_output=True, check=False)  # bytecode
            parse = instructions([sys.executable, "-c", PARSE_ONLY, str(listing)], env, scratch)
            whole = instructions(audit_argv, env, scratch)
            files = len(listing.read_text(encoding="utf-8").splitlines())
            print(
                f"  {root.name:<12} {files:5} {parse / 1e6:10.1f} M {whole / 1e6:10.1f} M "
                f"{whole / parse:6.2f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
