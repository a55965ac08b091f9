"""Reading one source file safely: size limit, UTF-8 check, unreadable files."""

from __future__ import annotations

import os
from pathlib import Path

# Generated files (bindings, tables) can be huge; rustc handles them but a reviewer does not.
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024


class SourceSkipped(Exception):
    """The file was not analysed; the message is the one-line reason."""


def read_source(path: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """The file's bytes, or `SourceSkipped` with a one-line reason."""
    try:
        with path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size <= max_bytes:
                data = file.read()
                size = len(data)  # it may have grown since
    except OSError as err:
        raise SourceSkipped(f"cannot read: {err.strerror or err}") from None
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
