"""Baseline files: the findings a team has accepted, so that only new ones are reported.

    {
      "version": 1,
      "tool": {"name": "rustpro", "version": "0.1.0"},
      "fingerprint": 2,
      "entries": [
        {"path": "src/lib.rs", "rule": "unwrap-in-production",
         "fingerprint": "4ade4df547c3ec73", "message": "..."},
        ...
      ]
    }

In the file each entry is one line, and entries are sorted by (path, rule, fingerprint), so a
review diff shows exactly the entries that came and went. An entry is known by its
fingerprint (`rustpro.fingerprint`, whose algorithm version is `fingerprint`); `path`, `rule`
and `message` are for people (the message is the one the finding had when the entry was
written, kept as it was while the entry stays). `group` is added for a finding of a rule's
opt-in tier (`pedantic`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro import __version__
from rustpro.errors import BaselineError, OutputError
from rustpro.fingerprint import FINGERPRINT_LENGTH, FINGERPRINT_VERSION
from rustpro.model import Finding
from rustpro.output import write_atomically

BASELINE_VERSION = 1
_FINGERPRINT = re.compile(rf"^[0-9a-f]{{{FINGERPRINT_LENGTH}}}$")


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding."""

    path: str
    rule: str
    fingerprint: str
    message: str
    group: str = ""

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Entries are stored sorted by path, rule and fingerprint."""
        return (self.path, self.rule, self.fingerprint)

    def to_json(self) -> str:
        """The entry's line in the file (without the separating comma)."""
        data = {"path": self.path, "rule": self.rule, "fingerprint": self.fingerprint}
        if self.group:
            data["group"] = self.group
        data["message"] = self.message
        return json.dumps(data, ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Baseline:
    """The entries of a baseline file, by fingerprint."""

    entries: dict[str, BaselineEntry]

    @classmethod
    def of(cls, entries: Iterable[BaselineEntry]) -> Baseline:
        """A baseline holding `entries`."""
        return cls({entry.fingerprint: entry for entry in entries})

    def __contains__(self, fingerprint: object) -> bool:
        return fingerprint in self.entries


def entries_of(findings: Sequence[Finding], prints: Sequence[str]) -> list[BaselineEntry]:
    """An entry for each finding, given the findings' fingerprints."""
    return [
        BaselineEntry(f.path, f.rule, p, f.message, f.group)
        for f, p in zip(findings, prints, strict=True)
    ]


def load_baseline(path: Path, *, for_rewrite: bool = False) -> Baseline | None:
    """The baseline in `path`; `BaselineError` when it is missing or is not one.

    `for_rewrite`: the file is about to be written again: a missing file, or a baseline of
    another fingerprint version (its entries would match nothing), is None.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if for_rewrite:
            return None
        raise BaselineError(
            f"no such file (write one with `rustpro audit --write-baseline {path}`)", path
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise BaselineError(f"cannot read: {reason}", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise BaselineError(f"not JSON (line {err.lineno}: {err.msg})", path) from None
    stale = isinstance(data, dict) and data.get("fingerprint") != FINGERPRINT_VERSION
    if for_rewrite and stale and data.get("version") == BASELINE_VERSION:
        return None
    return Baseline.of(_entries(data, path))


def _entries(data: Any, path: Path) -> list[BaselineEntry]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise BaselineError("not a rustpro baseline (no `entries` list)", path)
    if data.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"baseline format version {data.get('version')!r}, this rustpro reads "
            f"{BASELINE_VERSION}",
            path,
        )
    if data.get("fingerprint") != FINGERPRINT_VERSION:
        raise BaselineError(
            f"written with fingerprint version {data.get('fingerprint')!r}, this rustpro "
            f"computes version {FINGERPRINT_VERSION}: write it again with --write-baseline",
            path,
        )
    entries = []
    for number, raw in enumerate(data["entries"], start=1):
        entry = _entry(raw)
        if entry is None:
            raise BaselineError(
                f"entry {number} is not an object with text `path`, `rule`, `message` and a "
                f"{FINGERPRINT_LENGTH}-hex-digit `fingerprint`",
                path,
            )
        entries.append(entry)
    return entries


def _entry(raw: Any) -> BaselineEntry | None:
    if not isinstance(raw, dict):
        return None
    fields = [raw.get(key) for key in ("path", "rule", "fingerprint", "message")]
    group = raw.get("group", "")
    if not all(isinstance(value, str) for value in (*fields, group)):
        return None
    path, rule, fingerprint, message = (str(value) for value in fields)
    if not _FINGERPRINT.match(fingerprint):
        return None
    return BaselineEntry(path, rule, fingerprint, message, str(group))


def render_baseline(entries: Iterable[BaselineEntry], previous: Baseline | None = None) -> str:
    """The file's text: `entries` sorted, one a line. An entry `previous` holds already is
    written as it was there, so a rewrite changes only the lines of entries that came or went."""
    kept = previous.entries if previous is not None else {}
    unique = {entry.fingerprint: kept.get(entry.fingerprint, entry) for entry in entries}
    ordered = sorted(unique.values(), key=lambda entry: entry.sort_key)
    lines = [entry.to_json() for entry in ordered]
    body = ",\n".join(f"    {line}" for line in lines)
    tool = json.dumps({"name": "rustpro", "version": __version__})
    head = (
        f'{{\n  "version": {BASELINE_VERSION},\n  "tool": {tool},\n'
        f'  "fingerprint": {FINGERPRINT_VERSION},\n  "entries": ['
    )
    return f"{head}\n{body}\n  ]\n}}\n" if lines else f"{head}]\n}}\n"


def write_baseline(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (`rustpro.output.write_atomically`): a reader never
    sees half a baseline and a failed write leaves the old one."""
    try:
        write_atomically(path, text)
    except OutputError as err:
        raise BaselineError(str(err).removeprefix(f"{path}: "), path) from None
