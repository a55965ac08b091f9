"""Progress: a spinner on a terminal, one line per step start and end elsewhere, nothing
with --quiet."""

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


def test_quiet_prints_nothing() -> None:
    for terminal in (True, False):
        console, buffer = _console(terminal)
        lines = io.StringIO()
        with (
            StepProgress(enabled=False, console=console, lines=lines) as progress,
            progress.step("clippy"),
        ):
            pass
        assert (buffer.getvalue(), lines.getvalue()) == ("", "")


def test_elsewhere_each_step_prints_a_line_when_it_starts_and_when_it_ends() -> None:
    console, buffer = _console(terminal=False)
    lines = io.StringIO()
    with StepProgress(enabled=True, console=console, lines=lines) as progress:
        with progress.step("cargo test: running"):
            assert lines.getvalue() == "rustpro: cargo test: running ...\n"
        try:
            with progress.step("cargo doc"):
                raise TimeoutError
        except TimeoutError:
            pass
    shown = lines.getvalue().splitlines()
    assert buffer.getvalue() == ""  # no spinner codes in a log
    assert shown[0] == "rustpro: cargo test: running ..."
    assert shown[1].startswith("rustpro: cargo test: running: done in ")
    assert shown[2:3] == ["rustpro: cargo doc ..."]
    assert shown[3].startswith("rustpro: cargo doc: stopped in ")
