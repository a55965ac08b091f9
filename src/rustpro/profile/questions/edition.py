"""Question 1: which edition, whether 2024 is available, and what would block the migration."""

from __future__ import annotations

from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import manifest_evidence, version_tuple
from rustpro.profile.subject import Subject

LATEST_EDITION = "2024"
LATEST_EDITION_RUST = "1.85"
CARGO_DEFAULT_EDITION = "2015"

# Fact key -> what `cargo fix --edition` or a person must change for edition 2024.
BLOCKERS = {
    "edition:static-mut-ref": "references to `static mut` (a hard error in 2024)",
    "edition:extern-without-unsafe": "`extern` blocks without `unsafe extern`",
    "edition:unsafe-attr-needed": "`#[no_mangle]`/`#[export_name]`/`#[link_section]` "
    "without `unsafe(..)`",
    "edition:gen-identifier": "`gen` used as an identifier (a keyword in 2024; use `r#gen`)",
    "edition:expr-fragment": "`$x:expr` fragments in macro_rules (match more in 2024; "
    "`expr_2021` keeps the old meaning)",
    "edition:env-mutation": "`std::env::set_var`/`remove_var` calls (unsafe in 2024)",
}


def answer(subject: Subject) -> Answer:
    """The edition of each crate, the migration blockers, and the Rust version 2024 needs."""
    evidence: list[Evidence] = []
    editions: dict[str, str] = {}
    for crate in subject.crates:
        editions[crate.name] = crate.edition or CARGO_DEFAULT_EDITION
        evidence.append(
            manifest_evidence(
                subject,
                crate.manifest,
                "package",
                "edition",
                f"edition {crate.edition}"
                if crate.edition
                else "no edition key: cargo defaults to 2015",
            )
        )
    blockers = {key: subject.production.count(key) for key in BLOCKERS}
    blockers["edition:static-mut-ref"] = len(_static_mut_refs(subject))
    for place in _static_mut_refs(subject)[:3]:
        evidence.append(Evidence(place[0], place[1], None, "reference to a `static mut`"))
    for key in BLOCKERS:
        if key != "edition:static-mut-ref":
            evidence.extend(subject.evidence(key, note=BLOCKERS[key])[:2])
    distinct = sorted(set(editions.values()))
    on_latest = distinct == [LATEST_EDITION]
    declared = all(c.edition for c in subject.crates)
    open_questions: list[str] = []
    if not subject.crates:
        summary = "no crates to read an edition from"
    elif on_latest:
        summary = f"{LATEST_EDITION} (the latest edition)"
    else:
        found = [f"{n} × {BLOCKERS[k]}" for k, n in blockers.items() if n]
        summary = (
            f"{', '.join(distinct)}; {LATEST_EDITION} is available (Rust {LATEST_EDITION_RUST}+)"
            + (
                ": migration blockers: " + "; ".join(found)
                if found
                else ": no syntactic migration blockers found"
            )
        )
        low = [
            c.name for c in subject.crates if (version_tuple(c.rust_version) or (9, 0)) < (1, 85)
        ]
        if low:
            open_questions.append(
                f"Edition {LATEST_EDITION} needs Rust {LATEST_EDITION_RUST}: may the MSRV of "
                f"{', '.join(low)} be raised to migrate?"
            )
    facts = {
        "editions": editions,
        "declared": declared,
        "latest": LATEST_EDITION,
        "latest_requires_rust": LATEST_EDITION_RUST,
        "on_latest": on_latest,
        "migration_blockers": {_json_key(k): n for k, n in blockers.items()},
    }
    return Answer(
        1,
        "edition",
        "Which edition, and can it move to 2024?",
        summary,
        Confidence.UNKNOWN
        if not subject.crates
        else Confidence.DECLARED
        if declared
        else Confidence.INFERRED,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )


def _static_mut_refs(subject: Subject) -> list[tuple[str, int]]:
    names = {s.name for s in subject.static_muts}
    return [(r.path, r.line) for r in subject.static_refs if r.name in names]


def _json_key(fact_key: str) -> str:
    """`edition:static-mut-ref` -> `static_mut_ref`."""
    return fact_key.split(":", 1)[1].replace("-", "_")
