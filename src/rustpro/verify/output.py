"""Writing a file the user asked for (`--output`, `--record`): whole or not at all, through
`rustpro.output.write_atomically`, with verify's usage error (exit 2) when it cannot be."""

from __future__ import annotations

from pathlib import Path

from rustpro.errors import OutputError, UsageError
from rustpro.output import write_atomically as write_whole


def write_atomically(destination: Path, text: str) -> None:
    """Replace `destination` with `text` in one step; `UsageError` when it cannot be written."""
    try:
        write_whole(destination, text)
    except OutputError as err:
        raise UsageError(f"cannot write {err}") from None
