"""Recorded tool output (paths rewritten to /audit/<crate> and /cache/target) for parser tests."""

from __future__ import annotations

from pathlib import Path

from rustpro.toolchain.paths import ReportPaths

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> str:
    """The text of one recorded stream."""
    return (RECORDED / name).read_text(encoding="utf-8")


def paths_for(crate: str) -> ReportPaths:
    """Report paths for a recorded crate audited at its own root, `/audit/<crate>`."""
    root = Path("/audit") / crate
    return ReportPaths(root, root)
