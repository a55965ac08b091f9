"""Writing a file the user asked for (`--output`, `--record`): whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rustpro.errors import UsageError


def write_atomically(destination: Path, text: str) -> None:
    """Write `text` to a temporary file beside `destination`, then rename it into place, so a
    reader never sees half a file; raises `UsageError` when it cannot be written."""
    directory = destination.parent if str(destination.parent) else Path(".")
    try:
        descriptor, temp = tempfile.mkstemp(dir=directory, prefix=f".{destination.name}.")
    except OSError as err:
        raise UsageError(f"cannot write {destination}: {err.strerror or err}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, destination)
    except OSError as err:
        Path(temp).unlink(missing_ok=True)
        raise UsageError(f"cannot write {destination}: {err.strerror or err}") from None
