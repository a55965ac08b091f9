"""The eight steps of the rust-pro process, as a plan the model keeps up to date.

The model reports each step's status (pending, in_progress, done, blocked) and, when a step
is done, the result of its self-check; the harness refuses a step marked done without one,
and a step marked blocked without the reason. A blocked step, or an implementation step
left in progress with no file changed, ends the run as not done (`Plan.unfinished_work`). The plan
is shown on the terminal and written to the transcript each time it changes, so the
process is observable rather than claimed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rustpro.agent.tools.base import Tool, ToolFailure, integer, schema, string

STEPS = (
    "Analyse the requirements and safety constraints",
    "Design a type-safe API with clear ownership",
    "Implement with idiomatic patterns",
    "Make concurrency safe",
    "Handle errors with context",
    "Optimise with benchmarks, measuring before and after",
    "Test across layers: unit, integration, property, doc",
    "Document safety invariants and API contracts",
)
STATUSES = ("pending", "in_progress", "done", "blocked")
_MARKS = {"pending": "[ ]", "in_progress": "[>]", "done": "[x]", "blocked": "[!]"}
# "Implement with idiomatic patterns": started and left without a change is giving up.
IMPLEMENT_STEP = 3


@dataclass(slots=True)
class PlanStep:
    """One step: where it stands and what its self-check found."""

    number: int
    title: str
    status: str = "pending"
    self_check: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        """The step as the transcript holds it."""
        return {
            "step": self.number,
            "title": self.title,
            "status": self.status,
            "self_check": self.self_check,
            "note": self.note,
        }


class Plan:
    """The eight steps and their state."""

    def __init__(self) -> None:
        self.steps = [PlanStep(number, title) for number, title in enumerate(STEPS, start=1)]

    def update(self, changes: Sequence[Mapping[str, Any]]) -> None:
        """Apply the model's changes; raises `ToolFailure` (nothing applied) when one is not
        valid."""
        for change in changes:
            number = change.get("step")
            if not isinstance(number, int) or not 1 <= number <= len(self.steps):
                raise ToolFailure(f"step must be 1 to {len(self.steps)}, not {number!r}")
            status = change.get("status", self.steps[number - 1].status)
            if status not in STATUSES:
                raise ToolFailure(f"status must be one of {', '.join(STATUSES)}")
            check = str(change.get("self_check") or self.steps[number - 1].self_check).strip()
            if status == "done" and not check:
                raise ToolFailure(
                    f"step {number} is marked done without its self-check: say what you "
                    "checked and what you found (or why the step does not apply)"
                )
            why = str(change.get("note") or self.steps[number - 1].note).strip()
            if status == "blocked" and not why:
                raise ToolFailure(
                    f"step {number} is marked blocked without a note: say what stops it"
                )
        for change in changes:
            step = self.steps[change["step"] - 1]
            step.status = change.get("status", step.status)
            if change.get("self_check"):
                step.self_check = str(change["self_check"]).strip()
            if change.get("note"):
                step.note = str(change["note"]).strip()

    def unfinished_work(self, *, changed: bool) -> str | None:
        """Why the model's work is not done although it stopped, or None: a step it marked
        blocked, or the implementation step left in progress with no file `changed` (it
        started a change and gave up; a question or a review never starts step 3)."""
        blocked = [step for step in self.steps if step.status == "blocked"]
        if blocked:
            return "; ".join(f"step {s.number} blocked: {s.note}" for s in blocked)
        implement = self.steps[IMPLEMENT_STEP - 1]
        if implement.status == "in_progress" and not changed:
            return (
                f"step {IMPLEMENT_STEP} ({implement.title.lower()}) was started and left "
                "in progress, and no file was changed: the model gave up"
            )
        return None

    def to_json(self) -> list[dict[str, Any]]:
        """Every step, for the transcript."""
        return [step.to_json() for step in self.steps]

    def render(self) -> str:
        """The plan as lines of text."""
        lines = []
        for step in self.steps:
            line = f"{_MARKS[step.status]} {step.number}. {step.title}"
            if step.note:
                line += f" ({step.note})"
            lines.append(line)
            if step.self_check:
                lines.append(f"      self-check: {step.self_check}")
        return "\n".join(lines)


def plan_tool(plan: Plan, on_change: Callable[[Plan], None]) -> Tool:
    """The `update_plan` tool."""

    def update_plan(args: dict[str, Any]) -> str:
        plan.update(args["steps"])
        on_change(plan)
        return "plan updated:\n" + plan.render()

    titles = "; ".join(f"{n}. {t}" for n, t in enumerate(STEPS, start=1))
    change = schema(
        {
            "step": integer("The step's number, 1 to 8.", 1),
            "status": string("Where the step stands.", enum=list(STATUSES)),
        },
        {
            "self_check": string(
                "Required when done: what the step's self-check verified and found, or why "
                "the step does not apply to this task."
            ),
            "note": string("What this step means for this task, in a few words."),
        },
    )
    return Tool(
        "update_plan",
        f"Report progress through the eight steps ({titles}). Mark a step in_progress when "
        "you start it and done, with its self-check result, when you finish it. Mark it "
        "blocked, with a note saying why, when you cannot finish it: the run then ends as "
        "not done, which is better than a change that only looks finished.",
        schema({"steps": {"type": "array", "items": change, "description": "Changed steps."}}),
        "serial",
        update_plan,
    )
