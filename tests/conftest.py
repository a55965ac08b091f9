"""Session-wide hooks: the lintcheck diff is printed at the end of the run, not failed on."""

from __future__ import annotations

import pytest

from tests.support import LINTCHECK_DIFF


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Print how this run's lintcheck findings differ from benchmarks/lintcheck/last-run.json."""
    lines = config.stash.get(LINTCHECK_DIFF, None)
    if lines:
        terminalreporter.section("lintcheck: findings differ from last-run.json")
        for line in lines:
            terminalreporter.write_line(line)
