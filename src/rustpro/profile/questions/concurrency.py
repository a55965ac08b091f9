"""Questions 12-13: the concurrency model, and shared state versus message passing."""

from __future__ import annotations

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence
from rustpro.profile.questions.common import counts, counts_phrase, first_places
from rustpro.profile.subject import Subject

_THREAD_FACTS = {
    "threads:spawn": "thread_spawn",
    "threads:scope": "scoped_threads",
    "threads:builder": "thread_builder",
    "threads:rayon": "rayon_calls",
}
_ASYNC_FACTS = {
    "async:fn": "async_fns",
    "async:await": "awaits",
    "async:spawn": "task_spawns",
    "async:spawn-blocking": "spawn_blocking",
}
_LOCK_FACTS = {
    "lock:mutex": "lock_calls",
    "lock:rwlock": "rwlock_calls",
    "type:Mutex": "Mutex",
    "type:RwLock": "RwLock",
    "type:Atomic": "atomics",
}


def model(subject: Subject) -> Answer:
    """async, threads, both, or single-threaded, with the constructs that say so."""
    tally = subject.production
    threads = counts(tally, _THREAD_FACTS)
    asyncs = counts(tally, _ASYNC_FACTS)
    thread_crates = sorted(
        {
            d.package
            for d in subject.deps("normal")
            if knowledge.lookup(knowledge.THREAD_CRATES, d.package)
        }
    )
    runtimes = sorted(
        {
            r
            for d in subject.deps("normal")
            if (r := knowledge.lookup(knowledge.ASYNC_RUNTIMES, d.package))
        }
    )
    is_async = bool(asyncs["async_fns"] or asyncs["awaits"] or runtimes)
    is_threaded = bool(sum(threads.values()) or "rayon" in thread_crates)
    if is_async and is_threaded:
        label = "async and threads"
    elif is_async:
        label = "async"
    elif is_threaded:
        label = "threads"
    else:
        label = "single-threaded"
    details = []
    if is_async:
        details.append(
            counts_phrase(asyncs.items()) + (f" on {', '.join(runtimes)}" if runtimes else "")
        )
    if is_threaded:
        details.append(counts_phrase(threads.items(), "thread crates only"))
    if thread_crates:
        details.append(f"crates: {', '.join(thread_crates)}")
    summary = label + (
        f" ({'; '.join(details)})" if details else ": no threads, tasks or async code in production"
    )
    facts = {
        "model": label,
        "threads": threads,
        "async": asyncs,
        "thread_crates": thread_crates,
        "runtimes": runtimes,
    }
    evidence = first_places(
        subject, [k for k in (*_THREAD_FACTS, "async:spawn", "async:fn") if tally.count(k)]
    )
    return Answer(
        12,
        "concurrency",
        "What is the concurrency model?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )


def sharing(subject: Subject) -> Answer:
    """Lock sites against channel constructors."""
    tally = subject.production
    locks = counts(tally, _LOCK_FACTS)
    channels = {key.split(":", 1)[1]: tally.count(key) for key in tally.keys("channel:")}
    lock_sites = locks["lock_calls"] + locks["rwlock_calls"]
    channel_sites = sum(channels.values())
    if not lock_sites and not channel_sites:
        verdict = "neither: no lock sites or channels"
    elif channel_sites > 2 * lock_sites:
        verdict = "message passing"
    elif lock_sites > 2 * channel_sites:
        verdict = "shared state"
    else:
        verdict = "both shared state and message passing"
    summary = (
        f"{verdict} ({lock_sites} lock sites, {channel_sites} channel constructors"
        + (f": {counts_phrase(channels.items())}" if channels else "")
        + ")"
    )
    facts = {
        "verdict": verdict,
        "lock_sites": lock_sites,
        "locks": locks,
        "channel_constructors": channels,
    }
    evidence = first_places(
        subject, ["lock:mutex", "lock:rwlock", *(f"channel:{c}" for c in channels)]
    )
    return Answer(
        13,
        "sharing",
        "Shared state or message passing?",
        summary,
        Confidence.INFERRED,
        facts,
        tuple(evidence),
    )
