"""Question 2: the declared MSRV and the lower bound the code itself implies."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.msrv_table import FEATURES_BY_KEY, Feature
from rustpro.profile.questions.common import manifest_evidence, version_text, version_tuple
from rustpro.profile.subject import Subject
from rustpro.profile.tally import Tally

_SHOWN_FEATURES = 8


def answer(subject: Subject) -> Answer:
    """Declared `rust-version`, features used with their versions, and any mismatch."""
    evidence: list[Evidence] = []
    declared: dict[str, str | None] = {}
    for crate in subject.crates:
        declared[crate.name] = crate.rust_version
        if crate.rust_version:
            evidence.append(
                manifest_evidence(
                    subject,
                    crate.manifest,
                    "package",
                    "rust-version",
                    f"rust-version {crate.rust_version}",
                )
            )
    tally = subject.production
    used = _features(tally, "msrv:")
    gated = _features(tally, "msrv-gated:")
    inferred = max((f.version_tuple for f, _, _ in used), default=None)
    for feature, _, places in used[:_SHOWN_FEATURES]:
        path, line = places[0]
        evidence.append(Evidence(path, line, None, f"{feature.title}: Rust {feature.version}"))
    nightly = sorted({k.split(":", 1)[1] for k in tally.keys("nightly-feature:")})
    for key in tally.keys("nightly-feature:")[:3]:
        evidence.extend(subject.evidence(key, note="#![feature] needs a nightly compiler"))
    toolchain = _toolchain_file(subject)
    if toolchain is not None:
        evidence.append(
            Evidence(
                toolchain[0],
                None,
                "toolchain.channel",
                f"toolchain pinned to {toolchain[1]}"
                if toolchain[1]
                else "toolchain file without a channel",
            )
        )
    declared_versions = [version_tuple(v) for v in declared.values() if v]
    lowest_declared = min((v for v in declared_versions if v), default=None)
    too_low = bool(inferred and lowest_declared and inferred > lowest_declared)
    open_questions: list[str] = []
    if not declared_versions:
        open_questions.append(
            "What is the minimum supported Rust version (no `rust-version` is declared"
            + (f"; the code needs at least {version_text(inferred)})?" if inferred else ")?")
        )
    if too_low and inferred and lowest_declared:
        open_questions.append(
            f"The code uses Rust {version_text(inferred)} features but declares "
            f"{version_text(lowest_declared)}: raise `rust-version`, or replace the newer APIs?"
        )
    parts = []
    if declared_versions:
        parts.append("declared " + ", ".join(sorted({v for v in declared.values() if v})))
    else:
        parts.append("not declared")
    if inferred:
        newest = used[0][0]
        parts.append(f"code needs ≥ {version_text(inferred)} ({newest.title})")
    if too_low:
        parts.append("the code needs more than is declared")
    if nightly:
        parts.append(f"nightly features: {', '.join(nightly)}")
    if toolchain is not None:
        pinned = f"pins {toolchain[1]}" if toolchain[1] else "pins no channel"
        parts.append(f"toolchain file {pinned}")
    newer_gated = [f for f, _, _ in gated if not inferred or f.version_tuple > inferred]
    if newer_gated:
        newest_gated = max(newer_gated, key=lambda f: f.version_tuple)
        parts.append(
            f"newer code behind build-script cfgs uses up to Rust {newest_gated.version} "
            f"({newest_gated.title})"
        )
    confidence = (
        Confidence.DECLARED
        if declared_versions
        else Confidence.INFERRED
        if inferred
        else Confidence.UNKNOWN
    )
    facts = {
        "declared": declared,
        "inferred_minimum": version_text(inferred) if inferred else None,
        "code_needs_more_than_declared": too_low,
        "features_used": [
            {
                "key": f.key,
                "title": f.title,
                "version": f.version,
                "count": n,
                "where": [f"{p}:{line}" for p, line in places],
            }
            for f, n, places in used
        ],
        "cfg_gated_features": [
            {
                "key": f.key,
                "title": f.title,
                "version": f.version,
                "count": n,
                "where": [f"{p}:{line}" for p, line in places],
            }
            for f, n, places in gated
        ],
        "nightly_features": nightly,
        "toolchain": toolchain[1] or None if toolchain else None,
    }
    return Answer(
        2,
        "msrv",
        "What is the minimum supported Rust version?",
        "; ".join(parts),
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


def _features(tally: Tally, prefix: str) -> list[tuple[Feature, int, list[tuple[str, int]]]]:
    """(feature, count, places) for every key with `prefix`, newest feature first."""
    found = []
    for key in tally.keys(prefix):
        feature = FEATURES_BY_KEY.get(key.split(":", 1)[1])
        if feature is not None:
            found.append((feature, tally.count(key), tally.places(key)))
    found.sort(key=lambda item: (item[0].version_tuple, item[1]), reverse=True)
    return found


def _toolchain_file(subject: Subject) -> tuple[str, str] | None:
    roots = [c.root for c in subject.crates] + [subject.audit_root]
    for root in dict.fromkeys(roots):
        for name in ("rust-toolchain.toml", "rust-toolchain"):
            path = Path(root) / name
            if path.is_file():
                return subject.rel(path), _channel(path)
    return None


def _channel(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "unreadable"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text.strip().splitlines()[0] if text.strip() else "empty"  # legacy one-line file
    toolchain = data.get("toolchain", {})
    channel = toolchain.get("channel") if isinstance(toolchain, dict) else None
    return str(channel) if channel else ""
