"""Question 2: the declared MSRV and the lower bound the code itself implies."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rustpro.discovery.manifest import default_features
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
    defaults = frozenset().union(
        *(default_features(crate.manifest.data.get("features")) for crate in subject.crates)
    )
    used, optional = _by_features(tally, defaults)
    # A method name the crate defines itself (chrono's own `checked_add_signed`) may be
    # its own method, and a macro a dependency provides under std's name (memoffset's
    # `offset_of!`, imported as `offset_of`) may be the dependency's: a use of either says
    # nothing of the Rust the code needs.
    providers = {d.package for d in subject.dependencies if d.kind != "dev"}

    def is_ambiguous(feature: Feature) -> bool:
        return (
            _defined_here(feature, subject.defined_fns)
            or _MACRO_PROVIDERS.get(feature.key) in providers
        )

    gated = _features(tally, "msrv-gated:")
    ambiguous = [u for u in used if is_ambiguous(u[0])]
    ambiguous += [g for g in gated if is_ambiguous(g[0]) and g[0] not in {a[0] for a in ambiguous}]
    used = [u for u in used if not is_ambiguous(u[0])]
    gated = [g for g in gated if not is_ambiguous(g[0])]
    optional = [o for o in optional if not is_ambiguous(o[0])]
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
    newer_optional = [o for o in optional if not inferred or o[0].version_tuple > inferred]
    if newer_optional:
        feature, _, _, signs = max(newer_optional, key=lambda o: o[0].version_tuple)
        parts.append(
            f"code outside the default features uses up to Rust {feature.version} "
            f"({feature.title}, {_gate_text(signs)})"
        )
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
        "optional_feature_gated": [
            {
                "key": f.key,
                "title": f.title,
                "version": f.version,
                "count": n,
                "where": [f"{p}:{line}" for p, line in places],
                "needs_features": [sign[1:] for sign in signs if sign.startswith("+")],
                "needs_off": [sign[1:] for sign in signs if sign.startswith("!")],
            }
            for f, n, places, signs in optional
        ],
        "ambiguous_methods": [
            {"key": f.key, "title": f.title, "version": f.version, "count": n}
            for f, n, _ in ambiguous
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


# Crates whose macro has the name of a later std one, by the std macro's feature key.
_MACRO_PROVIDERS = {"offset-of": "memoffset", "matches-macro": "matches"}
_Used = tuple[Feature, int, list[tuple[str, int]]]
_Optional = tuple[Feature, int, list[tuple[str, int]], tuple[str, ...]]


def _by_features(tally: Tally, defaults: frozenset[str]) -> tuple[list[_Used], list[_Optional]]:
    """The features the code uses when built with `defaults` (ungated code, code behind
    default features, code a feature outside `defaults` turns off), newest first; and those
    only code outside the default build uses, with what it asks of features (the least,
    where several gates use it)."""
    used: dict[str, _Used] = {f.key: (f, n, places) for f, n, places in _features(tally, "msrv:")}
    optional: dict[str, _Optional] = {}
    for key in tally.keys("msrv-feature:"):
        needed, name = key.removeprefix("msrv-feature:").split(":", 1)
        feature = FEATURES_BY_KEY.get(name)
        if feature is None:
            continue
        needs = tuple(n for n in needed.split(",") if n)
        count, places = tally.count(key), tally.places(key)
        if _in_default_build(needs, defaults):
            if feature.key in used:
                _, before, earlier = used[feature.key]
                count, places = before + count, sorted(earlier + places)
            used[feature.key] = (feature, count, places)
        elif feature.key in optional:
            _, before, earlier, fewest = optional[feature.key]
            fewest = fewest if len(fewest) <= len(needs) else needs
            optional[feature.key] = (feature, before + count, sorted(earlier + places), fewest)
        else:
            optional[feature.key] = (feature, count, places, needs)
    return (
        sorted(used.values(), key=_newest, reverse=True),
        sorted(optional.values(), key=_newest, reverse=True),
    )


def _in_default_build(signs: tuple[str, ...], defaults: frozenset[str]) -> bool:
    """Whether code gated as `signs` say (`+x` on, `!x` off) is in the default build."""
    return all((sign[1:] in defaults) == sign.startswith("+") for sign in signs)


def _gate_text(signs: tuple[str, ...]) -> str:
    """`with feature `a`, without feature `std`` for ("+a", "!std")."""
    on = [f"`{sign[1:]}`" for sign in signs if sign.startswith("+")]
    off = [f"`{sign[1:]}`" for sign in signs if sign.startswith("!")]
    parts = ([f"with feature {', '.join(on)}"] if on else []) + (
        [f"without feature {', '.join(off)}"] if off else []
    )
    return ", ".join(parts)


def _newest(item: _Used | _Optional) -> tuple[tuple[int, int], int]:
    return item[0].version_tuple, item[1]


def _defined_here(feature: Feature, defined: set[str]) -> bool:
    """A method feature whose name the crate's own code defines."""
    return feature.kind == "method" and any(word in defined for word in feature.match.split())


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
