"""What the whole `rustpro audit` command costs over a parse-only process, on real crates.

    python benchmarks/bench_process.py                          # the default corpus crates
    python benchmarks/bench_process.py --crate PATH --crate ...  # any crates or workspaces
    python benchmarks/bench_process.py --corpus ripgrep --corpus tokio ...  # lintcheck units

For each crate, in the same run and over the same files, it times processes (CPU time of the
child, from `getrusage(RUSAGE_CHILDREN)`, and wall-clock time):

- parse only: `python -c` importing tree_sitter and tree_sitter_rust, reading and parsing every
  file the audit analyses (the module tree's files);
- the whole `rustpro audit --static --no-cache -j 1 --format F PATH` for every F of
  `rustpro.cli.FORMATS`, with the default rules and with `--select all` (many findings);
- the same in text with `-j 2` (wall-clock: two workers);
- start-up: the whole command on a one-file crate;

and, inside this process, each format's renderer over the same audit result (with the places
of its findings recorded, as the SARIF and GitLab runs record them), against an in-process
parse of the same files. Targets: start-up <= 0.15 s CPU, rendering <= 0.1x parse
for every format, the whole process <= 2.0x the parse-only process on every crate over 20k
lines. Child processes run with their bytecode cached (`PYTHONPYCACHEPREFIX` in a temporary
directory), as an installed rustpro does, even where `PYTHONDONTWRITEBYTECODE` is set; the
renderers timed in this process read and write what rustpro keeps beside its bytecode there too.
This is a benchmark, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rustpro.cli import FORMATS
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.syntax.parser import parse

STARTUP_TARGET = 0.15  # s of CPU for the whole command on a one-file crate
RENDER_TARGET = 0.1  # x the in-process parse of the same files
WHOLE_TARGET = 2.0  # x the parse-only process, for crates over BIG_LINES
BIG_LINES = 20_000

# Lintcheck corpus units of different shapes, all over 20k lines but tokei: a CLI with a
# workspace (ripgrep), async libraries (hyper, axum), a parser-combinator library (nom), a
# data-parallel library (rayon), FFI bindings (openssl), a small application (tokei).
DEFAULT_CORPUS = ("ripgrep", "hyper", "nom", "rayon", "openssl", "axum", "tokei")

# The parse-only process: what any tool built on tree-sitter-rust pays for the same files.
PARSE_ONLY = """
import sys, tree_sitter, tree_sitter_rust
parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_rust.language()))
with open(sys.argv[1], encoding="utf-8") as listing:
    for path in listing.read().splitlines():
        with open(path, "rb") as handle:
            parser.parse(handle.read())
"""

TINY_MANIFEST = '[package]\nname = "tiny"\nversion = "0.1.0"\nedition = "2021"\n'
TINY_LIB = "//! A one-file crate: what every run pays before its first file.\n\npub fn f() {}\n"


@dataclass(frozen=True, slots=True)
class Options:
    """What to measure."""

    repeats: int
    formats: list[str]
    select_all: bool
    two_workers: bool


@dataclass(frozen=True, slots=True)
class Cost:
    """One child process: CPU seconds (user + system) and wall-clock seconds."""

    cpu: float
    wall: float


@dataclass(slots=True)
class CrateFigures:
    """Everything measured on one crate."""

    name: str
    files: int
    lines: int
    parse_process: Cost
    parse_in_process: float  # CPU seconds
    # (format, select-all) -> the whole command, 1 worker
    whole: dict[tuple[str, bool], Cost] = field(default_factory=dict)
    two_workers: Cost | None = None  # text, default rules
    # (format label, select-all) -> renderer CPU seconds in this process
    render: dict[tuple[str, bool], float] = field(default_factory=dict)
    findings: dict[bool, int] = field(default_factory=dict)


def _child_env(pycache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env["NO_COLOR"] = "1"
    return env


def _share_kept_tables(pycache: Path) -> None:
    """Let this process's renderers read and write what rustpro keeps beside its bytecode
    (`rustpro._codecache`: the SARIF report's rule descriptors) where the child processes
    do: the renderers timed here then run as in any run after the first, as the children's
    do, rather than as in a first run whatever `PYTHONDONTWRITEBYTECODE` says."""
    sys.pycache_prefix = str(pycache)
    sys.dont_write_bytecode = False


def _run_child(argv: Sequence[str], env: dict[str, str]) -> Cost:
    """Run one process to its end, output discarded; its CPU and wall-clock time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):  # 1: findings reached --fail-on; anything else failed
        message = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise SystemExit(f"bench_process: {' '.join(argv)} failed: {' '.join(message)}")
    return Cost(cpu, wall)


def _best(repeats: int, action: Callable[[], Cost]) -> Cost:
    """The run of least CPU time among `repeats` runs."""
    return min((action() for _ in range(repeats)), key=lambda cost: cost.cpu)


def _best_cpu(repeats: int, action: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        action()
        best = min(best, time.process_time() - started)
    return best


def _rustpro_command() -> list[str]:
    """The installed `rustpro` script beside this interpreter, else `python -m rustpro`."""
    script = Path(sys.executable).parent / "rustpro"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "rustpro"]


def _audit_argv(root: Path, fmt: str, select_all: bool, jobs: int = 1) -> list[str]:
    argv = [*_rustpro_command(), "audit", "--static", "--no-cache", "-j", str(jobs)]
    argv += ["--format", fmt, "-q"]
    if select_all:
        argv += ["--select", "all"]
    return [*argv, str(root)]


def renderers(formats: Sequence[str]) -> dict[str, Callable[[AuditResult], str]]:
    """Each format's renderer, found by the agreed convention: `render_<name>` in the module
    `rustpro.report.<name>` (or `<name>_report`); the text report also in colour."""
    found: dict[str, Callable[[AuditResult], str]] = {}
    for fmt in formats:
        render = _renderer(fmt)
        if render is None:
            print(f"bench_process: no renderer found for --format {fmt}", file=sys.stderr)
            continue
        if "color" in inspect.signature(render).parameters:
            found[fmt] = partial(render, color=False)
            found[f"{fmt} (colour)"] = partial(render, color=True)
        else:
            found[fmt] = render
    return found


def _renderer(fmt: str) -> Callable[..., str] | None:
    for module_name in (f"rustpro.report.{fmt}", f"rustpro.report.{fmt}_report"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        render = getattr(module, f"render_{fmt}", None)
        if callable(render):
            return render  # type: ignore[no-any-return]
    return None


def measure_crate(root: Path, options: Options, env: dict[str, str], scratch: Path) -> CrateFigures:
    """Every figure of one crate. The processes run round-robin, `repeats` rounds, and each
    keeps its best round: on a shared machine, load drifts over a run, and interleaving
    lets the parse-only process and the audits see the same drift."""
    selections = (False, True) if options.select_all else (False,)
    # As the SARIF and GitLab reports audit (`cli.FINGERPRINTED`): with the places of the
    # findings recorded, which the other formats do not read.
    results = {
        select_all: run_audit(
            root,
            AuditOptions(
                static=True,
                use_cache=False,
                workers=1,
                select=("all",) if select_all else (),
                anchors=True,
            ),
        )
        for select_all in selections
    }
    paths = [results[False].root / relpath for relpath in results[False].analysed_files]
    listing = scratch / "files.txt"
    listing.write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")
    sources = [path.read_bytes() for path in paths]
    commands: dict[object, list[str]] = {"parse": [sys.executable, "-c", PARSE_ONLY, str(listing)]}
    for select_all in selections:
        for fmt in options.formats:
            commands[(fmt, select_all)] = _audit_argv(root, fmt, select_all)
    if options.two_workers:
        commands["-j2"] = _audit_argv(root, "text", False, jobs=2)
    best: dict[object, Cost] = {}
    for _ in range(options.repeats):
        for key, argv in commands.items():
            cost = _run_child(argv, env)
            kept = best.get(key)
            # Two workers are judged by the wall clock (their CPU is spread); the rest by CPU.
            if kept is None or (cost.wall < kept.wall if key == "-j2" else cost.cpu < kept.cpu):
                best[key] = cost
    figures = CrateFigures(
        name=root.name,
        files=len(paths),
        lines=results[False].lines,
        parse_process=best["parse"],
        parse_in_process=_best_cpu(options.repeats, lambda: [parse(source) for source in sources]),
        two_workers=best.get("-j2"),
    )
    for select_all, audited in results.items():
        figures.findings[select_all] = len(audited.findings)
        for fmt in options.formats:
            figures.whole[(fmt, select_all)] = best[(fmt, select_all)]
        for label, render in renderers(options.formats).items():
            figures.render[(label, select_all)] = _best_cpu(
                options.repeats,
                lambda r=render, a=audited: r(a),  # type: ignore[misc]
            )
    return figures


def measure_startup(
    repeats: int, formats: Sequence[str], env: dict[str, str], scratch: Path
) -> dict[str, Cost]:
    """The whole command on a one-file crate, per format; and a bare interpreter's start."""
    tiny = scratch / "tiny"
    (tiny / "src").mkdir(parents=True, exist_ok=True)
    (tiny / "Cargo.toml").write_text(TINY_MANIFEST, encoding="utf-8")
    (tiny / "src" / "lib.rs").write_text(TINY_LIB, encoding="utf-8")
    empty = scratch / "empty.txt"
    empty.write_text("", encoding="utf-8")
    costs = {
        "python + tree-sitter import": _best(
            repeats, lambda: _run_child([sys.executable, "-c", PARSE_ONLY, str(empty)], env)
        )
    }
    for fmt in formats:
        argv = _audit_argv(tiny, fmt, False)
        costs[f"rustpro audit, one-file crate, {fmt}"] = _best(
            repeats,
            lambda a=argv: _run_child(a, env),  # type: ignore[misc]
        )
    return costs


def _warm_bytecode(formats: Sequence[str], env: dict[str, str], scratch: Path) -> None:
    """One run of each command, so that children afterwards find their bytecode cached."""
    measure_startup(1, formats, env, scratch)
    _run_child([*_rustpro_command(), "rules"], env)


def print_report(startup: dict[str, Cost], crates: list[CrateFigures], formats: list[str]) -> None:
    """The tables."""
    print("start-up (whole process, CPU):")
    for label, cost in startup.items():
        print(f"  {label:<44} {cost.cpu * 1000:7.0f} ms CPU {cost.wall * 1000:7.0f} ms wall")
    worst_start = max(c.cpu for label, c in startup.items() if label.startswith("rustpro"))
    _verdict("start-up", worst_start, STARTUP_TARGET, " s CPU")
    selections = sorted({select_all for crate in crates for _, select_all in crate.whole})
    worst_whole = 0.0
    for select_all in selections:
        rules = "--select all" if select_all else "default rules"
        print(f"\nwhole process / parse-only process (CPU), 1 worker, no cache, {rules}:")
        head = f"  {'crate':<16} {'files':>5} {'klines':>6} {'parse s':>7} {'findings':>8}"
        head += "".join(f" {fmt:>9}" for fmt in formats)
        print(head + (f" {'-j2 wall':>9}" if not select_all else ""))
        for crate in crates:
            row = (
                f"  {crate.name:<16} {crate.files:5} {crate.lines / 1000:6.1f}"
                f" {crate.parse_process.cpu:7.2f} {crate.findings[select_all]:8}"
            )
            for fmt in formats:
                ratio = crate.whole[(fmt, select_all)].cpu / crate.parse_process.cpu
                row += f" {ratio:8.2f}x"
                if crate.lines > BIG_LINES and not select_all:
                    worst_whole = max(worst_whole, ratio)
            if crate.two_workers is not None and not select_all:
                row += f" {crate.two_workers.wall / crate.parse_process.wall:8.2f}x"
            print(row)
    print("  (-j2 wall: `-j 2 --format text`, wall-clock over the parse-only process's)")
    big = f"whole process, default rules, over {BIG_LINES // 1000}k lines"
    _verdict(big, worst_whole, WHOLE_TARGET, "x")

    labels = sorted({label for crate in crates for label, _ in crate.render})
    worst_render = 0.0
    for select_all in selections:
        rules = "--select all" if select_all else "default rules"
        print(f"\nrendering / in-process parse (CPU), {rules}:")
        print(f"  {'crate':<16} {'parse ms':>8} " + " ".join(f"{label:>13}" for label in labels))
        for crate in crates:
            row = f"  {crate.name:<16} {crate.parse_in_process * 1000:8.0f} "
            cells = []
            for label in labels:
                ratio = crate.render[(label, select_all)] / crate.parse_in_process
                worst_render = max(worst_render, ratio)
                cells.append(f"{ratio:12.3f}x")
            print(row + " ".join(cells))
    _verdict("rendering", worst_render, RENDER_TARGET, "x")


def _verdict(what: str, worst: float, target: float, unit: str) -> None:
    verdict = "within" if worst <= target else "ABOVE"
    print(f"  {what}: worst {worst:.2f}{unit}, {verdict} the {target}{unit} target")


def _corpus_roots(names: Sequence[str]) -> list[Path]:
    from benchmarks.lintcheck_corpus import load_corpus, prepare_corpus

    units = [unit for unit in load_corpus() if unit.name in names]
    missing = sorted(set(names) - {unit.name for unit in units})
    if missing:
        raise SystemExit(f"bench_process: not a lintcheck corpus unit: {', '.join(missing)}")
    roots = prepare_corpus(units)
    return [roots[name] for name in names]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--crate", action="append", type=Path, default=[], help="a crate path")
    parser.add_argument("--corpus", action="append", default=[], help="a lintcheck corpus unit")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many rounds")
    parser.add_argument(
        "--format", action="append", default=[], help="only this format (default: every one)"
    )
    parser.add_argument("--no-select-all", action="store_true", help="skip `--select all`")
    parser.add_argument("--no-two-workers", action="store_true", help="skip the -j 2 runs")
    args = parser.parse_args(argv)
    options = Options(
        repeats=args.repeats,
        formats=args.format or list(FORMATS),
        select_all=not args.no_select_all,
        two_workers=not args.no_two_workers,
    )
    corpus = args.corpus or ([] if args.crate else list(DEFAULT_CORPUS))
    roots = [*args.crate, *_corpus_roots(corpus)]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or '?'}")
    print(f"python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"rustpro: {' '.join(_rustpro_command())}")
    print(f"formats: {', '.join(options.formats)}; best of {options.repeats} rounds\n")
    with tempfile.TemporaryDirectory(prefix="rustpro-bench-process-") as scratch_dir:
        scratch = Path(scratch_dir)
        env = _child_env(scratch / "pycache")
        _share_kept_tables(scratch / "pycache")
        _warm_bytecode(options.formats, env, scratch)
        startup = measure_startup(options.repeats, options.formats, env, scratch)
        crates = []
        for root in roots:
            crates.append(measure_crate(root.resolve(), options, env, scratch))
            print(f"measured {crates[-1].name}", file=sys.stderr, flush=True)
    print_report(startup, crates, options.formats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
