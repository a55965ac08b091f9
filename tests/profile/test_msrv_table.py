"""The MSRV table is big enough and honest: every feature is found in an example of itself."""

from __future__ import annotations

import pytest

from rustpro.model import Role
from rustpro.profile.collect import collect
from rustpro.profile.msrv_table import FEATURES, FEATURES_BY_KEY
from rustpro.profile.tally import PRODUCTION

# One small use of every feature, in production code.
EXAMPLES: dict[str, str] = {
    "async-await": "async fn f() { g().await; }",
    "const-generics": "struct A<const N: usize>([u8; N]);",
    "nested-or-patterns": "fn f(x: Option<u8>) { match x { Some(1 | 2) => {} _ => {} } }",
    "let-else": "fn f(x: Option<u8>) { let Some(y) = x else { return }; }",
    "gats": "trait T { type It<'a> where Self: 'a; }",
    "enum-default-variant": "#[derive(Default)] enum E { #[default] A, B }",
    "async-fn-in-trait": "trait T { async fn f(&self); }",
    "rpitit": "trait T { fn f(&self) -> impl Iterator<Item = u8>; }",
    "inline-const": "fn f() -> u8 { const { 1 } }",
    "exclusive-range-pattern": "fn f(x: u8) { match x { 0..5 => {} _ => {} } }",
    "raw-ref-op": "static X: u8 = 0; fn f() -> *const u8 { &raw const X }",
    "unsafe-extern": 'unsafe extern "C" { fn puts(); }',
    "precise-capturing": "fn f<'a>(x: &'a u8) -> impl Sized + use<'a> { x }",
    "async-closures": "fn f() { let c = async |x: u8| x; }",
    "let-chains": "fn f(a: Option<u8>, b: Option<u8>) { if let Some(x) = a && let Some(y) = b {} }",
    "non-exhaustive": "#[non_exhaustive] pub struct S;",
    "track-caller": "#[track_caller] fn f() {}",
    "diagnostic-namespace": '#[diagnostic::on_unimplemented(message = "x")] trait T {}',
    "lint-expect": "#[expect(dead_code)] fn f() {}",
    "unsafe-attributes": '#[unsafe(no_mangle)] pub extern "C" fn f() {}',
    "io-safety": "use std::os::fd::OwnedFd; fn f(_: OwnedFd) {}",
    "once-lock": "static X: std::sync::OnceLock<u8> = std::sync::OnceLock::new();",
    "is-terminal": "use std::io::IsTerminal; fn f() -> bool { std::io::stdout().is_terminal() }",
    "nonzero-generic": "fn f(x: std::num::NonZero<u8>) {}",
    "lazy-lock": "static X: std::sync::LazyLock<u8> = std::sync::LazyLock::new(|| 1);",
    "core-ffi": "fn f(x: core::ffi::c_int) {}",
    "std-backtrace": "fn f() { let b = std::backtrace::Backtrace::capture(); }",
    "os-fd": "use std::os::fd::AsRawFd;",
    "core-net": "fn f(a: core::net::Ipv4Addr) {}",
    "core-error": "fn f(e: &dyn core::error::Error) {}",
    "available-parallelism": "fn f() { let n = std::thread::available_parallelism(); }",
    "iter-zip": "fn f(a: &[u8], b: &[u8]) { for p in std::iter::zip(a, b) {} }",
    "scoped-threads": "fn f() { std::thread::scope(|s| {}); }",
    "array-from-fn": "fn f() -> [u8; 3] { std::array::from_fn(|i| i as u8) }",
    "io-read-to-string": "fn f() { let s = std::io::read_to_string(std::io::stdin()); }",
    "black-box": "fn f() { std::hint::black_box(1); }",
    "iter-repeat-n": "fn f() { let r = std::iter::repeat_n(1, 3); }",
    "waker-noop": "fn f() { let w = std::task::Waker::noop(); }",
    "as-deref": "fn f(x: Option<String>) { let y = x.as_deref(); }",
    "strip-prefix": 'fn f(s: &str) { let t = s.strip_prefix("a"); }',
    "unsigned-abs": "fn f(x: i32) -> u32 { x.unsigned_abs() }",
    "split-once": "fn f(s: &str) { let p = s.split_once('='); }",
    "map-while": "fn f(v: Vec<u8>) { let w = v.iter().map_while(|x| Some(x)); }",
    "abs-diff": "fn f(a: u8, b: u8) -> u8 { a.abs_diff(b) }",
    "retain-mut": "fn f(v: &mut Vec<u8>) { v.retain_mut(|x| true); }",
    "then-some": "fn f(b: bool) -> Option<u8> { b.then_some(1) }",
    "checked-add-signed": "fn f(a: u8) -> Option<u8> { a.checked_add_signed(-1) }",
    "ilog": "fn f(a: u32) -> u32 { a.ilog2() }",
    "is-some-and": "fn f(x: Option<u8>) -> bool { x.is_some_and(|v| v > 1) }",
    "div-ceil": "fn f(a: u32) -> u32 { a.div_ceil(8) }",
    "inspect-err": "fn f(r: Result<u8, u8>) { let _ = r.inspect_err(|e| {}); }",
    "first-chunk": "fn f(s: &[u8]) { let c = s.first_chunk::<2>(); }",
    "take-if": "fn f(mut x: Option<u8>) { let y = x.take_if(|v| *v > 1); }",
    "split-at-checked": "fn f(s: &[u8]) { let p = s.split_at_checked(2); }",
    "is-none-or": "fn f(x: Option<u8>) -> bool { x.is_none_or(|v| v > 1) }",
    "is-sorted": "fn f(s: &[u8]) -> bool { s.is_sorted() }",
    "isqrt": "fn f(a: u32) -> u32 { a.isqrt() }",
    "pop-if": "fn f(v: &mut Vec<u8>) { let x = v.pop_if(|x| *x > 1); }",
    "extract-if": "fn f(v: &mut Vec<u8>) { let x = v.extract_if(.., |x| *x > 1); }",
    "matches-macro": "fn f(x: u8) -> bool { matches!(x, 1) }",
    "offset-of": "struct S { a: u8 } fn f() -> usize { core::mem::offset_of!(S, a) }",
    "inline-format-args": 'fn f(x: u8) -> String { format!("{x}") }',
}


def test_table_has_at_least_thirty_features() -> None:
    assert len(FEATURES) >= 30
    assert all(f.version_tuple >= (1, 0) for f in FEATURES_BY_KEY.values())


def test_every_feature_has_an_example() -> None:
    assert set(EXAMPLES) == set(FEATURES_BY_KEY)


@pytest.mark.parametrize("key", sorted(EXAMPLES))
def test_feature_is_recognised_in_its_example(key: str) -> None:
    facts = collect(EXAMPLES[key].encode(), "src/lib.rs", Role.PRODUCTION)
    assert facts.areas[PRODUCTION].count(f"msrv:{key}") >= 1, facts.areas[PRODUCTION].counts


def test_half_open_range_pattern_is_not_the_1_80_feature() -> None:
    facts = collect(b"fn f(x: u8) { match x { 5.. => {} _ => {} } }", "src/lib.rs", Role.PRODUCTION)
    assert facts.areas[PRODUCTION].count("msrv:exclusive-range-pattern") == 0
