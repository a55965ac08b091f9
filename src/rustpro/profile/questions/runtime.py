"""Question 3: which async runtime, from dependencies and entry-point attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.subject import Subject
from rustpro.profile.tally import PRODUCTION, TESTS


@dataclass(slots=True)
class _RuntimeUse:
    """Where a crate shows which async runtime it uses (dependencies, features, attributes)."""

    dependency_kinds: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    production_features: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    production_attributes: list[str] = field(default_factory=list)

    @property
    def in_production(self) -> bool:
        # A normal dependency, or an entry attribute in production code; dev-dependencies
        # and `#[tokio::main]` inside tests/ only run the tests.
        return "normal" in self.dependency_kinds or bool(self.production_attributes)


def _add(values: list[str], new: list[str] | tuple[str, ...]) -> None:
    values.extend(v for v in new if v not in values)


def answer(subject: Subject) -> Answer:
    """The runtime(s), their features, and the attributes that start them."""
    evidence: list[Evidence] = []
    runtimes: dict[str, _RuntimeUse] = {}
    for dep in subject.dependencies:
        runtime = knowledge.lookup(knowledge.ASYNC_RUNTIMES, dep.package)
        if runtime is None:
            continue
        use = runtimes.setdefault(runtime, _RuntimeUse())
        _add(use.dependency_kinds, [dep.kind])
        _add(use.features, dep.features)
        if dep.kind == "normal":
            _add(use.production_features, dep.features)
        features = f" features [{', '.join(dep.features)}]" if dep.features else ""
        evidence.append(dep.evidence(f"{dep.package} {dep.version or ''}{features}".strip()))
    attributes: dict[str, int] = {}
    for area in (PRODUCTION, TESTS):
        tally = subject.area(area)
        for key in tally.keys("runtime-attr:"):
            path = key.split(":", 1)[1]
            attributes[path] = attributes.get(path, 0) + tally.count(key)
            evidence.extend(subject.evidence(key, tally, f"#[{path}]")[:2])
            use = runtimes.setdefault(knowledge.RUNTIME_ATTRIBUTES[path], _RuntimeUse())
            _add(use.attributes, [path])
            if area == PRODUCTION:
                _add(use.production_attributes, [path])
    production = subject.production
    async_fns, awaits = production.count("async:fn"), production.count("async:await")
    in_production = [name for name, use in runtimes.items() if use.in_production]
    test_only = [name for name in runtimes if name not in in_production]
    # Only a crate subject can be a runtime itself (tokio's own sources use no runtime).
    own_runtime = None
    if not subject.is_workspace:
        own_runtime = knowledge.lookup(knowledge.ASYNC_RUNTIMES, subject.name)
    open_questions: list[str] = []
    if in_production:
        summary = ", ".join(
            name
            + (
                f" (features: {', '.join(runtimes[name].production_features)})"
                if runtimes[name].production_features
                else ""
            )
            for name in in_production
        )
        confidence = Confidence.DECLARED
    elif own_runtime is not None:
        summary = f"this crate is the {own_runtime} runtime itself"
        confidence = Confidence.DECLARED
    elif async_fns or awaits:
        summary = (
            f"runtime-agnostic async code ({async_fns} async fns, {awaits} awaits, "
            "no runtime dependency)"
        )
        confidence = Confidence.INFERRED
        open_questions.append(
            "Which async runtime will callers use (the crate has async code but depends on "
            "no runtime)?"
        )
        evidence.extend(subject.evidence("async:fn")[:2])
    else:
        summary = "none: no async code in production"
        confidence = Confidence.INFERRED
    if test_only:
        summary += f"; tests use {', '.join(test_only)}"
    facts = {
        "runtimes": {
            name: {
                "dependency_kinds": sorted(use.dependency_kinds),
                "features": use.features,
                "production_features": use.production_features,
                "attributes": use.attributes,
                "production_attributes": use.production_attributes,
                "in_production": use.in_production,
            }
            for name, use in sorted(runtimes.items())
        },
        "production_runtimes": in_production,
        "entry_attributes": attributes,
        "async_fns": async_fns,
        "awaits": awaits,
        "async_blocks": production.count("async:block"),
        "spawns": production.count("async:spawn"),
    }
    return Answer(
        3,
        "async_runtime",
        "Which async runtime?",
        summary,
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )
