"""Helpers for tests of the command line: run it in-process or as a real process, and
snapshot a directory tree to prove an audit wrote nothing inside it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rustpro.cli import main

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliRun:
    """What one `rustpro` invocation produced."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point rustpro's result cache at a fresh temporary directory for one test."""
    cache = tmp_path_factory.mktemp("rustpro-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RUSTPRO_CACHE_DIR", str(cache))
        yield cache


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> CliRun:
    """Run `rustpro ARGS` in this process (fast; lets a test monkeypatch the engine)."""
    capsys.readouterr()  # drop anything printed before
    try:
        main(args)
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    else:  # pragma: no cover - main always exits
        code = 0
    out, err = capsys.readouterr()
    return CliRun(code, out, err)


def run_cli_process(
    args: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> CliRun:
    """Run `python -m rustpro ARGS` as a real process (real stderr, real exit status)."""
    merged = {**os.environ, **(env or {})}
    merged.setdefault("NO_COLOR", "1")
    done = subprocess.run(
        [sys.executable, "-m", "rustpro", *args],
        cwd=cwd,
        env=merged,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry under `root` (not following symlinks) with its mtime and size."""
    state: dict[str, tuple[int, int]] = {}
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        for name in (*dirnames, *filenames):
            path = Path(directory) / name
            info = path.lstat()
            state[path.relative_to(root).as_posix()] = (info.st_mtime_ns, info.st_size)
    return state


def assert_one_line_error(run: CliRun) -> None:
    """stderr holds no traceback, and every line of it is a one-line `rustpro:` message."""
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert lines, "expected a message on stderr"
    for line in lines:
        assert line.startswith("rustpro: "), f"not a one-line rustpro message: {line!r}"
