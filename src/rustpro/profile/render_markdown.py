"""The profile as Markdown: for pull requests, issues, and an agent's context window."""

from __future__ import annotations

from rustpro.profile.model import Profile, SubjectProfile

_EVIDENCE_PER_ANSWER = 5


def render_markdown(profile: Profile) -> str:
    """One section per subject, a table of answers, then the open questions as a list."""
    parts = [
        f"# rustpro profile: `{profile.root}`",
        f"{profile.files} files, {profile.lines} lines.",
    ]
    if profile.workspace is not None:
        parts.append(_subject(profile.workspace))
    parts.extend(_subject(crate) for crate in profile.crates)
    if profile.warnings:
        parts.append("## Warnings\n\n" + "\n".join(f"- {w}" for w in profile.warnings))
    return "\n\n".join(parts) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _subject(subject: SubjectProfile) -> str:
    rows = ["| # | question | answer | confidence | evidence |", "|---|---|---|---|---|"]
    for answer in subject.answers:
        if answer.key == "open_questions":
            continue
        where = "<br>".join(f"`{e.where}`" for e in answer.evidence[:_EVIDENCE_PER_ANSWER])
        rows.append(
            f"| {answer.id} | {_cell(answer.question)} | {_cell(answer.summary)} | "
            f"{answer.confidence.value} | {where} |"
        )
    text = f"## {subject.kind} `{subject.name}` (`{subject.path}`)\n\n" + "\n".join(rows)
    questions = subject.answer("open_questions")
    if questions is not None and questions.facts.get("questions"):
        text += "\n\n### Open questions\n\n" + "\n".join(
            f"- {q['question']}" for q in questions.facts["questions"]
        )
    return text
