"""Session-wide hooks: the lintcheck diff is printed at the end of the run, not failed on,
and so are the costs of the `rustpro new` templates."""

from __future__ import annotations

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
