"""Running one cargo command: captured output, one deadline over everything, nothing left behind.

Each command starts a session of its own (so also a process group), and its environment
carries a token no other process has. When the command ends, times out or the audit is
stopped, everything it started is killed: its session, its process group, and any process
that carries the token (a test's child that moved to a group or session of its own still
inherits its parent's environment). Reading the output never waits past the deadline: a
child that keeps the output pipe open after the command exited is killed, not waited for.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rustpro.errors import ToolCancelled, ToolError, ToolTimeout

# Phrases cargo and rustup print when a subcommand's component is not installed.
_MISSING_COMPONENT = (
    "no such command",
    "is not installed",
    "not installed for the toolchain",
    "is not available",
)

# The environment variable that marks every process a command starts.
RUN_TOKEN_VAR = "RUSTPRO_RUN_TOKEN"
# How often the reader looks at the clock and at the command's state.
_POLL_SECONDS = 0.1
# After the command exited and its leftovers were killed, how long its output may take to
# end (EOF). Only a process rustpro cannot find still holds the pipe after that.
_DRAIN_SECONDS = 5.0
# How long to wait for a killed command's exit status (SIGKILL cannot be ignored; a process
# stuck in the kernel can still take a moment).
_REAP_SECONDS = 10.0
_KILL_ROUNDS = 5
_PROC = Path("/proc")
# The selector key of the command's exit descriptor (`_exit_descriptor`).
_EXITED = "exited"


@dataclass(frozen=True, slots=True)
class _LiveRun:
    """A running command: its leader's pid (also its session and process group id) and the
    token its processes carry."""

    pid: int
    token: str


class _Registry:
    """The commands still running, and how many times everything was stopped. A command
    started for an audit begun before the last stop is refused: a step thread must not start
    cargo after Ctrl-C killed the others (an audit begun later, in the same process, may)."""

    def __init__(self) -> None:
        # Re-entrant: `stop_all` may run on a thread interrupted while it held the lock.
        self.lock = threading.RLock()
        self.runs: set[_LiveRun] = set()
        self.epoch = 0


_REGISTRY = _Registry()


def current_epoch() -> int:
    """Changes with every `stop_all`; pass it to `run_tool` to refuse commands of an audit
    that has been stopped."""
    return _REGISTRY.epoch


def stop_all() -> None:
    """Kill every running command with everything it started, and refuse to start new ones
    for the audits under way.

    The CLI calls this on Ctrl-C and SIGTERM; it also runs at interpreter exit (full mode
    runs in a background thread that would otherwise leave cargo behind)."""
    with _REGISTRY.lock:
        _REGISTRY.epoch += 1
        runs = list(_REGISTRY.runs)
    for run in runs:
        kill_tree(run.pid, run.token)


atexit.register(stop_all)


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
    epoch: int | None = None,
    cancel: threading.Event | None = None,
) -> ToolRun:
    """Run `args` in `cwd` and wait for it, for `timeout` seconds at most in all.

    Raises `ToolError` when it cannot start, `ToolTimeout` when it runs too long and
    `ToolCancelled` when everything is stopped while it runs, or was stopped since `epoch`
    (`current_epoch()` when the audit began); in every case, and when it ends normally,
    nothing it started is left running. `merge_stderr` interleaves stderr into stdout in
    the order they were written (`cargo test` names each test binary on stderr and prints
    its results on stdout). `cancel`, once set, stops the command as Ctrl-C would, for this
    command only (`ToolCancelled`).
    """
    tool = " ".join([Path(args[0]).name, *args[1:2]])  # "cargo clippy", for messages
    started = time.perf_counter()
    deadline = time.monotonic() + timeout
    # What `secrets.token_hex(16)` returns; that module (hmac, random, base64) cost every
    # `verify` some milliseconds of imports before its cargo could start.
    token = os.urandom(16).hex()
    with _REGISTRY.lock:
        if epoch is None:
            epoch = _REGISTRY.epoch
        if _REGISTRY.epoch != epoch or (cancel is not None and cancel.is_set()):
            raise ToolCancelled(tool)
        process = _start(args, cwd, {**env, RUN_TOKEN_VAR: token}, merge_stderr, tool)
        live = _LiveRun(process.pid, token)
        _REGISTRY.runs.add(live)
    swept = False
    try:
        try:
            stdout, stderr = _collect(process, live, deadline, cancel)
            # `_collect` killed the leftovers when the command exited, until none was left:
            # no process of the command remains that could have started another since.
            swept = True
        except TimeoutError:
            raise ToolTimeout(tool, timeout) from None
        except InterruptedError:
            raise ToolCancelled(tool) from None
        finally:
            # Whatever happened (done, timed out, Ctrl-C): nothing of the command survives.
            if not swept:
                kill_tree(live.pid, live.token)
            _reap(process)
    finally:
        with _REGISTRY.lock:
            _REGISTRY.runs.discard(live)
    if _REGISTRY.epoch != epoch:
        raise ToolCancelled(tool)
    return ToolRun(
        args=tuple(args),
        returncode=process.returncode if process.returncode is not None else -signal.SIGKILL,
        stdout=stdout.decode("utf-8", errors="replace"),
        stderr=stderr.decode("utf-8", errors="replace"),
        seconds=time.perf_counter() - started,
    )


def _start(
    args: Sequence[str], cwd: Path, env: dict[str, str], merge_stderr: bool, tool: str
) -> subprocess.Popen[bytes]:
    try:
        # A session of its own (and so a process group): the terminal's Ctrl-C does not
        # reach it, and everything it starts can be found and killed together.
        return subprocess.Popen(
            list(args),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as err:
        raise ToolError(f"cannot run {args[0]}: {err.strerror or err}", tool) from None


def _collect(
    process: subprocess.Popen[bytes],
    live: _LiveRun,
    deadline: float,
    cancel: threading.Event | None = None,
) -> tuple[bytes, bytes]:
    """The command's stdout and stderr, read until both end, the command has exited and its
    leftovers are gone; raises `TimeoutError` at the deadline and `InterruptedError` once
    `cancel` is set.

    Where the platform has process file descriptors, the command's exit wakes the reader at
    once; elsewhere it is seen at the next poll (`_POLL_SECONDS`)."""
    streams = {"stdout": process.stdout, "stderr": process.stderr}
    chunks: dict[str, list[bytes]] = {"stdout": [], "stderr": []}
    exited_at: float | None = None
    exit_fd = _exit_descriptor(process.pid)
    with contextlib.ExitStack() as cleanup, selectors.DefaultSelector() as selector:
        if exit_fd is not None:
            cleanup.callback(os.close, exit_fd)
            selector.register(exit_fd, selectors.EVENT_READ, _EXITED)
        for name, stream in streams.items():
            if stream is not None:
                selector.register(stream.fileno(), selectors.EVENT_READ, name)
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise TimeoutError
            if cancel is not None and cancel.is_set():
                raise InterruptedError
            if exited_at is None and _has_exited(process):
                exited_at = now
                # The command is done: whatever it left running (a test's child holding
                # stdout, say) is killed now rather than waited for.
                kill_tree(live.pid, live.token)
            if not selector.get_map():
                if exited_at is not None:
                    break
                time.sleep(min(_POLL_SECONDS, deadline - now))
                continue
            if exited_at is not None and now - exited_at > _DRAIN_SECONDS:
                break  # a process outside the command's session and environment holds it
            for key, _ in selector.select(min(_POLL_SECONDS, deadline - now)):
                if key.data == _EXITED:
                    selector.unregister(key.fd)  # the loop's next turn sees the exit
                    continue
                chunk = os.read(key.fd, 65536)
                if chunk:
                    chunks[key.data].append(chunk)
                else:
                    selector.unregister(key.fd)
    return b"".join(chunks["stdout"]), b"".join(chunks["stderr"])


def _exit_descriptor(pid: int) -> int | None:
    """A descriptor that becomes readable when the process `pid` exits (Linux's pidfd), or
    None where there is none. The command is not reaped before its output is read, so its
    pid still names it."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:  # pragma: no cover - not Linux
        return None
    try:
        return int(pidfd_open(pid))
    except OSError:  # an older kernel, or a sandbox that forbids it
        return None


def _has_exited(process: subprocess.Popen[bytes]) -> bool:
    """True once the command's leader has exited. It is not reaped yet where the platform
    allows (`WNOWAIT`), so its pid, session and group id cannot be reused by an unrelated
    process before its leftovers are killed."""
    if process.returncode is not None:
        return True
    waitid = getattr(os, "waitid", None)
    if waitid is None:  # pragma: no cover - not Linux
        return process.poll() is not None
    try:
        state = waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return process.poll() is not None
    return state is not None


def _reap(process: subprocess.Popen[bytes]) -> None:
    """Collect the killed or finished command's exit status and close its pipes."""
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=_REAP_SECONDS)
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def kill_tree(leader: int, token: str) -> None:
    """SIGKILL the session and process group led by `leader` and every process that carries
    `token` in its environment, in rounds, until none is left (a process may fork while the
    previous round is killing its parent)."""
    for _ in range(_KILL_ROUNDS):
        with contextlib.suppress(OSError):
            os.killpg(leader, signal.SIGKILL)
        victims = [pid for pid in _processes_of(leader, token) if pid != os.getpid()]
        for pid in victims:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if not victims:
            return


def _processes_of(leader: int, token: str) -> Iterator[int]:
    """Live (not zombie) processes in `leader`'s session or group, or carrying `token`.
    Empty where there is no /proc: the process group kill is all there is."""
    marker = f"{RUN_TOKEN_VAR}={token}".encode()
    try:
        names = os.listdir(_PROC)
    except OSError:
        return
    for name in names:
        if not name.isdigit():
            continue
        entry = f"{_PROC}/{name}"
        state = _stat(entry)
        if state is None or state[0] == "Z":
            continue
        _, group, session = state
        if leader in (group, session) or _carries(entry, marker):
            yield int(name)


def _read(path: str) -> bytes | None:
    """The contents of a small /proc file, None when it cannot be read. Plain `os` calls:
    a sweep reads two files of every process on the machine."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        chunks = []
        while chunk := os.read(descriptor, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _stat(entry: str) -> tuple[str, int, int] | None:
    """`(state, process group, session)` from /proc/PID/stat, None when it is gone."""
    raw = _read(f"{entry}/stat")
    if raw is None:
        return None
    text = raw.decode("utf-8", errors="replace")
    # The command name (in parentheses) may hold spaces and parentheses: split after it.
    fields = text[text.rfind(")") + 2 :].split()
    try:
        return fields[0], int(fields[2]), int(fields[3])
    except (IndexError, ValueError):
        return None


def _carries(entry: str, marker: bytes) -> bool:
    environ = _read(f"{entry}/environ")  # None: another user's process, or gone
    return environ is not None and marker in environ.split(b"\0")
