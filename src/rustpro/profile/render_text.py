"""The profile for a person at a terminal: one block per crate, one line per answer."""

from __future__ import annotations

from rustpro.profile.model import Answer, Profile, SubjectProfile

_EVIDENCE_PER_ANSWER = 3


def render_text(profile: Profile, *, evidence: int = _EVIDENCE_PER_ANSWER) -> str:
    """Plain text: the workspace first (if any), then every crate, then warnings."""
    blocks = [f"rustpro profile {profile.root} ({profile.files} files, {profile.lines} lines)"]
    if profile.workspace is not None:
        blocks.append(_subject(profile.workspace, evidence))
    blocks.extend(_subject(crate, evidence) for crate in profile.crates)
    if profile.warnings:
        blocks.append("warnings:\n" + "\n".join(f"  {w}" for w in profile.warnings))
    return "\n\n".join(blocks) + "\n"


def _subject(subject: SubjectProfile, evidence: int) -> str:
    title = f"== {subject.kind} {subject.name} ({subject.path})"
    lines = [title]
    for answer in subject.answers:
        if answer.key == "open_questions":
            continue
        lines.extend(_answer(answer, evidence))
    questions = subject.answer("open_questions")
    if questions is not None:
        asked = questions.facts.get("questions", [])
        lines.append(f"[16] open questions ({len(asked)})")
        lines.extend(f"     ? {q['question']}" for q in asked)
    return "\n".join(lines)


def _answer(answer: Answer, evidence: int) -> list[str]:
    lines = [
        f"[{answer.id:>2}] {answer.question} ({answer.confidence.value})",
        f"     {answer.summary}",
    ]
    for item in answer.evidence[:evidence]:
        note = f"  {item.note}" if item.note else ""
        lines.append(f"       at {item.where}{note}")
    hidden = len(answer.evidence) - evidence
    if hidden > 0:
        lines.append(f"       (+{hidden} more in --format json)")
    return lines
