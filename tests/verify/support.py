"""Helpers for verify's tests: a git repository made from a fixture crate, scripted edits,
and a small stand-in for `rustpro.verify.weakening` (the real one is built on its own branch;
these tests check verify's orchestration, not the weakening rules)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VERIFIABLE = FIXTURES / "cargo" / "verifiable"
PAYLOADS = FIXTURES / "verify"

_TEST_FN = re.compile(r"#\[test\]\s*(#\[ignore\]\s*)?fn\s+(\w+)")


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


# ---- a stand-in for rustpro.verify.weakening --------------------------------------------


@dataclass(frozen=True)
class FakeFacts:
    path: str
    line: int
    ignored: bool


@dataclass(frozen=True)
class FakeWeakening:
    kind: str
    test: str
    path: str
    line: int
    message: str
    note_only: bool = False


class FakeInventory:
    def __init__(self, tests: dict[str, FakeFacts], files: frozenset[str]) -> None:
        self.tests = tests
        self.files = files

    def to_json(self) -> dict[str, Any]:
        return {
            "tests": {k: [v.path, v.line, v.ignored] for k, v in self.tests.items()},
            "files": sorted(self.files),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FakeInventory:
        tests = {k: FakeFacts(v[0], v[1], v[2]) for k, v in data["tests"].items()}
        return cls(tests, frozenset(data["files"]))


def _inventory(sources: dict[str, str]) -> FakeInventory:
    tests: dict[str, FakeFacts] = {}
    for path, text in sources.items():
        for match in _TEST_FN.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            tests[f"{path}::{match.group(2)}"] = FakeFacts(path, line, bool(match.group(1)))
    return FakeInventory(tests, frozenset(sources))


def _compare(
    old: FakeInventory, new: FakeInventory, *, allow_test_edits: bool = False
) -> list[FakeWeakening]:
    found = []
    for name, facts in old.tests.items():
        now = new.tests.get(name)
        if now is None:
            found.append(
                FakeWeakening("removed", name, facts.path, facts.line, f"test `{name}` removed")
            )
        elif now.ignored and not facts.ignored:
            found.append(
                FakeWeakening("ignored", name, now.path, now.line, f"test `{name}` now ignored")
            )
    return found


def fake_weakening() -> ModuleType:
    """A module with the agreed interface of rustpro.verify.weakening."""
    module = ModuleType("rustpro.verify.weakening")
    module.TestInventory = FakeInventory  # type: ignore[attr-defined]
    module.inventory = _inventory  # type: ignore[attr-defined]
    module.compare = _compare  # type: ignore[attr-defined]
    return module


@pytest.fixture
def weakening(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The stand-in, installed where verify imports the real module from."""
    module = fake_weakening()
    monkeypatch.setitem(sys.modules, "rustpro.verify.weakening", module)
    return module
