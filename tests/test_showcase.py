"""The bundled example crate (`make demo`) keeps what the README promises: real instances of
most catalog rules, found without a rule error; and it still compiles (opt-in, needs cargo)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rustpro.catalog import catalog
from tests.cli_support import REPO, tree_state
from tests.support import audit

SHOWCASE = REPO / "examples" / "showcase"
# A crate with unit tests and a tests/ directory cannot also lack them.
CANNOT_FIRE_HERE = {"no-unit-tests", "no-integration-tests"}


def test_showcase_shows_most_rules() -> None:
    before = tree_state(SHOWCASE)
    result = audit(SHOWCASE, select=("all",))
    assert tree_state(SHOWCASE) == before
    assert result.warnings == []
    assert result.parse_errors == []
    fired = {f.rule for f in result.findings}
    missing = sorted(set(catalog()) - fired - CANNOT_FIRE_HERE)
    assert not missing, f"the showcase no longer shows: {missing}"
    assert result.suppressed >= 1  # the well-formed suppression in src/server.rs


@pytest.mark.cargo
def test_showcase_compiles(tmp_path: Path) -> None:
    if os.environ.get("RUSTPRO_CARGO_TESTS") != "1":
        pytest.skip("set RUSTPRO_CARGO_TESTS=1 to build the showcase (downloads tokio)")
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not installed")
    copy = tmp_path / "showcase"
    shutil.copytree(SHOWCASE, copy)  # cargo writes Cargo.lock; keep it out of the repository
    done = subprocess.run(
        [cargo, "check", "--all-targets", "--quiet"],
        cwd=copy,
        env={**os.environ, "CARGO_TARGET_DIR": str(tmp_path / "target")},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
