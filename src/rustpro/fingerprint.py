"""Stable fingerprints of findings: the same finding keeps its fingerprint across unrelated edits.

A fingerprint (version 2) hashes what identifies a finding to a reader, never its line:

- the rule and the file;
- the path of the item around it (`impl Ledger::fn apply`, `mod net::fn connect`,
  `trait Store::fn get`; "" outside every item), found by parsing the file with tree-sitter;
  for a manifest (`Cargo.toml`), the table the line is in (`package`, `dependencies`);
- the code it flags: the smallest expression holding its span when that lies on the span's
  lines (`raw.parse().unwrap()` for a span on `unwrap()`, `panic!(..)` for one on `panic`),
  else the span's text (all its lines), or the line for a zero-width span; with all
  whitespace removed and commas before a closing bracket dropped, so reformatting it
  changes nothing;
- its ordinal among findings of the same rule with the same code in the same item, counted in
  file order.

So lines inserted or deleted above it, reformatting (of it or of other functions), renaming
other items and moving its function within the file leave it alone; editing the flagged code,
renaming an enclosing item, renaming the file, or adding identical code above it in the same
item changes it. Baselines, the lintcheck labels, SARIF `partialFingerprints` and GitLab's
`fingerprint` all key findings by this value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate, count
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from rustpro.model import Finding

if TYPE_CHECKING:
    from tree_sitter import Node, Tree

FINGERPRINT_LENGTH = 16  # hex characters: 64 bits, ample for the findings of one project
FINGERPRINT_VERSION = 2

# Reads one audited file by its report path (relative, `/`-separated): its text, or None when it
# cannot be read. A finding whose file is unreadable is fingerprinted with empty code.
SourceReader = Callable[[str], str | None]


class Digest(Protocol):
    """What rustpro reads of a hash object."""

    def hexdigest(self) -> str: ...


def sha256_hasher() -> Callable[[bytes], Digest]:
    """`hashlib.sha256`, without importing `hashlib` where Python has its own SHA-256.

    `hashlib` loads OpenSSL's `_hashlib` (and `_blake2`) when imported: some 8 million
    instructions, a twentieth of a one-file SARIF or GitLab report, to hash a few short
    strings. CPython's built-in `_sha256` (`_sha2` from 3.12; the one `hashlib` falls back
    on without OpenSSL) gives the same digests (tests/test_fingerprint.py).
    """
    from importlib import import_module

    for name in ("_sha256", "_sha2"):
        try:
            hasher: Callable[[bytes], Digest] = import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return hasher
    import hashlib

    return hashlib.sha256


_WHITESPACE = re.compile(r"\s+")
# rustfmt adds a trailing comma when it breaks a list over lines and drops it when it joins one.
_TRAILING_COMMA = re.compile(r",(?=[)\]}>])")
_TOML_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")


def normalized_code(text: str) -> str:
    """`text` without any whitespace and without commas right before a closing bracket."""
    return _TRAILING_COMMA.sub("", _WHITESPACE.sub("", text))


def fingerprint(rule: str, path: str, item: str, code: str, ordinal: int) -> str:
    """The fingerprint of the `ordinal`-th (0-based) finding of `rule` in `path`, inside
    `item`, flagging `code` (normalised here, so callers may pass it raw)."""
    material = "\0".join((rule, path, item, normalized_code(code), str(ordinal)))
    return sha256_hasher()(material.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


# A finding's place as its fingerprint names it: the item path and the normalised code.
Place = tuple[str, str]
# Places worked out while the file pass had the tree (`anchor_places`), by span
# `(line, column, end_line, end_column)`; a finding found there is never re-parsed.
KnownPlaces = Callable[[Finding], Place | None]


def fingerprint_findings(
    findings: Sequence[Finding], read_source: SourceReader, known: KnownPlaces | None = None
) -> list[str]:
    """One fingerprint per finding, in the order given.

    A finding whose place `known` gives (recorded by the file pass, `anchor_places`) needs
    no reading; each other file with findings is read and (for Rust) parsed once. Ordinals
    are counted in file order (line, then column), whatever order the findings come in, so
    the result does not depend on how a report sorted them.
    """
    files: dict[str, _FileFacts] = {}
    places: list[Place] = []
    for finding in findings:
        place = known(finding) if known is not None else None
        if place is None:
            facts = files.get(finding.path)
            if facts is None:
                facts = files[finding.path] = _FileFacts(finding.path, read_source(finding.path))
            item, code = facts.place(finding)
            place = (item, normalized_code(code))
        places.append(place)
    # Each finding's place in its file; the message breaks ties only between findings at
    # the very same span, for determinism.
    positions = [(f.line, f.column, f.end_line, f.end_column, f.message) for f in findings]
    order = sorted(range(len(findings)), key=positions.__getitem__)
    seen: dict[tuple[str, str, str, str], int] = {}
    result = [""] * len(findings)
    sha256, normalized = sha256_hasher(), normalized_code
    for index in order:
        finding = findings[index]
        item, code = places[index]
        rule, path = finding.rule, finding.path
        key = (rule, path, item, code)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        # `fingerprint(rule, path, item, code, ordinal)`, written out: it runs per finding.
        # `code` is normalised already: normalising it again changes it only where a comma
        # is still left before a closing bracket (`f(a,,)`).
        if "," in code and (",)" in code or ",]" in code or ",}" in code or ",>" in code):
            code = normalized(code)
        material = f"{rule}\0{path}\0{item}\0{code}\0{ordinal}"
        result[index] = sha256(material.encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]
    return result


# One recorded place: the span `(line, column, end_line, end_column)`, the item path and the
# normalised code.
AnchoredSpan = tuple[int, int, int, int, str, str]


def anchor_places(
    path: str, source: bytes, tree: Tree, findings: Sequence[Finding]
) -> list[AnchoredSpan]:
    """The places of `findings` (all in the Rust file `path`, whose UTF-8 `source` parsed
    into `tree`), worked out while the tree is at hand, exactly as `fingerprint_findings`
    would from the file: reports and baselines then never parse a file again.

    The caller leaves out a file holding a carriage return: `source_reader` reads text with
    universal newlines, whose lines (and so places) can differ from the bytes' rows.
    """
    if not findings:
        return []
    last = max(max(f.line, f.end_line) for f in findings)
    facts = _FileFacts.parsed(path, source, tree, last)
    anchored: dict[tuple[int, int, int, int], AnchoredSpan] = {}
    for finding in findings:
        span = (finding.line, finding.column, finding.end_line, finding.end_column)
        if span not in anchored:
            item, code = facts.place(finding)
            anchored[span] = (*span, item, normalized_code(code))
    return list(anchored.values())


def known_places(anchored: Mapping[str, Sequence[AnchoredSpan]], prefix: str = "") -> KnownPlaces:
    """A lookup of the places `anchor_places` recorded, by report path (`anchored`'s paths
    with `prefix` before them, as the findings asked about name them)."""
    # Built for every SARIF or GitLab report over thousands of spans: each span is stored
    # as recorded, its place cut out only for the findings asked about.
    table: dict[tuple[str, int, int, int, int], AnchoredSpan] = {}
    for path, spans in anchored.items():
        name = prefix + path
        for span in spans:
            table[(name, span[0], span[1], span[2], span[3])] = span

    def known(finding: Finding) -> Place | None:
        key = (finding.path, finding.line, finding.column, finding.end_line, finding.end_column)
        span = table.get(key)
        return None if span is None else (span[4], span[5])

    return known


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


class _Lines(Protocol):
    """A file's lines, read by number (0-based)."""

    def __len__(self) -> int: ...

    def __getitem__(self, index: int, /) -> str: ...


class _Utf8Lines:
    """The lines of UTF-8 bytes, each decoded when read.

    `anchor_places` reads a line or two of a file with finding candidates: decoding the whole
    file and splitting the text again (as well as its bytes, for the offsets) cost about as
    much as the rest of the anchoring. A "\n" byte is never part of another character in
    UTF-8, so each line decodes to what splitting the decoded text gives.
    """

    __slots__ = ("_count", "_raw")

    def __init__(self, raw: list[bytes], count: int) -> None:
        self._raw = raw  # the first lines (the last item may hold the rest of the file)
        self._count = count  # how many lines the file has

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int, /) -> str:
        return self._raw[index].decode("utf-8")


class _FileFacts:
    """One file's lines, and its syntax tree once a Rust finding needs it (parsed once)."""

    _lines: _Lines

    def __init__(self, path: str, text: str | None) -> None:
        self._rust = path.endswith(".rs")
        self._toml = path.endswith(".toml")
        self._text = text or ""
        # Only "\n" ends a line, as in tree-sitter's rows (str.splitlines would also split
        # at form feeds and the like, shifting every line after them).
        self._lines = self._text.split("\n") if text is not None else []
        self._source = b""
        self._line_starts: list[int] = []
        self._tree: Tree | None = None
        self._root_node: Node | None = None

    @classmethod
    def parsed(cls, path: str, source: bytes, tree: Tree, last: int) -> _FileFacts:
        """The facts of a file whose UTF-8 `source` parsed into `tree`, for spans on lines
        up to `last`: nothing to parse, and its bytes split once, up to that line, for both
        its lines (`_Utf8Lines`) and their offsets (a place reads no line, and no offset,
        past its span's lines)."""
        raw = source.split(b"\n", max(last, 0))
        facts = cls(path, None)
        facts._lines = _Utf8Lines(raw, source.count(b"\n") + 1)
        facts._source, facts._tree = source, tree
        facts._line_starts = _starts_of(raw)
        return facts

    def place(self, finding: Finding) -> tuple[str, str]:
        """The finding's item path and normalised code."""
        lines = self._lines
        if not 1 <= finding.line <= len(lines):
            return "", ""
        if _zero_width(finding):
            code = lines[finding.line - 1]  # a place, not code: its line says which
            if self._rust:
                return self._item_at(self._offset(finding.line, finding.column)), code
            return (self._table_at(finding.line) if self._toml else ""), code
        if not self._rust:
            return (self._table_at(finding.line) if self._toml else ""), self._span_text(finding)
        from rustpro.syntax.anchor import flagged_expression

        start = self._offset(finding.line, finding.column)
        end = self._offset(min(finding.end_line, len(lines)), finding.end_column)
        rows = (finding.line - 1, finding.end_line - 1)
        node = flagged_expression(self._root(), self._source, start, max(end, start), rows)
        flagged = self._source[node.start_byte : node.end_byte] if node is not None else b""
        code = flagged.decode("utf-8", "replace") if flagged else self._span_text(finding)
        return self._item_at(start), code

    def _span_text(self, finding: Finding) -> str:
        lines = self._lines
        first, last = finding.line, min(finding.end_line, len(lines))
        start = max(finding.column - 1, 0)
        if last == first:
            return lines[first - 1][start : finding.end_column - 1]
        tail = lines[last - 1][: max(finding.end_column - 1, 0)]
        middle = (lines[number] for number in range(first, last - 1))
        return "\n".join([lines[first - 1][start:], *middle, tail])

    def _root(self) -> Node:
        # The root node is kept: `Tree.root_node` makes a new node at each read, and a place
        # reads it three times (anchoring hundreds of candidates per crate).
        root = self._root_node
        if root is None:
            if self._tree is None:
                from rustpro.syntax.parser import parse

                self._source = self._text.encode("utf-8")
                # Keep the tree: a node outliving its tree reads freed memory.
                self._tree = parse(self._source)
                self._line_starts = _line_starts(self._source)
            root = self._root_node = self._tree.root_node
        return root

    def _offset(self, line: int, column: int) -> int:
        """The byte offset of 1-based `line` and character `column` (parses the file)."""
        self._root()
        prefix = self._lines[line - 1][: max(column - 1, 0)]
        return self._line_starts[line - 1] + len(prefix.encode("utf-8"))

    def _item_at(self, offset: int) -> str:
        from rustpro.syntax.anchor import item_path

        return item_path(self._root(), offset)

    def _table_at(self, line: int) -> str:
        """The TOML table holding `line` (its own, for a header line); "" above every table."""
        for number in range(line, 0, -1):
            header = _TOML_TABLE.match(self._lines[number - 1])
            if header is not None:
                return header.group(1)
        return ""


def _line_starts(source: bytes) -> list[int]:
    # All in C, no Python step per line: the i-th line (0-based) starts after the lengths of
    # the lines before it plus their i newlines. A SARIF or GitLab report computes this for
    # every file with a finding candidate (`anchor_places`), where a generator over the lines
    # was most of the anchoring's cost.
    return _starts_of(source.split(b"\n"))


def _starts_of(lines: list[bytes]) -> list[int]:
    return [0, *map(add, accumulate(map(len, lines)), count(1))]


def _zero_width(finding: Finding) -> bool:
    return finding.end_line < finding.line or (
        finding.end_line == finding.line and finding.end_column <= finding.column
    )
