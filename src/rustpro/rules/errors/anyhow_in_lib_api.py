"""anyhow-in-lib-api."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from tree_sitter import Node

from rustpro.engine.context import FileContext
from rustpro.rules.base import FileRule
from rustpro.rules.errors.deprecation import (
    DEPRECATED_ATTRIBUTES,
    frozen_function,
    gate_unless_deprecated_type,
    record_deprecated_type,
)
from rustpro.rules.errors.signatures import return_type, type_arguments, type_path
from rustpro.rules.generated_code import is_generated_file
from rustpro.rules.patterns import (
    Captures,
    Pattern,
    nodes,
    predicate_text,
    signatures_returning,
)
from rustpro.rules.signature import return_type_source
from rustpro.syntax import items

# Crates whose catch-all error types hide what went wrong, and the names they export for it.
_CATCH_ALL_CRATES = frozenset({"anyhow", "eyre", "color_eyre"})
_CATCH_ALL_NAMES = frozenset({"Result", "Error", "Report"})
# Bytes one of those crate names contains (`color_eyre` contains `eyre`).
_CATCH_ALL_SPELLINGS = (b"anyhow", b"eyre")
_CATCH_ALL_NAME_BYTES = tuple(name.encode() for name in sorted(_CATCH_ALL_NAMES))


# Matched in Python: a query pattern costs tree-sitter milliseconds of analysis in every run.
_CATCH_ALL_USE = re.compile(r"^(::)?(anyhow|eyre|color_eyre)\b")


def _catch_all_uses(use: Node) -> list[Captures]:
    """The matches of the pattern `(use_declaration argument: (_) @use (#match? @use
    "^(::)?(anyhow|eyre|color_eyre)\\b")) @match` rooted at a use declaration."""
    argument = use.child_by_field_name("argument")
    if argument is None or not argument.is_named:
        return []
    if _CATCH_ALL_USE.search(predicate_text(argument)) is None:
        return []
    return [{"use": [argument], "match": [use]}]


@dataclass(slots=True)
class _FileImports:
    """What one file imports from the catch-all crates, and the functions waiting on it."""

    ctx: FileContext
    names: dict[str, str] = field(default_factory=dict)  # local name -> exported name
    pending: list[tuple[Node, Node]] = field(default_factory=list)  # (fn, name) to judge


class AnyhowInLibApi(FileRule):
    """Flags public library functions that return `anyhow`/`eyre` catch-all errors.

    ## What it does
    Finds functions, methods and trait methods that are public API of the library and whose
    declared return type is `anyhow::Result<T>`, `anyhow::Error`, `Result<T, anyhow::Error>`,
    `eyre::Result<T>` or `eyre::Report` (also through `color_eyre`), including the plain
    `Result<T>` / `Error` spelling when the file imports those names from one of these crates.
    Binaries are left alone: `anyhow` is made for applications.
    `#[deprecated]` functions, and methods of a deprecated `impl`, `trait` or type (declared
    in any file of the crate), are left alone too: a new error type would change the
    signature of an API kept only for old callers, who are already told to move on.

    ## Why is this bad?
    `anyhow::Error` is an opaque box: the library's callers cannot tell a missing file from a
    malformed one without downcasting to types they have to guess, and every error the
    library can produce is now an implementation detail that can change in any release. It
    also forces the dependency on every user of the library.

    ## Example
    ```rust
    pub fn load(path: &str) -> anyhow::Result<String> {
        Ok(std::fs::read_to_string(path)?)
    }
    ```

    ## Use instead
    ```rust
    #[derive(Debug, thiserror::Error)]
    pub enum LoadError {
        #[error("cannot read {0}")]
        Io(#[from] std::io::Error),
    }

    pub fn load(path: &str) -> Result<String, LoadError> {
        Ok(std::fs::read_to_string(path)?)
    }
    ```

    ## References
    - anyhow's README: "Use Anyhow if you don't care what error type your functions return"
    - Rust API Guidelines, C-GOOD-ERR: "Error types are meaningful and well-behaved"
    """

    name = "anyhow-in-lib-api"
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(
            nodes("use_declaration"),
            matcher=_catch_all_uses,
            needs=_CATCH_ALL_SPELLINGS,
        ),
        Pattern(
            nodes("function_item"),
            matcher=signatures_returning("(Result|Error|Report)"),
            needs=_CATCH_ALL_NAME_BYTES,
            needs_before_body=True,
            # Without `anyhow`/`eyre` in the file, neither a path nor an import names one.
            file_needs=_CATCH_ALL_SPELLINGS,
            public_only=True,  # `_report` asks `public_gate` (also for those `finish` judges)
        ),
        Pattern(
            nodes("function_signature_item"),
            matcher=signatures_returning("(Result|Error|Report)"),
            needs=_CATCH_ALL_NAME_BYTES,
            needs_before_body=True,
            # Without `anyhow`/`eyre` in the file, neither a path nor an import names one.
            file_needs=_CATCH_ALL_SPELLINGS,
            public_only=True,  # `_report` asks `public_gate` (also for those `finish` judges)
        ),
        DEPRECATED_ATTRIBUTES,
    )

    def __init__(self) -> None:
        self._file: _FileImports | None = None

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        if "match" in captures and captures["match"][0].type == "attribute_item":
            record_deprecated_type(captures["match"][0], ctx)
            return
        state = self._state(ctx)
        if "use" in captures:
            _collect_imports(captures["use"][0], (), state.names)
            return
        function, name = captures["match"][0], captures["name"][0]
        # Without imports, only a path through a catch-all crate can be one: no crate name in
        # the return type's bytes, no need to read its syntax yet.
        spelled = return_type_source(function, ctx.source)
        named = any(crate in spelled for crate in _CATCH_ALL_SPELLINGS)
        if named and _spells_catch_all(return_type(function), {}):
            self._report(function, name, ctx)
        else:  # `-> Result<T>` needs the file's imports, which may come later in the file
            state.pending.append((function, name))

    def finish(self, ctx: FileContext) -> None:
        state, self._file = self._file, None
        if state is None or state.ctx is not ctx or not state.names:
            return
        for function, name in state.pending:
            if _spells_catch_all(return_type(function), state.names):
                self._report(function, name, ctx)

    def _state(self, ctx: FileContext) -> _FileImports:
        # One rule instance serves every file of a process, one file at a time.
        if self._file is None or self._file.ctx is not ctx:
            self._file = _FileImports(ctx)
        return self._file

    def _report(self, function: Node, name: Node, ctx: FileContext) -> None:
        public = ctx.public_gate(function)
        if public is None or is_generated_file(ctx.tree.root_node) or frozen_function(function):
            return  # not API, generated, or a deprecated one kept as it is for old callers
        gate = gate_unless_deprecated_type(function, public)
        ret = ctx.text(return_type(function))
        ctx.report(
            self,
            name,
            f"public fn `{ctx.text(name)}` returns `{ret}`: callers cannot match on its errors",
            "return a concrete error type (e.g. an enum deriving `thiserror::Error`)",
            gate=gate,
        )


def _spells_catch_all(ret: Node | None, imported: dict[str, str]) -> bool:
    """True when a return type is (or is a `Result` whose error is) a catch-all error."""
    path = type_path(ret)
    if not path:
        return False
    if _is_catch_all_path(path):
        return True
    if len(path) == 1 and path[0] in imported:
        exported = imported[path[0]]
        if exported != "Result":
            return True  # `-> Error` with `use anyhow::Error`
        arguments = type_arguments(ret)
        return len(arguments) <= 1 or _is_catch_all_error(arguments[1], imported)
    if path[-1] == "Result" and path[:-1] in ((), ("std", "result"), ("core", "result")):
        arguments = type_arguments(ret)
        return len(arguments) == 2 and _is_catch_all_error(arguments[1], imported)
    return False


def _is_catch_all_path(path: tuple[str, ...]) -> bool:
    return len(path) >= 2 and path[0] in _CATCH_ALL_CRATES and path[-1] in _CATCH_ALL_NAMES


def _is_catch_all_error(error: Node, imported: dict[str, str]) -> bool:
    path = type_path(error)
    if _is_catch_all_path(path):
        return path[-1] != "Result"
    return len(path) == 1 and imported.get(path[0]) in ("Error", "Report")


def _collect_imports(node: Node, prefix: tuple[str, ...], names: dict[str, str]) -> None:
    """Add the catch-all names a `use` argument brings into scope to `names`."""
    kind = node.type
    if kind in ("identifier", "scoped_identifier"):
        path = (*prefix, *items.text(node).replace(" ", "").split("::"))
        if _is_catch_all_path(tuple(s for s in path if s)):
            names[path[-1]] = path[-1]
    elif kind == "use_as_clause":
        original = node.child_by_field_name("path")
        alias = node.child_by_field_name("alias")
        found: dict[str, str] = {}
        if original is not None:
            _collect_imports(original, prefix, found)
        if alias is not None and found:
            names[items.text(alias)] = next(iter(found.values()))
    elif kind == "use_wildcard":
        head = node.named_children[0] if node.named_children else None
        path = (*prefix, *items.text(head).replace(" ", "").split("::"))
        if path and path[0].lstrip(":") in _CATCH_ALL_CRATES:
            names.setdefault("Result", "Result")
            names.setdefault("Error", "Error")
    elif kind == "scoped_use_list":
        base = node.child_by_field_name("path")
        more = tuple(items.text(base).replace(" ", "").split("::")) if base is not None else ()
        listed = node.child_by_field_name("list")
        if listed is not None:
            _collect_imports(listed, (*prefix, *more), names)
    elif kind == "use_list":
        for child in node.named_children:
            _collect_imports(child, prefix, names)
