"""The code blocks of a doc comment that rustdoc compiles as doctests.

rustdoc tests a fenced block whose info string names no other language: a bare fence,
```` ```rust ````, ```` ```no_run ```` (compiled, not run), ```` ```should_panic ````,
```` ```compile_fail ````; ```` ```ignore ```` is a doctest that never runs, and ```` ```text ````
or ```` ```toml ```` is no doctest at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words of an info string rustdoc understands; any other word names another language.
_RUSTDOC_WORDS = frozenset(
    {
        "rust",
        "ignore",
        "should_panic",
        "no_run",
        "compile_fail",
        "test_harness",
        "allow_fail",
        "standalone_crate",
        "standalone",
        "",
    }
)
_RUSTDOC_WORD = re.compile(r"^(edition\d{4}|ignore-[\w-]+|E\d{4}|\{.*\}|\.[\w-]+)$")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """One doctest: its fence's line, its info words, and its code with hidden lines shown."""

    line: int  # the opening fence's 1-based line in the file
    words: frozenset[str]
    code: str
    code_lines: tuple[int, ...]  # the file line of each line of `code`

    @property
    def ignored(self) -> bool:
        return "ignore" in self.words

    @property
    def must_fail(self) -> str:
        """`should_panic` or `compile_fail` when the block passes by failing, else ""."""
        for word in ("should_panic", "compile_fail"):
            if word in self.words:
                return word
        return ""


def code_blocks(lines: list[tuple[int, str]]) -> list[CodeBlock]:
    """The doctests in a doc comment given as (file line, text) pairs, in order."""
    blocks: list[CodeBlock] = []
    opening: tuple[int, str, frozenset[str]] | None = None  # line, fence, words
    body: list[tuple[int, str]] = []
    for line, raw in lines:
        stripped = raw.strip()
        if opening is None:
            match = _FENCE.match(stripped)
            if match is not None:
                opening = (line, match.group("fence"), _words(match.group("info")))
                body = []
            continue
        start, fence, words = opening
        if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
            if _is_rust(words):
                blocks.append(_block(start, words, body))
            opening = None
            continue
        body.append((line, raw))
    return blocks


def _words(info: str) -> frozenset[str]:
    return frozenset(word for word in re.split(r"[\s,]+", info.strip()) if word)


def _is_rust(words: frozenset[str]) -> bool:
    return all(word in _RUSTDOC_WORDS or _RUSTDOC_WORD.match(word) for word in words)


def _block(start: int, words: frozenset[str], body: list[tuple[int, str]]) -> CodeBlock:
    indent = min((len(text) - len(text.lstrip()) for _, text in body if text.strip()), default=0)
    code: list[str] = []
    for _, text in body:
        line = text[indent:]
        stripped = line.lstrip()
        # `# hidden` lines are compiled too; `##` writes a literal `#`.
        if stripped == "#" or stripped.startswith("# "):
            line = stripped[2:]
        elif stripped.startswith("##"):
            line = stripped[1:]
        code.append(line)
    return CodeBlock(start, words, "\n".join(code), tuple(line for line, _ in body))
