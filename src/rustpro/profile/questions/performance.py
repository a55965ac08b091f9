"""Questions 8-11: declared performance targets, hot paths, memory vs speed, and SIMD."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import counts, counts_phrase, first_places, plural
from rustpro.profile.subject import Subject
from rustpro.profile.tally import BENCHES, NamedPlace

_PROFILE_KEYS = ("opt-level", "lto", "codegen-units", "panic", "debug", "strip", "incremental")
_SHOWN_BENCH_IDS = 12
_SHOWN_HOT_PATHS = 10


def benchmark_harnesses(subject: Subject) -> list[str]:
    """Benchmark harnesses in use, from dev-dependencies and bench code."""
    found: list[str] = []
    for dep in subject.deps():
        harness = knowledge.lookup(knowledge.BENCH_HARNESSES, dep.package)
        if harness is not None and harness not in found:
            found.append(harness)
    benches = subject.area(BENCHES)
    if benches.count("bench:attr:bench") and "libtest #[bench] (nightly)" not in found:
        found.append("libtest #[bench] (nightly)")
    return found


def targets(subject: Subject) -> Answer:
    """`[profile.release]`/`[profile.bench]` settings and the benchmarks present."""
    manifest = subject.root_manifest
    evidence: list[Evidence] = []
    profiles: dict[str, dict[str, Any]] = {}
    for name, table in manifest.section("profile").items():
        if not isinstance(table, dict):
            continue
        settings = {k: v for k, v in table.items() if k in _PROFILE_KEYS or k == "inherits"}
        profiles[name] = settings
        for key in settings:
            line = manifest.key_line(f"profile.{name}", key)
            evidence.append(
                Evidence(
                    subject.manifest_path(manifest),
                    line,
                    f"profile.{name}.{key}",
                    f"{key} = {settings[key]!r}",
                )
            )
    bench_targets = [t for t in subject.targets if t.kind == "bench"]
    for target in bench_targets[:5]:
        evidence.append(Evidence(target.path, None, None, f"bench target `{target.name}`"))
    harnesses = benchmark_harnesses(subject)
    bench_ids = sorted({b.name for b in subject.bench_ids})
    parts = []
    release = profiles.get("release", {})
    if release:
        parts.append("release profile: " + ", ".join(f"{k}={v}" for k, v in release.items()))
    else:
        parts.append(
            "release profile: cargo defaults (opt-level 3, thin-local LTO, "
            "16 codegen units, unwind)"
        )
    others = sorted(p for p in profiles if p != "release")
    if others:
        parts.append(f"other profiles: {', '.join(others)}")
    if bench_targets:
        parts.append(
            f"{plural(len(bench_targets), 'bench target')}"
            + (f" ({', '.join(harnesses)})" if harnesses else "")
            + (f" covering {len(bench_ids)} benchmarks" if bench_ids else "")
        )
    else:
        parts.append("no benchmarks")
    open_questions: list[str] = []
    if not release and not bench_targets:
        open_questions.append(
            "Are there performance targets (latency, throughput, memory, binary size)? "
            "Nothing in the manifest or benches declares any."
        )
    confidence = Confidence.DECLARED if release or bench_targets else Confidence.UNKNOWN
    facts = {
        "profiles": profiles,
        "profile_manifest": subject.manifest_path(manifest),
        "bench_targets": [{"name": t.name, "path": t.path} for t in bench_targets],
        "harnesses": harnesses,
        "benchmarks": bench_ids[: _SHOWN_BENCH_IDS * 4],
    }
    return Answer(
        8,
        "performance_targets",
        "Which performance targets are declared?",
        "; ".join(parts),
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


def hot_paths(subject: Subject) -> Answer:
    """The crate's own functions that benchmark loops call."""
    called = Counter(
        c.name
        for c in subject.bench_calls
        if c.name in subject.defined_fns and c.name not in knowledge.GENERIC_FUNCTION_NAMES
    )
    first_call: dict[str, NamedPlace] = {}
    for call in subject.bench_calls:
        first_call.setdefault(call.name, call)
    ranked = sorted(called.items(), key=lambda item: (-item[1], item[0]))
    evidence = [
        Evidence(
            first_call[name].path, first_call[name].line, None, f"benchmark calls `{name}` ({n}×)"
        )
        for name, n in ranked[:_SHOWN_HOT_PATHS]
    ]
    open_questions: list[str] = []
    if ranked:
        shown = ", ".join(f"`{name}`" for name, _ in ranked[:_SHOWN_HOT_PATHS])
        summary = f"benchmarks measure {shown}"
        confidence = Confidence.INFERRED
    elif subject.bench_calls or subject.bench_ids:
        summary = "benchmarks exist but call no function this crate defines by name"
        confidence = Confidence.UNKNOWN
        open_questions.append(
            "Which functions are performance-critical? The benchmarks do not "
            "call this crate's functions directly."
        )
    else:
        summary = "unknown: no benchmarks"
        confidence = Confidence.UNKNOWN
        open_questions.append(
            "Which code paths are hot (request handling, parsing, inner loops)? No benchmark says."
        )
    facts = {"functions": [{"name": n, "bench_calls": c} for n, c in ranked]}
    return Answer(
        9,
        "hot_paths",
        "Which paths are hot?",
        summary,
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


_MEMORY_FACTS = {
    "cache:field": "cache_fields",
    "call:with-capacity": "with_capacity",
    "method:reserve": "reserve",
    "type:SmallVec": "SmallVec",
    "type:ArrayVec": "ArrayVec",
    "type:TinyVec": "TinyVec",
    "type:LruCache": "LruCache",
    "memory:global-allocator": "global_allocator",
}


def memory_vs_speed(subject: Subject) -> Answer:
    """Caches, pre-sizing, small-size collections, arenas, hashers and allocators."""
    tally = subject.production
    found = counts(tally, _MEMORY_FACTS)
    groups = {
        "cache_crates": knowledge.CACHE_CRATES,
        "small_collection_crates": knowledge.SMALL_COLLECTION_CRATES,
        "arena_crates": knowledge.ARENA_CRATES,
        "fast_hash_crates": knowledge.FAST_HASH_CRATES,
        "allocator_crates": knowledge.ALLOCATOR_CRATES,
    }
    crates: dict[str, list[str]] = {}
    evidence = first_places(subject, [k for k in _MEMORY_FACTS if tally.count(k)])
    for group, names in groups.items():
        members = sorted(
            {d.package for d in subject.deps("normal") if knowledge.member(names, d.package)}
        )
        crates[group] = members
        evidence.extend(
            d.evidence(group.replace("_", " "))
            for d in subject.deps("normal")
            if d.package in members
        )
    crate_list = [name for members in crates.values() for name in members]
    leaning = []
    if found["cache_fields"] or crates["cache_crates"]:
        leaning.append("trades memory for speed with caches")
    if found["with_capacity"] or found["reserve"]:
        leaning.append("pre-sizes collections")
    if crates["small_collection_crates"] or crates["arena_crates"]:
        leaning.append("avoids heap allocations (inline/arena storage)")
    summary = ("; ".join(leaning) or "no explicit memory/speed trade-offs") + (
        f"; {counts_phrase(found.items())}" if any(found.values()) else ""
    )
    if crate_list:
        summary += f"; crates: {', '.join(crate_list)}"
    facts: dict[str, Any] = {"counts": found, **crates}
    return Answer(
        10,
        "memory_vs_speed",
        "Memory or speed: which way does the code lean?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )


_SIMD_FACTS = {
    "simd:portable": "portable_simd",
    "simd:arch": "arch_intrinsics",
    "simd:target-feature": "target_feature",
    "simd:runtime-detection": "feature_detection",
}


def simd(subject: Subject) -> Answer:
    """Explicit SIMD: portable SIMD, arch intrinsics, target features, SIMD crates."""
    tally = subject.production
    found = counts(tally, _SIMD_FACTS)
    crates = sorted(
        {
            d.package
            for d in subject.deps("normal")
            if knowledge.member(knowledge.SIMD_CRATES, d.package)
        }
    )
    evidence = first_places(subject, [k for k in _SIMD_FACTS if tally.count(k)])
    evidence.extend(d.evidence("SIMD crate") for d in subject.deps("normal") if d.package in crates)
    if any(found.values()):
        summary = f"explicit SIMD: {counts_phrase(found.items())}"
    else:
        summary = "no explicit SIMD in this crate's code"
    if crates:
        summary += f"; SIMD-using crates: {', '.join(crates)}"
    confidence = Confidence.INFERRED
    facts = {"counts": found, "crates": crates}
    return Answer(11, "simd", "Is SIMD used?", summary, confidence, facts, tuple(evidence))
