"""Question 15: unsafe code: policy, counts, SAFETY-comment share, and FFI."""

from __future__ import annotations

from typing import Any

from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import counts, counts_phrase, first_places, manifest_evidence
from rustpro.profile.subject import Subject
from rustpro.profile.tally import AREAS

_UNSAFE = {
    "unsafe:block": "blocks",
    "unsafe:fn": "fns",
    "unsafe:impl": "impls",
    "unsafe:trait": "traits",
}
_FFI = {
    "ffi:extern-block": "extern_blocks",
    "ffi:extern-fn": "extern_fns",
    "ffi:exported": "exported_symbols",
}
_FFI_BUILD_CRATES = frozenset({"cc", "bindgen", "pkg-config", "cmake", "vcpkg", "cxx-build"})


def answer(subject: Subject) -> Answer:
    """How much unsafe code there is, how it is justified, and how it reaches C."""
    production = subject.production
    found = counts(production, _UNSAFE)
    all_blocks = sum(subject.area(a).count("unsafe:block") for a in AREAS)
    documented = production.count("unsafe:block-documented")
    share = round(100 * documented / found["blocks"]) if found["blocks"] else None
    ffi = counts(production, _FFI)
    evidence: list[Evidence] = []
    policy = _policy(subject, evidence)
    sys_deps = sorted({d.package for d in subject.deps("normal") if d.package.endswith("-sys")})
    build_deps = sorted(
        {d.package for d in subject.deps("build") if d.package in _FFI_BUILD_CRATES}
    )
    links = [
        c.manifest.package.get("links")
        for c in subject.crates
        if c.manifest.package and c.manifest.package.get("links")
    ]
    evidence.extend(first_places(subject, [k for k in (*_UNSAFE, *_FFI) if production.count(k)]))
    evidence.extend(
        d.evidence("FFI dependency")
        for d in subject.deps()
        if d.package in sys_deps or (d.kind == "build" and d.package in build_deps)
    )
    total = sum(found.values())
    parts = [f"policy: {policy['summary']}"]
    if total:
        parts.append(f"unsafe {counts_phrase(found.items())}")
        if share is not None:
            parts.append(f"{share}% of unsafe blocks have a SAFETY comment")
    else:
        parts.append("no unsafe code in production")
    if all_blocks > found["blocks"]:
        parts.append(f"{all_blocks - found['blocks']} more unsafe blocks in tests/benches/examples")
    ffi_bits = [counts_phrase(ffi.items(), "")] if any(ffi.values()) else []
    if sys_deps:
        ffi_bits.append(f"-sys deps: {', '.join(sys_deps)}")
    if build_deps:
        ffi_bits.append(f"build deps: {', '.join(build_deps)}")
    if links:
        ffi_bits.append(f"links = {', '.join(str(v) for v in links)}")
    parts.append("FFI: " + ("; ".join(ffi_bits) if ffi_bits else "none"))
    open_questions: list[str] = []
    if total and not policy["forbid"] and share is not None and share < 100:
        open_questions.append(
            "Which invariants make the undocumented unsafe blocks sound? "
            f"{found['blocks'] - documented} have no SAFETY comment."
        )
    confidence = Confidence.DECLARED if policy["declared"] else Confidence.INFERRED
    facts: dict[str, Any] = {
        "policy": {k: v for k, v in policy.items() if k != "summary"},
        "counts": found,
        "blocks_all_code": all_blocks,
        "blocks_with_safety_comment": documented,
        "safety_comment_share": share,
        "ffi": ffi,
        "sys_dependencies": sys_deps,
        "ffi_build_dependencies": build_deps,
        "links": links,
    }
    return Answer(
        15,
        "unsafe",
        "How much unsafe code, and is it justified?",
        "; ".join(parts),
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


def _policy(subject: Subject, evidence: list[Evidence]) -> dict[str, Any]:
    production = subject.production
    forbid = production.count("unsafe:forbid-attr")
    deny = production.count("unsafe:deny-attr")
    evidence.extend(subject.evidence("unsafe:forbid-attr", note="#![forbid(unsafe_code)]")[:1])
    evidence.extend(subject.evidence("unsafe:deny-attr", note="#![deny(unsafe_code)]")[:1])
    lint_levels: dict[str, str] = {}
    for crate in subject.crates:
        level = _lint_level(crate.manifest.section("lints", "rust"))
        table = "lints.rust"
        manifest = crate.manifest
        uses_workspace = crate.manifest.section("lints").get("workspace") is True
        if level is None and uses_workspace:
            level = _lint_level(subject.root_manifest.section("workspace", "lints", "rust"))
            table, manifest = "workspace.lints.rust", subject.root_manifest
        if level is not None:
            lint_levels[crate.name] = level
            evidence.append(
                manifest_evidence(subject, manifest, table, "unsafe_code", f"unsafe_code = {level}")
            )
    levels = set(lint_levels.values())
    if forbid or "forbid" in levels:
        summary = "unsafe code forbidden"
    elif deny or "deny" in levels:
        summary = "unsafe code denied (can be allowed locally)"
    elif levels:
        summary = f"unsafe_code lint at {', '.join(sorted(levels))}"
    else:
        summary = "no unsafe_code lint or attribute"
    return {
        "forbid_attribute": bool(forbid),
        "deny_attribute": bool(deny),
        "lint_levels": lint_levels,
        "forbid": bool(forbid or "forbid" in levels),
        "declared": bool(forbid or deny or levels),
        "summary": summary,
    }


def _lint_level(table: dict[str, Any]) -> str | None:
    value = table.get("unsafe_code")
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("level"), str):
        return str(value["level"])
    return None
