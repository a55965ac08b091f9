"""The commands end the process without tearing the interpreter down (`rustpro._entry`), and
what anyone can see of the exit is what the interpreter's own exit does."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

COMMANDS = {
    "a status": "sys.stdout.write('no newline'); sys.exit(3)",
    "success": "print('done'); sys.exit(0)",
    "no status": "sys.stdout.write('x' * 100_000); sys.exit()",
    "a message": "sys.exit('rustpro: a message')",
    "a thread still working": (
        "threading.Thread(target=lambda: (time.sleep(0.2), print('late'))).start(); sys.exit(4)"
    ),
}


def _run(body: str, *, ended: bool, tmp_path: Path) -> tuple[int, str, str]:
    script = textwrap.dedent(
        f"""
        import atexit, sys, threading, time
        from rustpro._entry import _ended

        def command():
            atexit.register(lambda: sys.stderr.write('atexit ran\\n'))
            {body}

        _ended(command) if {ended} else command()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("body", COMMANDS.values(), ids=COMMANDS.keys())
def test_ending_early_is_the_interpreter_s_exit(tmp_path: Path, body: str) -> None:
    ended = _run(body, ended=True, tmp_path=tmp_path)
    assert ended == _run(body, ended=False, tmp_path=tmp_path)
    assert "atexit ran" in ended[2]


@pytest.mark.parametrize("watch", ["sys.setprofile", "sys.settrace"])
def test_a_profiler_or_tracer_sees_the_interpreter_exit(watch: str, tmp_path: Path) -> None:
    # `python -m cProfile -m rustpro ...` prints its statistics after the command returns:
    # ending the process early would lose them (and a debugger's or coverage's exit).
    script = textwrap.dedent(
        f"""
        import sys
        from rustpro._entry import _ended

        {watch}(lambda *args: None)
        try:
            _ended(lambda: sys.exit(5))
        except SystemExit as done:
            {watch}(None)
            print('the interpreter exits', done.code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert (done.returncode, done.stdout) == (0, "the interpreter exits 5\n")
