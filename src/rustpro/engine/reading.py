"""Reading one source file safely: size limit, UTF-8 check, unreadable files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Generated files (bindings, tables) can be huge; rustc handles them but a reviewer does not.
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024


class SourceSkipped(Exception):
    """The file was not analysed; the message is the one-line reason."""


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or `SourceSkipped` with a one-line reason.

    Only regular files are read. The open never blocks (a FIFO would wait for a writer) and
    the size limit holds for the bytes actually read, not only for what `fstat` claims (a
    device reports size 0 and never ends).
    """
    try:
        descriptor = _open_source(path)
    except OSError as err:
        raise SourceSkipped(f"cannot read: {err.strerror or err}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise SourceSkipped(f"skipped: not a regular file ({_file_kind(status.st_mode)})")
        size = status.st_size
        if size <= max_bytes:
            data = _read_at_most(descriptor, max_bytes + 1, size + 1)
            size = len(data)  # it may have grown since
    except OSError as err:
        raise SourceSkipped(f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(descriptor)
    if size > max_bytes:
        raise SourceSkipped(
            f"skipped: {size / 1_048_576:.1f} MiB is over the {max_bytes / 1_048_576:.0f} MiB "
            "limit (generated code?)"
        )
    # ASCII is valid UTF-8: most files need no decoding to be checked.
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise SourceSkipped(
                f"not valid UTF-8 (byte {err.start}); rustc rejects it too"
            ) from None
    return data


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_source(path: Path) -> int:
    """A read-only descriptor of `path`, opened without blocking on FIFOs or devices."""
    return os.open(path, _OPEN_FLAGS)


def _read_at_most(descriptor: int, limit: int, first: int = 1 << 20) -> bytes:
    """Up to `limit` bytes, to the end of the file; `first`: how many to ask for at first.

    The file pass asks first for one byte more than `fstat` says the file holds, so a small
    file costs a small buffer (not a megabyte, for each of hundreds of files) and the read
    after it finds the end; a file that grew meanwhile is read on, by the megabyte.
    """
    chunks: list[bytes] = []
    remaining = limit
    wanted = first
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, wanted))
        wanted = 1 << 20
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a file"
