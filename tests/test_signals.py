"""Stopping rustpro (issue 11, item 4): SIGTERM and Ctrl-C stop the worker processes too, and
the exit status says why (143 for SIGTERM, 130 for Ctrl-C) with one line on stderr.

Each case runs rustpro as a real process in a session of its own, on a crate big enough that
the file pass runs in a pool of workers; the signal is sent once the workers exist, and
afterwards no process of the session may be left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import make_crate

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)"
)

# Big enough that both the audit (512 KiB) and the profile (1 MiB) start workers, and that
# they are still busy when the signal comes.
_MODULES = 48
_FUNCTIONS_PER_MODULE = 320


def _module(index: int) -> str:
    functions = "".join(
        f"pub fn f{index}_{n}(input: Option<&str>, m: &std::sync::Mutex<u32>) -> u32 {{\n"
        f"    let text = input.unwrap();\n"
        f"    let guard = m.lock().unwrap();\n"
        f"    text.len() as u32 + *guard + {n}\n"
        f"}}\n\n"
        for n in range(_FUNCTIONS_PER_MODULE)
    )
    return f"//! Module {index}.\n\n{functions}"


@pytest.fixture(scope="module")
def big_crate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("signals") / "big"
    files = {f"src/m{i}.rs": _module(i) for i in range(_MODULES)}
    files["src/lib.rs"] = "//! Many modules.\n\n" + "".join(
        f"pub mod m{i};\n" for i in range(_MODULES)
    )
    return make_crate(root, files)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (pid and comm dropped)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[1] == str(pid) and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _session_members(session: int) -> list[int]:
    """Live processes (not zombies) of session `session`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and fields[3] == str(session) and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; whatever is left of their sessions is killed afterwards."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        for pid in _session_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


def _start(args: list[str], cache: Path, started: list[subprocess.Popen[str]]) -> int:
    env = {**os.environ, "RUSTPRO_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rustpro", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session and process group, like a shell job
    )
    started.append(process)
    return process.pid


def _wait_for_workers(pid: int, process: subprocess.Popen[str]) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(pid)
        if len(workers) >= 2:
            time.sleep(0.2)  # let them take work
            return workers
        if process.poll() is not None:
            break
        time.sleep(0.02)
    _, err = process.communicate()
    raise AssertionError(f"no workers started (exit {process.returncode}): {err[-2000:]}")


@pytest.mark.parametrize(
    ("command", "signum", "whole_group", "code", "message"),
    [
        # `kill PID`: the parent alone is told; its workers must not outlive it.
        (["audit", "--static", "--no-cache"], signal.SIGTERM, False, 143, "stopped by SIGTERM"),
        # Ctrl-C in a terminal: the whole foreground group gets SIGINT.
        (["audit", "--static", "--no-cache"], signal.SIGINT, True, 130, "interrupted"),
        (["profile"], signal.SIGTERM, False, 143, "stopped by SIGTERM"),
        (["profile"], signal.SIGINT, True, 130, "interrupted"),
    ],
    ids=["audit-sigterm", "audit-ctrl-c", "profile-sigterm", "profile-ctrl-c"],
)
def test_signal_stops_workers_and_exits_with_its_status(
    big_crate: Path,
    tmp_path: Path,
    started: list[subprocess.Popen[str]],
    command: list[str],
    signum: signal.Signals,
    whole_group: bool,
    code: int,
    message: str,
) -> None:
    pid = _start([*command, "-j", "2", str(big_crate)], tmp_path / "cache", started)
    process = started[-1]
    workers = _wait_for_workers(pid, process)
    if whole_group:
        os.killpg(pid, signum)
    else:
        os.kill(pid, signum)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError("rustpro did not stop within 30 s of the signal") from None
    assert process.returncode == code, err[-2000:]
    assert err.strip().splitlines()[-1] == f"rustpro: {message}", err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    deadline = time.monotonic() + 5  # killed workers may take a moment to go
    while _session_members(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_members(pid) == [], f"left running after exit: {workers}"


# A process that starts a pool whose worker stops halfway through sending its result (a
# message's length, then only part of it), stops the pool as a signal does, and exits.
_HALF_SENT_RESULT = """
import os, struct, sys, time
from rustpro.stopping import start_pool, stop_workers

def half_sent() -> None:
    # The worker's loop (concurrent.futures' `_process_worker`) holds the results queue.
    queue = sys._getframe(1).f_locals["result_queue"]
    os.write(queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
    time.sleep(60)

if __name__ == "__main__":
    pool = start_pool(2)
    pool.submit(half_sent)
    time.sleep(1)  # the message is begun, and the executor's thread waits for its rest
    stop_workers(pool)
    print("stopped", flush=True)
    sys.exit(143)
"""


def test_a_worker_stopped_while_sending_its_result_does_not_hang_the_exit(
    tmp_path: Path,
) -> None:
    """A worker ended halfway through sending a result left the executor's manager thread
    reading the rest for ever, and the interpreter's exit waited for that thread: SIGTERM
    during a profile sometimes left rustpro running (`stopping._results_unblocked`)."""
    script = tmp_path / "half_sent.py"
    script.write_text(_HALF_SENT_RESULT, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in _session_members(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.communicate()
        raise AssertionError("the process did not end after its pool was stopped") from None
    assert (process.returncode, out) == (143, "stopped\n"), err[-2000:]
    assert _session_members(process.pid) == []
