"""Budgets: turns, tokens, money and wall time, per run and per sub-agent.

A sub-agent's budget has limits of its own and a parent: what it spends is charged to every
budget above it, and it is exhausted when its own limits or any parent's are reached, so a
sub-agent can never spend what its parent no longer has.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rustpro.agent.conversation import Usage

# USD per million tokens (input, output), as the providers listed them in 2025. Model names
# match by prefix (`claude-sonnet-4-5` prices `claude-sonnet-4-5-20250929`); the longest
# prefix wins. The user's config adds models or changes these ([prices] in agent.toml).
DEFAULT_PRICES: Mapping[str, tuple[float, float]] = {
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-3-5-haiku": (0.8, 4.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "gpt-4o-mini": (0.15, 0.6),
    "gpt-4o": (2.5, 10.0),
    "gpt-4.1-nano": (0.1, 0.4),
    "gpt-4.1-mini": (0.4, 1.6),
    "gpt-4.1": (2.0, 8.0),
    "gpt-5-mini": (0.25, 2.0),
    "gpt-5": (1.25, 10.0),
    "o4-mini": (1.1, 4.4),
}

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million input and output tokens."""

    input_per_million: float
    output_per_million: float

    def of(self, usage: Usage) -> float:
        """What `usage` costs."""
        return (
            usage.input_tokens * self.input_per_million
            + usage.output_tokens * self.output_per_million
        ) / 1_000_000


class PriceTable:
    """Prices by model name (longest matching prefix)."""

    def __init__(self, prices: Mapping[str, Price] | None = None) -> None:
        self._prices = {name: Price(*pair) for name, pair in DEFAULT_PRICES.items()}
        self._prices.update(prices or {})

    def lookup(self, model: str) -> Price | None:
        """The price of `model`, or None when the table does not know it."""
        matches = [name for name in self._prices if model == name or model.startswith(name)]
        if not matches:
            return None
        return self._prices[max(matches, key=len)]


@dataclass(frozen=True, slots=True)
class Limits:
    """What a run or a sub-agent may spend (None: no limit)."""

    turns: int | None = None
    tokens: int | None = None
    cost: float | None = None
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Exhaustion:
    """Which budget ran out, and whose."""

    budget: str  # turns, tokens, cost, time
    owner: str  # the agent the budget belongs to
    limit: float
    used: float

    def describe(self) -> str:
        """`the turn budget of main (10) is used up (10)`."""
        units = {"turns": "turn", "tokens": "token", "cost": "cost", "time": "time"}
        limit = _amount(self.budget, self.limit)
        used = _amount(self.budget, self.used)
        return f"the {units[self.budget]} budget of {self.owner} ({limit}) is used up ({used})"


def _amount(budget: str, value: float) -> str:
    if budget == "cost":
        return f"${value:.4f}"
    if budget == "time":
        return f"{value:.1f} s"
    return str(int(value))


class Budget:
    """What one agent has spent against its limits (thread-safe: read-only tool calls run in
    parallel, but only the loop charges turns)."""

    def __init__(
        self,
        owner: str,
        limits: Limits,
        price: Price | None,
        *,
        parent: Budget | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.owner = owner
        self.limits = limits
        self.price = price
        self.parent = parent
        self._clock = clock or time.monotonic
        self.started = self._clock()
        self.turns = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = 0.0
        self._lock = threading.Lock()

    @property
    def tokens(self) -> int:
        """Input and output tokens spent."""
        return self.input_tokens + self.output_tokens

    @property
    def seconds(self) -> float:
        """Wall time since this budget started."""
        return self._clock() - self.started

    def charge(self, usage: Usage) -> None:
        """Count one model turn and its tokens here and in every parent budget."""
        budget: Budget | None = self
        while budget is not None:
            with budget._lock:
                budget.turns += 1
                budget.input_tokens += usage.input_tokens
                budget.output_tokens += usage.output_tokens
                if self.price is not None:
                    budget.cost += self.price.of(usage)
            budget = budget.parent

    def exhausted(self) -> Exhaustion | None:
        """The first budget used up, here or in a parent; None while all have room."""
        budget: Budget | None = self
        while budget is not None:
            found = budget._own_exhaustion()
            if found is not None:
                return found
            budget = budget.parent
        return None

    def _own_exhaustion(self) -> Exhaustion | None:
        limits = self.limits
        checks: list[tuple[str, float | None, float]] = [
            ("turns", limits.turns, self.turns),
            ("tokens", limits.tokens, self.tokens),
            ("cost", limits.cost, self.cost),
            ("time", limits.seconds, self.seconds),
        ]
        for name, limit, used in checks:
            if limit is not None and used >= limit:
                return Exhaustion(name, self.owner, limit, used)
        return None

    def seconds_left(self) -> float | None:
        """Wall time left before this budget or a parent's runs out (None: no limit)."""
        left: float | None = None
        budget: Budget | None = self
        while budget is not None:
            if budget.limits.seconds is not None:
                mine = max(0.0, budget.limits.seconds - budget.seconds)
                left = mine if left is None else min(left, mine)
            budget = budget.parent
        return left

    def child(self, owner: str, limits: Limits) -> Budget:
        """A sub-agent's budget: its own limits, charged to this one too."""
        return Budget(owner, limits, self.price, parent=self, clock=self._clock)

    def summary(self) -> dict[str, object]:
        """Spent and limits, for the transcript."""
        limits = self.limits
        return {
            "turns": self.turns,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost": round(self.cost, 6) if self.price is not None else None,
            "seconds": round(self.seconds, 3),
            "limits": {
                "turns": limits.turns,
                "tokens": limits.tokens,
                "cost": limits.cost,
                "seconds": limits.seconds,
            },
        }
