"""Questions 5-7: ownership model, interior mutability and cloning strategy."""

from __future__ import annotations

from rustpro.profile.model import Answer, Confidence
from rustpro.profile.questions.common import counts, counts_phrase, first_places, per_kloc
from rustpro.profile.subject import Subject

_POINTERS = {
    "type:Arc": "Arc",
    "type:Rc": "Rc",
    "type:Weak": "Weak",
    "type:Box": "Box",
    "type:Cow": "Cow",
}
_PARAMS = {
    "param:borrowed": "borrowed",
    "param:owned": "owned",
    "param:copy": "copy",
    "param:generic": "generic",
}
_RECEIVERS = {"receiver:borrowed": "borrowed", "receiver:owned": "owned"}
_LIFETIMES = {
    "lifetime:param": "explicit_lifetime_params",
    "lifetime:static-bound": "static_bounds",
    "lifetime:static-ref": "static_references",
    "lifetime:hrtb": "higher_ranked_bounds",
}
_INTERIOR = {
    "type:Cell": "Cell",
    "type:RefCell": "RefCell",
    "type:UnsafeCell": "UnsafeCell",
    "type:Mutex": "Mutex",
    "type:RwLock": "RwLock",
    "type:Atomic": "atomics",
    "type:OnceCell": "OnceCell",
    "type:OnceLock": "OnceLock",
    "type:LazyLock": "LazyLock",
    "type:LazyCell": "LazyCell",
    "macro:lazy_static": "lazy_static",
    "macro:thread_local": "thread_local",
}


def ownership(subject: Subject) -> Answer:
    """Smart pointers, public parameter passing, and explicit lifetimes."""
    tally = subject.production
    pointers = counts(tally, _POINTERS)
    params = counts(tally, _PARAMS)
    receivers = counts(tally, _RECEIVERS)
    lifetimes = counts(tally, _LIFETIMES)
    shared = pointers["Arc"] + pointers["Rc"]
    taken = params["borrowed"] + params["owned"]
    if not taken and not shared:
        model = "little ownership surface (no public parameters or shared pointers)"
    elif shared > max(10, taken):
        model = "shared ownership (reference-counted values are common)"
    elif params["borrowed"] >= params["owned"]:
        model = "borrow-centric public API"
    else:
        model = "owned-value public API"
    lifetime_phrase = counts_phrase(lifetimes.items(), "no explicit lifetimes")
    summary = (
        f"{model}; pointers: {counts_phrase(pointers.items())}; public fn params: "
        f"{counts_phrase(params.items())}; {lifetime_phrase}"
    )
    facts = {
        "model": model,
        "pointers": pointers,
        "public_functions": tally.count("fn:pub"),
        "public_params": params,
        "receivers": receivers,
        "lifetimes": lifetimes,
    }
    evidence = first_places(subject, [*_POINTERS, "lifetime:hrtb", "lifetime:static-bound"])
    return Answer(
        5,
        "ownership",
        "What is the ownership model?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )


def interior_mutability(subject: Subject) -> Answer:
    """Cells, locks, atomics and lazy/once statics in production code."""
    tally = subject.production
    found = counts(tally, _INTERIOR)
    parking_lot = any(d.package == "parking_lot" for d in subject.deps("normal"))
    summary = counts_phrase(found.items(), "none: no cells, locks, atomics or lazy statics")
    if parking_lot:
        summary += "; parking_lot locks"
    facts = {"counts": found, "parking_lot": parking_lot}
    evidence = first_places(subject, [k for k in _INTERIOR if tally.count(k)])
    return Answer(
        6,
        "interior_mutability",
        "Where is interior mutability used?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )


def cloning(subject: Subject) -> Answer:
    """`.clone()` density, explicit `Arc::clone`, and `Cow` use."""
    tally = subject.production
    clones = tally.count("method:clone")
    arc_clones = tally.count("call:arc-clone")
    cows = tally.count("type:Cow")
    density = per_kloc(clones, subject.production_lines)
    if density >= 20:
        level = "clone-heavy"
    elif density >= 5:
        level = "moderate cloning"
    else:
        level = "sparing cloning"
    summary = (
        f"{level}: {clones} `.clone()` in {subject.production_lines} production lines "
        f"({density}/kLOC); {arc_clones} `Arc::clone`/`Rc::clone`; {cows} `Cow`"
    )
    facts = {
        "clone_calls": clones,
        "per_kloc": density,
        "production_lines": subject.production_lines,
        "arc_clone_calls": arc_clones,
        "cow_mentions": cows,
        "level": level,
    }
    evidence = first_places(subject, ["method:clone", "call:arc-clone", "type:Cow"])
    return Answer(
        7,
        "cloning",
        "What is the cloning strategy?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )
