"""Small helpers the profile questions share: versions, manifest evidence, phrasing."""

from __future__ import annotations

from collections.abc import Iterable

from rustpro.discovery.manifest import Manifest
from rustpro.profile.model import Evidence
from rustpro.profile.subject import Subject
from rustpro.profile.tally import Tally


def version_tuple(text: str | None) -> tuple[int, int] | None:
    """(1, 70) for "1.70" or "1.70.0"; None when it is not a Rust version."""
    if not text:
        return None
    parts = text.strip().split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None


def version_text(version: tuple[int, int]) -> str:
    """ "1.70" for (1, 70)."""
    return f"{version[0]}.{version[1]}"


def manifest_evidence(
    subject: Subject, manifest: Manifest, table: str, key: str, note: str = ""
) -> Evidence:
    """Evidence pointing at `key` inside `[table]` of a manifest (line when found)."""
    line = manifest.key_line(table, key) or manifest.table_line(table)
    return Evidence(subject.manifest_path(manifest), line, f"{table}.{key}", note)


def per_kloc(count: int, lines: int) -> float:
    """Occurrences per thousand lines, rounded to one decimal (0 for empty code)."""
    return round(count * 1000 / lines, 1) if lines else 0.0


def counts_phrase(pairs: Iterable[tuple[str, int]], empty: str = "none") -> str:
    """ "Arc 3, Box 12" from (label, count) pairs, skipping zeros."""
    shown = [f"{label.replace('_', ' ')} {count}" for label, count in pairs if count]
    return ", ".join(shown) if shown else empty


def counts(tally: Tally, keys: dict[str, str]) -> dict[str, int]:
    """{label: count} for fact keys mapped to labels, zeros included (stable JSON)."""
    return {label: tally.count(key) for key, label in keys.items()}


def first_places(
    subject: Subject, keys: Iterable[str], tally: Tally | None = None, limit: int = 6
) -> list[Evidence]:
    """Evidence from the sampled places of several facts, up to `limit` in all."""
    found: list[Evidence] = []
    for key in keys:
        for place in subject.evidence(key, tally, note=fact_label(key)):
            if len(found) >= limit:
                return found
            found.append(place)
    return found


# How an evidence line names the fact it shows; other keys show their detail part.
_FACT_LABELS = {
    "method:clone": "`.clone()`",
    "call:arc-clone": "`Arc::clone`/`Rc::clone`",
    "call:with-capacity": "`with_capacity`",
    "method:reserve": "`reserve`",
    "lock:mutex": "`.lock()`",
    "lock:rwlock": "`.read()`/`.write()` on a lock",
    "unsafe:block": "unsafe block",
    "unsafe:fn": "unsafe fn",
    "unsafe:impl": "unsafe impl",
    "unsafe:trait": "unsafe trait",
    "ffi:extern-block": "extern block",
    "ffi:extern-fn": "extern fn",
    "ffi:exported": "exported symbol",
    "threads:spawn": "`thread::spawn`",
    "threads:scope": "scoped threads",
    "threads:builder": "`thread::Builder`",
    "threads:rayon": "rayon",
    "async:spawn": "task spawn",
    "async:fn": "async fn",
    "cache:field": "cache/memo field",
    "memory:global-allocator": "`#[global_allocator]`",
    "simd:portable": "`std::simd`",
    "simd:arch": "`core::arch`",
    "simd:target-feature": "`#[target_feature]`",
    "simd:runtime-detection": "`is_*_feature_detected!`",
    "lifetime:hrtb": "higher-ranked bound",
    "lifetime:static-bound": "`'static` bound",
}


def fact_label(key: str) -> str:
    """What an evidence line calls fact `key` (`method:clone` -> "`.clone()`")."""
    if key in _FACT_LABELS:
        return _FACT_LABELS[key]
    detail = key.split(":", 1)[-1]
    return f"`{detail}`" if key.startswith(("type:", "channel:")) else detail


def plural(count: int, noun: str, suffix: str = "s") -> str:
    """ "1 crate", "3 crates"."""
    return f"{count} {noun}{'' if count == 1 else suffix}"
