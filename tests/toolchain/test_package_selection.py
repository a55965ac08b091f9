"""`-p NAME` in full mode with real cargo (issue 11 §11): cargo builds and tests only the
selected member, and only its findings are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.model import Checkpoint
from rustpro.toolchain.full import FullMode
from tests.toolchain.conftest import full_options

pytestmark = pytest.mark.cargo


def test_package_selection_builds_and_tests_only_that_member(
    cargo_crates: Path, cargo_target_dir: Path
) -> None:
    options = AuditOptions(
        static=False, use_cache=False, workers=1, fail_on="note", packages=("ws-beta",)
    )
    result = run_audit(
        cargo_crates / "workspace", options, extra=FullMode(full_options(cargo_target_dir))
    )
    assert result.crates == ["ws-beta"]
    assert {f.path.split("/")[1] for f in result.findings} == {"beta"}
    failed = [(f.path, f.line) for f in result.findings if f.rule == "cargo-test::failed"]
    assert failed == [("crates/beta/tests/api.rs", 4)]  # alpha's failing tests did not run
    testing = " | ".join(result.checkpoints[Checkpoint.TESTING].evidence)
    assert "0 passed, 1 failed, 0 ignored" in testing
