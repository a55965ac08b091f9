"""The first moments of `rustpro verify`: find the crate and the starting point, and start
cargo, with as little imported as possible.

On a warm crate the cargo steps are the longest part of a verify, and everything else (the
two sides, the test inventories, the static audit) is read while they run. So they should
start as early as the command can know what to run: the command line calls `begin` before it
imports the rest of verify, and `begin` waits (briefly) until the background thread has
launched cargo. Until then the two threads would take turns on the interpreter, and cargo
would start later for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rustpro.discovery.layout import find_manifest
from rustpro.errors import UsageError
from rustpro.verify.cargo import CargoChecks
from rustpro.verify.gitobjects import repository_root, resolve_commit
from rustpro.verify.options import VerifyOptions
from rustpro.verify.result import StartPoint

if TYPE_CHECKING:
    from rustpro.verify.snapshot import Snapshot

# How long the caller waits for cargo to be launched: the work copy is synced first, which
# on a cold, large project takes longer than is worth holding everything else up for.
LAUNCH_WAIT = 0.5


def verify_root(path: Path) -> Path:
    """The crate or workspace directory verify checks: `path`'s Cargo.toml, else the nearest
    one above it (as cargo finds it)."""
    return find_manifest(path.expanduser()).parent.resolve()


@dataclass(slots=True)
class Opening:
    """A starting point known to exist (the snapshot loaded, the ref resolved), its files
    not read yet."""

    root: Path
    repo: Path | None
    point: StartPoint
    snapshot: Snapshot | None = None


@dataclass(slots=True)
class Begun:
    """A verify under way: the crate, its repository, the starting point, and the cargo
    steps already running (None when none builds)."""

    root: Path
    repo: Path | None
    opening: Opening
    cargo: CargoChecks | None
    started: float  # `time.perf_counter()` when verify began

    def cancel(self) -> None:
        """Stop the cargo steps (verify failed before it used them)."""
        if self.cargo is not None:
            self.cargo.cancel()


def begin(path: Path, options: VerifyOptions) -> Begun:
    """Resolve the crate and the starting point (raising `UsageError` and friends when they
    do not exist) and start the cargo steps."""
    started = time.perf_counter()
    root = verify_root(path)
    repo = repository_root(root)
    opening = open_start(root, repo, options)
    cargo = building_steps(options)
    if cargo is not None:
        cargo.start(root, launch_wait=LAUNCH_WAIT)
    return Begun(root, repo, opening, cargo, started)


def open_start(root: Path, repo: Path | None, options: VerifyOptions) -> Opening:
    """The starting point the options name, known to exist."""
    if options.snapshot is not None:
        if options.since is not None:
            raise UsageError("use --since or --snapshot, not both")
        from rustpro.verify.snapshot import load_snapshot

        snapshot = load_snapshot(options.snapshot)
        point = StartPoint("snapshot", str(options.snapshot), snapshot=str(options.snapshot))
        return Opening(root, repo, point, snapshot)
    if repo is None:
        if options.since is not None:
            raise UsageError(f"--since {options.since}: {root} is not in a git repository")
        raise UsageError(
            f"{root} is not in a git repository: record a starting point with "
            "`rustpro verify --record FILE` and verify with --snapshot FILE"
        )
    ref = options.since or "HEAD"
    commit = resolve_commit(repo, ref)
    point = StartPoint("git", f"{ref} ({commit[:10]})", ref=ref, commit=commit)
    return Opening(root, repo, point)


def building_steps(options: VerifyOptions) -> CargoChecks | None:
    """The cargo steps to start at once: every step that builds, and rustfmt beside them
    (decided once verify knows whether a `.rs` file changed). None when nothing builds:
    then rustfmt alone, if wanted, runs in the audit as before (`run._cargo_checks`)."""
    build = not options.skipped("build")
    clippy = not options.skipped("clippy")
    test = not options.skipped("test")
    if not (build or clippy or test):
        return None
    fmt = not options.skipped("fmt")
    return CargoChecks(options.full, build=build, clippy=clippy, test=test, fmt=fmt)
