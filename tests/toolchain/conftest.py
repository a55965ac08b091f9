"""Fixtures for tests that run real cargo: copies of the fixture crates, so nothing a test
does touches tests/fixtures (the session's build directory and rustpro cache dir,
`cargo_target_dir` and `cargo_cache_dir`, are in tests/conftest.py: the agent's tests share
them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.toolchain.full import FullMode
from rustpro.toolchain.session import FullModeOptions

CARGO_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cargo"

FullAudit = Callable[[str], AuditResult]


@pytest.fixture(scope="session")
def cargo_crates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding a copy of every fixture crate under tests/fixtures/cargo."""
    root = tmp_path_factory.mktemp("cargo-crates")
    for crate in sorted(CARGO_FIXTURES.iterdir()):
        if crate.is_dir():
            shutil.copytree(crate, root / crate.name)
    return root


def full_options(target_dir: Path, **overrides: object) -> FullModeOptions:
    """Full-mode options for tests: the shared target dir, no spinner."""
    return FullModeOptions(target_dir=target_dir, progress=False, **overrides)  # type: ignore[arg-type]


def audit_full(crate: Path, options: FullModeOptions) -> AuditResult:
    """A full-mode audit in this process (no result cache, one worker, fail on notes)."""
    audit_options = AuditOptions(static=False, use_cache=False, workers=1, fail_on="note")
    return run_audit(crate, audit_options, extra=FullMode(options))


@pytest.fixture(scope="session")
def full_audit(cargo_crates: Path, cargo_target_dir: Path) -> FullAudit:
    """The full-mode audit of a fixture crate by name, run once per session."""
    done: dict[str, AuditResult] = {}

    def audit(name: str) -> AuditResult:
        if name not in done:
            done[name] = audit_full(cargo_crates / name, full_options(cargo_target_dir))
        return done[name]

    return audit
