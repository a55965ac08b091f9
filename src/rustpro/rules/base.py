"""What a rule is: a small class with catalog metadata, docs, and patterns or a crate check.

The engine, never the rule, finds where to look: one byte search per file for the words that
begin or name the candidates of every rule's gated patterns (`rustpro.rules.patterns`: the
method calls named `unwrap`, every `function_item`, ...), and each rule pattern then runs
only on its candidates. Adding a rule adds words to that search, not a pass over the tree.

A rule's docstring is its documentation, in the sections clippy and ruff use:
`## What it does`, `## Why is this bad?`, `## Example`, `## Use instead`, `## References`.
`rustpro explain` renders it and a test runs the rule on its own examples.
"""

from __future__ import annotations

import abc
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import tree_sitter

from rustpro.catalog import RuleSpec, catalog
from rustpro.model import Checkpoint, Severity
from rustpro.rules.patterns import Pattern, nodes
from rustpro.syntax.parser import node_kind_exists

if TYPE_CHECKING:
    from rustpro.engine.context import FileContext
    from rustpro.engine.crateview import CrateView, WorkspaceView
    from rustpro.model import Finding


DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Scope(enum.Enum):
    """Which code a file rule looks at."""

    PRODUCTION = "production"  # library and binary sources, outside test-only regions
    TESTS = "tests"  # `#[test]` functions, `#[cfg(test)]` items and tests/ files
    ALL = "all"


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced example in a rule's docs and the crate file it stands for."""

    language: str
    path: str
    code: str


@dataclass(frozen=True, slots=True)
class RuleDocs:
    """A rule's documentation split into its sections."""

    sections: dict[str, str]

    def code_blocks(self, section: str) -> list[CodeBlock]:
        """The fenced code blocks of a section.

        The info string may name the file the block stands for: ```` ```rust file=tests/it.rs ````
        (default: `src/lib.rs` for Rust, `Cargo.toml` for TOML).
        """
        text = self.sections.get(section, "")
        blocks: list[CodeBlock] = []
        for match in re.finditer(r"```([^\n]*)\n(.*?)```", text, re.S):
            info = match.group(1).split()
            language = (info[0].split(",")[0] if info else "") or "rust"
            path = next((w[5:] for w in info if w.startswith("file=")), None)
            if path is None:
                path = "Cargo.toml" if language == "toml" else "src/lib.rs"
            blocks.append(CodeBlock(language, path, match.group(2)))
        return blocks

    def markdown(self, title: str) -> str:
        """The docs as one Markdown document headed by `title`."""
        parts = [f"# {title}"]
        for name, body in self.sections.items():
            parts.append(f"## {name}\n\n{body.strip()}")
        return "\n\n".join(parts) + "\n"


def parse_docs(docstring: str) -> RuleDocs:
    """Split a rule docstring into its `## Section` parts (text before the first is dropped)."""
    text = cleandoc(docstring)
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return RuleDocs(sections)


def cleandoc(docstring: str) -> str:
    """`inspect.cleandoc(docstring)`, without importing `inspect`: SARIF and HTML reports
    read the docs of every rule they describe, and `inspect` (with `ast`, `dis` and
    `tokenize`) cost each such report about a tenth of a one-file audit. Same steps as
    CPython 3.11's; tests/test_rule_docs.py holds it equal on every rule's docstring."""
    # Copied only when it holds a tab (none of rustpro's docstrings does).
    lines = (docstring.expandtabs() if "\t" in docstring else docstring).split("\n")
    margin = min(
        (len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()),
        default=None,
    )
    lines[0] = lines[0].lstrip()
    if margin is not None:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


class _Docs:
    """`BaseRule.docs`: a rule's docstring parsed when first asked for (by `explain`, the
    rule pages, SARIF's rule descriptions), then kept on its class. An audit that reports
    nothing about the rule itself never parses it: parsing every loaded rule's docs cost
    each start some milliseconds. tests/test_rule_docs.py holds every rule to its sections."""

    def __get__(self, instance: object, owner: type[BaseRule]) -> RuleDocs:
        docs = parse_docs(owner.__doc__ or "")
        owner.docs = docs  # the class's own attribute from now on
        return docs


_DOCS = _Docs()


# `type.__flags__` bit of a class with abstract methods left (CPython's Py_TPFLAGS_IS_ABSTRACT).
_TPFLAGS_IS_ABSTRACT = 1 << 20


def _is_abstract(cls: type) -> bool:
    """`inspect.isabstract(cls)`, importing `inspect` only for an ABC: no rule class is one,
    and `inspect` (with `ast` and `dis`) was a twelfth of a one-file audit's start-up."""
    if cls.__flags__ & _TPFLAGS_IS_ABSTRACT:
        return True
    if not isinstance(cls, abc.ABCMeta):
        return False  # what `inspect.isabstract` answers for any other class
    import inspect

    return inspect.isabstract(cls)


class BaseRule:
    """Shared metadata and validation of file rules and crate rules."""

    name: ClassVar[str]
    spec: ClassVar[RuleSpec]
    docs: ClassVar[RuleDocs] = _DOCS  # type: ignore[assignment]
    # Clippy lints whose `#[allow]`/`#[expect]` on an enclosing item also silence this rule.
    clippy_twins: ClassVar[tuple[str, ...]] = ()
    # rustc lints (no prefix, e.g. `missing_docs`) whose crate-root `#![allow]` silences it.
    rustc_twins: ClassVar[tuple[str, ...]] = ()
    # Other rules whose facts (`ctx.add_fact`) this rule reads: they run whenever it does
    # (`engine.ruleset`; tests/test_ruleset.py finds an undeclared one).
    reads_facts_of: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if _is_abstract(cls) or cls.__dict__.get("abstract", False):
            return
        name = cls.__dict__.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise TypeError(f"{cls.__qualname__}: rule name {name!r} is not kebab-case")
        entries = catalog()
        if name not in entries:
            raise TypeError(f"{cls.__qualname__}: rule `{name}` is not in the catalog")
        cls.spec = entries[name]
        # Its own docstring's, even when it subclasses another rule whose docs were read.
        cls.docs = _DOCS  # type: ignore[assignment]
        _REGISTRY.append(cls)

    @property
    def checkpoint(self) -> Checkpoint:
        """The checkpoint this rule scores."""
        return self.spec.checkpoint

    @property
    def severity(self) -> Severity:
        """The catalog severity."""
        return self.spec.severity

    @property
    def help_suffix(self) -> str:
        """The pointer every help line ends with."""
        return f"see `rustpro explain {self.name}`"


class FileRule(BaseRule):
    """A rule that looks at one file's syntax tree through tree-sitter patterns.

    `patterns` are gated patterns (`rustpro.rules.patterns`): each is tried only on the
    candidates it names (method calls called `unwrap`, every `function_item`, ...), which the
    engine finds for all rules in one pass. `node_kinds` hands every node of those kinds to
    `check` as `{"match": [node]}`. `query` holds whole-file patterns, tried on every node of
    every file: prefer gated patterns, a whole-file pattern costs time on every file. Each
    match calls `check` with the captures; the capture named `@match` (or the first capture)
    anchors the match for scope decisions. Patterns are compiled when the engine first builds
    its queries (every test run does); a bad one fails there with a `TypeError` naming its rule.
    """

    abstract: ClassVar[bool] = True
    query: ClassVar[str] = ""
    node_kinds: ClassVar[tuple[str, ...]] = ()
    patterns: ClassVar[tuple[Pattern, ...]] = ()
    scope: ClassVar[Scope] = Scope.PRODUCTION

    def __init_subclass__(cls, **kwargs: object) -> None:
        if "abstract" not in cls.__dict__:
            cls.abstract = False
        super().__init_subclass__(**kwargs)
        if cls.abstract:
            return
        for kind in (*cls.node_kinds, *(k for p in cls.patterns for k in p.on.kinds)):
            if not node_kind_exists(kind):
                raise TypeError(f"{cls.__qualname__}: `{kind}` is not a Rust node kind")
        if not cls.full_query() and not cls.gated_patterns():
            raise TypeError(
                f"{cls.__qualname__}: a file rule needs `patterns`, `node_kinds` or `query`"
            )

    @classmethod
    def full_query(cls) -> str:
        """The rule's whole-file query text."""
        return cls.query.strip()

    @classmethod
    def gated_patterns(cls) -> tuple[Pattern, ...]:
        """The rule's gated patterns including the `node_kinds` shorthand."""
        if not cls.node_kinds:
            return cls.patterns
        return (*cls.patterns, Pattern(nodes(*cls.node_kinds)))

    def check(self, captures: dict[str, list[tree_sitter.Node]], ctx: FileContext) -> None:
        """Look at one match and report findings through `ctx.report`."""
        raise NotImplementedError

    def finish(self, ctx: FileContext) -> None:
        """Called once after every match of the file, for rules that collect first."""


class CrateRule(BaseRule):
    """A rule that judges a whole crate from its manifest, targets and file facts."""

    abstract: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        if "abstract" not in cls.__dict__:
            cls.abstract = False
        super().__init_subclass__(**kwargs)

    def check_crate(self, crate: CrateView) -> Iterable[Finding]:
        """Findings for the crate as a whole."""
        raise NotImplementedError


class WorkspaceRule(BaseRule):
    """A rule that judges the audited workspace as a whole (once, not once per member)."""

    abstract: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        if "abstract" not in cls.__dict__:
            cls.abstract = False
        super().__init_subclass__(**kwargs)

    def check_workspace(self, workspace: WorkspaceView) -> Iterable[Finding]:
        """Findings for the workspace (or the single package) as a whole."""
        raise NotImplementedError


_REGISTRY: list[type[BaseRule]] = []


def registered_rules() -> list[type[BaseRule]]:
    """Every rule class defined so far (import `rustpro.rules.registry` to load them all)."""
    return list(_REGISTRY)
