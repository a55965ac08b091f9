"""Every agent test keeps rustpro's cache (undo journals, snapshots, transcripts, work
copies) in its own temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.agent.support import Runner


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """RUSTPRO_CACHE_DIR for this test alone."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    """Scripted runs in this test's directory."""
    return Runner(tmp_path)
