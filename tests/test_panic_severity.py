"""The panic rules' severity split, and their cost on a long chain of calls.

The fixtures say where the rules fire; these tests say how loudly: a warning for a panic on
runtime input or I/O that the caller could have been told about, a note in the opt-in
`pedantic` group for invariants.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rustpro.catalog import catalog
from rustpro.model import Severity
from tests.support import audit, make_crate

RULES = ("unwrap-in-production", "expect-in-production", "panic-in-production")

CASES = [
    # (name, body of src/lib.rs, rule, severity)
    (
        "parse of the caller's text",
        "pub fn port(text: &str) -> u16 {\n    text.parse().unwrap()\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "parse in a function that returns Result",
        "pub fn port(s: String) -> Result<u16, String> {\n"
        "    let t = s.trim().to_owned();\n    Ok(t.parse().unwrap())\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "parse of runtime data in a private function without an error channel",
        "fn port() -> u16 {\n    let t = std::env::args().count().to_string();\n"
        "    t.parse().unwrap()\n}\npub fn p() -> u16 { port() }\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "awaited I/O",
        'pub async fn get(db: &Db) -> u8 {\n    db.load(1).await.expect("Error loading")\n}\n'
        "pub struct Db;\nimpl Db { pub async fn load(&self, _: u8) -> Result<u8, ()> { Ok(1) } }\n",
        "expect-in-production",
        Severity.WARNING,
    ),
    (
        "awaited channel receive",
        "pub async fn next(rx: &mut Rx) -> u8 {\n    rx.recv().await.unwrap()\n}\n"
        "pub struct Rx;\nimpl Rx { pub async fn recv(&mut self) -> Option<u8> { None } }\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "map lookup",
        "pub fn get(m: &std::collections::HashMap<u8, u8>, k: u8) -> u8 {\n"
        "    *m.get(&k).unwrap()\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "lock poisoning",
        "pub fn read(m: &std::sync::Mutex<u8>) -> Result<u8, ()> {\n"
        "    Ok(*m.lock().unwrap())\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "decode with an invariant message",
        "pub fn text(b: &[u8]) -> Option<&str> {\n"
        '    Some(std::str::from_utf8(b).expect("always UTF-8: built from chars"))\n}\n',
        "expect-in-production",
        Severity.NOTE,
    ),
    (
        "decode of the caller's bytes",
        "pub fn text(b: &[u8]) -> Option<&str> {\n"
        '    Some(std::str::from_utf8(b).expect("Invalid header, expected UTF-8"))\n}\n',
        "expect-in-production",
        Severity.WARNING,
    ),
    (
        "parse in a Result function with a trailing comment stating an invariant",
        "pub fn id(s: &str) -> Result<u32, ()> {\n"
        '    Ok(s.parse().expect("bad id")) // cannot fail: digits only\n}\n',
        "expect-in-production",
        Severity.NOTE,
    ),
    (
        "parse in a private function that returns Option",
        # `None` means "no match" here: a failed parse is no answer the caller expects.
        "fn rest(path: &str) -> Option<u16> {\n"
        '    let t = format!("{path}0");\n    Some(t.parse().unwrap())\n}\n'
        'pub fn p() -> Option<u16> { rest("1") }\n',
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "parse of the caller's text in a function that returns Option",
        "pub fn port(text: &str) -> Option<u16> {\n    Some(text.parse().unwrap())\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "decode of a value bound from the caller's map, in a function that returns Option",
        "pub struct Map;\nimpl Map { pub fn get(&self, _k: &str) -> Option<&[u8]> { None } }\n"
        "pub fn from_map(map: &Map) -> Option<String> {\n"
        '    let details = match map.get("details") {\n'
        '        Some(header) => String::from_utf8(header.to_vec()).expect("bad header"),\n'
        "        None => String::new(),\n    };\n    Some(details)\n}\n",
        "expect-in-production",
        Severity.WARNING,
    ),
    (
        "decode in Display::fmt",
        "pub struct Name(Vec<u8>);\nimpl std::fmt::Display for Name {\n"
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n"
        "        f.write_str(std::str::from_utf8(&self.0).unwrap())\n    }\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "decode in a fmt::Write sink, whose fmt::Result is its channel",
        "pub struct Sink(Vec<u8>);\nimpl std::fmt::Write for Sink {\n"
        "    fn write_str(&mut self, s: &str) -> std::fmt::Result {\n"
        "        let t = std::str::from_utf8(&self.0).unwrap();\n"
        "        self.0.extend(t.bytes().chain(s.bytes()));\n        Ok(())\n    }\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "comment above the statement that holds the call",
        "pub fn describe(code: &[u8]) -> Result<String, ()> {\n"
        "    // The table always holds ASCII names.\n"
        "    let text = {\n        let bytes = &code[1..];\n"
        "        std::str::from_utf8(bytes).unwrap()\n    };\n    Ok(text.to_owned())\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "comment above a statement that begins too far above the call",
        "pub fn describe(code: &[u8]) -> Result<String, ()> {\n"
        "    // The table always holds ASCII names.\n"
        "    let text = {\n        let a = 1;\n        let b = 2;\n        let c = a + b;\n"
        "        let bytes = &code[c..];\n"
        "        std::str::from_utf8(bytes).unwrap()\n    };\n    Ok(text.to_owned())\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "comment that says the unwrap is safe",
        "pub fn method(m: &str) -> Result<u8, ()> {\n"
        "    // Parsing fails on empty text; our checks rule both out, so .unwrap() is safe\n"
        "    Ok(m.trim().parse().unwrap())\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "comment that says the crate made the value",
        "pub fn name(p: &std::path::Path) -> Result<String, ()> {\n"
        "    // valid UTF-8: generated by this crate out of UTF-8 strings\n"
        "    Ok(p.to_str().unwrap().to_owned())\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "expect whose message says the write cannot error",
        "pub fn put(buf: &mut [u8], s: &str) -> Result<(), ()> {\n"
        "    use std::io::Write;\n"
        '    (&mut buf[..]).write_all(s.as_bytes()).expect("&mut [u8].write() cannot error");\n'
        "    Ok(())\n}\n",
        "expect-in-production",
        Severity.NOTE,
    ),
    (
        "decode of what the crate's serialiser wrote",
        "pub struct Exporter;\nimpl Exporter {\n"
        "    pub fn serialize(&self, n: u8) -> Result<Vec<u8>, ()> { Ok(vec![n]) }\n}\n"
        "pub fn show(e: &Exporter) -> Result<(), ()> {\n"
        "    let content = || e.serialize(1);\n"
        '    println!("{}", String::from_utf8(content()?).unwrap());\n    Ok(())\n}\n',
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "decode of bytes read from a file",
        "pub fn show(p: &std::path::Path) -> Result<(), std::io::Error> {\n"
        '    println!("{}", String::from_utf8(std::fs::read(p)?).unwrap());\n    Ok(())\n}\n',
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "file read in a crate-root main",
        "fn main() -> Result<(), String> {\n"
        "    let t = std::fs::read_to_string(std::env::args().nth(1).unwrap_or_default());\n"
        '    println!("{}", t.unwrap());\n    Ok(())\n}\n',
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "todo",
        "pub fn later() -> u8 {\n    todo!()\n}\n",
        "panic-in-production",
        Severity.WARNING,
    ),
    (
        "panic on an error in hand in a function that returns Result",
        "pub fn load(p: &str) -> Result<String, String> {\n"
        "    match std::fs::read_to_string(p) {\n        Ok(t) => Ok(t),\n"
        '        Err(e) => panic!("cannot read: {e}"),\n    }\n}\n',
        "panic-in-production",
        Severity.WARNING,
    ),
    (
        "plain panic in a function that returns Result",
        "pub fn check(n: u8) -> Result<u8, String> {\n"
        '    if n == 3 {\n        panic!("three is reserved");\n    }\n    Ok(n)\n}\n',
        "panic-in-production",
        Severity.NOTE,
    ),
    (
        "panic whose message tells the user what to fix, in a Result function",
        "pub fn build(p: Option<u8>) -> Result<u8, String> {\n"
        "    match p {\n        Some(p) => Ok(p),\n"
        '        None => panic!("no provider: you must install one first"),\n    }\n}\n',
        "panic-in-production",
        Severity.WARNING,
    ),
    (
        "panic in the catch-all arm",
        'pub fn name(n: u8) -> &\'static str {\n    match n {\n        0 => "zero",\n'
        '        _ => panic!("no name for {n}"),\n    }\n}\n',
        "panic-in-production",
        Severity.NOTE,
    ),
    (
        "decoding a buffer only a serialiser's writer and byte literals filled",
        "pub fn encode(v: &u8) -> Result<String, String> {\n"
        "    let mut buf: Vec<u8> = Vec::new();\n"
        '    buf.extend_from_slice(b"001");\n'
        "    serde_json::to_writer(&mut buf, v).map_err(|e| e.to_string())?;\n"
        "    Ok(String::from_utf8(buf).unwrap())\n}\n",
        "unwrap-in-production",
        Severity.NOTE,
    ),
    (
        "decoding a buffer that also holds bytes read at run time",
        "pub fn encode(v: &u8, r: &mut impl std::io::Read) -> Result<String, String> {\n"
        "    let mut buf: Vec<u8> = Vec::new();\n"
        "    serde_json::to_writer(&mut buf, v).map_err(|e| e.to_string())?;\n"
        "    r.read_to_end(&mut buf).map_err(|e| e.to_string())?;\n"
        "    Ok(String::from_utf8(buf).unwrap())\n}\n",
        "unwrap-in-production",
        Severity.WARNING,
    ),
    (
        "unimplemented as the whole body of a trait method the type does not support",
        "pub trait Layout { fn layout(&self) -> u8; fn size(&self) -> u8; }\n"
        "pub struct S;\nimpl Layout for S {\n    fn layout(&self) -> u8 {\n"
        "        unimplemented!()\n    }\n    fn size(&self) -> u8 { 1 }\n}\n",
        "panic-in-production",
        Severity.NOTE,
    ),
    (
        "unimplemented in one arm of a trait method: a placeholder",
        "pub trait Fold { fn fold(&self) -> u8; }\npub enum K { A, B }\n"
        "impl Fold for K {\n    fn fold(&self) -> u8 {\n        match self {\n"
        "            K::A => 1,\n            K::B => unimplemented!(),\n        }\n    }\n}\n",
        "panic-in-production",
        Severity.WARNING,
    ),
    (
        "unimplemented whose message states an invariant",
        "pub fn kind(n: u8) -> u8 {\n    match n {\n        0 => 1,\n"
        '        _ => unimplemented!("unexpected kind: {n}"),\n    }\n}\n',
        "panic-in-production",
        Severity.NOTE,
    ),
    (
        "todo as the whole body of a trait method is still unwritten code",
        "pub trait Layout { fn layout(&self) -> u8; }\n"
        "pub struct S;\nimpl Layout for S {\n    fn layout(&self) -> u8 {\n"
        "        todo!()\n    }\n}\n",
        "panic-in-production",
        Severity.WARNING,
    ),
]


@pytest.mark.parametrize(("name", "body", "rule", "severity"), CASES, ids=[c[0] for c in CASES])
def test_severity(tmp_path: Path, name: str, body: str, rule: str, severity: Severity) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "//! Severity case.\n\n" + body})
    found = audit(root, select=RULES).findings
    assert [(f.rule, f.severity) for f in found] == [(rule, severity)], name
    # Invariant sites (notes) sit in the opt-in `pedantic` group: a default audit leaves them
    # out (and a rule of the pedantic group itself is out of it whatever the tier).
    default = [f for f in audit(root).findings if f.rule in RULES]
    in_default = severity is Severity.WARNING and catalog()[rule].group == "default"
    assert len(default) == (1 if in_default else 0), name
    assert {f.group for f in found} == ({""} if severity is Severity.WARNING else {"pedantic"})


def _chain_crate(root: Path, calls: int) -> Path:
    chain = "x" + ".unwrap()" * calls
    body = f"/// Docs.\npub fn f(x: Option<u8>) -> u8 {{\n    {chain}\n}}\n"
    return make_crate(root, {"src/lib.rs": "//! A long chain.\n\n" + body})


def test_long_method_chain_costs_about_linear_time(tmp_path: Path) -> None:
    # Each call of a chain nests in the next: asking every call for its function by walking
    # up the tree was quadratic (2,000 calls took minutes). Four times the calls must cost
    # well under sixteen times the time.
    rules = ("missing-panics-doc", *RULES)
    small = _chain_crate(tmp_path / "small", 300)
    large = _chain_crate(tmp_path / "large", 1200)
    audit(small, select=rules)  # warm up: compiled queries, imports
    # CPU time of this process (the audits run in it, one worker): a busy machine does not
    # inflate it as it does the wall clock.
    started = time.process_time()
    small_findings = audit(small, select=rules).findings
    small_time = time.process_time() - started
    started = time.process_time()
    large_findings = audit(large, select=rules).findings
    large_time = time.process_time() - started
    assert len([f for f in large_findings if f.rule == "unwrap-in-production"]) == 1200
    assert len(small_findings) < len(large_findings)
    assert large_time < 10 * max(small_time, 0.05), (small_time, large_time)


_CONVERT = (
    "pub fn set_len(len: usize) -> Result<i32, String> {\n"
    "    let n = i32::try_from(len).unwrap();\n"
    "    Ok(n)\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("docs", "expected"),
    [
        ("", ["unwrap-in-production"]),  # the caller's value, and an error channel
        # A `# Panics` section about another panic does not cover this one.
        ("/// # Panics\n/// Panics if the context has no cipher.\n", ["unwrap-in-production"]),
        ("/// # Panics\n/// Panics if `len` does not fit in an `i32`.\n", []),  # names it
    ],
)
def test_a_panics_section_covers_the_panics_it_names(
    tmp_path: Path, docs: str, expected: list[str]
) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "//! Lengths.\n\n" + docs + _CONVERT})
    found = audit(root, select=RULES).findings
    assert [f.rule for f in found] == expected


def test_a_function_declared_never_returning_may_panic(tmp_path: Path) -> None:
    # A deprecated trap that shadows a method reached through `Deref`, and a `fail` helper:
    # diverging is what the signature promises.
    body = (
        "pub struct P;\nimpl P {\n"
        '    #[deprecated(note = "use Display instead")]\n'
        "    pub fn display(&self) -> ! {\n        unimplemented!()\n    }\n}\n"
        'pub fn fail(why: &str) -> ! {\n    panic!("cannot go on: {why}")\n}\n'
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": "//! Never returning.\n\n" + body})
    assert [f for f in audit(root, select=RULES).findings] == []


def test_suppressing_the_rule_covers_its_invariant_sites(tmp_path: Path) -> None:
    code = (
        "//! Lookups.\n"
        "pub fn get(m: &std::collections::HashMap<u8, u8>) -> u8 {\n"
        "    // rustpro: allow(unwrap-in-production) -- the key is inserted by `new`\n"
        "    *m.get(&1).unwrap()\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": code})
    result = audit(root, select=RULES)
    assert result.findings == [] and result.suppressed == 1


def test_a_length_converted_to_a_narrower_integer_is_an_invariant(tmp_path: Path) -> None:
    # Only a buffer of gigabytes fails `c_int::try_from(buf.len())`; the caller's own number
    # converted the same way is theirs to get wrong.
    code = (
        "//! FFI lengths.\n"
        "pub fn tag(buf: &mut [u8]) -> Result<i32, String> {\n"
        "    let len = i32::try_from(buf.len()).unwrap();\n"
        "    Ok(len)\n"
        "}\n"
        "pub fn key_length(len: usize) -> Result<i32, String> {\n"
        "    let n: i32 = len.try_into().unwrap();\n"
        "    Ok(n)\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": code})
    found = audit(root, select=RULES).findings
    assert [(f.line, f.severity) for f in found] == [(3, Severity.NOTE), (7, Severity.WARNING)]
