"""Each profile question answered on small crates written for it, checked against known facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rustpro.profile import build_profile
from rustpro.profile.model import Answer, Confidence, Profile
from tests.support import make_crate

ASYNC_SERVICE_MANIFEST = """\
[package]
name = "service"
version = "0.2.0"
edition = "2021"
rust-version = "1.60"

[dependencies]
tokio = { version = "1", features = ["rt-multi-thread", "macros", "sync"] }
anyhow = "1"
lazy_static = "1.4"

[dev-dependencies]
proptest = "1"

[profile.release]
lto = "fat"
codegen-units = 1
panic = "abort"
"""

ASYNC_SERVICE_MAIN = """\
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let state = Arc::new(Mutex::new(0u64));
    let (tx, mut rx) = mpsc::channel(16);
    let worker = Arc::clone(&state);
    tokio::spawn(async move {
        while let Some(n) = rx.recv().await {
            *worker.lock().unwrap() += n;
        }
    });
    tx.send(1).await?;
    let name = String::from("x");
    println!("{name}");
    if *state.lock().unwrap() > 10 {
        anyhow::bail!("bad");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        let v = vec![1].clone();
        assert_eq!(v.len(), 1);
    }
    proptest::proptest! {
        #[test]
        fn any(x in 0u8..) { assert!(x >= 0); }
    }
}
"""


def profile_of(root: Path) -> Profile:
    return build_profile(root, workers=1)


def answer(profile: Profile, key: str, crate: int = 0) -> Answer:
    found = profile.crates[crate].answer(key)
    assert found is not None, key
    return found


def facts(profile: Profile, key: str, crate: int = 0) -> dict[str, Any]:
    return answer(profile, key, crate).facts


def test_async_service(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "svc", {"src/main.rs": ASYNC_SERVICE_MAIN}, ASYNC_SERVICE_MANIFEST)
    profile = profile_of(root)
    assert profile.workspace is None
    crate = answer(profile, "crate")
    assert crate.facts["kind"] == "bin"
    assert [s["name"] for s in crate.facts["superseded"]] == ["lazy_static"]
    lazy = crate.facts["superseded"][0]
    assert (lazy["replacement_requires_rust"], lazy["msrv_allows_replacement"]) == ("1.80", False)
    assert "lazy_static → std::sync::LazyLock (Rust 1.80) once the MSRV allows" in crate.summary
    assert lazy["reason"] == "superseded by the standard library"
    runtime = answer(profile, "async_runtime")
    assert runtime.confidence is Confidence.DECLARED
    assert runtime.facts["production_runtimes"] == ["tokio"]
    assert runtime.facts["runtimes"]["tokio"]["features"] == ["rt-multi-thread", "macros", "sync"]
    assert runtime.facts["entry_attributes"] == {"tokio::main": 1}
    assert any(e.where == "src/main.rs:4" for e in runtime.evidence)
    errors = facts(profile, "errors")
    assert errors["role"] == "application"
    assert errors["style"] == "dynamic"
    assert errors["dynamic_error_macros"] == 1
    assert errors["question_marks"] == 1
    ownership = facts(profile, "ownership")
    assert ownership["pointers"]["Arc"] == 2  # `Arc::new` and `Arc::clone` paths
    cloning = facts(profile, "cloning")
    assert cloning["arc_clone_calls"] == 1
    assert cloning["clone_calls"] == 0  # the test's `.clone()` is not production code
    sharing = facts(profile, "sharing")
    assert sharing["lock_sites"] == 2
    assert sharing["channel_constructors"] == {"mpsc::channel": 1}
    assert facts(profile, "concurrency")["model"] == "async"
    targets = answer(profile, "performance_targets")
    assert targets.facts["profiles"]["release"] == {
        "lto": "fat",
        "codegen-units": 1,
        "panic": "abort",
    }
    assert any(e.where == "Cargo.toml:16 [profile.release.lto]" for e in targets.evidence)
    tests = facts(profile, "tests")
    # `adds`; the `#[test]` inside `proptest!` is unparsed tokens, counted as a property test.
    assert tests["counts"]["unit"] == 1
    assert tests["counts"]["property"] == 1
    assert tests["property_crates"] == ["proptest"]


def test_msrv_needs_more_than_declared(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "m",
        {
            "src/lib.rs": "//! Docs.\n"
            "pub fn f(x: Option<u8>) -> u8 {\n"
            "    let Some(y) = x else { return 0 };\n"
            "    static CELL: std::sync::OnceLock<u8> = std::sync::OnceLock::new();\n"
            "    *CELL.get_or_init(|| y)\n"
            "}\n",
        },
        '[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.56"\n',
    )
    msrv = answer(profile_of(root), "msrv")
    assert msrv.confidence is Confidence.DECLARED
    assert msrv.facts["declared"] == {"m": "1.56"}
    assert msrv.facts["inferred_minimum"] == "1.70"
    assert msrv.facts["code_needs_more_than_declared"] is True
    assert [f["key"] for f in msrv.facts["features_used"]] == ["once-lock", "let-else"]
    assert msrv.evidence[0].where == "Cargo.toml:5 [package.rust-version]"
    assert any("raise `rust-version`" in q for q in msrv.open_questions)


def test_edition_blockers(tmp_path: Path) -> None:
    source = (
        "static mut COUNT: u32 = 0;\n"
        'extern "C" { fn abs(x: i32) -> i32; }\n'
        "#[no_mangle]\n"
        'pub extern "C" fn bump() -> u32 { unsafe { COUNT += 1; let p = &COUNT; *p } }\n'
        "macro_rules! twice { ($e:expr) => { $e + $e }; }\n"
        'pub fn gen() { std::env::set_var("A", "1"); }\n'
    )
    root = make_crate(
        tmp_path / "e",
        {"src/lib.rs": source},
        '[package]\nname = "e"\nversion = "0.1.0"\nedition = "2018"\n',
    )
    edition = answer(profile_of(root), "edition")
    assert edition.facts["editions"] == {"e": "2018"}
    assert edition.facts["migration_blockers"] == {
        "static_mut_ref": 1,
        "extern_without_unsafe": 1,
        "unsafe_attr_needed": 1,
        "gen_identifier": 1,
        "expr_fragment": 1,
        "env_mutation": 1,
    }
    assert any(e.where == "src/lib.rs:4" for e in edition.evidence)


def test_missing_edition_is_inferred_2015(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "old",
        {"src/lib.rs": "pub fn f() {}\n"},
        '[package]\nname = "old"\nversion = "0.1.0"\n',
    )
    edition = answer(profile_of(root), "edition")
    assert edition.facts["editions"] == {"old": "2015"}
    assert edition.confidence is Confidence.INFERRED


def test_library_errors_unsafe_and_tests(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": (
            "//! A parser.\n"
            "#![deny(unsafe_code)]\n"
            "mod error;\n"
            "#[cfg(test)]\nmod tests;\n"
            "/// Parses.\n"
            "///\n"
            "/// ```\n"
            '/// assert!(p::parse(b"1").is_ok());\n'
            "/// ```\n"
            "///\n"
            "/// ```text\n"
            "/// not rust\n"
            "/// ```\n"
            "pub fn parse(input: &[u8]) -> Result<u8, error::ParseError> {\n"
            "    // SAFETY: input is non-empty, checked by the caller.\n"
            "    let first = unsafe { *input.get_unchecked(0) };\n"
            "    let second = unsafe { *input.get_unchecked(0) };\n"
            "    Ok(first.max(second))\n"
            "}\n"
            "/// Checks.\npub fn validate(input: &[u8]) -> bool { !input.is_empty() }\n"
        ),
        "src/error.rs": (
            '#[derive(Debug, thiserror::Error)]\n#[error("bad input")]\npub struct ParseError;\n'
        ),
        "src/tests.rs": '#[test]\nfn one() { assert!(crate::parse(b"1").is_ok()); }\n',
        "tests/it.rs": '#[test]\nfn two() { assert!(p::parse(b"2").is_ok()); }\n',
        "benches/speed.rs": (
            "use criterion::{criterion_group, criterion_main, Criterion};\n"
            "fn bench(c: &mut Criterion) {\n"
            '    c.bench_function("parse small", |b| b.iter(|| p::parse(b"1")));\n'
            '    c.bench_function("valid", |b| b.iter(|| assert!(p::validate(b"1"))));\n'
            "}\n"
            "criterion_group!(benches, bench);\ncriterion_main!(benches);\n"
        ),
        "fuzz/Cargo.toml": '[package]\nname = "p-fuzz"\nversion = "0.0.0"\n',
        "fuzz/fuzz_targets/parse.rs": "#![no_main]\n",
    }
    manifest = (
        '[package]\nname = "p"\nversion = "0.1.0"\nedition = "2021"\n'
        'rust-version = "1.70"\n\n[dependencies]\nthiserror = "2"\n\n'
        '[dev-dependencies]\ncriterion = "0.5"\n\n[[bench]]\nname = "speed"\nharness = false\n'
    )
    profile = profile_of(make_crate(tmp_path / "p", files, manifest))
    errors = facts(profile, "errors")
    assert (errors["role"], errors["style"], errors["derive_error"]) == ("library", "typed", 1)
    unsafe = answer(profile, "unsafe")
    assert unsafe.facts["counts"]["blocks"] == 2
    assert unsafe.facts["blocks_with_safety_comment"] == 1
    assert unsafe.facts["safety_comment_share"] == 50
    assert unsafe.facts["policy"]["deny_attribute"] is True
    assert unsafe.confidence is Confidence.DECLARED
    tests = facts(profile, "tests")["counts"]
    assert tests["unit"] == 1  # src/tests.rs is test code: `#[cfg(test)] mod tests;`
    assert tests["integration"] == 1
    assert (tests["doc"], tests["doc_not_run"]) == (1, 1)
    assert tests["fuzz_targets"] == 1
    assert tests["bench_targets"] == 1
    hot = answer(profile, "hot_paths")
    # `validate` is called inside `assert!`, whose arguments are unparsed tokens.
    assert hot.facts["functions"] == [
        {"name": "parse", "bench_calls": 1},
        {"name": "validate", "bench_calls": 1},
    ]
    assert hot.evidence[0].where == "benches/speed.rs:3"
    assert facts(profile, "performance_targets")["benchmarks"] == ["parse small", "valid"]
    assert facts(profile, "performance_targets")["harnesses"] == ["criterion"]


def test_workspace_sums_members_and_resolves_inherited_keys(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    make_crate(
        root,
        {
            "Cargo.toml": (
                '[workspace]\nmembers = ["crates/*"]\n\n[workspace.package]\nedition = "2024"\n'
                'rust-version = "1.85"\n\n[workspace.dependencies]\n'
                'rayon = { version = "1.10", features = ["web_spin_lock"] }\n\n'
                '[workspace.lints.rust]\nunsafe_code = "forbid"\n'
            ),
            "crates/a/Cargo.toml": (
                '[package]\nname = "a"\nversion = "0.1.0"\nedition.workspace = true\n'
                "rust-version.workspace = true\n\n[dependencies]\nrayon = { workspace = true }\n\n"
                "[lints]\nworkspace = true\n"
            ),
            "crates/a/src/lib.rs": (
                "use rayon::prelude::*;\npub fn sum(v: &[u64]) -> u64 { v.par_iter().sum() }\n"
            ),
            "crates/b/Cargo.toml": '[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n',
            "crates/b/src/main.rs": "fn main() { std::thread::spawn(|| {}).join().ok(); }\n",
            "fuzz/Cargo.toml": '[package]\nname = "ws-fuzz"\nversion = "0.0.0"\n',
            "fuzz/fuzz_targets/sum.rs": "#![no_main]\n",
        },
    )
    profile = profile_of(root)
    assert profile.workspace is not None
    assert [c.name for c in profile.crates] == ["a", "b"]
    whole = profile.workspace
    crate_facts = whole.answer("crate")
    assert crate_facts is not None and crate_facts.facts["members"] == ["a", "b"]
    edition = whole.answer("edition")
    assert edition is not None and edition.facts["editions"] == {"a": "2024", "b": "2021"}
    deps = facts(profile, "crate")["dependencies"]
    assert deps[0]["version"] == "1.10" and deps[0]["features"] == ["web_spin_lock"]
    unsafe = answer(profile, "unsafe")
    assert unsafe.facts["policy"]["lint_levels"] == {"a": "forbid"}
    assert any(e.key == "workspace.lints.rust.unsafe_code" for e in unsafe.evidence)
    whole_tests = whole.answer("tests")
    assert whole_tests is not None
    assert whole_tests.facts["fuzz_targets"] == ["fuzz/fuzz_targets/sum.rs"]
    assert facts(profile, "tests")["fuzz_targets"] == []  # the root's fuzz/ is not crate a's
    concurrency = whole.answer("concurrency")
    assert concurrency is not None and concurrency.facts["model"] == "threads"
    assert concurrency.facts["threads"] == {
        "thread_spawn": 1,
        "scoped_threads": 0,
        "thread_builder": 0,
        "rayon_calls": 1,
    }


def test_open_questions_gather_unknowns(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "q",
        {"src/lib.rs": "pub async fn f() {}\n"},
        '[package]\nname = "q"\nversion = "0.1.0"\nedition = "2021"\n',
    )
    profile = profile_of(root)
    asked = facts(profile, "open_questions")["questions"]
    about = [q["about"] for q in asked]
    assert "msrv" in about and "async_runtime" in about and "performance_targets" in about
    assert answer(profile, "async_runtime").confidence is Confidence.INFERRED
    assert all(q["question"].rstrip().endswith(("?", ".")) for q in asked)


def test_runtime_used_only_by_tests_is_not_the_production_runtime(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "r",
        {
            "src/lib.rs": "pub async fn f() -> u8 { 1 }\n",
            "tests/it.rs": "#[tokio::main]\nasync fn main() { assert_eq!(r::f().await, 1); }\n",
        },
        '[package]\nname = "r"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dev-dependencies]\ntokio = { version = "1", features = ["macros"] }\n',
    )
    runtime = answer(profile_of(root), "async_runtime")
    assert runtime.facts["production_runtimes"] == []
    assert runtime.facts["runtimes"]["tokio"]["attributes"] == ["tokio::main"]
    assert runtime.facts["runtimes"]["tokio"]["production_attributes"] == []
    assert runtime.summary.startswith("runtime-agnostic async code")
    assert runtime.summary.endswith("tests use tokio")


def test_a_runtime_crate_is_its_own_runtime(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "smol",
        {"src/lib.rs": "pub async fn run() {}\n"},
        '[package]\nname = "smol"\nversion = "0.1.0"\nedition = "2021"\n',
    )
    runtime = answer(profile_of(root), "async_runtime")
    assert runtime.summary == "this crate is the smol runtime itself"
    assert not runtime.open_questions


def test_features_behind_build_script_cfgs_do_not_raise_the_msrv(tmp_path: Path) -> None:
    root = make_crate(
        tmp_path / "g",
        {
            "src/lib.rs": (
                "#[cfg(probe_nightly)]\nmod nightly;\n"
                '#[cfg(feature = "std")]\n'
                "pub fn f(x: Option<u8>) -> bool { x.is_some_and(|v| v > 1) }\n"
                "#[cfg(not(no_core_error))]\npub fn g(e: &dyn core::error::Error) {}\n"
            ),
            "src/nightly.rs": "pub fn h(v: &mut Vec<u8>) { v.pop_if(|x| *x > 1); }\n",
        },
        '[package]\nname = "g"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.70"\n'
        '\n[features]\ndefault = ["std"]\nstd = []\n',
    )
    msrv = facts(profile_of(root), "msrv")
    assert msrv["inferred_minimum"] == "1.70"  # `feature = ..` is not a compiler probe
    assert msrv["code_needs_more_than_declared"] is False
    gated = {f["key"]: f["where"] for f in msrv["cfg_gated_features"]}
    assert gated == {"pop-if": ["src/nightly.rs:1"], "core-error": ["src/lib.rs:6"]}


def test_code_behind_optional_features_does_not_raise_the_msrv(tmp_path: Path) -> None:
    """chrono declares 1.62 and implements `core::error::Error` (1.81) only with its
    optional `core-error` feature: the MSRV of the default build is not raised by it. Code
    behind a default feature (here `std`, through `default = ["full"]`) counts, in an item
    and in a module file declared under the feature."""
    root = make_crate(
        tmp_path / "c",
        {
            "src/lib.rs": (
                '#[cfg(all(not(feature = "std"), feature = "core-error"))]\n'
                "impl core::error::Error for E {}\n"
                '#[cfg(feature = "alloc")]\nmod extra;\n'
                '#[cfg(feature = "std")]\nmod fast;\n'
                "pub struct E;\n"
            ),
            "src/extra.rs": "pub fn h(v: &mut Vec<u8>) { v.pop_if(|x| *x > 1); }\n",
            "src/fast.rs": "pub fn f(x: Option<u8>) -> bool { x.is_some_and(|v| v > 1) }\n",
        },
        '[package]\nname = "c"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.62"\n'
        '\n[features]\ndefault = ["full"]\nfull = ["std"]\nstd = []\nalloc = []\n'
        "core-error = []\n",
    )
    profile = profile_of(root)
    msrv = facts(profile, "msrv")
    assert msrv["inferred_minimum"] == "1.70"  # `is_some_and`, behind the default `std`
    assert [f["key"] for f in msrv["features_used"]] == ["is-some-and"]
    optional = {
        f["key"]: (f["needs_features"], f["needs_off"]) for f in msrv["optional_feature_gated"]
    }
    assert optional == {"core-error": (["core-error"], ["std"]), "pop-if": (["alloc"], [])}
    summary = answer(profile, "msrv").summary
    assert "outside the default features uses up to Rust 1.86" in summary
    assert "with feature `alloc`" in summary


def test_code_a_default_feature_turns_off_does_not_raise_the_msrv(tmp_path: Path) -> None:
    """url declares 1.63 and implements `core::error::Error` (1.81) only under
    `not(feature = "std")`, where `std` is a default feature."""
    root = make_crate(
        tmp_path / "u",
        {
            "src/lib.rs": (
                "pub struct E;\n"
                '#[cfg(feature = "std")]\nimpl std::error::Error for E {}\n'
                '#[cfg(not(feature = "std"))]\nimpl core::error::Error for E {}\n'
            ),
        },
        '[package]\nname = "u"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.63"\n'
        '\n[features]\ndefault = ["std"]\nstd = []\n',
    )
    profile = profile_of(root)
    msrv = facts(profile, "msrv")
    assert msrv["inferred_minimum"] is None and not msrv["code_needs_more_than_declared"]
    (gated,) = msrv["optional_feature_gated"]
    assert gated["key"] == "core-error"
    assert (gated["needs_features"], gated["needs_off"]) == ([], ["std"])
    assert "without feature `std`" in answer(profile, "msrv").summary


def test_a_method_the_crate_defines_says_nothing_of_the_msrv(tmp_path: Path) -> None:
    """chrono defines its own `checked_add_signed` (std's is 1.66, on unsigned integers)."""
    root = make_crate(
        tmp_path / "d",
        {
            "src/lib.rs": (
                "pub struct Date(i32);\n"
                "impl Date {\n"
                "    pub fn checked_add_signed(self, days: i64) -> Option<Date> {\n"
                "        Some(Date(self.0 + days as i32))\n    }\n"
                "    pub fn next(self) -> Option<Date> { self.checked_add_signed(1) }\n"
                "}\n"
            ),
        },
        '[package]\nname = "d"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.60"\n',
    )
    msrv = facts(profile_of(root), "msrv")
    assert msrv["inferred_minimum"] is None
    assert msrv["code_needs_more_than_declared"] is False
    assert [f["key"] for f in msrv["ambiguous_methods"]] == ["checked-add-signed"]


def test_a_macro_a_dependency_provides_says_nothing_of_the_msrv(tmp_path: Path) -> None:
    """nix imports `offset_of!` from memoffset; std's (1.77) has the same name."""
    root = make_crate(
        tmp_path / "n",
        {
            "src/lib.rs": (
                "use memoffset::offset_of;\n"
                "pub struct S { a: u8, b: u32 }\n"
                "pub fn at() -> usize { offset_of!(S, b) }\n"
            ),
        },
        '[package]\nname = "n"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.69"\n'
        '\n[dependencies]\nmemoffset = "0.9"\n',
    )
    msrv = facts(profile_of(root), "msrv")
    assert msrv["code_needs_more_than_declared"] is False
    assert [f["key"] for f in msrv["ambiguous_methods"]] == ["offset-of"]
    # Without the dependency, the macro is std's.
    (root / "Cargo.toml").write_text(
        '[package]\nname = "n"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.69"\n'
    )
    msrv = facts(profile_of(root), "msrv")
    assert msrv["inferred_minimum"] == "1.77" and msrv["code_needs_more_than_declared"]


def test_member_profiled_alone_reads_profiles_from_the_workspace_root(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    make_crate(
        root,
        {
            "Cargo.toml": '[workspace]\nmembers = ["m"]\n\n[profile.release]\nlto = true\n',
            "m/Cargo.toml": '[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n',
            "m/src/lib.rs": "pub fn f() {}\n",
        },
    )
    targets = answer(profile_of(root / "m"), "performance_targets")
    assert targets.facts["profiles"] == {"release": {"lto": True}}
    assert targets.facts["profile_manifest"] == (root / "Cargo.toml").as_posix()
