""" "Fix these first": the rules whose fixes would raise the lowest checkpoint score the most.

The overall score is the lowest checkpoint's, so that checkpoint is where fixes pay. Each rule
is scored by re-scoring its checkpoint without the rule's findings (`scoring.checkpoint_score`,
the formula the report itself uses) and ranked by:

1. its checkpoint's current score, lowest first (checkpoints tied on score: report order);
2. the score gained by fixing the rule, highest first;
3. the weight of its findings (`scoring.WEIGHTS`: errors before many notes), highest first;
4. its number of findings, highest first;
5. its name, so the list never depends on the order findings arrived in.

When the lowest checkpoint has fewer than three rules, the list goes on with the next
lowest checkpoint's rules.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rustpro.model import Checkpoint, CheckpointResult, Finding, Severity
from rustpro.scoring import WEIGHTS, checkpoint_score

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditResult

SHOWN = 3


@dataclass(frozen=True, slots=True)
class Priority:
    """One rule to fix first: how many findings, and what fixing them all would give."""

    rule: str
    count: int
    checkpoint: Checkpoint
    score: int  # the checkpoint's score now
    score_after: int  # ... with this rule's findings fixed
    turns_to_pass: bool  # the checkpoint fails now and would pass with the rule fixed
    command: str  # lists the rule's findings


@dataclass(slots=True)
class _Tally:
    """Weighted findings of one rule (or one whole checkpoint)."""

    count: int = 0
    weight: float = 0.0
    failing: int = 0  # errors and warnings: any one fails the checkpoint

    def add(self, severity: Severity, count: int) -> None:
        self.count += count
        self.weight += WEIGHTS[severity] * count
        if severity is not Severity.NOTE:
            self.failing += count


def fix_first(
    findings: Iterable[Finding],
    checkpoints: Mapping[Checkpoint, CheckpointResult],
    lines: int,
    command: Callable[[str], str],
    limit: int = SHOWN,
) -> list[Priority]:
    """The `limit` rules to fix first (see the module docstring for the order); `command`
    gives the command line that lists a rule's findings."""
    # Counted in C, then tallied once per rule and severity: the report may hold 10,000s.
    counts = Counter((f.checkpoint, f.rule, f.severity) for f in findings)
    by_rule: dict[tuple[Checkpoint, str], _Tally] = {}
    by_checkpoint: dict[Checkpoint, _Tally] = {}
    for (checkpoint, rule, severity), count in counts.items():
        by_rule.setdefault((checkpoint, rule), _Tally()).add(severity, count)
        by_checkpoint.setdefault(checkpoint, _Tally()).add(severity, count)
    order = {checkpoint: index for index, checkpoint in enumerate(Checkpoint)}
    ranked: list[tuple[tuple[int, int, int, float, int, str], Priority]] = []
    for (checkpoint, rule), tally in by_rule.items():
        whole = by_checkpoint[checkpoint]
        now = checkpoints[checkpoint].score
        rest_failing = whole.failing - tally.failing > 0
        after = max(checkpoint_score(whole.weight - tally.weight, lines, failed=rest_failing), now)
        priority = Priority(
            rule=rule,
            count=tally.count,
            checkpoint=checkpoint,
            score=now,
            score_after=after,
            turns_to_pass=checkpoints[checkpoint].status == "fail" and not rest_failing,
            command="",
        )
        rank = (now, order[checkpoint], now - after, -tally.weight, -tally.count, rule)
        ranked.append((rank, priority))
    ranked.sort(key=lambda pair: pair[0])
    return [replace(item, command=command(item.rule)) for _, item in ranked[:limit]]


def priorities_of(result: AuditResult) -> list[Priority]:
    """The rules to fix first in a finished audit, with commands run from here."""
    return fix_first(
        result.findings,
        result.checkpoints,
        result.lines,
        listing_command(result.root, static=result.mode == "static"),
    )


def listing_command(root: Path, *, static: bool, cwd: Path | None = None) -> Callable[[str], str]:
    """`rustpro audit [--static] --select RULE PATH` for a rule, with PATH as short as it can
    be said from `cwd` (default: the current directory): `.` there, relative below it, else
    absolute. `--static` repeats the audit's mode: without it the listing would run cargo."""
    here = (cwd or Path.cwd()).resolve()
    try:
        relative = root.resolve().relative_to(here)
    except ValueError:
        shown = str(root)
    else:
        shown = relative.as_posix() if relative.parts else "."
    prefix = "rustpro audit --static --select" if static else "rustpro audit --select"
    target = shell_quoted(shown)
    return lambda rule: f"{prefix} {shell_quoted(rule)} {target}"


# `shlex.quote`'s test for a word that needs no quotes, as `shlex` writes it.
_SHELL_UNSAFE = re.compile(r"[^\w@%+=:,./-]", re.ASCII).search


def shell_quoted(word: str) -> str:
    """`shlex.quote(word)`, without importing `shlex` (a module of a lexer's class and its
    tables, at every start of a text report, for this one function; tests compare them)."""
    if not word:
        return "''"
    if _SHELL_UNSAFE(word) is None:
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def priority_block(priorities: list[Priority]) -> list[str]:
    """The text report's closing section as plain lines, after a blank one (none when
    there is nothing to fix)."""
    if not priorities:
        return []
    lines = ["", "Fix these first:"]
    for number, item in enumerate(priorities, start=1):
        lines.append(f"  {number}. {item.rule}: {gain_text(item)}")
        lines.append(f"     {item.command}")
    return lines


def gain_text(item: Priority) -> str:
    """What fixing the rule gives, in words: `3 findings; errors 64 → 85 (would pass)`."""
    plural = "finding" if item.count == 1 else "findings"
    passes = " (would pass)" if item.turns_to_pass else ""
    return (
        f"{item.count} {plural}; {item.checkpoint.value} {item.score} → {item.score_after}{passes}"
    )
