"""Stable language features and std APIs, with the Rust release that stabilised each.

The profile infers a lower bound for the MSRV from the newest of these the production code
uses. Each entry says how it is recognised in the syntax tree:

- `syntax`: a tree-sitter pattern (capture `@msrv`) for a language feature;
- `method`: a method-call name distinctive enough to mean the std method;
- `name`: an identifier or type name that only std defines (`OnceLock`);
- `path`: the exact text of a path prefix (`std::backtrace`);
- `call`: a path call whose last two segments match (`thread::scope(..)`);
- `attr`: an attribute path (`expect`, `diagnostic::on_unimplemented`).

Method and name matches can be a crate's own item with the same name, so the whole bound is
`inferred`, never `declared`. Versions are from the Rust release notes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: key, what it is, the stabilising release, and how to recognise it."""

    key: str
    title: str
    version: str
    kind: str  # syntax, method, name, path, call, attr
    match: str  # a query pattern for `syntax`, else the name / path text
    # `syntax` only: the captured node counts when it has this field / this parent kind.
    # Checked on the node rather than in the pattern: a pattern naming a later child (or a
    # parent) stays open while the query walks the earlier children, and code that nests
    # the construct in itself (a `let` in a `let`'s value) made the query quadratic.
    having: str | None = None
    within: str | None = None

    @property
    def version_tuple(self) -> tuple[int, int]:
        """(1, 65) for "1.65"."""
        major, minor = self.version.split(".")[:2]
        return int(major), int(minor)


FEATURES: tuple[Feature, ...] = (
    # Language features.
    Feature("async-await", "`async fn` / `.await`", "1.39", "syntax", "(await_expression) @msrv"),
    Feature(
        "const-generics",
        "const generics (`const N: usize`)",
        "1.51",
        "syntax",
        "(const_parameter) @msrv",
    ),
    Feature(
        "nested-or-patterns",
        "nested or-patterns (`Some(1 | 2)`)",
        "1.53",
        "syntax",
        "(or_pattern) @msrv",
        within="tuple_struct_pattern",
    ),
    Feature(
        "let-else",
        "let-else (`let Some(x) = y else { .. }`)",
        "1.65",
        "syntax",
        "(let_declaration) @msrv",
        having="alternative",
    ),
    Feature(
        "gats",
        "generic associated types",
        "1.65",
        "syntax",
        "(associated_type (type_parameters)) @msrv",
    ),
    Feature(
        "enum-default-variant",
        "`#[default]` enum variant for `derive(Default)`",
        "1.62",
        "syntax",
        '(enum_variant_list (attribute_item (attribute (identifier) @_d (#eq? @_d "default")))'
        " @msrv)",
    ),
    Feature(
        "async-fn-in-trait",
        "`async fn` in traits",
        "1.75",
        "syntax",
        "(trait_item body: (declaration_list [(function_signature_item (function_modifiers"
        ' "async")) (function_item (function_modifiers "async"))] @msrv))',
    ),
    Feature(
        "rpitit",
        "`-> impl Trait` in trait methods",
        "1.75",
        "syntax",
        "(trait_item body: (declaration_list [(function_signature_item return_type:"
        " (abstract_type)) (function_item return_type: (abstract_type))] @msrv))",
    ),
    Feature(
        "inline-const", "inline `const { .. }` blocks", "1.79", "syntax", "(const_block) @msrv"
    ),
    Feature(
        "exclusive-range-pattern",
        "exclusive range patterns (`0..5 =>`)",
        "1.80",
        "syntax",
        '(range_pattern left: (_) ".." right: (_)) @msrv',
    ),
    Feature(
        "raw-ref-op",
        "raw borrows (`&raw const x`)",
        "1.82",
        "syntax",
        '(reference_expression "raw") @msrv',
    ),
    Feature(
        "unsafe-extern",
        "`unsafe extern` blocks",
        "1.82",
        "syntax",
        '(foreign_mod_item "unsafe") @msrv',
    ),
    Feature(
        "precise-capturing",
        "precise capturing (`impl Trait + use<..>`)",
        "1.82",
        "syntax",
        "(use_bounds) @msrv",
    ),
    Feature(
        "async-closures",
        "async closures (`async || ..`)",
        "1.85",
        "syntax",
        '(closure_expression "async") @msrv',
    ),
    Feature(
        "let-chains",
        "let chains (`if let .. && let ..`, edition 2024)",
        "1.88",
        "syntax",
        "(let_chain) @msrv",
    ),
    # Attributes.
    Feature("non-exhaustive", "`#[non_exhaustive]`", "1.40", "attr", "non_exhaustive"),
    Feature("track-caller", "`#[track_caller]`", "1.46", "attr", "track_caller"),
    Feature(
        "diagnostic-namespace",
        "`#[diagnostic::on_unimplemented]`",
        "1.78",
        "attr",
        "diagnostic::on_unimplemented",
    ),
    Feature("lint-expect", "`#[expect(..)]` lint attribute", "1.81", "attr", "expect"),
    Feature(
        "unsafe-attributes",
        "`#[unsafe(no_mangle)]`-style unsafe attributes",
        "1.82",
        "attr",
        "unsafe",
    ),
    # Std types and modules only std defines.
    Feature(
        "io-safety",
        "I/O safety (`OwnedFd`, `BorrowedFd`, `AsFd`)",
        "1.63",
        "name",
        "OwnedFd BorrowedFd AsFd OwnedHandle BorrowedHandle AsHandle",
    ),
    Feature("once-lock", "`std::sync::OnceLock`", "1.70", "name", "OnceLock"),
    Feature("is-terminal", "`std::io::IsTerminal`", "1.70", "name", "IsTerminal"),
    Feature("nonzero-generic", "generic `NonZero<T>`", "1.79", "name", "NonZero"),
    Feature(
        "lazy-lock",
        "`std::sync::LazyLock` / `std::cell::LazyCell`",
        "1.80",
        "name",
        "LazyLock LazyCell",
    ),
    Feature(
        "core-ffi", "`core::ffi` C types (`core::ffi::c_int`, `CStr`)", "1.64", "path", "core::ffi"
    ),
    Feature("std-backtrace", "`std::backtrace::Backtrace`", "1.65", "path", "std::backtrace"),
    Feature("os-fd", "`std::os::fd` (portable fd traits)", "1.66", "path", "std::os::fd"),
    Feature("core-net", "`core::net` addresses", "1.77", "path", "core::net"),
    Feature("core-error", "`core::error::Error`", "1.81", "path", "core::error"),
    # Std functions, called by path.
    Feature(
        "available-parallelism",
        "`std::thread::available_parallelism`",
        "1.59",
        "call",
        "thread::available_parallelism",
    ),
    Feature("iter-zip", "`std::iter::zip`", "1.59", "call", "iter::zip"),
    Feature(
        "scoped-threads", "scoped threads (`std::thread::scope`)", "1.63", "call", "thread::scope"
    ),
    Feature("array-from-fn", "`std::array::from_fn`", "1.63", "call", "array::from_fn"),
    Feature("io-read-to-string", "`std::io::read_to_string`", "1.65", "call", "io::read_to_string"),
    Feature("black-box", "`std::hint::black_box`", "1.66", "call", "hint::black_box"),
    Feature("iter-repeat-n", "`std::iter::repeat_n`", "1.82", "call", "iter::repeat_n"),
    Feature("waker-noop", "`Waker::noop`", "1.85", "call", "Waker::noop"),
    # Std methods with names nothing else commonly uses.
    Feature("as-deref", "`Option::as_deref`", "1.40", "method", "as_deref as_deref_mut"),
    Feature(
        "strip-prefix",
        "`str::strip_prefix` / `strip_suffix`",
        "1.45",
        "method",
        "strip_prefix strip_suffix",
    ),
    Feature("unsigned-abs", "`unsigned_abs`", "1.51", "method", "unsigned_abs"),
    Feature("split-once", "`str::split_once`", "1.52", "method", "split_once"),
    Feature("map-while", "`Iterator::map_while`", "1.57", "method", "map_while"),
    Feature("abs-diff", "`abs_diff`", "1.60", "method", "abs_diff"),
    Feature("retain-mut", "`Vec::retain_mut`", "1.61", "method", "retain_mut"),
    Feature("then-some", "`bool::then_some`", "1.62", "method", "then_some"),
    Feature("checked-add-signed", "`checked_add_signed`", "1.66", "method", "checked_add_signed"),
    Feature("ilog", "`ilog2` / `ilog10`", "1.67", "method", "ilog2 ilog10"),
    Feature(
        "is-some-and",
        "`Option::is_some_and` / `Result::is_ok_and`",
        "1.70",
        "method",
        "is_some_and is_ok_and is_err_and",
    ),
    Feature(
        "div-ceil", "`div_ceil` / `next_multiple_of`", "1.73", "method", "div_ceil next_multiple_of"
    ),
    Feature("inspect-err", "`Result::inspect_err`", "1.76", "method", "inspect_err"),
    Feature("first-chunk", "`slice::first_chunk`", "1.77", "method", "first_chunk last_chunk"),
    Feature("take-if", "`Option::take_if`", "1.80", "method", "take_if"),
    Feature(
        "split-at-checked",
        "`split_at_checked` / `as_flattened`",
        "1.80",
        "method",
        "split_at_checked as_flattened",
    ),
    Feature("is-none-or", "`Option::is_none_or`", "1.82", "method", "is_none_or"),
    Feature(
        "is-sorted",
        "`is_sorted` / `is_sorted_by`",
        "1.82",
        "method",
        "is_sorted is_sorted_by is_sorted_by_key",
    ),
    Feature("isqrt", "`isqrt`", "1.84", "method", "isqrt"),
    Feature(
        "pop-if", "`Vec::pop_if` / `get_disjoint_mut`", "1.86", "method", "pop_if get_disjoint_mut"
    ),
    Feature("extract-if", "`Vec::extract_if`", "1.87", "method", "extract_if"),
)

# Recognised by the fact collector's macro handler rather than by a pattern of their own.
MACRO_FEATURES: dict[str, Feature] = {
    "matches": Feature("matches-macro", "`matches!`", "1.42", "macro", "matches"),
    "offset_of": Feature("offset-of", "`core::mem::offset_of!`", "1.77", "macro", "offset_of"),
}
INLINE_FORMAT_ARGS = Feature(
    "inline-format-args",
    'captured identifiers in format strings (`"{name}"`)',
    "1.58",
    "format",
    "",
)

FEATURES_BY_KEY: dict[str, Feature] = {
    f.key: f for f in (*FEATURES, *MACRO_FEATURES.values(), INLINE_FORMAT_ARGS)
}


def features_of(kind: str) -> list[Feature]:
    """The features recognised one way (`method`, `name`, ...)."""
    return [f for f in FEATURES if f.kind == kind]


def words(kind: str) -> dict[str, Feature]:
    """Every name/method/path/call/attr word of one kind, mapped to its feature."""
    return {word: f for f in features_of(kind) for word in f.match.split()}
