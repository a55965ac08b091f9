"""What the command line asks of `rustpro verify` (a module of its own, with little imported:
the command reads it before cargo starts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rustpro.toolchain.session import FullModeOptions

# What `--skip` accepts. `build` leaves out every step that builds (build, tests, clippy).
SKIPPABLE = ("build", "test", "clippy", "rustpro", "weakening", "fmt")
REQUIRABLE = ("fmt",)


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """What the command line asks of verify."""

    since: str | None = None
    snapshot: Path | None = None
    allow_test_edits: bool = False
    skip: frozenset[str] = frozenset()
    require: frozenset[str] = frozenset()
    full: FullModeOptions = field(default_factory=FullModeOptions)
    workers: int | None = None
    use_cache: bool = True

    def skip_flag(self, step: str) -> str:
        """The `--skip` value that left `step` out (`build` also leaves out test and clippy)."""
        return step if step in self.skip else "build"

    def skipped(self, step: str) -> bool:
        """True when `step` is left out (directly, or through `build`)."""
        if step in ("test", "clippy") and "build" in self.skip:
            return True
        return step in self.skip
