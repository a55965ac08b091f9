"""Stable fingerprints of findings: the same finding keeps its fingerprint across unrelated edits.

A fingerprint hashes what identifies a finding to a reader, not where it sits: the rule, the
file, the text of the finding's first line with its whitespace normalised, and which occurrence
of that (rule, file, text) triple it is, counted in file order. Lines inserted or deleted
elsewhere in the file, re-indentation and a changed message leave it alone; editing the line
itself, renaming the file, or adding an identical line above it changes it. Project-level
findings (on `Cargo.toml`) are fingerprinted the same way, from their manifest line.

Baselines, the lintcheck labels and SARIF `partialFingerprints` all key findings by this value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from rustpro.model import Finding

FINGERPRINT_LENGTH = 16  # hex characters: 64 bits, ample for the findings of one project

# Reads one audited file by its report path (relative, `/`-separated): its text, or None when it
# cannot be read. A finding whose file is unreadable is fingerprinted with an empty line.
SourceReader = Callable[[str], str | None]


def normalized_line(text: str) -> str:
    """The line with every run of whitespace collapsed to one space and both ends trimmed."""
    return " ".join(text.split())


def fingerprint(rule: str, path: str, line_text: str, occurrence: int) -> str:
    """The fingerprint of the `occurrence`-th (0-based) finding of `rule` in `path` on a line
    whose text is `line_text` (normalised here, so callers may pass the raw line)."""
    material = "\0".join((rule, path, normalized_line(line_text), str(occurrence)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def fingerprint_findings(findings: Sequence[Finding], read_source: SourceReader) -> list[str]:
    """One fingerprint per finding, in the order given.

    Occurrences are counted in file order (line, then column), whatever order the findings
    come in, so the result does not depend on how a report sorted them.
    """
    lines = _LineReader(read_source)
    texts = [normalized_line(lines.line(f.path, f.line)) for f in findings]
    order = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    seen: dict[tuple[str, str, str], int] = {}
    result = [""] * len(findings)
    for index in order:
        finding = findings[index]
        triple = (finding.rule, finding.path, texts[index])
        occurrence = seen.get(triple, 0)
        seen[triple] = occurrence + 1
        result[index] = fingerprint(finding.rule, finding.path, texts[index], occurrence)
    return result


def source_reader(root: Path) -> SourceReader:
    """A reader of files under `root` (the audited directory); paths leaving it read as None."""
    base = root.resolve()

    def read(relpath: str) -> str | None:
        path = (base / relpath).resolve()
        if not path.is_relative_to(base):
            return None
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    return read


def _position(finding: Finding) -> tuple[int, int, int, int, str]:
    # The message breaks ties only between findings at the very same span, for determinism.
    return (finding.line, finding.column, finding.end_line, finding.end_column, finding.message)


class _LineReader:
    """Each file's lines, read once however many findings it has."""

    def __init__(self, read_source: SourceReader) -> None:
        self._read = read_source
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str:
        """Line `number` (1-based) of `path`, or "" when the file or the line does not exist."""
        if path not in self._lines:
            text = self._read(path)
            # Only "\n" ends a line, as in tree-sitter's rows (str.splitlines would also split
            # at form feeds and the like, shifting every line after them).
            self._lines[path] = text.split("\n") if text is not None else []
        lines = self._lines[path]
        return lines[number - 1] if 1 <= number <= len(lines) else ""
