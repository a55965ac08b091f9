"""`--static` executes nothing of the audited project; full mode runs its build script.

The fixture's build.rs writes the file named by RUSTPRO_BUILD_MARKER, outside the crate.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_support import run_cli, tree_state

pytestmark = pytest.mark.cargo


def test_static_runs_no_build_script_and_full_mode_does(
    cargo_crates: Path,
    cargo_target_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crate = cargo_crates / "buildmarker"
    marker = tmp_path / "build-script-ran"
    monkeypatch.setenv("RUSTPRO_BUILD_MARKER", str(marker))
    monkeypatch.setenv("RUSTPRO_CACHE_DIR", str(tmp_path / "cache"))
    before = tree_state(crate)

    static = run_cli(["audit", "--static", "--format", "json", str(crate)], capsys)
    assert json.loads(static.stdout)["mode"] == "static"
    assert not marker.exists()
    assert tree_state(crate) == before

    args = ["audit", "--format", "json", "--quiet", "--target-dir", str(cargo_target_dir)]
    full = run_cli([*args, str(crate)], capsys)
    report = json.loads(full.stdout)
    assert report["mode"] == "full"
    assert marker.read_text() == "build.rs ran\n"
    assert "compiles: yes (clippy" in " ".join(report["checkpoints"]["memory"]["evidence"])
    assert full.stderr == ""  # --quiet: no spinner, no warnings


def test_help_states_the_trust_boundary(capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_cli(["audit", "--help"], capsys)
    text = " ".join(shown.stdout.split())
    assert "executes its build scripts, proc macros and tests" in text
    assert "on a copy of the project under its cache dir" in text
    assert "--skip" in text
