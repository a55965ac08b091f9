"""The engine's own guarantees: the result cache and the process pool change speed, never
results; the cache lives outside the audited tree."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tree_sitter import Node

import rustpro.engine.parallel as parallel
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.engine.cache import ResultCache
from rustpro.engine.context import FileContext
from rustpro.engine.filepass import FileResult, analyze_source
from rustpro.model import Role
from rustpro.rules.base import FileRule, Scope
from rustpro.rules.patterns import Pattern, nodes
from tests.cli_support import tree_state
from tests.support import make_crate

LIB = "//! Engine crate.\npub mod a;\npub mod b;\nmod broken;\nmod latin1;\n"
MODULE = """\
/// Reads a number.
pub fn read{n}(text: &str) -> u32 {{
    let value: u32 = text.parse().unwrap();
    value + {n}
}}

#[cfg(test)]
mod tests {{
    #[test]
    fn reads() {{
        assert_eq!(super::read{n}("1"), 1 + {n});
    }}
}}
"""


def _crate(root: Path, modules: int = 2) -> Path:
    files = {"src/lib.rs": LIB, "src/broken.rs": "pub fn oops( {\n    x.unwrap()\n}\n"}
    files["src/a.rs"] = MODULE.format(n=1)
    files["src/b.rs"] = MODULE.format(n=2)
    for n in range(3, modules + 1):
        files[f"src/extra{n}.rs"] = MODULE.format(n=n)
    make_crate(root, files)
    (root / "src" / "latin1.rs").write_bytes(b"// caf\xe9\n")
    return root


def _comparable(result: AuditResult) -> tuple[object, ...]:
    # Everything but the elapsed time.
    return (
        result.findings,
        {c: dataclasses.astuple(r) for c, r in result.checkpoints.items()},
        result.files,
        result.lines,
        result.parse_errors,
        result.skipped_files,
        result.warnings,
        result.suppressed,
    )


class _CountingAnalysis:
    """Stands in for `analyze_source` and counts which files were really analysed."""

    def __init__(self) -> None:
        self.analysed: list[str] = []

    def __call__(
        self,
        source: bytes,
        relpath: str,
        role: Role,
        rules: frozenset[str] | None = None,
        anchors: bool = True,
    ) -> FileResult:
        self.analysed.append(relpath)
        return analyze_source(source, relpath, role, rules, anchors)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> _CountingAnalysis:
    counter = _CountingAnalysis()
    monkeypatch.setattr(parallel, "analyze_source", counter)
    return counter


def test_second_run_hits_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counting: _CountingAnalysis
) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    root = _crate(tmp_path / "crate")
    before = tree_state(root)
    options = AuditOptions(use_cache=True, workers=1)
    first = run_audit(root, options)
    assert sorted(counting.analysed) == ["src/a.rs", "src/b.rs", "src/broken.rs", "src/lib.rs"]
    assert first.findings and first.parse_errors and first.skipped_files
    assert list((tmp_path / "cache").rglob("*")), "the cache was not written"
    counting.analysed.clear()
    second = run_audit(root, options)
    assert counting.analysed == []  # every readable file came from the cache
    assert _comparable(second) == _comparable(first)
    assert tree_state(root) == before  # the cache lives outside the audited tree


def test_cached_results_without_places_serve_only_runs_that_do_not_record_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counting: _CountingAnalysis
) -> None:
    """A text run caches results without the findings' places; a SARIF run (which records
    them) analyses those files again and caches places, which serve every later run."""
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    root = _crate(tmp_path / "crate")
    plain = AuditOptions(use_cache=True, workers=1)
    placed = AuditOptions(use_cache=True, workers=1, anchors=True)
    first = run_audit(root, plain)
    assert not first.anchors
    counting.analysed.clear()
    second = run_audit(root, placed)
    assert sorted(counting.analysed) == ["src/a.rs", "src/b.rs", "src/broken.rs", "src/lib.rs"]
    assert second.anchors
    counting.analysed.clear()
    for options in (placed, plain):
        again = run_audit(root, options)
        assert counting.analysed == []
        assert again.anchors == second.anchors
        assert _comparable(again) == _comparable(first)


def test_changed_file_is_analysed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counting: _CountingAnalysis
) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    root = _crate(tmp_path / "crate")
    options = AuditOptions(use_cache=True, workers=1, select=("unwrap-in-production",))
    first = run_audit(root, options)
    counting.analysed.clear()
    (root / "src" / "b.rs").write_text("/// Fixed.\npub fn read2() -> u32 { 2 }\n")
    second = run_audit(root, options)
    assert counting.analysed == ["src/b.rs"]
    assert [f.path for f in first.findings if f.path == "src/b.rs"]
    assert not [f.path for f in second.findings if f.path == "src/b.rs"]
    uncached = run_audit(root, AuditOptions(use_cache=False, workers=1, select=options.select))
    assert _comparable(uncached) == _comparable(second)


def test_no_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    run_audit(_crate(tmp_path / "crate"), AuditOptions(use_cache=False, workers=1))
    assert not (tmp_path / "cache").exists()


def test_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    key = ResultCache.key(b"fn f() {}", "src/lib.rs", Role.PRODUCTION)
    cache.put(key, analyze_source(b"fn f() {}", "src/lib.rs", Role.PRODUCTION))
    assert cache.get(key) is not None
    (cache.root / key[:2] / key).write_bytes(b"not json")
    assert cache.get(key) is None
    assert cache.get("0" * 64) is None


def test_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(blocker))
    result = run_audit(_crate(tmp_path / "crate"), AuditOptions(use_cache=True, workers=1))
    assert result.findings


def test_two_workers_give_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)  # use the pool even for a small crate
    root = _crate(tmp_path / "crate", modules=12)
    single = run_audit(root, AuditOptions(use_cache=False, workers=1))
    double = run_audit(root, AuditOptions(use_cache=False, workers=2))
    assert _comparable(double) == _comparable(single)
    cold = run_audit(root, AuditOptions(use_cache=True, workers=2))  # workers write the cache
    warm = run_audit(root, AuditOptions(use_cache=True, workers=2))
    assert _comparable(cold) == _comparable(single) == _comparable(warm)


def test_jobs_flag_reaches_the_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int | None] = []

    class Spy(parallel.FileAnalyzer):
        def __init__(
            self,
            *,
            max_bytes: int,
            cache: ResultCache | None,
            workers: int | None = None,
            rules: frozenset[str] | None = None,
            anchors: bool = True,
        ) -> None:
            seen.append(workers)
            super().__init__(
                max_bytes=max_bytes, cache=cache, workers=workers, rules=rules, anchors=anchors
            )

    import rustpro.engine.audit as audit_module

    monkeypatch.setattr(audit_module, "FileAnalyzer", Spy)
    from rustpro.cli import main

    with pytest.raises(SystemExit):
        main(["audit", "--static", "--no-cache", "-q", "-j", "3", str(_crate(tmp_path / "c"))])
    assert seen == [3]


def test_file_query_serves_every_whole_file_pattern_once() -> None:
    # Identical whole-file patterns of different rules are compiled once and shared; none may
    # be lost.
    from rustpro.engine import gates
    from rustpro.rules.registry import file_rules

    plan = gates.plan()
    rule_owned = [
        [rule for rule, _ in r.rules] for r in plan.routes if isinstance(r, gates.WholeFileRoute)
    ]
    for rule in file_rules():
        keys = {gates.pattern_key(p) for p in gates.rule_patterns_of(rule)}
        assert sum(rule in owners for owners in rule_owned) == len(keys), rule.name
    all_keys = {gates.pattern_key(p) for rule in file_rules() for p in gates.rule_patterns_of(rule)}
    assert len(rule_owned) == len(all_keys)


def test_every_gated_pattern_has_a_gate_and_compiles() -> None:
    # Each gated pattern of each rule is served by exactly one gate route per kind it names.
    from rustpro.engine import gates
    from rustpro.rules.patterns import Channel
    from rustpro.rules.registry import file_rules

    plan = gates.plan()
    gate_routes = [r for r in plan.routes if isinstance(r, gates.GateRoute)]
    if plan.root_route is not None:
        gate_routes.append(plan.root_route)
    gate_routes += [search.route for search in plan.texts]
    # Most gates are found by words (`finder.WordFinder`), not by the file query.
    gate_routes += [t for t in plan.words.targets() if isinstance(t, gates.GateRoute)]
    for rule in file_rules():
        for pattern in rule.gated_patterns():
            serving = [
                route
                for route in gate_routes
                for sub in (*route.everyone, *route.filters, *sum(route.by_name.values(), ()))
                if sub.rule is rule and sub.on == pattern.on
            ]
            expected = len(pattern.on.kinds) if pattern.on.channel is Channel.KIND else 1
            assert len({id(r) for r in serving}) == expected, (rule.name, pattern.on)
    # Queries compile when first needed; every one of them must compile.
    gates.compile_all(plan)
    gates.compile_all(gates.plan(False))


def test_rule_queries_are_split_per_rule_and_a_bad_one_is_named() -> None:
    # All rule queries compile as one text; a bad query must still name its rule.
    from rustpro.engine import gates
    from rustpro.rules.registry import file_rules

    rules = file_rules()
    for rule, patterns in gates.split_patterns(rules):
        assert patterns == gates.rule_patterns_of(rule), rule.name

    class BadQuery:
        name = "bad-query"

        def full_query(self) -> str:
            return "(function_item nmae: (identifier) @match)"

    with pytest.raises(TypeError, match="BadQuery"):
        gates.split_patterns([rules[0], BadQuery(), rules[1]])  # type: ignore[list-item]


@pytest.fixture
def one_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[FileRule], None]]:
    """Run the file pass with a single (unregistered) rule; the real plan comes back after."""
    from rustpro.engine import filepass, gates

    def use(rule: FileRule) -> None:
        monkeypatch.setattr(gates, "file_rules", lambda: (rule,))
        monkeypatch.setattr(filepass, "file_rules", lambda: (rule,))
        for cached in (gates._plan, gates.rule_patterns, filepass._finishing_rules):
            cached.cache_clear()

    yield use
    monkeypatch.undo()
    for cached in (gates._plan, gates.rule_patterns, filepass._finishing_rules):
        cached.cache_clear()


class _NameRecorder(FileRule):
    """Records the name of every candidate handed to it."""

    abstract = True  # a test double: not registered, not in the catalog
    name = "test-recorder"
    scope = Scope.ALL
    patterns = (
        Pattern(nodes("function_item"), needs=(b"marker",), needs_before_body=True),
        Pattern(nodes("struct_item"), file_needs=(b"filemark",)),
    )

    def __init__(self) -> None:
        self.seen: list[str] = []

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        self.seen.append(ctx.text(captures["match"][0].child_by_field_name("name")))


def test_byte_pre_tests_skip_what_cannot_match(one_rule: Callable[[FileRule], None]) -> None:
    rule = _NameRecorder()
    one_rule(rule)
    source = b"""\
fn marked_in_signature(marker: u8) {}
fn marked_in_body() { let marker = 1; }
fn unmarked() {}
struct S;
"""
    analyze_source(source, "src/lib.rs", Role.PRODUCTION)
    # `needs_before_body`: a needle in the body does not count; `file_needs`: none in the file.
    assert rule.seen == ["marked_in_signature"]
    rule.seen.clear()
    analyze_source(source + b"// filemark\n", "src/lib.rs", Role.PRODUCTION)
    assert rule.seen == ["marked_in_signature", "S"]


class _Broken(_NameRecorder):
    """Fails on every candidate, as a rule with a bug would."""

    abstract = True

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        raise ValueError("boom")


def test_a_failing_rule_is_reported_and_does_not_stop_the_file(
    one_rule: Callable[[FileRule], None],
) -> None:
    one_rule(_Broken())
    source = b"fn ok() {}\nfn marker(marker: u8) {}\n"
    result = analyze_source(source, "src/lib.rs", Role.PRODUCTION)
    assert result.rule_errors == ["src/lib.rs:2: rule test-recorder failed: ValueError('boom')"]


class _KindRecorder(FileRule):
    """Records the kind of every match, from a kind no word finds and a whole-file query."""

    abstract = True  # a test double: not registered, not in the catalog
    name = "test-kinds"
    scope = Scope.ALL
    query = "(return_expression) @match"
    patterns = (Pattern(nodes("closure_expression")),)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def check(self, captures: dict[str, list[Node]], ctx: FileContext) -> None:
        self.seen.append(captures["match"][0].type)


def test_kinds_without_a_keyword_and_whole_file_queries_use_the_file_query(
    one_rule: Callable[[FileRule], None],
) -> None:
    from rustpro.engine import gates

    rule = _KindRecorder()
    one_rule(rule)
    assert gates.plan().query is not None  # the fallback is in use
    source = b"fn f() -> u8 { let g = |x: u8| x; return g(1); }\n"
    analyze_source(source, "src/lib.rs", Role.PRODUCTION)
    assert sorted(rule.seen) == ["closure_expression", "return_expression"]
