"""Snapshot files: a starting point for trees without git, or for an agent that starts from a
dirty tree (`rustpro verify --record FILE`, then `--snapshot FILE`).

A snapshot keeps what verify compares, never the sources themselves: each source file's git
blob id, rustpro's findings (warning and above) and clippy's findings by fingerprint, the test
inventory, and the number of tests the tree declares. See docs/verify.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro import __version__
from rustpro.errors import UsageError
from rustpro.verify.records import FindingRecord, records_from_json

SNAPSHOT_FORMAT = "rustpro-verify-snapshot"
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A recorded starting point."""

    root: str
    files: dict[str, str]  # relpath -> git blob id
    rustpro: list[FindingRecord]
    # None when cargo could not build the tree at record time (clippy's findings unknown).
    clippy: list[FindingRecord] | None
    # `weakening.TestInventory.to_json()`, or None when no inventory was available.
    tests: Any
    declared_tests: int

    def to_json(self) -> dict[str, Any]:
        """The file's JSON object."""
        return {
            "format": SNAPSHOT_FORMAT,
            "version": SNAPSHOT_VERSION,
            "tool_version": __version__,
            "root": self.root,
            "files": dict(sorted(self.files.items())),
            "rustpro": [r.to_json() for r in self.rustpro],
            "clippy": None if self.clippy is None else [r.to_json() for r in self.clippy],
            "tests": self.tests,
            "declared_tests": self.declared_tests,
        }


def load_snapshot(path: Path) -> Snapshot:
    """The snapshot in `path`; raises `UsageError` (one line) when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UsageError(f"cannot read snapshot {path}: {err.strerror or err}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise UsageError(f"{path} is not a verify snapshot (not JSON: {err})") from None
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT:
        raise UsageError(f"{path} is not a verify snapshot (write one with --record)")
    if data.get("version") != SNAPSHOT_VERSION:
        raise UsageError(
            f"{path} is a verify snapshot of version {data.get('version')!r}; this rustpro "
            f"reads version {SNAPSHOT_VERSION}: record it again"
        )
    try:
        files = data["files"]
        if not isinstance(files, dict):
            raise ValueError("files is not an object")
        clippy = data.get("clippy")
        return Snapshot(
            root=str(data.get("root", "")),
            files={str(k): str(v) for k, v in files.items()},
            rustpro=records_from_json(data["rustpro"]),
            clippy=None if clippy is None else records_from_json(clippy),
            tests=data.get("tests"),
            declared_tests=int(data.get("declared_tests", 0)),
        )
    except (KeyError, ValueError, TypeError) as err:
        raise UsageError(f"{path} is a damaged verify snapshot ({err})") from None
