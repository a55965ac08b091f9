"""An audit runs only the rules its configuration can report, and reports exactly what running
every rule would (`rustpro.engine.ruleset`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import rustpro.engine.audit as audit_module
from rustpro.config import AuditConfig
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.engine.context import AllGates, Candidate, FactGate, FileContext, Gate
from rustpro.engine.crateview import CrateView
from rustpro.engine.ruleset import FINDING_GROUPS, reportable_rules
from rustpro.report.json_report import report_to_dict
from rustpro.rules.registry import all_rules, crate_rules, file_rules, workspace_rules
from tests.support import make_crate

FIXTURES = Path(__file__).parent / "fixtures"
SHOWCASE = Path(__file__).parent.parent / "examples" / "showcase"


def _groups() -> dict[str, str]:
    return {cls.name: cls.spec.group for cls in all_rules()}


def test_the_default_selection_runs_the_default_rules() -> None:
    wanted = reportable_rules(AuditConfig(), full_mode=False)
    assert wanted is not None
    groups = _groups()
    assert {name for name, group in groups.items() if group == "default"} == wanted
    assert "missing-docs" not in wanted  # pedantic


def test_select_all_runs_every_rule_and_ignore_drops_rules() -> None:
    assert reportable_rules(AuditConfig(select=("all",)), full_mode=False) is None
    wanted = reportable_rules(AuditConfig(select=("all",), ignore=("docs",)), full_mode=False)
    assert wanted is not None and "missing-docs" not in wanted and "static-mut" in wanted


def test_a_rule_runs_with_the_rules_whose_facts_it_reads() -> None:
    wanted = reportable_rules(AuditConfig(select=("no-integration-tests",)), full_mode=False)
    assert wanted == frozenset({"no-integration-tests", "no-unit-tests"})


def test_full_mode_runs_the_rules_with_tool_twins() -> None:
    # A clippy finding merges into its rustpro twin (and is gone with it when the twin is
    # not selected): the twin must exist as it always did.
    wanted = reportable_rules(AuditConfig(select=("static-mut",)), full_mode=True)
    assert wanted is not None
    twins = {cls.name for cls in all_rules() if cls.clippy_twins or cls.rustc_twins}
    assert twins and twins <= wanted


def test_the_catalog_names_every_rule_with_a_tool_twin() -> None:
    # Full mode learns which rules have twins from the catalog, without importing every rule
    # module: the catalog must say exactly what the classes say.
    for cls in all_rules():
        assert cls.spec.tool_twin == bool(cls.clippy_twins or cls.rustc_twins), cls.name


def test_full_mode_imports_only_the_rules_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from rustpro.rules import registry

    def every_rule() -> None:
        raise AssertionError("every rule module was imported to pick the rules")

    monkeypatch.setattr(registry, "_load_all", every_rule)
    wanted = reportable_rules(AuditConfig(), full_mode=True)
    assert wanted is not None
    assert "missing-errors-doc" in wanted  # pedantic, with clippy's twin
    assert "static-mut" in wanted  # default


def _audit(root: Path, *, subset: bool, **options: Any) -> AuditResult:
    if not subset:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(audit_module, "reportable_rules", lambda config, full_mode: None)
            return run_audit(root, AuditOptions(static=True, use_cache=False, workers=1, **options))
    return run_audit(root, AuditOptions(static=True, use_cache=False, workers=1, **options))


def _report(result: AuditResult) -> str:
    data = report_to_dict(result)
    data["summary"].pop("seconds")
    return json.dumps(data, sort_keys=True)


SUPPRESSING_LIB = """\
//! A crate.

// rustpro: allow(missing-docs) -- generated accessors, documented in the module docs
pub fn undocumented() -> u8 {
    1
}

pub fn port(text: &str) -> u16 {
    text.parse().unwrap()
}
"""


def test_suppressions_of_unselected_rules_count_as_before(tmp_path: Path) -> None:
    # `missing-docs` is not selected by default, yet the comment silences one of its findings:
    # the report has always counted it, and still does.
    root = make_crate(tmp_path / "c", {"src/lib.rs": SUPPRESSING_LIB})
    everything = _audit(root, subset=False)
    assert everything.suppressed == 1
    assert _report(_audit(root, subset=True)) == _report(everything)


@pytest.mark.parametrize(
    ("select", "ignore"),
    [((), ()), (("pedantic",), ()), (("errors", "docs"), ()), (("all",), ("pedantic",))],
    ids=["default", "pedantic", "checkpoints", "all-but-pedantic"],
)
def test_the_showcase_reports_the_same_either_way(
    select: tuple[str, ...], ignore: tuple[str, ...]
) -> None:
    subset = _audit(SHOWCASE, subset=True, select=select, ignore=ignore)
    everything = _audit(SHOWCASE, subset=False, select=select, ignore=ignore)
    assert _report(subset) == _report(everything)
    assert subset.warnings == everything.warnings


@pytest.fixture
def fact_traffic(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, dict[str, set[str]]]]:
    """Which rule wrote and which rule read each fact key during the audits of the test."""
    traffic: dict[str, dict[str, set[str]]] = {
        "writes": defaultdict(set),
        "reads": defaultdict(set),
    }
    running: list[str] = []

    def as_rule(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            running.append(name)
            try:
                result = method(*args, **kwargs)
                # Crate and workspace checks may be generators: run them while `name` runs.
                return list(result) if method.__name__ != "check" and result else result
            finally:
                running.pop()

        return run

    for rule in file_rules():
        monkeypatch.setattr(rule, "check", as_rule(rule.name, rule.check))
        monkeypatch.setattr(rule, "finish", as_rule(rule.name, rule.finish))
    for crate_rule in crate_rules():
        monkeypatch.setattr(
            crate_rule, "check_crate", as_rule(crate_rule.name, crate_rule.check_crate)
        )
    for workspace_rule in workspace_rules():
        monkeypatch.setattr(
            workspace_rule,
            "check_workspace",
            as_rule(workspace_rule.name, workspace_rule.check_workspace),
        )

    class Facts(dict[str, list[str]]):
        """A file's facts, noting which rule asks about which key (a rule that walks all the
        keys picks its own by a prefix: walking is not counted as reading every key)."""

        def _read(self, key: object) -> None:
            if running and isinstance(key, str):
                traffic["reads"][key].add(running[-1])

        def get(self, key: str, default: Any = None) -> Any:
            self._read(key)
            return super().get(key, default)

        def __getitem__(self, key: str) -> list[str]:
            self._read(key)
            return super().__getitem__(key)

        def __contains__(self, key: object) -> bool:
            self._read(key)
            return super().__contains__(key)

    original_init = FileContext.__init__

    def init(self: FileContext, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.facts = Facts(self.facts)

    def add_fact(self: FileContext, key: str, value: str) -> None:
        traffic["writes"][key].add(running[-1] if running else "<engine>")
        self.facts.setdefault(key, []).append(value)

    original_facts = CrateView.facts
    original_stands = CrateView.stands

    def stands(self: CrateView, candidate: Candidate) -> bool:
        # A fact gate is the crate pass reading a fact for the finding's rule.
        for gate in _fact_gates(candidate.gate):
            traffic["reads"][gate.key].add(candidate.finding.rule)
        return original_stands(self, candidate)

    def crate_facts(self: CrateView, key: str) -> list[tuple[str, str]]:
        if running:
            traffic["reads"][key].add(running[-1])
        return original_facts(self, key)

    monkeypatch.setattr(FileContext, "__init__", init)
    monkeypatch.setattr(FileContext, "add_fact", add_fact)
    monkeypatch.setattr(CrateView, "facts", crate_facts)
    monkeypatch.setattr(CrateView, "stands", stands)
    yield traffic


def _fact_gates(gate: Gate | None) -> Iterator[FactGate]:
    if isinstance(gate, FactGate):
        yield gate
    elif isinstance(gate, AllGates):
        for part in gate.gates:
            yield from _fact_gates(part)


def test_a_rule_reads_only_facts_it_writes(
    fact_traffic: dict[str, dict[str, set[str]]],
) -> None:
    # What makes skipping unselected rules safe: no rule depends on another's facts. Every
    # fixture crate and the showcase, every rule: each fact a rule reads (in its file pass,
    # its crate pass, or through a fact gate of its findings) was written by that rule alone.
    crates = sorted({path.parent for path in FIXTURES.rglob("Cargo.toml")} | {SHOWCASE})
    groups: set[str] = set()
    for root in crates:
        groups.update(f.group for f in _audit(root, subset=False, select=("all",)).findings)
    # And no finding sits in a group `reportable_rules` does not ask about.
    assert groups <= set(FINDING_GROUPS)
    writes, reads = fact_traffic["writes"], fact_traffic["reads"]
    assert writes, "no fact was written: the instrumentation is broken"
    declared = {cls.name: {cls.name, *cls.reads_facts_of} for cls in all_rules()}
    for key, readers in reads.items():
        for reader in readers:
            undeclared = writes.get(key, set()) - declared[reader]
            assert not undeclared, (
                f"rule {reader} reads fact {key!r} of {sorted(undeclared)}: name them in its "
                "`reads_facts_of`, so that they run whenever it does"
            )


def test_results_of_fewer_rules_are_cached_apart() -> None:
    from rustpro.engine.cache import ResultCache
    from rustpro.model import Role

    every = ResultCache.key(b"fn f() {}", "src/lib.rs", Role.PRODUCTION)
    some = ResultCache.key(b"fn f() {}", "src/lib.rs", Role.PRODUCTION, frozenset({"static-mut"}))
    assert every != some
    assert every == ResultCache.key(b"fn f() {}", "src/lib.rs", Role.PRODUCTION, None)


def test_every_rule_lives_in_the_module_named_after_it() -> None:
    # How an audit imports only the modules of the rules it runs (`registry.load`).
    from rustpro.rules import registry

    modules = registry.rule_modules()
    for cls in all_rules():
        assert modules.get(cls.name) == cls.__module__, cls.name


def test_the_rules_an_audit_runs_are_the_instances_every_accessor_gives() -> None:
    from rustpro.rules import registry

    named = registry.file_rules_named(frozenset({"static-mut", "unwrap-in-production"}))
    assert [rule.name for rule in named] == ["static-mut", "unwrap-in-production"]
    every = {rule.name: rule for rule in file_rules()}
    assert all(every[rule.name] is rule for rule in named)


def test_the_rule_modules_are_listed_as_pkgutil_walks_them() -> None:
    """`registry.rule_modules` reads the file names (walking with pkgutil imports every
    package at every start): the same modules, in the same order."""
    import pkgutil

    import rustpro.rules
    from rustpro.rules import registry

    walked = {
        module.name.rsplit(".", 1)[-1].replace("_", "-"): module.name
        for module in pkgutil.walk_packages(rustpro.rules.__path__, "rustpro.rules.")
        if not module.ispkg
    }
    assert list(registry.rule_modules().items()) == list(walked.items())
