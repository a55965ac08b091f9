"""The `TestInventory` of a tree: every test and doctest, read from the syntax of its files.

Each file is parsed once. The walk visits module-level items only (the file, inline modules,
impl and trait blocks), which are few; test bodies are searched by one query each
(`rustpro.verify.bodies`). Bodies tree-sitter leaves as macro tokens, the functions of a
`proptest! { .. }` block and the code of a doctest, are parsed on their own.

Facts that cross files are joined afterwards: a test in `src/a/tests.rs` is gated by the
`#[cfg(..)] mod tests;` in `src/a.rs`, and `cargo test` enables only the default features of
the package (read from the `Cargo.toml` texts among the sources, when there are any).
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from tree_sitter import Node

from rustpro.discovery.manifest import default_features
from rustpro.syntax import items
from rustpro.syntax.cfg import under_cargo_test
from rustpro.syntax.parser import parse
from rustpro.verify.bodies import (
    BodyFacts,
    attribute_suppression,
    comment_suppression,
    fingerprint,
    join,
    normal,
    read_body,
    tokens,
)
from rustpro.verify.doctests import CodeBlock, code_blocks
from rustpro.verify.facts import Assertion, Suppression, TestFacts, TestInventory

# Attributes that make a function a test, by their last path segment (`#[tokio::test]` and
# every other `#[..::test]` too).
_TEST_ATTRIBUTES = frozenset(
    {"test", "rstest", "test_case", "test_matrix", "quickcheck", "proptest", "wasm_bindgen_test"}
)
# Attributes whose arguments are one case of a parametrised test.
_CASE_ATTRIBUTES = frozenset({"test_case", "case"})
# Macros whose tokens hold test functions: `proptest! { #[test] fn f(x in ..) {..} }`, and
# `quickcheck! { fn prop(x: u32) -> bool {..} }` where every function is a property.
_TEST_BLOCK_MACROS = frozenset({"proptest", "quickcheck"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
# Directories whose files are test, bench or example targets: no doctests, and `tests/` files
# are test files.
_TARGET_DIRECTORIES = frozenset({"tests", "benches", "examples"})
# A crate root's modules live beside it; another file's live in a directory named after it.
_ROOT_NAMES = frozenset({"lib.rs", "main.rs", "mod.rs", "build.rs"})
# Inline modules nested deeper are not read (real code nests a handful; the walk recurses
# once per level).
_MAX_MODULE_DEPTH = 64
# A doctest's code is compiled inside a function; so is a body taken from a macro's tokens.
_WRAPPER = b"fn __rustpro_body() "


@dataclass(slots=True)
class _Scope:
    """Where the walk is: the inline modules around it and what they say."""

    modules: tuple[str, ...] = ()
    owner: str = ""  # the type of the impl or trait block being walked
    cfgs: tuple[str, ...] = ()
    in_tests: bool = False  # inside a `#[cfg(test)]` module (or a test file)
    suppressions: tuple[Suppression, ...] = ()  # lint allowances on enclosing test modules


@dataclass(slots=True)
class _FoundTest:
    """A test before the facts that need the whole file or tree (helpers, inherited cfgs)."""

    modules: tuple[str, ...]
    facts: TestFacts
    body: Node | None
    returns_value: bool
    line_offset: int


@dataclass(slots=True)
class _ModDeclaration:
    """`mod name;`: the file it names is compiled only where this declaration is."""

    modules: tuple[str, ...]  # inline modules around it
    name: str
    path_attribute: str
    cfgs: tuple[str, ...]
    in_tests: bool


@dataclass(slots=True)
class _FileTests:
    """What one file holds."""

    path: str
    tests: list[_FoundTest] = field(default_factory=list)
    # Test code's other functions by name: a test's checks include those its helpers make.
    helpers: dict[str, Node] = field(default_factory=dict)
    # Every free function's name (see `masked` in `inventory`).
    functions: set[str] = field(default_factory=set)
    declarations: list[_ModDeclaration] = field(default_factory=list)
    has_test_module: bool = False
    # `#![allow(..)]` at the top of a file not known to be test code while it is read.
    file_suppressions: list[Suppression] = field(default_factory=list)
    doctests_allowed: bool = True


def inventory(sources: Mapping[str, str]) -> TestInventory:
    """The tests of a tree given as `relpath -> text` of its `.rs` files.

    Give the `Cargo.toml` texts too: they say which features `cargo test` enables (a
    package's defaults). For a file with no manifest above it, a cfg on a feature is not
    judged, so a test newly behind `#[cfg(feature = "x")]` is not seen as excluded.
    """
    manifests = {
        posixpath.dirname(path): _default_features(text)
        for path, text in sources.items()
        if posixpath.basename(path) == "Cargo.toml"
    }
    files = {
        path: _read_file(path, text)
        for path, text in sorted(sources.items())
        if path.endswith(".rs")
    }
    parents = _declared_by(files)
    # Function names of the whole tree, masked in fingerprints: a test keeps its fingerprint
    # when it moves to another file or its helpers are renamed with it.
    masked = frozenset().union(*(found.functions for found in files.values()))
    shared = _package_helpers(files, manifests)
    tests: dict[str, TestFacts] = {}
    test_files: set[str] = set()
    for path, found in files.items():
        inherited, in_tests = _inherited(path, parents, {})
        package = _package_of(path, manifests)
        features = manifests.get(package) if package is not None else None
        has_tests = any(test.facts.kind == "test" for test in found.tests)
        if has_tests or found.has_test_module or in_tests or "tests" in path.split("/")[:-1]:
            test_files.add(path)
        reachable = shared.get(_helper_area(path, package), {})
        helpers = _Helpers({**reachable, **found.helpers}, masked)
        for test in found.tests:
            facts = _finish(path, test, helpers, inherited, features)
            if in_tests and found.file_suppressions:
                allowed = (*found.file_suppressions, *facts.suppressions)
                facts = replace(facts, suppressions=allowed)
            if in_tests and facts.kind == "doctest":
                continue  # rustdoc does not look inside `#[cfg(test)]` modules
            test_id = _unique(tests, "::".join((path, *test.modules, facts.name)))
            tests[test_id] = facts
    return TestInventory(tests=tests, files=frozenset(test_files))


def _unique(tests: Mapping[str, TestFacts], test_id: str) -> str:
    """`test_id`, or `test_id~N` when cfg alternatives declare the same name twice."""
    if test_id not in tests:
        return test_id
    number = 2
    while f"{test_id}~{number}" in tests:
        number += 1
    return f"{test_id}~{number}"


def _finish(
    path: str,
    test: _FoundTest,
    helpers: _Helpers,
    inherited: tuple[str, ...],
    features: frozenset[str] | None,
) -> TestFacts:
    """The test's facts with its helpers' checks and its files' cfg gates added."""
    facts = replace(test.facts, path=path)
    cfgs = (*inherited, *facts.cfgs)
    excluded = any(under_cargo_test(cfg, features) is False for cfg in cfgs)
    if test.body is None:
        return replace(facts, cfgs=cfgs, excluded=excluded)
    body = read_body(
        test.body,
        returns_value=test.returns_value,
        line_offset=test.line_offset,
        local_fns=helpers.names,
    )
    assertions = [*body.assertions, *helpers.checks(body.local_calls)]
    return replace(
        facts,
        cfgs=cfgs,
        excluded=excluded,
        fingerprint=fingerprint(test.body, helpers.masked),
        assertions=tuple(assertions),
        early_returns=tuple(body.early_returns),
        rows=tuple(body.rows),
        suppressions=(*facts.suppressions, *body.suppressions),
    )


def _package_helpers(
    files: Mapping[str, _FileTests], manifests: Mapping[str, frozenset[str]]
) -> dict[str, dict[str, Node]]:
    """Test-code helpers by the part of a package they serve (`tests/common/mod.rs` serves
    `tests/`), for tests in other files there; a name defined twice in one part is left out
    (it is not known which one a test calls)."""
    shared: dict[str, dict[str, Node]] = {}
    clashes: set[tuple[str, str]] = set()
    for path, found in files.items():
        area = _helper_area(path, _package_of(path, manifests))
        bucket = shared.setdefault(area, {})
        for name, function in found.helpers.items():
            if name in bucket:
                clashes.add((area, name))
            else:
                bucket[name] = function
    for area, name in clashes:
        del shared[area][name]
    return shared


def _helper_area(path: str, package: str | None) -> str:
    """`PACKAGE/tests`, `PACKAGE/benches`, `PACKAGE/examples` or `PACKAGE/src`: code of one
    area calls helpers of the same area."""
    inside = path[len(package) + 1 :] if package else path
    first = inside.split("/", 1)[0]
    area = first if first in _TARGET_DIRECTORIES else "src"
    return f"{package}/{area}" if package else area


class _Helpers:
    """Test-code functions a test may call (its file's, its package's), read on demand: a
    test's helpers check for it."""

    def __init__(self, functions: dict[str, Node], masked: frozenset[str]) -> None:
        self._functions = functions
        self.names = frozenset(functions)
        self.masked = masked
        self._read: dict[str, BodyFacts] = {}

    def checks(self, callees: list[str]) -> list[Assertion]:
        """The checks of the helpers a test calls and of the helpers they call, each helper
        counted once however often it is called (so the count stays linear in the file)."""
        found: list[Assertion] = []
        seen: set[str] = set()
        pending = list(callees)
        while pending:
            name = pending.pop(0)
            if name in seen:
                continue
            seen.add(name)
            body = self._body(name)
            if body is not None:
                found.extend(body.assertions)
                pending.extend(body.local_calls)
        return found

    def _body(self, name: str) -> BodyFacts | None:
        if name not in self._read:
            function = self._functions[name]
            block = function.child_by_field_name("body")
            if block is None:
                return None
            self._read[name] = read_body(
                block,
                returns_value=function.child_by_field_name("return_type") is not None,
                line_offset=0,
                local_fns=self.names,
            )
        return self._read[name]


def _read_file(path: str, text: str) -> _FileTests:
    found = _FileTests(path, doctests_allowed=_doctests_allowed(path))
    source = text.encode("utf-8", "surrogateescape")
    root = parse(source).root_node
    scope = _Scope(in_tests=_in_target_directory(path))
    _walk(root.children, scope, found)
    return found


def _walk(children: list[Node], scope: _Scope, found: _FileTests) -> None:
    """Visit the items of one container (file, module, impl or trait block)."""
    attributes: list[Node] = []
    docs: list[tuple[int, str]] = []
    comments: list[Suppression] = []
    module_docs: list[tuple[int, str]] = []
    for child in children:
        kind = child.type
        if kind == "attribute_item":
            attributes.append(child)
            docs.extend(_doc_attribute_lines(child))
        elif kind in _COMMENTS:
            if child.child_by_field_name("outer") is not None:
                docs.extend(_doc_lines(child))
            elif child.child_by_field_name("inner") is not None:
                module_docs.extend(_doc_lines(child))
            else:
                suppression = comment_suppression(child)
                if suppression is not None:
                    comments.append(suppression)
        elif kind == "inner_attribute_item":
            _inner_attribute(child, scope, found)
        elif kind in ("{", "}", ";"):
            continue
        else:
            _item(child, attributes, docs, comments, scope, found)
            attributes, docs, comments = [], [], []
    if module_docs:
        _add_doctests("", module_docs, scope, found)


def _inner_attribute(attribute: Node, scope: _Scope, found: _FileTests) -> None:
    """`#![cfg(..)]` gates the rest of the module; `#![allow(..)]` in test code covers it."""
    path = items.attribute_path(attribute)
    if path == "cfg":
        scope.cfgs = (*scope.cfgs, normal_arguments(attribute))
        if items.is_cfg_test(attribute):
            scope.in_tests = True
        return
    suppression = attribute_suppression(attribute)
    if suppression is None:
        return
    if scope.in_tests:
        scope.suppressions = (*scope.suppressions, suppression)
    elif not scope.modules and not scope.owner:
        # A file's own `#![allow(..)]`: test code if a `#[cfg(test)] mod ..;` names the file.
        found.file_suppressions.append(suppression)


def normal_arguments(attribute: Node) -> str:
    """An attribute's arguments, normalised: `(feature = "x")`."""
    return join(_argument_tokens(attribute))


def _argument_tokens(attribute: Node) -> list[str]:
    data = next((c for c in attribute.named_children if c.type == "attribute"), None)
    arguments = data.child_by_field_name("arguments") if data is not None else None
    return tokens(arguments) if arguments is not None else []


def _item(
    item: Node,
    attributes: list[Node],
    docs: list[tuple[int, str]],
    comments: list[Suppression],
    scope: _Scope,
    found: _FileTests,
) -> None:
    kind = item.type
    name = items.item_name(item)
    if kind == "function_item":
        if any(_marks_test(a) for a in attributes):
            found.tests.append(_function_test(item, attributes, comments, scope))
        elif not scope.owner and name:
            found.functions.add(name)
            if scope.in_tests and name not in found.helpers:
                found.helpers[name] = item
    elif kind == "mod_item":
        _module(item, name, attributes, scope, found)
    elif kind == "macro_invocation":
        macro = items.macro_name(item).rsplit("::", 1)[-1]
        if macro in _TEST_BLOCK_MACROS:
            found.tests.extend(_block_tests(item, macro, scope))
    elif kind in ("impl_item", "trait_item"):
        owner = name or items.type_name(item.child_by_field_name("type"))
        body = item.child_by_field_name("body")
        if body is not None and found.doctests_allowed and not scope.in_tests:
            _walk(body.children, replace(scope, owner=owner), found)
    if docs and found.doctests_allowed and not scope.in_tests:
        label = name or items.type_name(item.child_by_field_name("type"))
        _add_doctests(label, docs, _gated(scope, attributes), found)


def _gated(scope: _Scope, attributes: list[Node]) -> _Scope:
    cfgs = tuple(normal_arguments(a) for a in attributes if items.attribute_path(a) == "cfg")
    return replace(scope, cfgs=(*scope.cfgs, *cfgs))


def _module(
    item: Node, name: str, attributes: list[Node], scope: _Scope, found: _FileTests
) -> None:
    inner = _gated(scope, attributes)
    if any(items.is_cfg_test(a) for a in attributes):
        inner.in_tests = True
        found.has_test_module = True
    if inner.in_tests:
        allowances = [attribute_suppression(a) for a in attributes]
        inner.suppressions = (*inner.suppressions, *(s for s in allowances if s is not None))
    body = item.child_by_field_name("body")
    if body is None:
        path_attribute = next(
            (
                items.attribute_arguments(a).strip().strip('"')
                for a in attributes
                if items.attribute_path(a) == "path"
            ),
            "",
        )
        found.declarations.append(
            _ModDeclaration(scope.modules, name, path_attribute, inner.cfgs, inner.in_tests)
        )
        return
    if len(scope.modules) < _MAX_MODULE_DEPTH:
        _walk(body.children, replace(inner, modules=(*scope.modules, name), owner=""), found)


def _marks_test(attribute: Node) -> bool:
    """A test attribute, also one some configuration applies:
    `#[cfg_attr(not(target_family = "wasm"), tokio::test(flavor = "multi_thread"))]`."""
    path = items.attribute_path(attribute)
    if path == "cfg_attr":
        return any(map(_is_test_path, _cfg_attr(_argument_tokens(attribute))[1]))
    return _is_test_path(path)


def _is_test_path(path: str) -> bool:
    """`#[test]`, `#[tokio::test]`, `#[rstest]`, `#[test_case(..)]`.. (not `#[bench]`)."""
    return path.rsplit("::", 1)[-1] in _TEST_ATTRIBUTES


def _function_test(
    function: Node, attributes: list[Node], comments: list[Suppression], scope: _Scope
) -> _FoundTest:
    marks = [_Mark(items.attribute_path(a), _argument_tokens(a), normal(a)) for a in attributes]
    suppressions = [s for s in map(attribute_suppression, attributes) if s is not None]
    facts = _test_facts(
        name=items.item_name(function),
        line=function.start_point.row + 1,
        marks=marks,
        scope=scope,
        suppressions=(*scope.suppressions, *comments, *suppressions),
    )
    return _FoundTest(
        modules=scope.modules,
        facts=facts,
        body=function.child_by_field_name("body"),
        returns_value=function.child_by_field_name("return_type") is not None,
        line_offset=0,
    )


@dataclass(frozen=True, slots=True)
class _Mark:
    """An attribute on a test: its path, its argument tokens, its normalised text."""

    path: str
    arguments: list[str]
    text: str


def _test_facts(
    *,
    name: str,
    line: int,
    marks: list[_Mark],
    scope: _Scope,
    suppressions: tuple[Suppression, ...],
) -> TestFacts:
    ignored = any(mark.path == "ignore" for mark in marks)
    should_panic = next((mark.text for mark in marks if mark.path == "should_panic"), "")
    for mark in marks:
        if mark.path == "cfg_attr":
            predicate, conditional = _cfg_attr(mark.arguments)
            if under_cargo_test(predicate, None) is True:
                ignored = ignored or "ignore" in conditional
                should_panic = should_panic or (mark.text if "should_panic" in conditional else "")
    cfgs = tuple(join(mark.arguments) for mark in marks if mark.path == "cfg")
    return TestFacts(
        path="",
        line=line,
        name=name,
        kind="test",
        attributes=tuple(mark.text for mark in marks),
        ignored=ignored,
        should_panic=should_panic,
        cfgs=(*scope.cfgs, *cfgs),
        excluded=False,
        cases=tuple(
            join(mark.arguments)
            for mark in marks
            if mark.path.rsplit("::", 1)[-1] in _CASE_ATTRIBUTES
        ),
        fingerprint="",
        assertions=(),
        early_returns=(),
        suppressions=suppressions,
    )


def _cfg_attr(arguments: list[str]) -> tuple[str, set[str]]:
    """`(PRED, ignore, tokio::test(..))` -> (`(PRED)`, the path of each attribute)."""
    depth = 0
    parts: list[list[str]] = [[]]
    for token in arguments[1:-1]:
        if token in ("(", "[", "{"):
            depth += 1
        elif token in (")", "]", "}"):
            depth -= 1
        if token == "," and depth == 0:
            parts.append([])
        else:
            parts[-1].append(token)
    predicate = "(" + join(parts[0]) + ")"
    paths = set()
    for part in parts[1:]:
        end = next((i for i, word in enumerate(part) if word in ("(", "=", "[")), len(part))
        paths.add("".join(part[:end]))
    return predicate, paths


def _block_tests(invocation: Node, macro: str, scope: _Scope) -> Iterator[_FoundTest]:
    """The test functions written as tokens of a `proptest! { .. }` / `quickcheck! { .. }`."""
    tree = next((c for c in invocation.named_children if c.type == "token_tree"), None)
    if tree is None:
        return
    children = tree.children[1:-1]
    marks: list[_Mark] = []
    index = 0
    while index < len(children):
        child = children[index]
        kind = child.type
        if kind == "#" and index + 1 < len(children) and children[index + 1].type == "token_tree":
            marks.append(_token_mark(children[index + 1]))
            index += 2
            continue
        if kind == "fn" and index + 1 < len(children):
            body_index = _body_index(children, index + 2)
            if body_index is None:
                return
            is_test = macro == "quickcheck" or any(_is_test_path(m.path) for m in marks)
            if is_test:
                yield _token_test(
                    items.text(children[index + 1]), child, children[body_index], marks, scope
                )
            marks = []
            index = body_index + 1
            continue
        index += 1


def _token_mark(tree: Node) -> _Mark:
    """`#[should_panic(expected = "x")]` written as tokens: `[ should_panic ( .. ) ]`."""
    words = tokens(tree)[1:-1]
    path_end = next((i for i, w in enumerate(words) if w in ("(", "=", "[")), len(words))
    return _Mark("".join(words[:path_end]), words[path_end:], "#[" + join(words) + "]")


def _body_index(children: list[Node], start: int) -> int | None:
    """The index of the `{ .. }` token tree after a function's name and parameters."""
    for index in range(start, len(children)):
        child = children[index]
        if child.type == "token_tree" and child.child_count and child.children[0].type == "{":
            return index
    return None


def _token_test(
    name: str, keyword: Node, tree: Node, marks: list[_Mark], scope: _Scope
) -> _FoundTest:
    """A test whose body is a token tree: parsed on its own, with rows mapped to the file's."""
    wrapped = parse(_WRAPPER + (tree.text or b"")).root_node
    function = wrapped.named_child(0)
    body = function.child_by_field_name("body") if function is not None else None
    facts = _test_facts(
        name=name,
        line=keyword.start_point.row + 1,
        marks=marks,
        scope=scope,
        suppressions=scope.suppressions,
    )
    return _FoundTest(
        modules=scope.modules,
        facts=facts,
        body=body,
        returns_value=True,  # a property body may `?` a `TestCaseError`
        line_offset=tree.start_point.row,
    )


def _doc_lines(comment: Node) -> list[tuple[int, str]]:
    """A `///` or `/** */` comment's documentation, line by line with file lines."""
    doc = comment.child_by_field_name("doc")
    if doc is None:
        return []
    first = comment.start_point.row + 1
    if comment.type == "line_comment":  # its doc text runs to the end of the line, newline too
        return [(first, items.text(doc).rstrip("\r\n"))]
    lines = items.text(doc).split("\n")
    if comment.type == "block_comment":
        starred = all(line.lstrip().startswith("*") for line in lines[1:] if line.strip())
        if starred:
            lines = [lines[0], *(line.lstrip()[1:] for line in lines[1:])]
    return [(first + offset, line) for offset, line in enumerate(lines)]


def _doc_attribute_lines(attribute: Node) -> list[tuple[int, str]]:
    """`#[doc = ".."]` as documentation lines (escapes left as written)."""
    if items.attribute_path(attribute) != "doc":
        return []
    value = items.attribute_arguments(attribute).strip()
    if not value.startswith('"'):
        return []  # `#[doc(hidden)]`, `#[doc = include_str!(..)]`
    first = attribute.start_point.row + 1
    text = value[1:-1].replace("\\n", "\n").replace('\\"', '"')
    return [(first + offset, line) for offset, line in enumerate(text.split("\n"))]


def _add_doctests(
    label: str, docs: list[tuple[int, str]], scope: _Scope, found: _FileTests
) -> None:
    item = "::".join(part for part in (scope.owner, label) if part)
    for number, block in enumerate(code_blocks(docs), start=1):
        name = f"{item}::doctest#{number}" if item else f"doctest#{number}"
        found.tests.append(_doctest(name, block, scope))


def _doctest(name: str, block: CodeBlock, scope: _Scope) -> _FoundTest:
    wrapped = parse(_WRAPPER + b"{\n" + block.code.encode("utf-8", "surrogateescape") + b"\n}")
    function = wrapped.root_node.named_child(0)
    body = function.child_by_field_name("body") if function is not None else None
    first = block.code_lines[0] if block.code_lines else block.line + 1
    facts = TestFacts(
        path="",
        line=block.line,
        name=name,
        kind="doctest",
        attributes=tuple(sorted(block.words)),
        ignored=block.ignored,
        should_panic=block.must_fail,
        cfgs=scope.cfgs,
        excluded=False,
        cases=(),
        fingerprint="",
        assertions=(),
        early_returns=(),
        suppressions=(),
    )
    return _FoundTest(
        modules=scope.modules,
        facts=facts,
        body=body,
        returns_value=True,  # a doctest may end in `Ok::<(), E>(())` and use `?`
        line_offset=first - 2,  # row 0 is the wrapper's `{`; row 1 the first code line
    )


def _declared_by(files: Mapping[str, _FileTests]) -> dict[str, tuple[str, _ModDeclaration]]:
    """For each file named by a `mod name;`, the declaring file and its declaration."""
    parents: dict[str, tuple[str, _ModDeclaration]] = {}
    for path, found in files.items():
        for declaration in found.declarations:
            for candidate in _module_files(path, declaration):
                if candidate in files and candidate not in parents:
                    parents[candidate] = (path, declaration)
                    break
    return parents


def _module_files(path: str, declaration: _ModDeclaration) -> list[str]:
    directory = posixpath.dirname(path)
    if declaration.path_attribute:
        return [posixpath.normpath(posixpath.join(directory, declaration.path_attribute))]
    name = posixpath.basename(path)
    is_root = name in _ROOT_NAMES or _in_target_directory(path) or "/bin/" in f"/{path}"
    base = directory if is_root else posixpath.join(directory, name[: -len(".rs")])
    base = posixpath.join(base, *declaration.modules, declaration.name)
    return [posixpath.normpath(base + ".rs"), posixpath.normpath(posixpath.join(base, "mod.rs"))]


def _inherited(
    path: str,
    parents: Mapping[str, tuple[str, _ModDeclaration]],
    seen: dict[str, tuple[tuple[str, ...], bool]],
) -> tuple[tuple[str, ...], bool]:
    """The cfg gates on the `mod` declarations that lead to `path`, and whether one of them
    is a test module (cycles cut)."""
    if path in seen:
        return seen[path]
    seen[path] = ((), False)
    declared = parents.get(path)
    if declared is None:
        return (), False
    parent, declaration = declared
    cfgs, in_tests = _inherited(parent, parents, seen)
    answer = ((*cfgs, *declaration.cfgs), in_tests or declaration.in_tests)
    seen[path] = answer
    return answer


def _default_features(manifest: str) -> frozenset[str]:
    """The features `default` enables in a `Cargo.toml`, followed through other features."""
    try:
        features = tomllib.loads(manifest).get("features", {})
    except tomllib.TOMLDecodeError:
        return frozenset()
    return default_features(features)


def _package_of(path: str, manifests: Mapping[str, frozenset[str]]) -> str | None:
    """The directory of the package holding `path` (its nearest `Cargo.toml`); None when no
    manifest above it was given."""
    directory = posixpath.dirname(path)
    while True:
        if directory in manifests:
            return directory
        if not directory:
            return None
        directory = posixpath.dirname(directory)


def _in_target_directory(path: str) -> bool:
    return any(part in _TARGET_DIRECTORIES for part in path.split("/")[:-1])


def _doctests_allowed(path: str) -> bool:
    """rustdoc tests library code only: not test, bench or example targets, not binaries."""
    parts = path.split("/")
    if _in_target_directory(path) or parts[-1] in ("main.rs", "build.rs"):
        return False
    return "/src/bin/" not in f"/{path}"
