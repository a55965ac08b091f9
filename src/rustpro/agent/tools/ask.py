"""The `ask_user` tool: a question for the person running the agent.

On a terminal the question is asked and the answer goes back to the model. In a
non-interactive run nobody can answer: the question and the assumption the model says it
will make instead go into the transcript, and the model is told to go on with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rustpro.agent.tools.base import Tool, schema, string

Ask = Callable[[str], str]
Emit = Callable[..., None]


def ask_tool(ask: Ask | None, emit: Emit) -> Tool:
    """`ask_user`; `ask` is None in a non-interactive run."""

    def ask_user(args: dict[str, Any]) -> str:
        question = args["question"].strip()
        assumption = args["assumption"].strip()
        if ask is None:
            emit(question=question, assumption=assumption, answer=None, interactive=False)
            return (
                "Nobody can answer: this run is non-interactive. Go on with your assumption "
                f"({assumption}) and state it in your final message."
            )
        answer = ask(question).strip()
        emit(question=question, assumption=assumption, answer=answer, interactive=True)
        if not answer:
            return f"The user gave no answer. Go on with your assumption ({assumption})."
        return f"The user answered: {answer}"

    return Tool(
        "ask_user",
        "Ask the user a question the code cannot answer (a choice between behaviours, an "
        "acceptable breaking change). Give the assumption you will make if nobody answers.",
        schema(
            {
                "question": string("The question, with the options and your recommendation."),
                "assumption": string("What you will assume if the question gets no answer."),
            }
        ),
        "serial",
        ask_user,
    )
