"""The spinner shows the step on a terminal and stays silent otherwise."""

from __future__ import annotations

import io

from rich.console import Console

from rustpro.toolchain.progress import StepProgress


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=80), buffer


def test_a_terminal_sees_the_step_and_its_elapsed_time() -> None:
    console, buffer = _console(terminal=True)
    with StepProgress(enabled=True, console=console) as progress, progress.step("cargo test"):
        console.file.flush()
    shown = buffer.getvalue()
    assert "cargo test" in shown
    assert "0:00:0" in shown


def test_quiet_or_not_a_terminal_prints_nothing() -> None:
    for enabled, terminal in ((False, True), (True, False)):
        console, buffer = _console(terminal)
        with StepProgress(enabled=enabled, console=console) as progress, progress.step("clippy"):
            pass
        assert buffer.getvalue() == ""
