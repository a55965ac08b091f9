"""The subprocess runner: output, timeouts that kill the whole process group, missing tools."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from rustpro.errors import ToolError, ToolTimeout
from rustpro.toolchain.runner import run_tool


def test_output_and_status_are_captured(tmp_path: Path) -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    run = run_tool([sys.executable, "-c", code], cwd=tmp_path, env=os.environ, timeout=30)
    assert (run.returncode, run.stdout.strip(), run.stderr.strip()) == (3, "out", "err")
    assert run.last_error_line() == "err"


def test_merged_streams_keep_their_order(tmp_path: Path) -> None:
    code = (
        "import sys\nfor i in range(3):\n"
        "    print(f'err{i}', file=sys.stderr, flush=True); print(f'out{i}', flush=True)"
    )
    run = run_tool(
        [sys.executable, "-c", code], cwd=tmp_path, env=os.environ, timeout=30, merge_stderr=True
    )
    assert run.stdout.split() == ["err0", "out0", "err1", "out1", "err2", "out2"]


def test_a_watcher_sees_each_line_while_the_command_runs(tmp_path: Path) -> None:
    # The child waits for a file that only the watcher creates: the line must reach the
    # watcher before the command ends.
    go = tmp_path / "go"
    code = (
        "import pathlib, sys, time\nprint('built', file=sys.stderr, flush=True)\n"
        f"while not pathlib.Path({str(go)!r}).exists(): time.sleep(0.01)\nprint('ran')"
    )
    seen: list[str] = []

    def watch(line: str) -> None:
        seen.append(line.strip())
        go.touch()
        raise RuntimeError("a watcher's bug loses nothing")

    run = run_tool(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=os.environ,
        timeout=30,
        merge_stderr=True,
        on_line=watch,
    )
    assert seen == ["built", "ran"]
    assert run.stdout.split() == ["built", "ran"]


def test_a_watched_command_that_times_out_is_killed(tmp_path: Path) -> None:
    code = "import time; print('started', flush=True); time.sleep(60)"
    started = time.perf_counter()
    with pytest.raises(ToolTimeout):
        run_tool(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=os.environ,
            timeout=0.5,
            merge_stderr=True,
            on_line=lambda line: None,
        )
    assert time.perf_counter() - started < 10


def test_timeout_kills_the_children_too(tmp_path: Path) -> None:
    marker = tmp_path / "survived"
    # The child of the child would write the marker if the group were not killed.
    grandchild = f"import time, pathlib; time.sleep(2); pathlib.Path({str(marker)!r}).touch()"
    parent = (
        f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {grandchild!r}]);"
        " time.sleep(60)"
    )
    started = time.perf_counter()
    with pytest.raises(ToolTimeout) as caught:
        run_tool([sys.executable, "-c", parent], cwd=tmp_path, env=os.environ, timeout=0.5)
    assert time.perf_counter() - started < 10
    assert "timed out after" in str(caught.value)
    time.sleep(2.5)
    assert not marker.exists()


def test_a_missing_program_is_a_tool_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError) as caught:
        run_tool(["rustpro-no-such-cargo", "clippy"], cwd=tmp_path, env=os.environ, timeout=5)
    assert caught.value.returncode is None
    assert "cannot run rustpro-no-such-cargo" in str(caught.value)


def test_missing_component_is_recognised(tmp_path: Path) -> None:
    code = "import sys; print('error: no such command: `clippy`', file=sys.stderr); sys.exit(101)"
    run = run_tool([sys.executable, "-c", code], cwd=tmp_path, env=os.environ, timeout=30)
    assert run.missing_component
