"""A pinned set of real crates from crates.io, fetched by cargo into a cache outside the repo.

The real-world test and the benchmark both audit these. Cargo does the downloading: a
throwaway Cargo project under the user cache dir depends on each crate at an exact version,
`cargo fetch` fills cargo's registry cache, and `cargo metadata` tells where each crate's
sources landed. Nothing is built and nothing of the crates is executed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import platformdirs

# name -> exact version. Chosen for variety: a small error crate, a derive-macro front end,
# a tiny numeric crate, a big parser, and a widely used library with unsafe code and macros.
PINNED_CRATES: dict[str, str] = {
    "anyhow": "1.0.86",
    "thiserror": "1.0.63",
    "itoa": "1.0.11",
    "regex-syntax": "0.8.4",
    "serde_json": "1.0.120",
}

FETCH_TIMEOUT_SECONDS = 300


class CratesUnavailable(Exception):
    """The pinned crates cannot be had (no cargo, crates.io unreachable); the message says why."""


@dataclass(frozen=True, slots=True)
class RealCrate:
    """One downloaded crate: its name, exact version and source directory (holds Cargo.toml)."""

    name: str
    version: str
    root: Path


def cache_dir() -> Path:
    """`$RUSTPRO_REALCRATES_DIR`, else `<user cache>/rustpro/realcrates` (never inside the repo)."""
    override = os.environ.get("RUSTPRO_REALCRATES_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("rustpro")) / "realcrates"


def _write_project(project: Path, crates: dict[str, str]) -> None:
    project.mkdir(parents=True, exist_ok=True)
    deps = "\n".join(f'{name} = "={version}"' for name, version in sorted(crates.items()))
    manifest = (
        "[package]\n"
        'name = "rustpro-realcrates"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "[workspace]\n\n"  # stand alone even if the cache dir sits under some workspace
        f"[dependencies]\n{deps}\n"
    )
    manifest_path = project / "Cargo.toml"
    if not manifest_path.is_file() or manifest_path.read_text() != manifest:
        manifest_path.write_text(manifest)
        (project / "Cargo.lock").unlink(missing_ok=True)
    (project / "src").mkdir(exist_ok=True)
    lib = project / "src" / "lib.rs"
    if not lib.is_file():
        lib.write_text("//! Holds the pinned dependencies; never built.\n")


def _cargo(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cargo = shutil.which("cargo")
    if cargo is None:
        raise CratesUnavailable("cargo is not installed, so the pinned crates cannot be fetched")
    try:
        return subprocess.run(
            [cargo, *args, "--manifest-path", str(project / "Cargo.toml")],
            capture_output=True,
            text=True,
            timeout=FETCH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CratesUnavailable(
            f"`cargo {args[0]}` took over {FETCH_TIMEOUT_SECONDS} s (is crates.io reachable?)"
        ) from None


def _locate(metadata_json: str, crates: dict[str, str]) -> list[RealCrate] | None:
    packages = json.loads(metadata_json).get("packages", [])
    found: dict[str, RealCrate] = {}
    for package in packages:
        name, version = package.get("name"), package.get("version")
        if crates.get(name) == version:
            root = Path(package["manifest_path"]).parent
            if (root / "Cargo.toml").is_file():
                found[name] = RealCrate(name, version, root)
    if set(found) != set(crates):
        return None
    return [found[name] for name in crates]


def fetch_pinned_crates(crates: dict[str, str] | None = None) -> list[RealCrate]:
    """Download (once) and locate the pinned crates; raises `CratesUnavailable` with a reason."""
    wanted = dict(crates or PINNED_CRATES)
    project = cache_dir() / "project"
    _write_project(project, wanted)
    # Already fetched: cargo answers from its local caches without touching the network.
    offline = _cargo(project, "metadata", "--format-version", "1", "--offline")
    if offline.returncode == 0:
        located = _locate(offline.stdout, wanted)
        if located is not None:
            return located
    fetched = _cargo(project, "fetch")
    if fetched.returncode != 0:
        reason = (fetched.stderr.strip().splitlines() or ["no output"])[-1]
        raise CratesUnavailable(f"`cargo fetch` failed (crates.io unreachable?): {reason}")
    online = _cargo(project, "metadata", "--format-version", "1")
    if online.returncode != 0:
        reason = (online.stderr.strip().splitlines() or ["no output"])[-1]
        raise CratesUnavailable(f"`cargo metadata` failed: {reason}")
    located = _locate(online.stdout, wanted)
    if located is None:
        raise CratesUnavailable("cargo fetched, but some pinned crates' sources are missing")
    return located


def rust_files(crate: RealCrate) -> list[Path]:
    """The crate's `.rs` files (what the benchmark's raw-parse baseline parses)."""
    return sorted(
        path
        for path in crate.root.rglob("*.rs")
        if not any(
            part.startswith(".") or part == "target" for part in path.relative_to(crate.root).parts
        )
    )
