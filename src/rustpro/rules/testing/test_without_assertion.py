"""test-without-assertion."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import tree_sitter
from tree_sitter import Node

from rustpro.engine.context import AllGates, FactGate, FileContext, Gate
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.patterns import Pattern, macro_calls, method_calls, nodes, qualified_calls
from rustpro.rules.testing.assertions import (
    ASSERTING_FACT,
    ASSERTING_MACRO_NAME,
    ASSERTING_VALUE,
    CHECKING_NAME_PARTS,
    PANICKING_METHODS,
    asserting_fact_key,
    is_asserting_macro,
    is_checking_helper,
    is_panicking_method,
    last_segment,
)
from rustpro.syntax import items
from rustpro.syntax.parser import compile_query

# What a test body is searched for; run on one body at a time, in C.
_EVIDENCE_QUERY = r"""
(macro_invocation macro: [(identifier) (scoped_identifier)] @macro)
(try_expression) @try
(call_expression function: (field_expression field: (field_identifier) @method))
(call_expression
  function: (generic_function function: (field_expression field: (field_identifier) @method)))
(call_expression function: (identifier) @call)
(call_expression function: (scoped_identifier name: (identifier) @call) @path)
(call_expression
  function: (generic_function
    function: [(identifier) @call (scoped_identifier name: (identifier) @call)])
  arguments: (arguments) @turbofish)
(let_declaration pattern: "_" type: (_)) @types
(function_item type_parameters: (type_parameters)) @types
(function_item parameters: (parameters (parameter type: (abstract_type)))) @types
(function_item parameters: (parameters (parameter type: (bounded_type (abstract_type))))) @types
(function_item parameters: (parameters (parameter type: [
  (dynamic_type)
  (reference_type type: (dynamic_type))
  (generic_type type_arguments: (type_arguments (dynamic_type)))]))) @types
(inner_attribute_item) @lint
(impl_item) @types
(trait_item) @types
(struct_item) @types
(enum_item) @types
(token_tree "." . (identifier) @method . (token_tree))
(token_tree (identifier) @word . (token_tree))
(token_tree "?" @try)
[(line_comment) (block_comment)] @comment
"""

# Inner lint attributes that make the compiler fail on a lint: a test holding one checks that
# its code compiles lint-free (`#![deny(clippy::semicolon_if_nothing_returned)]`).
_LINT_LEVELS = frozenset({"deny", "forbid"})

# What shows that a test looked at a value without checking it: a binding never read, or a
# value printed for a person to look at. `let _ = f()` is not among them: it is the idiom of
# a test that only runs code (a fuzz input, a compile check, a call that must not panic).
_DROPS_QUERY = r"""
(let_declaration pattern: (identifier) @pattern) @binding
(macro_invocation macro: (identifier) @print (token_tree) @arguments
  (#any-of? @print "println" "print" "eprintln" "eprint" "dbg"))
(identifier) @name
"""
_PRINT_MACROS = frozenset({"println", "print", "eprintln", "eprint", "dbg"})
# `{x}`, `{}`, `{:?}` in a format string: it prints a value (`{{` is a literal brace).
_FORMATS_A_VALUE = re.compile(r"\{(?!\{)")
# How deep below a function body a glance searches (see `_judge`): its statements and their
# expressions, where most calls to helpers are.
_GLANCE_DEPTH = 2

# Tests whose name or comment says that running without a panic, hang or crash *is* the check:
# `does_not_panic`, `smoke`, `compiles`, regression tests for an issue.
_RUNS_ONLY_WORDS = (
    "issue",
    "regression",
    "repro",
    "smoke",
    "panic",
    "crash",
    "hang",
    "deadlock",
    "recurs",
    "overflow",
    "underflow",
    "leak",
    "compile",
)
_RUNS_ONLY_COMMENT = re.compile(
    r"\b(" + "|".join(_RUNS_ONLY_WORDS) + r")|does ?n[o']t|should ?n[o']t|#\d+", re.IGNORECASE
)
# `src/testing.rs`, `src/tests/mod.rs`, `src/test_util.rs`: test support compiled through
# `#[cfg(test)] mod ..;`, which a file pass cannot see; its functions are judged as helpers.
_TEST_SUPPORT_PART = re.compile(r"^(tests?|testing|test_\w+|\w+_tests?)$")
# Model checkers that explore interleavings and panic on a violation.
_MODEL_CHECKERS = ("loom::", "shuttle::")

# Assert-family macros in production code: the function using them may be a test helper in a
# `#[cfg(test)] mod tests;` file (an incidental `unwrap` or `panic!` is not a check).
_HELPER_MACRO = re.compile(r"(^|:)([a-z_]*assert[a-z0-9_]*|check[a-z0-9_]*|verify[a-z0-9_]*)$")
_HELPER_CALLS = r"^(loom|shuttle)::"
# `_Words` splits a text at every byte but these (identifier bytes, and `$` for macro
# metavariables): `bytes.translate` and `split` do it in C, many times faster than a regex.
_WORD_BYTES = frozenset(b"$_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SPLIT_WORDS = bytes(b if b in _WORD_BYTES else 32 for b in range(256))
# Texts `_Words` cannot judge: raw identifiers, and what `_evidence` finds checks in beyond
# names (trybuild's `TestCases`, model checkers' paths).
_UNSURE_TEXT = re.compile(rb"r#|TestCases|loom|shuttle")
# Above this many bytes, `_Words` looks for names in a text before it splits it.
_BIG_TEXT = 4096
# Any name that may check holds one of these (one regex: faster than a loop of `in`).
_CHECKING_TEXT = re.compile(
    "|".join(re.escape(part) for part in (*CHECKING_NAME_PARTS, "compile_fail")).encode()
)


@dataclass(slots=True)
class _Evidence:
    """What a function body does: whether it checks anything, and the helpers it calls."""

    checks: bool = False
    helpers: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Checker:
    """A test-code function or a macro, waiting for the file's other helpers to be known."""

    name: Node
    label: str  # the name's text
    is_test: bool
    evidence: _Evidence
    # A function or macro not read in full: `evidence` is then what is sure (it checks, it
    # calls these helpers among others); `is_test` may be unknown (False) if it checks.
    unread: _Function | _Macro | None = None
    # When known: it does not check, and calls no helper but the words of this text.
    words: _Words | None = None


class TestWithoutAssertion(FileRule):
    """Flags `#[test]` functions that look at a value but check nothing.

    ## What it does
    Finds `#[test]`, `#[tokio::test]` and other `#[..::test]` functions that compute a value
    and never check it: they print it (`println!("{x:?}")`, `dbg!(x)`), bind it and never read
    the binding (`let parsed = parse(..);`), or do so through a helper of the same file; an
    empty test is reported too. A test that only runs code (`pause();`,
    `block_in_place(|| {})`, `resolve(fixture);`, `let _ = run(fuzz_input);`) is left alone:
    finishing without a panic is its check, and a `Result` dropped in statement position
    already gets rustc's `unused_must_use` warning.

    Such a test is reported when its body has no assertion: no assert-family macro (any
    macro whose name contains `assert`, such as
    `assert_eq!`, `prop_assert!`, `insta::assert_snapshot!`, or starts with `check`, `verify`
    or `expect`), no `?`, no `unwrap`/`expect`, no `panic!`/`unreachable!`, no `.*assert*()`
    method (assert_cmd, expect-test, clap's `debug_assert`), no mockall `.expect_*()`, no
    trybuild or loom harness, and no `#[should_panic]`. Calls inside macro arguments count.

    A test that only calls helpers is judged by the helpers. It asserts when it calls a
    function or macro whose name starts with `assert`, `check`, `verify` or `expect`, or one
    defined in test code of the crate whose body asserts; helpers of helpers are followed
    (within a file, and one step into other files of the crate), and macros that expand to
    asserting macros count. Files named for test support (`src/testing.rs`, `src/tests/..`,
    `src/test_util.rs`) are judged like test code, since a file alone cannot see the
    `#[cfg(test)] mod testing;` that includes them. In other production code a function using
    an assert-family macro or `loom::model` counts as such a helper; `debug_assert!`, `unwrap`
    and `panic!` there do not.
    Helpers from other crates of a workspace cannot be seen: name them `check_*` or `assert_*`.

    Compile-time checks count as assertions: `assert_send::<T>()` with no arguments, a generic
    or `impl Trait`-taking `fn`, an `impl`, `trait`, `struct` or `enum` declared in the body
    (derive and trait-resolution tests), a nested `fn` taking a `dyn Trait` (a
    dyn-compatibility check), `#![deny(..)]`/`#![forbid(..)]` in the body (a lint check of the
    code's expansion), and `let _: T = value;`. A test returning `Result`
    whose last expression is not `Ok(())` asserts through its return value. Left alone on
    purpose: tests whose name or comment says that finishing *is* the check
    (`does_not_panic`, `no_deadlock`, `smoke`, `compiles`, `issue_123`, "regression test for
    #123", "does not recurse", also in a comment inside the body), and empty `#[ignore]`d
    placeholders. `#[bench]` functions are not tests.

    ## Why is this bad?
    A test that prints or binds a result without asserting on it passes whenever the code does
    not panic: someone meant to check the value, the test raises coverage numbers while
    checking nothing, and it keeps passing when the result becomes wrong.

    ## Example
    ```rust
    pub fn double(x: i32) -> i32 {
        x * 2
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn doubles() {
            let doubled = super::double(2);
            println!("{doubled}");
        }
    }
    ```

    ## Use instead
    ```rust
    pub fn double(x: i32) -> i32 {
        x * 2
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn doubles() {
            assert_eq!(super::double(2), 4);
        }
    }
    ```

    ## References
    - The Rust Book, "How to Write Tests"
    - clippy has no twin; `cargo-mutants` finds the same weakness by mutating the code
    """

    name = "test-without-assertion"
    scope: ClassVar[Scope] = Scope.ALL  # helpers in production code may assert for tests
    # Every pattern but loom's hands over the candidate itself: `check` reads the few fields
    # it needs, cheaper than a sub-query per candidate.
    patterns: ClassVar[tuple[Pattern, ...]] = (
        Pattern(nodes("function_item")),
        # Asserting macros: check sites in test code, helper marks in production code.
        Pattern(macro_calls(matching=ASSERTING_MACRO_NAME)),
        Pattern(method_calls(*PANICKING_METHODS)),
        Pattern(
            qualified_calls("loom", "shuttle"),
            rf"""
            ((call_expression function: (scoped_identifier) @helper.call) @match
              (#match? @helper.call "{_HELPER_CALLS}"))
            """,
        ),
        Pattern(nodes("macro_definition")),
    )

    def __init__(self) -> None:
        # What the file being analysed has shown so far; functions are judged in `finish`.
        self._state: _FileState | None = None

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        node = captures["match"][0]
        if "helper.call" in captures:
            if not ctx.is_test_code(node):
                self._record_production_checker(node, None, ctx)
            return
        state = self._file_state(ctx)
        kind = node.type
        if kind == "function_item":
            if state.support_file or ctx.is_test_code(node):
                _add_function(node, state)
        elif kind == "macro_invocation":
            self._macro_call(node, state, ctx)
        elif kind == "call_expression":  # `.unwrap()`, `.expect(..)`: they check anywhere
            if state.support_file or ctx.is_test_code(node):
                state.sites.append(node.start_byte)
        elif kind == "macro_definition":
            name = node.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                state.entries.append(_Macro(node, name))

    def finish(self, ctx: FileContext) -> None:
        state, self._state = self._state, None
        if state is None or state.ctx is not ctx or not state.entries:
            return
        checkers = _judge(state)
        # Checkers known by their words that name none of these cannot assert: no reading.
        candidates = _may_assert(checkers, ctx)
        unread = [
            c.unread is not None and (c.words is None or c.words.mentions(candidates, c.label))
            for c in checkers
        ]
        asserting = _asserting_names(checkers, ctx)
        while True:  # read in full the checkers that may assert but are not known to
            unsure = [u and c.label not in asserting for c, u in zip(checkers, unread, strict=True)]
            if not any(unsure):
                break
            checkers = [_read(c, ctx) if u else c for c, u in zip(checkers, unsure, strict=True)]
            unread = [u and not now for u, now in zip(unread, unsure, strict=True)]
            asserting = _asserting_names(checkers, ctx)
        if _needs_read_helpers(checkers, asserting):
            # A reported test's helpers must all be known for its gate; see there for the rest.
            checkers = [_read(c, ctx) for c in checkers]
            asserting = _asserting_names(checkers, ctx)
        for name in sorted(asserting):
            _record_asserting(ctx, name)
        local = {c.label: c.evidence.helpers for c in checkers}
        by_label = {c.label: c for c in checkers}
        for checker in checkers:
            if checker.is_test and checker.label not in asserting:
                helpers = _reachable_helpers(checker, local)
                if _looks_at_a_value(checker, helpers, by_label):
                    self._report(checker, helpers, ctx)

    # ----- collecting ----------------------------------------------------------------------
    def _file_state(self, ctx: FileContext) -> _FileState:
        state = self._state
        if state is None or state.ctx is not ctx:  # a new file: an earlier file's is stale
            state = self._state = _FileState(ctx, _is_test_support_file(ctx.relpath))
        return state

    def _macro_call(self, node: Node, state: _FileState, ctx: FileContext) -> None:
        macro = node.child_by_field_name("macro")
        if macro is None:
            return
        kind = macro.type
        in_test = ctx.is_test_code(node)
        # A plain name reached here through `ASSERTING_MACRO_NAME`, the regex form of
        # `is_asserting_macro`: only a path needs asking.
        asserts = kind == "identifier" or (
            kind == "scoped_identifier" and is_asserting_macro(ctx.text(macro))
        )
        if asserts and (in_test or state.support_file):
            state.sites.append(node.start_byte)
        if not in_test and kind in ("identifier", "scoped_identifier"):
            name = ctx.text(macro)
            if _HELPER_MACRO.search(name):
                self._record_production_checker(node, name, ctx)

    def _report(self, function: _Checker, helpers: set[str], ctx: FileContext) -> None:
        test_name = ctx.text(function.name)
        ctx.report(
            self,
            function.name,
            f"test `{test_name}` asserts nothing: it passes whenever the code does not panic",
            "assert on the result (`assert_eq!`, `assert!(matches!(..))`) or return `Result` "
            "and use `?`",
            gate=_helpers_gate(helpers),
        )

    def _record_production_checker(self, node: Node, macro: str | None, ctx: FileContext) -> None:
        # Helpers of `#[cfg(test)] mod tests;` files look like production code to a file
        # pass; a function with `assert!` or `loom::model` is taken for such a helper (at
        # worst a test calling it goes unreported). `debug_assert!` is the code's invariant.
        if macro is not None and last_segment(macro).startswith("debug_"):
            return
        function = items.enclosing(node, ("function_item", "macro_definition"))
        if function is None or function.type != "function_item":
            return
        _record_asserting(ctx, ctx.text(function.child_by_field_name("name")))


@dataclass(slots=True)
class _Function:
    """A test-code function, judged in `finish` once the file's check sites are all known."""

    function: Node
    name: Node
    body: Node
    is_test: bool | None = None  # known once asked


@dataclass(slots=True)
class _Macro:
    """A `macro_rules!` definition, judged in `finish` with the file's functions."""

    definition: Node
    name: Node


@dataclass(slots=True)
class _FileState:
    """What the rule has gathered of one file."""

    ctx: FileContext
    support_file: bool  # named for test support: every function is judged as test code
    # The file's functions and macros in the order they came, as `finish` will judge them.
    entries: list[_Function | _Macro] = field(default_factory=list)
    # Start bytes of calls that check wherever they are (`assert!`, `.unwrap()`), in test code.
    sites: list[int] = field(default_factory=list)


def _add_function(function: Node, state: _FileState) -> None:
    """Keep a test-code function for `finish` (those with a name and a body, as queried)."""
    name = function.child_by_field_name("name")
    body = function.child_by_field_name("body")
    if name is None or name.type != "identifier" or body is None or body.type != "block":
        return
    state.entries.append(_Function(function, name, body))


def _judge(state: _FileState) -> list[_Checker]:
    """The file's checkers, in the order they came, judged on what is cheap to see.

    A function whose body holds a check site checks. A helper or macro whose text holds no
    word that could check does not check, and calls no helper but the words of its text.
    The rest get a glance: the evidence query on the top of their body only (deep nodes are
    mostly macro arguments). `finish` reads in full those that stay unsure.
    """
    ctx = state.ctx
    sites = sorted(state.sites)
    checkers: list[_Checker] = []
    for entry in state.entries:
        if isinstance(entry, _Macro):
            checkers.append(_glance_macro(entry, ctx))
            continue
        body = entry.body
        label = ctx.text(entry.name)
        index = bisect.bisect_left(sites, body.start_byte)
        if index < len(sites) and sites[index] < body.end_byte:
            sure = _Evidence(checks=True)
            checkers.append(_Checker(entry.name, label, False, sure, unread=entry))
            continue
        entry.is_test = is_test = _is_test(entry, ctx)
        if not is_test:
            words = _Words.of(ctx.source[body.start_byte : body.end_byte], _may_check)
            if words is not None:
                checkers.append(_Checker(entry.name, label, False, _Evidence(), entry, words))
                continue
        glance = _evidence(body, in_test=is_test, depth=_GLANCE_DEPTH)
        if is_test and not glance.checks and _returns_checked_value(entry.function, body):
            glance.checks = True
        checkers.append(_Checker(entry.name, label, is_test, glance, unread=entry))
    return checkers


def _glance_macro(macro: _Macro, ctx: FileContext) -> _Checker:
    """A macro read in full, unless its text holds no word that could check."""
    # After the name: `macro_rules! name` is no word of the macro.
    text = ctx.source[macro.name.end_byte : macro.definition.end_byte]
    words = _Words.of(text, _macro_may_check)
    if words is None:
        return _collect_macro(macro, ctx)
    return _Checker(macro.name, ctx.text(macro.name), False, _Evidence(), macro, words)


class _Words:
    """The text of a checker that does not check: every helper it calls is a word of it.

    Words are whole identifiers: in ASCII, runs of identifier bytes, but not the `$name` of
    a macro metavariable (`a$b` is the name `a` and the metavariable `$b`).
    """

    __slots__ = ("_text", "_words")

    def __init__(self, text: bytes) -> None:
        self._text = text
        self._words: frozenset[str] | None = None  # split when first needed

    @classmethod
    def of(cls, text: bytes, may_check: Callable[[str], bool]) -> _Words | None:
        """The words of `text` when none of them may check; None otherwise or if unsure.

        A raw `r#name` or a non-ASCII name would be no run of identifier bytes: unsure. So
        are the paths `_evidence` finds checks in beyond names (`TestCases`, `loom::`).
        """
        if not text.isascii() or _UNSURE_TEXT.search(text):
            return None
        words = cls(text)
        # Most texts hold no part of a checking name: no need to ask about each word.
        if _CHECKING_TEXT.search(text) and any(may_check(word) for word in words.split()):
            return None
        return words

    def split(self) -> frozenset[str]:
        """The words."""
        if self._words is None:
            runs = set(self._text.translate(_SPLIT_WORDS).split())
            self._words = frozenset(run.split(b"$", 1)[0].decode() for run in runs)
        return self._words

    def mentions(self, names: set[str], itself: str) -> bool:
        """True when one of `names`, `itself` aside, is a word."""
        # Splitting a big text (a long `macro_rules!`) costs more than a search for the few
        # names a file has: most are not even in the bytes.
        if (
            self._words is None
            and len(self._text) > _BIG_TEXT
            and not any(name != itself and name.encode() in self._text for name in names)
        ):
            return False
        common = self.split() & names
        return len(common) > (itself in common)


def _may_check(word: str) -> bool:
    """True when a helper's body naming `word` may check (see `_evidence`, not in a test)."""
    return (
        is_asserting_macro(word)
        or is_panicking_method(word)
        or is_checking_helper(word)
        or word == "compile_fail"
    )


def _macro_may_check(word: str) -> bool:
    """True when a macro naming `word` may check (see `_collect_macro`)."""
    return is_asserting_macro(word) or is_panicking_method(word)


def _may_assert(checkers: list[_Checker], ctx: FileContext) -> set[str]:
    """Every name that may be found asserting (`_asserting_names`), and maybe more.

    The helpers this file recorded as asserting, the checkers not known by their words, and
    the checkers whose words hold a name already in: those known by their words that call
    none of these (themselves aside) cannot assert (calling itself, a checker asserts only if
    another checker of its name does), and need no reading.
    """
    found = {
        key.removeprefix(ASSERTING_FACT) for key in ctx.facts if key.startswith(ASSERTING_FACT)
    }
    by_words: list[tuple[str, _Words]] = []
    for checker in checkers:
        if checker.words is None:
            found.add(checker.label)
        else:
            by_words.append((checker.label, checker.words))
    changed = bool(by_words)
    while changed:  # a name the words of a checker hold may be found asserting later
        changed = False
        for label, words in by_words:
            if label not in found and words.mentions(found, label):
                found.add(label)
                changed = True
    return found


def _needs_read_helpers(checkers: list[_Checker], asserting: set[str]) -> bool:
    """True when what is not read of the file's checkers may change a finding.

    Only a reported test's does. Its gate holds every helper it reaches, and a helper known
    by its words has its helpers unread. A checker known to check by a site or a glance has
    unread the helpers it calls before its first check, those the full reading keeps: any
    of them recorded as asserting in this file counts as asserting (`_asserting_names`), and
    spares a test of that name. So when a test is reported, every body is read, as before.
    """
    if not any(c.unread is not None for c in checkers):
        return False
    return any(c.is_test and c.label not in asserting for c in checkers)


def _is_test(function: _Function, ctx: FileContext) -> bool:
    """A `#[test]` function that is expected to assert (see `_exempt`)."""
    attributes = items.attributes_of(function.function)
    if not any(_is_test_attribute(a) for a in attributes):
        return False
    return not _exempt(attributes, ctx.text(function.name), function.function, function.body)


def _read(checker: _Checker, ctx: FileContext) -> _Checker:
    """The checker with its function's body or macro read in full (itself when it was)."""
    source = checker.unread
    if source is None:
        return checker
    if isinstance(source, _Macro):
        return _collect_macro(source, ctx)
    if source.is_test is None:
        source.is_test = _is_test(source, ctx)
    is_test, body = source.is_test, source.body
    evidence = _evidence(body, in_test=is_test)
    if is_test and not evidence.checks and _returns_checked_value(source.function, body):
        evidence.checks = True
    return _Checker(source.name, checker.label, is_test, evidence)


def _collect_macro(macro: _Macro, ctx: FileContext) -> _Checker:
    # `macro_rules! check_parse { .. assert_eq!(..) .. }`: invoking it asserts; a macro
    # that expands to another macro is judged with the file's other helpers.
    evidence = _Evidence()
    for word in _token_words(macro.definition):
        if is_asserting_macro(word) or is_panicking_method(word):
            evidence.checks = True
            break
        evidence.helpers.add(word)
    return _Checker(macro.name, ctx.text(macro.name), False, evidence)


def _asserting_names(functions: list[_Checker], ctx: FileContext) -> set[str]:
    """Names of the file's test-code functions that assert, directly or through helpers.

    Helpers already known to assert (the file's macros, production-code checkers) seed it.
    For functions not read in full it is what is sure: a part of the answer (see `finish`).
    """
    asserting = {f.label for f in functions if f.evidence.checks}
    # Only helpers of read functions: a glance may see helpers called after the first check,
    # which the full reading (it stops there) leaves out.
    asserting.update(
        helper
        for f in functions
        if f.unread is None
        for helper in f.evidence.helpers
        if asserting_fact_key(helper) in ctx.facts
    )
    pending = [f for f in functions if not f.evidence.checks and f.evidence.helpers]
    changed = True
    while changed:  # helpers of helpers: each round resolves one more level
        changed = False
        for function in pending:
            name = function.label
            if name not in asserting and function.evidence.helpers & asserting:
                asserting.add(name)
                changed = True
    return asserting


@functools.cache
def _is_test_support_file(relpath: str) -> bool:
    """True for files whose path says they hold test support (`src/testing.rs`, `tests/`)."""
    parts = relpath.removesuffix(".rs").split("/")
    return any(_TEST_SUPPORT_PART.match(part) for part in parts)


def _reachable_helpers(test: _Checker, local: dict[str, set[str]]) -> set[str]:
    """The test's helpers, and through the file's own helpers, theirs: any may assert elsewhere.

    `decode_big5(..)` calls `decode(..)` from another file; the finding must wait for the
    crate to say whether `decode` asserts.
    """
    reached = set(test.evidence.helpers)
    stack = list(reached)
    while stack:
        for name in local.get(stack.pop(), ()):
            if name not in reached:
                reached.add(name)
                stack.append(name)
    return reached


def _is_test_attribute(attribute: Node) -> bool:
    """`#[test]`, `#[tokio::test]`, `#[std::prelude::v1::test]`; not `#[bench]`."""
    path = items.attribute_path(attribute)
    return path == "test" or path.endswith("::test")


def _exempt(attributes: list[Node], name: str, function: Node, body: Node) -> bool:
    """Tests that are not expected to assert.

    `#[should_panic]` tests assert by panicking. A name or a comment above the test that
    speaks of what must not happen (`does_not_panic`, `no_deadlock`, "does not recurse"), of a
    smoke test, of compiling, or of an issue it reproduces says that running to the end *is*
    the check. An empty `#[ignore]`d test is a placeholder for a configuration that cannot
    run here (nightly-only, say).
    """
    paths = [items.attribute_path(a) for a in attributes]
    if "should_panic" in paths:
        return True
    if any(part.startswith(_RUNS_ONLY_WORDS) for part in name.lower().split("_")):
        return True
    if _RUNS_ONLY_COMMENT.search(_comments_above(function)):
        return True
    ignored = "ignore" in paths or any(
        items.attribute_path(a) == "cfg_attr" and "ignore" in items.attribute_arguments(a)
        for a in attributes
    )
    return ignored and not any(not c.type.endswith("comment") for c in body.named_children)


def _comments_above(function: Node) -> str:
    """The comments (doc comments too) among the attributes right above `function`."""
    texts: list[str] = []
    sibling = function.prev_sibling
    while sibling is not None and sibling.type in (
        "attribute_item",
        "line_comment",
        "block_comment",
    ):
        if sibling.type != "attribute_item":
            texts.append(items.text(sibling))
        sibling = sibling.prev_sibling
    return "\n".join(texts)


def _looks_at_a_value(test: _Checker, helpers: set[str], by_label: dict[str, _Checker]) -> bool:
    """True when the test (or a helper of this file it reaches) binds a value it never
    reads or prints one instead of checking it, or when its body is empty.

    A test that only calls code for its effect (`block_in_place(|| {})`, `time::pause()`,
    `resolve(fixture)`) checks that the code finishes without a panic: that is its check, and
    the rule leaves it alone. A value dropped in statement position (`f();`) or on purpose
    (`let _ = f();`) counts as such a call: the idiom of fuzz regressions and no-panic
    sweeps, and a dropped `Result` in statement position already gets rustc's
    `unused_must_use` warning.
    """
    body = _body_of(test)
    if body is None:
        return False
    if not any(not c.type.endswith("comment") for c in body.named_children):
        return True  # an empty test passes whatever the code does
    if _drops_a_value(body):
        return True
    for name in helpers:
        helper = by_label.get(name)
        if helper is None or helper.is_test:
            continue
        node = helper.name.parent
        if node is not None and node.type == "macro_definition":
            if _PRINT_MACROS & set(_token_words(node)):
                return True
        else:
            helper_body = _body_of(helper)
            if helper_body is not None and _drops_a_value(helper_body):
                return True
    return False


def _body_of(checker: _Checker) -> Node | None:
    function = checker.name.parent
    if function is None or function.type != "function_item":
        return None
    body = function.child_by_field_name("body")
    return body if body is not None and body.type == "block" else None


def _drops_a_value(body: Node) -> bool:
    """True when `body` binds a value it never reads (`let parsed = parse(..);`) or prints
    one (`println!("{x}")`, `dbg!(x)`)."""
    cursor = tree_sitter.QueryCursor(compile_query(_DROPS_QUERY))
    names: list[Node] = []
    bindings: list[tuple[Node, int]] = []  # the bound name, the end of its `let`
    for _, captures in cursor.matches(body):
        if "print" in captures:
            if _prints_a_value(captures["print"][0], captures["arguments"][0]):
                return True
        elif "binding" in captures:
            bindings.append((captures["pattern"][0], captures["binding"][0].end_byte))
        elif "name" in captures:
            names.append(captures["name"][0])
    for pattern, end in bindings:
        label = items.text(pattern)
        if label.startswith("_"):
            continue  # `let _guard = ..`: kept alive on purpose
        if not any(n.start_byte >= end and items.text(n) == label for n in names):
            return True  # `let parsed = parse(..);` and never a look at `parsed`
    return False


def _prints_a_value(macro: Node, arguments: Node) -> bool:
    """`println!("{x}")`, `println!("{}", x)`, `dbg!(x)`; not `println!("starting")`."""
    if items.text(macro) == "dbg":
        return arguments.named_child_count > 0
    parts = arguments.named_children
    if not parts:
        return False
    return len(parts) > 1 or bool(_FORMATS_A_VALUE.search(items.text(parts[0])))


def _record_asserting(ctx: FileContext, name: str) -> None:
    if not name:
        return
    key = asserting_fact_key(name)
    if key not in ctx.facts:
        ctx.add_fact(key, ASSERTING_VALUE)


def _evidence(body: Node, *, in_test: bool, depth: int | None = None) -> _Evidence:
    """Search a function body for checks, and collect the helpers it calls.

    In a test, `?` and compile-time checks count; in a helper they do not, since an `Err` the
    helper returns or a bound it states says nothing about what the calling test checks.
    With `depth`, only matches starting that deep below the body: a part of the evidence.
    """
    found = _Evidence()
    cursor = tree_sitter.QueryCursor(compile_query(_EVIDENCE_QUERY))
    if depth is not None:
        cursor.set_max_start_depth(depth)
    for _, captures in cursor.matches(body):
        if "try" in captures or "types" in captures:
            found.checks = in_test
        elif "lint" in captures:
            # `#![deny(clippy::..)]` in a test: the check is that the code compiles lint-free.
            found.checks = in_test and items.attribute_path(captures["lint"][0]) in _LINT_LEVELS
        elif "comment" in captures:
            # "// validate we do not underflow": the author says finishing is the check.
            found.checks = in_test and bool(
                _RUNS_ONLY_COMMENT.search(items.text(captures["comment"][0]))
            )
        elif "turbofish" in captures and captures["turbofish"][0].named_child_count == 0:
            # `assert_impl::<T>()`: a bound checked at compile time, not a call for its value.
            found.checks = in_test
        elif "macro" in captures:
            name = items.text(captures["macro"][0])
            found.checks = is_asserting_macro(name)
            found.helpers.add(last_segment(name))
        elif "method" in captures:
            name = items.text(captures["method"][0])
            found.checks = is_panicking_method(name) or name == "compile_fail"
            found.helpers.add(name)
        elif "call" in captures:
            name = items.text(captures["call"][0])
            path = items.text(captures["path"][0]) if "path" in captures else name
            # `trybuild::TestCases` asserts when it is dropped; loom panics on a violation.
            found.checks = (
                is_checking_helper(name) or "TestCases" in path or path.startswith(_MODEL_CHECKERS)
            )
            found.helpers.add(name)
        elif "word" in captures:
            name = items.text(captures["word"][0])
            found.checks = is_asserting_macro(name) or is_checking_helper(name)
            found.helpers.add(name)
        if found.checks:
            return found
    return found


def _returns_checked_value(function: Node, body: Node) -> bool:
    """True for a test returning `Result` (or any value) whose tail is not just `Ok(())`."""
    returned = function.child_by_field_name("return_type")
    if returned is None or returned.type == "unit_type":
        return False
    tail = body.named_children[-1] if body.named_children else None
    if tail is None or tail.type.endswith(("statement", "declaration", "_item", "comment")):
        return False
    return items.text(tail).replace(" ", "") != "Ok(())"


def _helpers_gate(helpers: set[str]) -> Gate | None:
    """The finding stands only if none of the called helpers is known to assert."""
    gates = tuple(
        FactGate(asserting_fact_key(name), ASSERTING_VALUE, absent=True) for name in sorted(helpers)
    )
    if not gates:
        return None
    return gates[0] if len(gates) == 1 else AllGates(gates)


def _token_words(definition: Node) -> list[str]:
    """The identifiers of a `macro_rules!` body that are followed by `(..)`, `[..]` or `!`."""
    cursor = tree_sitter.QueryCursor(compile_query(_MACRO_WORDS_QUERY))
    return [items.text(node) for node in cursor.captures(definition).get("word", [])]


_MACRO_WORDS_QUERY = r"""
(token_tree (identifier) @word . (token_tree))
(token_repetition (identifier) @word . (token_tree))
"""
