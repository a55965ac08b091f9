"""Small hostile inputs: one construct repeated or nested `n` deep, as the text of a `lib.rs`.

Each shape grows linearly with `n` in bytes, and is what a fuzzer or a code generator writes
when it goes wrong: modules in modules, blocks in blocks, a chain of thousands of calls, one
line of 50 KB, thousands of items. Audit and profile must take time (and print output) that
grows linearly with them too (`test_hostile_shapes.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """A hostile construct: `source(n)` is a `lib.rs` with `n` of it."""

    name: str
    source: Callable[[int], str]
    n: int  # the 1x size the tests use: big enough that the work dwarfs fixed costs


def _nested(n: int, head: str, opening: str, middle: str, closing: str, tail: str) -> str:
    return head + opening * n + middle + closing * n + tail


def _items(n: int, item: Callable[[int], str]) -> str:
    return "//! Many items.\n\n" + "".join(item(i) for i in range(n))


_POISON = "unwrap_or_else(std::sync::PoisonError::into_inner)"

SHAPES: tuple[Shape, ...] = (
    Shape(
        "nested-modules",
        lambda n: _nested(n, "//! Modules.\n", "pub mod m {\n", "pub fn f() {}\n", "}\n", ""),
        400,
    ),
    Shape(
        "nested-modules-with-uses",
        lambda n: _nested(
            n, "//! Modules.\n", "pub mod m {\n    pub use std::fmt;\n    mod x;\n", "", "}\n", ""
        ),
        400,
    ),
    Shape(
        "nested-hidden-modules",
        lambda n: _nested(n, "//! Modules.\n", "#[doc(hidden)] pub mod m {\n", "", "}\n", ""),
        400,
    ),
    Shape(
        "nested-blocks-holding-locks",
        lambda n: _nested(
            n,
            "pub fn f(m: &std::sync::Mutex<u8>) {\n",
            f"{{ let guard = m.lock().{_POISON};\n",
            "",
            "}\n",
            "}\n",
        ),
        300,
    ),
    Shape(
        "nested-blocks-unwrapping-locks",
        lambda n: _nested(
            n,
            "pub fn f(m: &std::sync::Mutex<u8>) {\n",
            "{ let guard = m.lock().unwrap();\n",
            "",
            "}\n",
            "}\n",
        ),
        300,
    ),
    Shape(
        "nested-async-loops",
        lambda n: _nested(
            n, "pub async fn f(c: C) {\n", "loop {\n    c.get().await;\n", "", "}\n", "}\n"
        ),
        400,
    ),
    Shape(
        "nested-for-loops-cloning",
        lambda n: _nested(
            n,
            "pub fn f(v: Vec<String>) {\n",
            "for x in v.clone() {\n    let y = x.clone();\n",
            "",
            "}\n",
            "}\n",
        ),
        300,
    ),
    Shape(
        "nested-thread-closures",
        lambda n: _nested(
            n, "pub fn f() {\n", "std::thread::spawn(move || {\n", "", "});\n", "}\n"
        ),
        400,
    ),
    Shape(
        "nested-closures",
        lambda n: "pub fn f() {\n    let c = " + "|x: u8| " * n + "0;\n}\n",
        1000,
    ),
    Shape(
        "nested-ifs",
        lambda n: _nested(n, "pub fn f(b: bool) {\n", "if b {\n", "", "}\n", "}\n"),
        1000,
    ),
    Shape(
        "nested-matches",
        lambda n: _nested(n, "pub fn f(x: u8) -> u8 {\n", "match x { _ =>\n", "0", " }\n", "}\n"),
        1000,
    ),
    Shape(
        "nested-functions",
        lambda n: _nested(n, "pub fn f() {\n", "fn g() {\n", "", "}\n", "}\n"),
        600,
    ),
    Shape(
        "nested-generics",
        lambda n: "pub fn f(x: " + "Vec<" * n + "u8" + ">" * n + ") {}\n",
        1000,
    ),
    Shape(
        "nested-token-trees",
        lambda n: "pub fn f() {\n    m!" + "(" * n + "x.clone()" + ")" * n + ";\n}\n",
        1000,
    ),
    Shape(
        "nested-use-tree",
        lambda n: "pub use a::" + "{b::" * n + "c" + "}" * n + ";\n",
        1000,
    ),
    Shape(
        "nested-cfg",
        lambda n: "#[cfg(" + "all(" * n + "unix" + ")" * n + ")]\npub fn f() {}\n",
        1000,
    ),
    Shape(
        "method-chain",
        lambda n: "pub fn f(v: Option<u8>) -> Option<u8> {\n    v" + ".map(|v| v)" * n + "\n}\n",
        500,
    ),
    Shape(
        "clone-chain",
        lambda n: "pub fn f(v: String) -> String {\n    v" + ".clone()" * n + "\n}\n",
        500,
    ),
    Shape(
        "turbofish-chain",
        lambda n: "pub fn f(v: V) -> u8 {\n    v" + ".get::<u8>()" * n + "\n}\n",
        500,
    ),
    Shape(
        "await-chain",
        lambda n: "pub async fn f(v: V) {\n    v" + ".next().await" * n + ";\n}\n",
        500,
    ),
    Shape(
        "long-line",
        lambda n: (
            "pub fn f(m: &M) { " + " ".join(f"m.lock().{_POISON};" for _ in range(n)) + " }\n"
        ),
        400,
    ),
    Shape(
        "many-functions",
        lambda n: _items(
            n, lambda i: f"pub fn f{i}(x: Option<u8>) -> Result<u8, String> {{ Ok(0) }}\n"
        ),
        500,
    ),
    Shape(
        "many-impls",
        lambda n: (
            "pub struct S;\n"
            + _items(
                n, lambda i: f"impl S {{ pub fn f{i}(&self) -> Result<u8, String> {{ Ok(0) }} }}\n"
            )
        ),
        500,
    ),
    Shape(
        "many-traits",
        lambda n: _items(n, lambda i: f"pub trait T{i} {{ fn f(&self) -> u8; }}\n"),
        500,
    ),
    Shape(
        "many-suppressions",
        lambda n: _items(
            n,
            lambda i: f"// rustpro: allow(missing-docs) -- generated\npub fn f{i}() {{}}\n",
        ),
        1000,
    ),
    Shape(
        "many-comments-before-an-item",
        lambda n: "//! Comments.\n" + "// a comment\n" * (10 * n) + "pub fn f() {}\n",
        500,
    ),
    Shape(
        "many-attributes-on-an-item",
        lambda n: "#[allow(dead_code)]\n" * n + "pub fn f() {}\n",
        1000,
    ),
    Shape(
        "nested-unsafe-blocks",
        lambda n: _nested(n, "pub fn f() {\n", "unsafe {\n", "", "}\n", "}\n"),
        400,
    ),
    Shape(
        "many-unsafe-statements",
        lambda n: "pub fn f() {\n" + "    let x = unsafe { g() };\n" * n + "}\n",
        500,
    ),
    Shape(
        "nested-unsafe-arguments",
        lambda n: _nested(n, "pub fn f() {\n    ", "g(1, unsafe { h(", "0", ") })", ";\n}\n"),
        300,
    ),
    Shape(
        "unsafe-method-chain",
        lambda n: "pub fn f(p: P) {\n    unsafe { p" + ".raw()" * n + "; }\n}\n",
        500,
    ),
    Shape(
        "unsafe-macro-tokens",
        lambda n: "pub fn f() {\n    unsafe { m!(" + "a(" * n + "b" + ")" * n + ") }\n}\n",
        1000,
    ),
    Shape(
        "many-unsafe-impls",
        lambda n: "".join(f"unsafe impl Send for T{i} {{}}\n" for i in range(n)),
        500,
    ),
    Shape(
        "nested-blocks-unwrapping-first-items",
        lambda n: _nested(
            n,
            "pub fn f(v: Vec<u8>) -> u8 {\n",
            "{ let a = v.first().unwrap();\n",
            "",
            "}\n",
            "0 }\n",
        ),
        300,
    ),
    Shape(
        "nested-debug-ifs-unwrapping",
        lambda n: _nested(
            n,
            "pub fn f(x: Option<u8>) {\n",
            "if cfg!(debug_assertions) { x.unwrap();\n",
            "",
            "}\n",
            "}\n",
        ),
        300,
    ),
    Shape(
        "nested-blocks-on-one-line-unwrapping",
        lambda n: _nested(n, "pub fn f(x: Option<u8>) {\n", "{ x.unwrap(); ", "", "} ", "\n}\n"),
        300,
    ),
    Shape(
        "nested-closures-unwrapping",
        lambda n: _nested(
            n, "pub fn f(x: Option<u8>) {\n", "let c = || { x.unwrap();\n", "", "};\n", "}\n"
        ),
        300,
    ),
    Shape(
        "long-comment-over-unwraps",
        lambda n: (
            "pub fn f(x: Option<u8>) {\n    // "
            + "word " * (5 * n)
            + "\n    "
            + " ".join("x.unwrap();" for _ in range(n))
            + "\n}\n"
        ),
        500,
    ),
    Shape(
        "many-tests",
        lambda n: (
            "#[cfg(test)]\nmod tests {\n"
            + "".join(f"    #[test]\n    fn t{i}() {{ assert_eq!({i}, {i}); }}\n" for i in range(n))
            + "}\n"
        ),
        500,
    ),
)

# Known to grow faster than linearly: (shape name, command) -> the reason. The tests expect
# these to fail (strict xfail), so an entry must go when its fix lands; keep such a shape's `n`
# small so that its failing runs stay short.
KNOWN_SUPERLINEAR: dict[tuple[str, str], str] = {}


def shape(name: str) -> Shape:
    """The shape called `name`."""
    return next(s for s in SHAPES if s.name == name)
