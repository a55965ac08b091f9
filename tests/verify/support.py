"""Helpers for verify's tests: a git repository made from a fixture crate, scripted edits,
and the weakening module verify loads."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from rustpro.verify.testchecks import weakening_module

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VERIFIABLE = FIXTURES / "cargo" / "verifiable"
PAYLOADS = FIXTURES / "verify"


# A new `.unwrap()` in production code that no test reaches (so the tests still pass).
NEW_UNWRAP = (
    "#[cfg(test)]\nmod tests {",
    "/// Parses a port number.\n#[must_use]\npub fn port_number(text: &str) -> u16 {\n"
    "    text.parse().unwrap()\n}\n\n#[cfg(test)]\nmod tests {",
)
NEW_UNWRAP_LINE = 18


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity; its stdout."""
    done = subprocess.run(
        ["git", "-c", "user.email=verify@example.com", "-c", "user.name=verify", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def make_repo(destination: Path, crate: Path = VERIFIABLE) -> Path:
    """A git repository at `destination` whose first commit is a copy of `crate`."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    shutil.copytree(crate, destination)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "start")
    return destination


def reset(repo: Path) -> None:
    """Back to the committed state: edits undone, new files removed (not target/)."""
    git(repo, "checkout", "-q", "--", ".")
    git(repo, "clean", "-q", "-f", "-d", "-e", "target")


def edit(repo: Path, relpath: str, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in a file with `new`."""
    path = repo / relpath
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {relpath} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---- the weakening module verify loads -------------------------------------------------


@pytest.fixture
def weakening() -> ModuleType:
    """The real `rustpro.verify.weakening`, as verify loads it."""
    module = weakening_module()
    assert module is not None
    return module
