"""Session-wide hooks and fixtures: the lintcheck diff and the costs of the `rustpro new`
templates are printed at the end of the run, not failed on; every test that runs real cargo
shares one build directory and one rustpro cache dir (where full mode keeps its copies of the
audited trees), so after the first build of a fixture crate the others are warm."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import LINTCHECK_DIFF, TEMPLATE_REPORTS


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print how this run's lintcheck findings differ from benchmarks/lintcheck/last-run.json,
    and what each `rustpro new` kind cost in the template tests."""
    lines = config.stash.get(LINTCHECK_DIFF, None)
    if lines:
        terminalreporter.section("lintcheck: findings differ from last-run.json")
        for line in lines:
            terminalreporter.write_line(line)
    templates = config.stash.get(TEMPLATE_REPORTS, None)
    if templates:
        terminalreporter.section("rustpro new: templates (seconds per step)")
        steps = ("build", "test", "clippy", "fmt", "rebuild", "audit")
        terminalreporter.write_line(
            f"{'kind':<10}" + "".join(f"{step:>9}" for step in steps) + f"{'tests':>7}  audit"
        )
        for report in templates:
            times = "".join(f"{report.seconds.get(step, 0.0):>9.1f}" for step in steps)
            terminalreporter.write_line(
                f"{report.kind:<10}{times}{report.tests:>7}  {report.audit}"
            )


@pytest.fixture(scope="session")
def cargo_target_dir(tmp_path_factory: pytest.TempPathFactory, cargo_cache_dir: Path) -> Path:
    """The CARGO_TARGET_DIR every cargo run of the session shares (warm after the first)."""
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    return tmp_path_factory.mktemp("cargo-target")


@pytest.fixture(scope="session")
def cargo_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """RUSTPRO_CACHE_DIR for the session's full-mode audits (their work copies stay warm
    across tests, and the user's cache dir is left alone); a test may still point it
    elsewhere with monkeypatch."""
    cache = tmp_path_factory.mktemp("rustpro-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RUSTPRO_CACHE_DIR", str(cache))
        yield cache
