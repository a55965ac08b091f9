"""Full-mode options: rustpro's own target dir and per-step timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.toolchain.session import DEFAULT_TIMEOUTS, FullModeOptions, work_copy_dir
from tests.cli_support import isolated_cache, run_cli
from tests.support import make_crate

__all__ = ["isolated_cache"]


def test_the_copy_is_under_the_cache_and_keyed_by_workspace_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    first, second = tmp_path / "a" / "app", tmp_path / "b" / "app"
    assert work_copy_dir(first).parent == tmp_path / "cache" / "work"
    assert work_copy_dir(first).name.startswith("app-")
    assert work_copy_dir(first) == work_copy_dir(first)
    assert work_copy_dir(first) != work_copy_dir(second)


def test_timeouts_per_step_then_global_then_default() -> None:
    assert FullModeOptions().timeout_for("test") == DEFAULT_TIMEOUTS["test"]
    options = FullModeOptions(timeout=60.0, step_timeouts={"doc": 5.0})
    assert (options.timeout_for("clippy"), options.timeout_for("doc")) == (60.0, 5.0)


def test_feature_flags_become_cargo_arguments() -> None:
    assert FullModeOptions().feature_args() == []
    options = FullModeOptions(features=("a", "b"), all_features=True, no_default_features=True)
    assert options.feature_args() == [
        "--features",
        "a,b",
        "--all-features",
        "--no-default-features",
    ]


def test_feature_flags_with_static_are_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_cache: Path
) -> None:
    crate = make_crate(tmp_path / "c", {"src/lib.rs": "//! Docs.\n"})
    args = ["audit", "--static", "--fail-on", "none", "--features", "a b", "--all-features"]
    run = run_cli([*args, str(crate)], capsys)
    assert run.code == 0
    assert "rustpro: warning: --features, --all-features and --no-default-features only " in (
        run.stderr
    )
