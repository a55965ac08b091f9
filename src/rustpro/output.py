"""Writing a file the user asked for (`--output FILE`) atomically: the whole new content or the
old file, never half a report, and no temporary file left behind.

The text goes to a temporary file in the target's own directory (a rename is atomic only
within one file system), is flushed to disk (`fsync`), and then renamed over the target
(`os.replace`). A symlink is written through: the link stays, its target is replaced. A
target that is not a regular file (`/dev/stdout`, `/dev/null`, a named pipe) is written to
directly, as `>` would: renaming a file over a device would replace the device.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from rustpro.errors import OutputError


def check_target(path: Path) -> Path:
    """The file `path` names, resolved, when it can be written; else `OutputError`.

    Checked before an audit runs, so that a typo in `--output` costs no audit, and again
    when writing. The target must not be a directory or a read-only file, and its directory
    must exist: rustpro creates no directories. A device or a pipe is returned as named.
    """
    try:
        status: os.stat_result | None = os.stat(path)  # through symlinks, as `>` goes
    except (FileNotFoundError, NotADirectoryError):
        status = None  # a new file (or a dangling link): its directory decides
    except OSError as err:
        raise OutputError(f"cannot write: {err.strerror or err}", path) from None
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            raise OutputError("cannot write: it is a directory", path)
        if not stat.S_ISREG(status.st_mode):
            return path  # `/dev/stdout`: the pipe it leads to
        writable = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
        if not status.st_mode & writable or not os.access(path, os.W_OK):
            # A rename would replace a read-only file without asking: refuse, as `>` would.
            raise OutputError("cannot write: the file is read-only", path)
    target = Path(os.path.realpath(path))
    if not target.parent.exists():
        raise OutputError(f"cannot write: the directory {target.parent} does not exist", path)
    if not target.parent.is_dir():
        raise OutputError(f"cannot write: {target.parent} is not a directory", path)
    return target


def write_atomically(path: Path, text: str) -> None:
    """Replace the file at `path` with `text` (UTF-8) in one step; `OutputError` when it
    cannot be written, with no temporary file left behind."""
    target = check_target(path)
    data = text.encode("utf-8")
    if _is_special(target):
        _write_directly(target, data)
        return
    try:
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as err:
        raise OutputError(f"cannot write: {err.strerror or err}", path) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), _mode_for(target))
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException as err:  # Ctrl-C and SIGTERM too: never leave the temporary file
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(err, OSError):
            raise OutputError(f"cannot write: {err.strerror or err}", path) from None
        raise
    _sync_directory(target.parent)


def _is_special(target: Path) -> bool:
    """Whether the target exists and is not a regular file (a device, a pipe, a socket)."""
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except OSError:
        return False


def _write_directly(target: Path, data: bytes) -> None:
    try:
        with open(target, "wb") as handle:
            handle.write(data)
    except OSError as err:
        raise OutputError(f"cannot write: {err.strerror or err}", target) from None


def _mode_for(target: Path) -> int:
    """The permissions the file would get from a plain `open`: the old file's, else 0o666
    less the umask (`mkstemp` creates 0o600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; best effort (some file systems refuse)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
