"""The subprocess runner: output, one deadline over everything, nothing left behind (its
session, its process group and whatever carries its token are killed), missing tools."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from rustpro.errors import ToolCancelled, ToolError, ToolTimeout
from rustpro.toolchain import runner
from rustpro.toolchain.runner import run_tool
from tests.toolchain.process_support import alive, wait_until_gone


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


# A parent that starts three children holding its stdout (one in its own process group, one
# in a session of its own, as `setsid` or a daemonising test would), writes their pids, and
# exits at once.
_LEAVES_CHILDREN = """
import os, pathlib, subprocess, sys
children = [
    subprocess.Popen(["sleep", "60"]),
    subprocess.Popen(["sleep", "61"], process_group=0),
    subprocess.Popen(["sleep", "62"], start_new_session=True),
]
pathlib.Path(sys.argv[1]).write_text(" ".join(str(c.pid) for c in children))
print("parent done", flush=True)
"""


def test_children_holding_stdout_do_not_hold_up_the_run_and_are_killed(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    started = time.perf_counter()
    run = run_tool(
        [sys.executable, "-c", _LEAVES_CHILDREN, str(pids)],
        cwd=tmp_path,
        env=os.environ,
        timeout=50,
    )
    assert time.perf_counter() - started < 20  # not the 60 s the children would hold it
    assert (run.returncode, run.stdout.strip()) == (0, "parent done")
    children = [int(pid) for pid in pids.read_text().split()]
    assert wait_until_gone(children) == []


def test_a_timeout_kills_children_in_their_own_session_too(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    hang = _LEAVES_CHILDREN + "import time; time.sleep(60)\n"
    started = time.perf_counter()
    with pytest.raises(ToolTimeout):
        run_tool(
            [sys.executable, "-c", hang, str(pids)],
            cwd=tmp_path,
            env=os.environ,
            timeout=3,
            merge_stderr=True,
        )
    assert time.perf_counter() - started < 20
    assert wait_until_gone([int(pid) for pid in pids.read_text().split()]) == []


def test_stop_all_kills_what_runs_and_refuses_to_start_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "_REGISTRY", runner._Registry())
    pid_file = tmp_path / "pid"
    code = (
        "import os, pathlib, sys, time\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)"
    )
    outcome: list[BaseException] = []

    def run_in_background() -> None:
        try:
            run_tool([sys.executable, "-c", code], cwd=tmp_path, env=os.environ, timeout=50)
        except ToolError as err:
            outcome.append(err)

    worker = threading.Thread(target=run_in_background)
    worker.start()
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    runner.stop_all()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert [type(err) for err in outcome] == [ToolCancelled]
    assert not alive(pid)
    # A command of the audit that was stopped is refused; a later audit may run commands.
    with pytest.raises(ToolCancelled):
        run_tool([sys.executable, "-c", "pass"], cwd=tmp_path, env=os.environ, timeout=5, epoch=0)
    after = run_tool([sys.executable, "-c", "pass"], cwd=tmp_path, env=os.environ, timeout=5)
    assert after.returncode == 0


def test_a_cancel_stops_this_command_only_and_refuses_to_start_it_again(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    code = (
        "import os, pathlib, time\n"
        f"pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)"
    )
    cancel = threading.Event()
    outcome: list[BaseException] = []

    def run_in_background() -> None:
        try:
            run_tool(
                [sys.executable, "-c", code],
                cwd=tmp_path,
                env=os.environ,
                timeout=50,
                cancel=cancel,
            )
        except ToolError as err:
            outcome.append(err)

    worker = threading.Thread(target=run_in_background)
    worker.start()
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    cancel.set()
    worker.join(timeout=20)
    assert not worker.is_alive()
    assert [type(err) for err in outcome] == [ToolCancelled]
    assert wait_until_gone([pid]) == []
    with pytest.raises(ToolCancelled):
        run_tool(
            [sys.executable, "-c", "pass"], cwd=tmp_path, env=os.environ, timeout=5, cancel=cancel
        )
    # Other commands are not affected.
    assert (
        run_tool([sys.executable, "-c", "pass"], cwd=tmp_path, env=os.environ, timeout=5).returncode
        == 0
    )
