"""Question 14: which kinds of tests exist, with counts."""

from __future__ import annotations

from pathlib import Path

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.performance import benchmark_harnesses
from rustpro.profile.subject import Subject
from rustpro.profile.tally import PRODUCTION, TESTS


def answer(subject: Subject) -> Answer:
    """Unit, integration, doc, property and fuzz tests, and benches."""
    tests = subject.area(TESTS)
    production = subject.area(PRODUCTION)
    unit = tests.count("test-fn:unit")
    integration = tests.count("test-fn:integration")
    # Item-level macros named like `*test*` in test code usually each define one test.
    macro_unit = tests.count("test-macro:unit")
    macro_integration = tests.count("test-macro:integration")
    integration_files = [t for t in subject.targets if t.kind == "test"]
    doc_runnable = production.count("doctest:runnable")
    doc_skipped = production.count("doctest:not-run")
    property_crates = sorted(
        {
            d.package
            for d in subject.deps()
            if knowledge.member(knowledge.PROPERTY_TEST_CRATES, d.package)
        }
    )
    property_tests = tests.count("testing:property")
    fuzz_targets = _fuzz_targets(subject)
    bench_targets = [t for t in subject.targets if t.kind == "bench"]
    evidence: list[Evidence] = []
    evidence.extend(subject.evidence("test-fn:unit", tests, "unit test")[:2])
    evidence.extend(subject.evidence("test-fn:integration", tests, "integration test")[:2])
    evidence.extend(subject.evidence("test-macro:integration", tests, "test macro")[:2])
    evidence.extend(subject.evidence("doctest:runnable", production, "doc test")[:2])
    evidence.extend(subject.evidence("testing:property", tests, "property test")[:2])
    evidence.extend(Evidence(path, None, None, "fuzz target") for path in fuzz_targets[:2])
    evidence.extend(
        d.evidence("property-testing crate") for d in subject.deps() if d.package in property_crates
    )
    kinds = {
        "unit": unit,
        "integration": integration,
        "integration_files": len(integration_files),
        "unit_via_macros": macro_unit,
        "integration_via_macros": macro_integration,
        "doc": doc_runnable,
        "doc_not_run": doc_skipped,
        "property": property_tests,
        "fuzz_targets": len(fuzz_targets),
        "bench_targets": len(bench_targets),
    }
    via_macros = (
        f" (+{macro_unit} unit and {macro_integration} integration tests defined by macros)"
        if macro_unit or macro_integration
        else ""
    )
    summary = (
        f"{unit} unit tests, {integration} integration tests in "
        f"{len(integration_files)} test targets{via_macros}, "
        f"{doc_runnable} doc tests"
        + (f" (+{doc_skipped} not run)" if doc_skipped else "")
        + f", {property_tests} property tests"
        + (f" ({', '.join(property_crates)})" if property_crates else "")
        + f", {len(fuzz_targets)} fuzz targets, {len(bench_targets)} bench targets"
    )
    open_questions: list[str] = []
    if not (unit or integration or doc_runnable or property_tests or via_macros):
        open_questions.append("How is this crate tested? No tests of any kind were found.")
    facts = {
        "counts": kinds,
        "test_lines": subject.test_lines,
        "property_crates": property_crates,
        "fuzz_targets": fuzz_targets,
        "bench_harnesses": benchmark_harnesses(subject),
    }
    return Answer(
        14,
        "tests",
        "Which kinds of tests exist?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


def _fuzz_targets(subject: Subject) -> list[str]:
    # cargo-fuzz keeps its own package in `fuzz/`, which discovery skips as a nested package.
    # A crate owns `fuzz/` beside its own manifest; the workspace also owns the root's.
    crate_roots = [c.root for c in subject.crates]
    roots = dict.fromkeys(
        [*crate_roots, subject.audit_root] if subject.is_workspace else crate_roots
    )
    found: list[str] = []
    for root in roots:
        fuzz = Path(root) / "fuzz"
        if not (fuzz / "Cargo.toml").is_file():
            continue
        targets = fuzz / "fuzz_targets"
        if targets.is_dir():
            found.extend(subject.rel(p) for p in sorted(targets.glob("*.rs")))
    return sorted(set(found))
