"""The sixteen questions an expert asks before writing code, answered in this order.

Each question is a function from a `Subject` to an `Answer`; the last one gathers what the
others could not infer, phrased as questions to ask a person.
"""

from __future__ import annotations

from collections.abc import Callable

from rustpro.profile.model import Answer, Confidence
from rustpro.profile.questions import (
    concurrency,
    crate_facts,
    edition,
    errors,
    msrv,
    ownership,
    performance,
    runtime,
    testing,
    unsafety,
)
from rustpro.profile.subject import Subject

Question = Callable[[Subject], Answer]

QUESTIONS: tuple[Question, ...] = (
    crate_facts.answer,
    edition.answer,
    msrv.answer,
    runtime.answer,
    errors.answer,
    ownership.ownership,
    ownership.interior_mutability,
    ownership.cloning,
    performance.targets,
    performance.hot_paths,
    performance.memory_vs_speed,
    performance.simd,
    concurrency.model,
    concurrency.sharing,
    testing.answer,
    unsafety.answer,
)


def answer_all(subject: Subject) -> list[Answer]:
    """Every answer for `subject`, ending with the open questions."""
    answers = [question(subject) for question in QUESTIONS]
    answers.append(open_questions(subject, answers))
    return answers


def open_questions(subject: Subject, answers: list[Answer]) -> Answer:
    """What the code cannot tell, gathered from the answers, plus what it never tells."""
    asked: list[dict[str, str]] = []
    for answer in answers:
        asked.extend({"about": answer.key, "question": q} for q in answer.open_questions)
    if subject.production.count("crate:no_std") == 0:
        asked.append(
            {
                "about": "platforms",
                "question": "Which platforms and targets must be supported (OS, architectures, "
                "WASM, no_std)?",
            }
        )
    if any(t.kind == "lib" for t in subject.targets) and not subject.is_workspace:
        asked.append(
            {
                "about": "api_stability",
                "question": "Is the public API stable (semver promises to users), "
                "or free to change?",
            }
        )
    summary = f"{len(asked)} questions the code cannot answer"
    return Answer(
        16,
        "open_questions",
        "What could not be inferred?",
        summary,
        Confidence.UNKNOWN,
        {"questions": asked},
        (),
    )
