"""Question 4: error-handling crates and style, and whether this is a library or application."""

from __future__ import annotations

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import counts_phrase
from rustpro.profile.subject import Subject

_TYPED_CRATES = frozenset({"thiserror", "snafu", "displaydoc", "quick-error", "miette"})
_DYNAMIC_CRATES = frozenset({"anyhow", "eyre", "color-eyre"})


_ERROR_LABELS = {
    "error:impl-error": "hand-written `impl Error`",
    "error:derive-error": "`#[derive(Error)]`",
    "error:derive-snafu": "`#[derive(Snafu)]`",
    "error:dynamic-macro": "`bail!`/`anyhow!`-style macro",
    "error:dyn-error": "`Box<dyn Error>`",
}


def role_of(subject: Subject) -> str:
    """library, application, library+application (or none without targets)."""
    kinds = {t.kind for t in subject.targets}
    if not kinds & {"lib", "bin"}:
        return "none"
    if "lib" in kinds and "bin" in kinds:
        return "library+application"
    return "application" if "bin" in kinds and "lib" not in kinds else "library"


def answer(subject: Subject) -> Answer:
    """Which error crates are used, how errors are declared, and what style follows."""
    evidence: list[Evidence] = []
    crates: dict[str, str] = {}
    for dep in subject.deps("normal"):
        purpose = knowledge.lookup(knowledge.ERROR_CRATES, dep.package)
        if purpose is not None and dep.package not in crates:
            crates[dep.package] = purpose
            evidence.append(dep.evidence(purpose))
    tally = subject.production
    counted = {
        "impl_error": tally.count("error:impl-error"),
        "derive_error": tally.count("error:derive-error"),
        "derive_snafu": tally.count("error:derive-snafu"),
        "derive_diagnostic": tally.count("error:derive-diagnostic"),
        "dynamic_error_macros": tally.count("error:dynamic-macro"),
        "dyn_error_types": tally.count("error:dyn-error"),
        "question_marks": tally.count("error:try"),
    }
    for key in (
        "error:impl-error",
        "error:derive-error",
        "error:derive-snafu",
        "error:dynamic-macro",
    ):
        evidence.extend(subject.evidence(key, note=_ERROR_LABELS[key])[:2])
    typed = bool(
        _TYPED_CRATES & set(crates)
        or counted["impl_error"]
        or counted["derive_error"]
        or counted["derive_snafu"]
    )
    dynamic = bool(
        _DYNAMIC_CRATES & set(crates)
        or counted["dynamic_error_macros"]
        or counted["dyn_error_types"]
    )
    style = "mixed" if typed and dynamic else "typed" if typed else "dynamic" if dynamic else "none"
    role = role_of(subject)
    described = {
        "typed": "typed error enums/structs",
        "dynamic": "dynamic errors (`anyhow`-style or `Box<dyn Error>`)",
        "mixed": "typed errors plus dynamic errors (`anyhow`-style or `Box<dyn Error>`)",
        "none": "no error types or error crates found",
    }[style]
    how = counts_phrase(
        [
            ("hand-written `impl Error`", counted["impl_error"]),
            ("`derive(Error)`", counted["derive_error"]),
            ("`derive(Snafu)`", counted["derive_snafu"]),
            ("`bail!`/`anyhow!`", counted["dynamic_error_macros"]),
            ("`dyn Error` types", counted["dyn_error_types"]),
            ("`?`", counted["question_marks"]),
        ]
    )
    summary = f"{role}; {described}"
    if crates:
        summary += f" ({', '.join(crates)})"
    summary += f"; {how}"
    open_questions: list[str] = []
    if role != "application" and style == "dynamic":
        open_questions.append(
            "The library exposes dynamic errors: should callers be able to match on error "
            "kinds (a typed error enum)?"
        )
    if style == "none" and counted["question_marks"] == 0 and subject.production_lines > 200:
        open_questions.append(
            "How should failures be reported: the code declares no error "
            "types and propagates none with `?`."
        )
    confidence = Confidence.DECLARED if crates else Confidence.INFERRED
    facts = {"role": role, "style": style, "crates": crates, **counted}
    return Answer(
        4,
        "errors",
        "How are errors handled?",
        summary,
        confidence,
        facts,
        tuple(evidence),
        tuple(open_questions),
    )
