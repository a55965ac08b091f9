"""`.pre-commit-hooks.yaml` parses, and its hook runs a real rustpro command."""

from __future__ import annotations

import shlex
import tomllib
from typing import Any

import pytest
import yaml

from tests.cli_support import REPO, isolated_cache, run_cli
from tests.support import FIXTURES

__all__ = ["isolated_cache"]

HOOKS = REPO / ".pre-commit-hooks.yaml"
# What pre-commit requires of a hook definition (pre-commit's MANIFEST_HOOK_DICT).
REQUIRED = {"id", "name", "entry", "language"}


def _hooks() -> list[dict[str, Any]]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    return hooks


def test_the_hook_file_declares_rustpro_for_rust_files() -> None:
    (hook,) = _hooks()
    assert set(hook) >= REQUIRED
    assert hook["id"] == "rustpro"
    assert hook["language"] == "python"
    assert hook["types"] == ["rust"]
    assert hook["pass_filenames"] is False


def test_the_entry_is_an_installed_script_running_a_static_audit() -> None:
    (hook,) = _hooks()
    script, *arguments = shlex.split(hook["entry"])
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"][script] == "rustpro._entry:main"  # rustpro.cli.main
    assert arguments == ["audit", "--static"]


@pytest.mark.usefixtures("isolated_cache")
def test_the_entry_audits_the_current_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (hook,) = _hooks()
    _, *arguments = shlex.split(hook["entry"])
    monkeypatch.chdir(FIXTURES / "baseline" / "ledger")
    done = run_cli([*arguments, "--no-cache"], capsys)
    assert done.code == 1  # the fixture has findings: the hook fails the commit
    assert "unwrap-in-production" in done.stdout
