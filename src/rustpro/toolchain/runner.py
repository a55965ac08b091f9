"""Running one cargo command: captured output, a timeout, and no stray compiler processes."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rustpro.errors import ToolError, ToolTimeout

# Phrases cargo and rustup print when a subcommand's component is not installed.
_MISSING_COMPONENT = (
    "no such command",
    "is not installed",
    "not installed for the toolchain",
    "is not available",
)


# Process groups still running. Full mode runs in a background thread; when the user presses
# Ctrl-C the main thread exits, and these must not outlive it (they are in their own process
# group, so the terminal's SIGINT never reached them).
_LIVE_GROUPS: set[int] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _kill_live_groups() -> None:
    with _LIVE_LOCK:
        groups = list(_LIVE_GROUPS)
    for group in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What a finished command printed and returned."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def missing_component(self) -> bool:
        """True when cargo could not find the subcommand (clippy or rustfmt not installed)."""
        if self.returncode == 0:
            return False
        text = self.stderr.lower()
        return any(phrase in text for phrase in _MISSING_COMPONENT)

    def last_error_line(self) -> str:
        """The last `error:` line cargo printed, else its last non-empty stderr line."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("error")]
        if errors:
            return errors[-1]
        return lines[-1] if lines else f"exit status {self.returncode}"


def run_tool(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    merge_stderr: bool = False,
    on_line: Callable[[str], None] | None = None,
) -> ToolRun:
    """Run `args` in `cwd` and wait for it; raises `ToolError` when it cannot start and
    `ToolTimeout` (after killing it and everything it spawned) when it runs too long.

    `merge_stderr` interleaves stderr into stdout in the order they were written; `cargo
    test` needs it because the names of test binaries go to stderr and their results to
    stdout. `on_line` (only with `merge_stderr`) sees each output line as it is printed, so
    a caller can act on progress (full mode starts `cargo doc` once `cargo test` has built).
    """
    if on_line is not None and not merge_stderr:
        raise ValueError("on_line needs merge_stderr (one stream to follow)")
    tool = " ".join([Path(args[0]).name, *args[1:2]])  # "cargo clippy", for messages
    started = time.perf_counter()
    try:
        # Its own process group, so a timeout can kill rustc and test binaries too.
        process = subprocess.Popen(
            list(args),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            process_group=0,
        )
    except OSError as err:
        raise ToolError(f"cannot run {args[0]}: {err.strerror or err}", tool) from None
    with _LIVE_LOCK:
        _LIVE_GROUPS.add(process.pid)
    try:
        if on_line is None:
            stdout, stderr = process.communicate(timeout=timeout)
        else:
            stdout, stderr = _follow(process, timeout, on_line), None
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ToolTimeout(tool, timeout) from None
    except BaseException:  # Ctrl-C: leave no cargo running behind the user's back
        _kill_group(process)
        raise
    finally:
        with _LIVE_LOCK:
            _LIVE_GROUPS.discard(process.pid)
    return ToolRun(
        args=tuple(args),
        returncode=process.returncode,
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=(stderr or b"").decode("utf-8", errors="replace"),
        seconds=time.perf_counter() - started,
    )


def _follow(
    process: subprocess.Popen[bytes], timeout: float, on_line: Callable[[str], None]
) -> bytes:
    """The process's (merged) output, read line by line and shown to `on_line` as it comes;
    raises `subprocess.TimeoutExpired` like `communicate`."""
    lines: list[bytes] = []
    stream = process.stdout
    assert stream is not None

    def pump() -> None:
        for line in stream:
            lines.append(line)
            try:
                on_line(line.decode("utf-8", errors="replace"))
            except Exception:  # a watcher's bug must not lose the output
                continue

    reader = threading.Thread(target=pump, name="rustpro-output", daemon=True)
    reader.start()
    process.wait(timeout=timeout)
    reader.join()  # EOF once every process holding the pipe has exited
    return b"".join(lines)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
