"""What a `#[cfg(..)]` predicate says about when code is compiled: only for tests, only for docs.

A cfg predicate is a tiny language of its own (`all(..)`, `any(..)`, `not(..)`, `name`,
`key = "value"`), written in an attribute's token tree. Reviewers judge code by the builds
it is part of: `#[cfg(any(test, feature = "test-util"))]` helpers are test support, a
`#[cfg(docsrs)]` module is a documentation shim, and neither is production code.

The answer is one of `TEST` (compiled only where tests or test tooling run), `DOCS`
(compiled only for rustdoc) or `None` (may be in a normal build). It errs towards `None`:
`not(..)` and unknown predicates never make code test- or docs-only.

`required_features` answers another question of the same predicate: which Cargo features
the code certainly needs (`feature = "x"`, or one conjunct of `all(..)`), so that code behind
a feature the package does not declare is known never to compile. `excluded_features` is its
mirror: the features that must be off (`not(feature = "std")`), so that code a default
feature turns off is known not to be in the default build.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable
from typing import TypeVar


class CfgOnly(enum.Enum):
    """The kind of build a cfg predicate limits code to."""

    TEST = "test"
    DOCS = "docs"


# Bare cfg names set only by test tooling: the test harness, loom model checking, fuzzers.
_TEST_NAMES = frozenset({"test", "loom", "fuzzing", "miri", "kani", "shuttle"})
_DOCS_NAMES = frozenset({"docsrs", "doc"})
# A feature whose name says it exists for tests (`test-util`, `testing`, `mock`, `fuzz`).
_TEST_FEATURE = re.compile(r"(^|[-_])(test|tests|testing|test[-_]?util[s]?|mocks?|fuzz\w*)($|[-_])")

# Predicates nested deeper than this are not judged (None: may be in a normal build). Real
# ones nest two or three deep; the parser recurses once per level.
_MAX_NESTING = 32

_TOKEN = re.compile(
    r'\s*(?:(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<string>"(?:[^"\\]|\\.)*")|(?P<punct>[(),=]))'
)


def cfg_only(arguments: str) -> CfgOnly | None:
    """What `#[cfg(ARGS)]` limits code to; `arguments` is the parenthesised text `(..)`."""
    return _cfg_only(arguments.strip())


@functools.lru_cache(maxsize=1024)
def _cfg_only(arguments: str) -> CfgOnly | None:
    tokens = _tokens(arguments)
    if tokens is None or len(tokens) < 2 or tokens[0] != "(" or tokens[-1] != ")":
        return None
    parser = _Parser(tokens[1:-1])
    kinds = parser.predicate()
    if kinds is None or not parser.at_end():
        return None
    return _one(kinds)


def required_features(arguments: str) -> tuple[str, ...]:
    """The features `#[cfg(ARGS)]` certainly requires, sorted; `arguments` is `(..)`.

    Only the certain forms count: `feature = "x"` and the conjuncts of `all(..)`. An
    `any(..)` may hold without any one of its features and `not(..)` holds without them, so
    neither requires anything; text that is not a predicate requires nothing either.
    """
    return _required_features(arguments.strip())


@functools.lru_cache(maxsize=1024)
def _required_features(arguments: str) -> tuple[str, ...]:
    tokens = _tokens(arguments)
    if tokens is None or len(tokens) < 2 or tokens[0] != "(" or tokens[-1] != ")":
        return ()
    parser = _Parser(tokens[1:-1])
    found = parser.features()
    if found is None or not parser.at_end():
        return ()
    return tuple(sorted(found))


def _one(kinds: frozenset[CfgOnly]) -> CfgOnly | None:
    # A predicate limited to both (`all(test, docsrs)`) is never in a normal build; report
    # it as test code, which production rules skip just the same.
    if CfgOnly.TEST in kinds:
        return CfgOnly.TEST
    return CfgOnly.DOCS if CfgOnly.DOCS in kinds else None


def _tokens(text: str) -> list[str] | None:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position:].strip():
                return None  # something cfg syntax does not have
            break
        tokens.append(match.group(match.lastgroup or "punct"))
        position = match.end()
    return tokens


_Part = TypeVar("_Part")


class _Parser:
    """Recursive descent over the tokens of one predicate.

    Each predicate evaluates to the set of build kinds it is limited to: empty for a
    predicate that holds in normal builds (or may), `{TEST}` for one that holds only in test
    builds, and so on. None means the text is not a predicate.
    """

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def at_end(self) -> bool:
        return self.position == len(self.tokens)

    def _next(self) -> str | None:
        if self.position >= len(self.tokens):
            return None
        token = self.tokens[self.position]
        self.position += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _group(self, part: Callable[[], _Part | None]) -> list[_Part] | None:
        """The parts of `all(..)`, `any(..)` or `not(..)`, read with `part` from the `(`
        after the name through its `)`; None when the text is no predicate or nests deeper
        than `_MAX_NESTING`."""
        if self.depth == _MAX_NESTING:
            return None
        self._next()  # the `(`
        parts: list[_Part] = []
        while self._peek() != ")":
            self.depth += 1
            found = part()
            self.depth -= 1
            if found is None:
                return None
            parts.append(found)
            if self._peek() == ",":
                self._next()
            elif self._peek() != ")":
                return None
        self._next()
        return parts

    def predicate(self) -> frozenset[CfgOnly] | None:
        word = self._next()
        if word is None or not (word[0].isalpha() or word[0] == "_"):
            return None
        if self._peek() == "(" and word in ("all", "any", "not"):
            parts = self._group(self.predicate)
            return None if parts is None else _combine(word, parts)
        if self._peek() == "=":
            self._next()
            value = self._next()
            if value is None or not value.startswith('"'):
                return None
            if word == "feature" and _TEST_FEATURE.search(value[1:-1].lower()):
                return frozenset({CfgOnly.TEST})
            return frozenset()
        if word in _TEST_NAMES:
            return frozenset({CfgOnly.TEST})
        if word in _DOCS_NAMES:
            return frozenset({CfgOnly.DOCS})
        return frozenset()

    def features(self) -> frozenset[str] | None:
        """The features this predicate certainly requires; None when it is no predicate."""
        word = self._next()
        if word is None or not (word[0].isalpha() or word[0] == "_"):
            return None
        if self._peek() == "(" and word in ("all", "any", "not"):
            features = self._group(self.features)
            if features is None:
                return None
            # Every conjunct of `all` must hold: each one's features are needed.
            return frozenset().union(*features) if word == "all" else frozenset()
        if self._peek() == "=":
            self._next()
            value = self._next()
            if value is None or not value.startswith('"'):
                return None
            return frozenset({value[1:-1]}) if word == "feature" else frozenset()
        return frozenset()


def _combine(operator: str, parts: list[frozenset[CfgOnly]]) -> frozenset[CfgOnly]:
    if operator == "all":  # limited by any one conjunct
        return frozenset().union(*parts)
    if operator == "any":  # limited only when every alternative is, to one kind
        if not parts or any(not part for part in parts):
            return frozenset()
        common = frozenset.intersection(*parts)
        if common:
            return common
        # `any(test, docsrs)`: never in a normal build, though for two kinds.
        return frozenset({CfgOnly.TEST})
    return frozenset()  # `not(..)`: holds in some normal build


# Whether a predicate holds when `cargo test` builds the crate on some supported target, with
# the package's default features: `verify` asks it of a test that is newly behind a cfg.
# Names cargo test sets (`test`, `debug_assertions`) hold; names only other tools set (rustdoc,
# miri, loom, fuzzers) and names nothing sets (`FALSE`, a typo) do not: a build script could
# set a custom one, but a test newly hidden behind one is what a reviewer wants to see.
_SET_BY_CARGO_TEST = frozenset({"test", "debug_assertions", "overflow_checks", "panic_unwind"})
# Names that hold on some target but not all: the answer depends on where the tests run.
_PLATFORM_NAMES = frozenset({"unix", "windows", "target_thread_local", "proc_macro"})
# The values rustc knows for each target key (`rustc --print cfg` over every target);
# another value names no target, so the predicate never holds.
_TARGET_OSES = (
    "aix android cuda dragonfly emscripten espidf freebsd fuchsia haiku hermit "
    "horizon hurd illumos ios l4re linux macos netbsd none nto nuttx openbsd psp "
    "redox rtems solaris solid_asp3 teeos trusty tvos uefi unknown visionos vita "
    "vxworks wasi watchos xous zkvm cygwin lynxos178 qnx managarm motor"
)
_TARGET_ARCHES = (
    "aarch64 amdgpu arm arm64ec avr bpf csky hexagon loongarch32 loongarch64 m68k "
    "mips mips32r6 mips64 mips64r6 msp430 nvptx64 powerpc powerpc64 riscv32 riscv64 "
    "s390x sparc sparc64 wasm32 wasm64 x86 x86_64 xtensa"
)
_TARGET_VALUES: dict[str, frozenset[str]] = {
    "target_os": frozenset(_TARGET_OSES.split()),
    "target_family": frozenset({"unix", "windows", "wasm"}),
    "target_endian": frozenset({"little", "big"}),
    "target_pointer_width": frozenset({"16", "32", "64"}),
    "target_arch": frozenset(_TARGET_ARCHES.split()),
    "panic": frozenset({"unwind", "abort"}),
}
# Keys whose values cargo test fixes: `panic = "unwind"` (the test harness needs it).
_FIXED_VALUES: dict[str, str] = {"panic": "unwind"}
# Keys any target may set to values not listed here (`target_env = "gnu"`, `target_feature`).
_OPEN_KEYS = frozenset(
    {
        "target_env",
        "target_vendor",
        "target_abi",
        "target_feature",
        "target_has_atomic",
        "target_has_atomic_load_store",
        "target_has_atomic_equal_alignment",
        "relocation_model",
        "sanitize",
        "target_object_format",
        "fmt_debug",
        "ub_checks",
        "contract_checks",
    }
)


def under_cargo_test(arguments: str, default_features: frozenset[str] | None) -> bool | None:
    """Whether `#[cfg(ARGS)]` holds under `cargo test` with `default_features` enabled.

    True when it holds on every target, False when it holds on none (`any()`, a feature
    outside the defaults, `target_os = "nonexistent"`, `doc`, `miri`), None when it depends on
    the target (`unix`, `target_os = "linux"`), on features when `default_features` is None
    (not known), or the text is not a predicate.
    """
    tokens = _tokens(arguments.strip())
    if tokens is None or len(tokens) < 2 or tokens[0] != "(" or tokens[-1] != ")":
        return None
    evaluator = _TestBuild(tokens[1:-1], default_features)
    try:
        value = evaluator.predicate()
    except _NotAPredicate:
        return None
    return value if evaluator.position == len(evaluator.tokens) else None


class _NotAPredicate(Exception):
    """The tokens are not cfg syntax."""


class _TestBuild:
    """Three-valued evaluation (True, False, None for "depends on the target")."""

    def __init__(self, tokens: list[str], features: frozenset[str] | None) -> None:
        self.tokens = tokens
        self.features = features
        self.position = 0
        self.depth = 0

    def _next(self) -> str:
        if self.position >= len(self.tokens):
            raise _NotAPredicate
        self.position += 1
        return self.tokens[self.position - 1]

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def predicate(self) -> bool | None:
        word = self._next()
        if not (word[0].isalpha() or word[0] == "_"):
            raise _NotAPredicate
        if self._peek() == "(" and word in ("all", "any", "not"):
            if self.depth == _MAX_NESTING:
                raise _NotAPredicate
            self._next()
            parts: list[bool | None] = []
            while self._peek() != ")":
                self.depth += 1
                parts.append(self.predicate())
                self.depth -= 1
                if self._peek() == ",":
                    self._next()
                elif self._peek() != ")":
                    raise _NotAPredicate
            self._next()
            return _fold(word, parts)
        if self._peek() == "=":
            self._next()
            value = self._next()
            if not value.startswith('"'):
                raise _NotAPredicate
            return self._key_value(word, value[1:-1])
        if word in _SET_BY_CARGO_TEST:
            return True
        if word in _PLATFORM_NAMES:
            return None
        return False

    def _key_value(self, key: str, value: str) -> bool | None:
        if key == "feature":
            return None if self.features is None else value in self.features
        if key in _FIXED_VALUES:
            return value == _FIXED_VALUES[key]
        known = _TARGET_VALUES.get(key)
        if known is not None:
            return None if value in known else False
        return None if key in _OPEN_KEYS else False


def _fold(operator: str, parts: list[bool | None]) -> bool | None:
    if operator == "not":
        if len(parts) != 1:
            raise _NotAPredicate
        return None if parts[0] is None else not parts[0]
    if operator == "all":
        if False in parts:
            return False
        return True if all(part is True for part in parts) else None
    if True in parts:  # any
        return True
    return False if all(part is False for part in parts) else None


def excluded_features(arguments: str) -> tuple[str, ...]:
    """The features `#[cfg(ARGS)]` certainly needs off, sorted; `arguments` is `(..)`.

    `not(P)` excludes every feature that alone makes `P` hold (`feature = "x"`, any
    disjunct of `any(..)`); `all(..)` excludes what any conjunct does. Nothing else is
    certain, and text that is not a predicate excludes nothing.
    """
    return _excluded_features(arguments.strip())


@functools.lru_cache(maxsize=1024)
def _excluded_features(arguments: str) -> tuple[str, ...]:
    tokens = _tokens(arguments)
    if tokens is None or len(tokens) < 2 or tokens[0] != "(" or tokens[-1] != ")":
        return ()
    reader = _TreeReader(tokens[1:-1])
    tree = reader.tree()
    if tree is None or not reader.at_end():
        return ()
    return tuple(sorted(_excluded(tree)))


# A predicate as a tree: ("all" | "any" | "not", parts), ("feature", name), or ("other", "").
_Tree = tuple[str, object]


class _TreeReader(_Parser):
    """The predicate's tree, for questions the build kinds do not answer."""

    def tree(self) -> _Tree | None:
        """The next predicate as a tree; None when the text is no predicate."""
        word = self._next()
        if word is None or not (word[0].isalpha() or word[0] == "_"):
            return None
        if self._peek() == "(" and word in ("all", "any", "not"):
            parts = self._group(self.tree)
            return None if parts is None else (word, tuple(parts))
        if self._peek() == "=":
            self._next()
            value = self._next()
            if value is None or not value.startswith('"'):
                return None
            return ("feature", value[1:-1]) if word == "feature" else ("other", "")
        return ("other", "")


def _parts(tree: _Tree) -> tuple[_Tree, ...]:
    parts = tree[1]
    return parts if isinstance(parts, tuple) else ()


def _sufficient(tree: _Tree) -> frozenset[str]:
    """Features each of which alone makes `tree` hold."""
    kind = tree[0]
    if kind == "feature":
        return frozenset({str(tree[1])})
    parts = _parts(tree)
    if kind == "any":
        return frozenset().union(*map(_sufficient, parts))
    if kind == "all" and parts:
        return frozenset.intersection(*map(_sufficient, parts))
    return frozenset()


def _excluded(tree: _Tree) -> frozenset[str]:
    """Features that must be off for `tree` to hold."""
    kind = tree[0]
    parts = _parts(tree)
    if kind == "not" and len(parts) == 1:
        return _sufficient(parts[0])
    if kind == "all":
        return frozenset().union(*map(_excluded, parts))
    return frozenset()
