"""The process table, for tests that prove nothing is left running: a process counts as
alive unless it is gone or a zombie (a killed process whose parent has not collected it;
in a container, PID 1 may never collect orphans)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def wait_until_gone(pids: Iterable[int], seconds: float = 10.0) -> list[int]:
    """The pids still alive after waiting up to `seconds` for them to go."""
    left = list(pids)
    deadline = time.monotonic() + seconds
    while left and time.monotonic() < deadline:
        left = [pid for pid in left if alive(pid)]
        if left:
            time.sleep(0.1)
    return [pid for pid in left if alive(pid)]


def carrying(marker: str) -> list[int]:
    """Live processes whose environment holds the line `marker` (`NAME=value`)."""
    wanted = marker.encode()
    found: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environ.split(b"\0") and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def in_session(session: int) -> list[int]:
    """Live processes of `session` (or of the process group with that id)."""
    found: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if fields[0] != "Z" and session in (int(fields[2]), int(fields[3])):
            found.append(int(entry.name))
    return found
