"""Helpers the tests share: building small crates on disk and auditing them."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tree_sitter import Node, Tree

from rustpro.engine.audit import AuditOptions, AuditResult, run_audit

FIXTURES = Path(__file__).parent / "fixtures"
# The lintcheck test's diff against the committed last run, printed by conftest.py at the end.
LINTCHECK_DIFF = pytest.StashKey[list[str]]()


@dataclass(frozen=True)
class TemplateReport:
    """What one `rustpro new` kind cost and showed in tests/test_templates.py."""

    kind: str
    seconds: dict[str, float]  # per step: build, test, clippy, fmt, rebuild, audit
    tests: int
    audit: str


# The template tests' reports, printed by conftest.py at the end of the session.
TEMPLATE_REPORTS = pytest.StashKey[list[TemplateReport]]()

DEFAULT_MANIFEST = """\
[package]
name = "fixture"
version = "0.1.0"
edition = "2021"
rust-version = "1.80"

[lints.rust]
unsafe_code = "warn"
"""

_ANNOTATION = re.compile(
    r"(//|#)\s*(ruleid|ok|todoruleid|todook):\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)"
)
_HEADER_PATH = re.compile(r"^//\s*fixture-path:\s*(\S+)\s*$", re.M)


def make_crate(root: Path, files: dict[str, str], manifest: str | None = None) -> Path:
    """Write a crate: `files` maps relative paths to text; a default Cargo.toml is added."""
    root.mkdir(parents=True, exist_ok=True)
    if "Cargo.toml" not in files:
        (root / "Cargo.toml").write_text(manifest or DEFAULT_MANIFEST)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def audit(root: Path, select: tuple[str, ...] = ()) -> AuditResult:
    """A static audit without cache, single process (deterministic and isolated)."""
    options = AuditOptions(static=True, use_cache=False, workers=1, select=select, fail_on="note")
    return run_audit(root, options)


@dataclass(frozen=True)
class Expectation:
    """What a fixture's annotations say should and should not fire, per file and rule."""

    fires: dict[tuple[str, str], set[int]]  # (relpath, rule) -> lines
    silent: dict[tuple[str, str], set[int]]
    todo: dict[tuple[str, str], set[int]]


def _target_line(lines: list[str], index: int, trailing: bool) -> int:
    if trailing:
        return index + 1
    for later in range(index + 1, len(lines)):
        stripped = lines[later].strip()
        if stripped and not _ANNOTATION.search(stripped):
            return later + 1
    return index + 1


def read_expectations(root: Path) -> Expectation:
    """Collect `ruleid:` / `ok:` / `todoruleid:` annotations from every file under root."""
    fires: dict[tuple[str, str], set[int]] = {}
    silent: dict[tuple[str, str], set[int]] = {}
    todo: dict[tuple[str, str], set[int]] = {}
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".rs", ".toml") or not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            match = _ANNOTATION.search(line)
            if not match:
                continue
            trailing = bool(line[: match.start()].strip())
            target = _target_line(lines, index, trailing)
            kind = match.group(2)
            bucket = {"ruleid": fires, "ok": silent, "todoruleid": todo, "todook": todo}[kind]
            for rule in (r.strip() for r in match.group(3).split(",")):
                bucket.setdefault((rel, rule), set()).add(target)
    return Expectation(fires, silent, todo)


def materialise_fixture(fixture: Path, dest: Path) -> Path:
    """Lay a fixture out as a crate under dest: a `.rs` file becomes src/lib.rs (or the
    path its `// fixture-path:` header names); a directory is copied as a crate tree."""
    if fixture.is_dir():
        shutil.copytree(fixture, dest)
        if not (dest / "Cargo.toml").exists():
            (dest / "Cargo.toml").write_text(DEFAULT_MANIFEST)
        return dest
    text = fixture.read_text()
    header = _HEADER_PATH.search(text)
    rel = header.group(1) if header else "src/lib.rs"
    files = {rel: text}
    if rel != "src/lib.rs" and not rel.startswith("src/"):
        files.setdefault("src/lib.rs", "//! Fixture crate root.\n")
    return make_crate(dest, files)


def fixture_units() -> list[Path]:
    """Every fixture: files and directories under fixtures/rules, directories under crates."""
    units = sorted((FIXTURES / "rules").glob("*"))
    units += sorted(p for p in (FIXTURES / "crates").glob("*") if p.is_dir())
    return [u for u in units if u.suffix == ".rs" or u.is_dir()]


def all_nodes(tree: Tree) -> list[Node]:
    """Every node of `tree`, anonymous ones included, in document order: a walk written
    here apart from the engine's (`items.subtree`), so that tests enumerating candidates do
    not lean on the code they check."""
    found: list[Node] = []
    cursor = tree.walk()
    while True:
        node = cursor.node
        assert node is not None
        found.append(node)
        if cursor.goto_first_child() or cursor.goto_next_sibling():
            continue
        while cursor.goto_parent():
            if cursor.goto_next_sibling():
                break
        else:
            return found
