"""`--changed-since REF` on a temporary git repository: modified, added, untracked, deleted and
renamed files; the audit still reads the whole crate, only the report is narrowed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rustpro.changed import changed_files
from rustpro.errors import GitError
from tests.cli_support import isolated_cache, run_cli
from tests.support import FIXTURES

__all__ = ["isolated_cache"]
pytestmark = [
    pytest.mark.usefixtures("isolated_cache"),
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

AUDIT = ["audit", "--static", "--no-cache", "-j", "1", "--format", "json"]


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The ledger fixture with two more modules, committed."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / "baseline" / "ledger", root)
    lib = root / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("mod net;", "mod net;\nmod store;\nmod old;"))
    (root / "src" / "store.rs").write_text("//! Storage.\n\npub fn load() {}\n")
    (root / "src" / "old.rs").write_text(
        "//! Old.\n\npub fn old(v: &str) -> u8 {\n    v.parse().unwrap()\n}\n"
    )
    (root / ".gitignore").write_text("target/\n*.log\n")
    (root / "NOTES.md").write_text("Notes.\n")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "test@example.com")
    _git(root, "config", "user.name", "Test")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "first")
    return root


def test_modified_added_untracked_deleted_and_renamed_files(repo: Path) -> None:
    src = repo / "src"
    (src / "store.rs").write_text("//! Storage, changed.\n\npub fn load() {}\n")  # modified
    (src / "added.rs").write_text("//! Added.\n")
    _git(repo, "add", "src/added.rs")  # added (staged)
    (src / "fresh.rs").write_text("//! Untracked.\n")  # untracked
    (repo / "debug.log").write_text("ignored\n")  # untracked but ignored
    (src / "old.rs").unlink()  # deleted
    _git(repo, "mv", "src/net.rs", "src/network.rs")  # renamed (staged)
    (repo / "NOTES.md").rename(repo / "README.md")  # renamed without git: untracked
    assert changed_files(repo, "HEAD") == {
        "src/store.rs",
        "src/added.rs",
        "src/fresh.rs",
        "src/network.rs",
        "README.md",
    }


def test_commits_since_the_ref_count_and_paths_are_relative_to_the_audited_root(
    repo: Path,
) -> None:
    (repo / "src" / "store.rs").write_text("//! Storage, committed.\n\npub fn load() {}\n")
    _git(repo, "commit", "-q", "-am", "second")
    (repo / "Cargo.toml").write_text((repo / "Cargo.toml").read_text() + "\n")
    assert changed_files(repo, "HEAD~1") == {"src/store.rs", "Cargo.toml"}
    assert changed_files(repo, "main") == {"Cargo.toml"}
    assert changed_files(repo / "src", "HEAD~1") == {"store.rs"}  # nothing outside it


def test_git_runs_read_only(repo: Path) -> None:
    (repo / "src" / "store.rs").write_text("//! Storage, changed.\n\npub fn load() {}\n")
    index = repo / ".git" / "index"
    before = index.stat().st_mtime_ns, index.read_bytes()
    changed_files(repo, "HEAD")
    assert (index.stat().st_mtime_ns, index.read_bytes()) == before
    assert not (repo / ".git" / "index.lock").exists()


@pytest.mark.parametrize(
    ("ref", "says"),
    [
        ("no-such-branch", "unknown git ref"),
        ("--output=/tmp/x", "not a git ref"),
        ("", "not a git ref"),
    ],
)
def test_a_bad_ref_is_a_git_error(repo: Path, ref: str, says: str) -> None:
    with pytest.raises(GitError, match=says):
        changed_files(repo, ref)


def test_outside_a_repository_and_without_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(GitError, match="not inside a git repository"):
        changed_files(plain, "HEAD")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GitError, match="git is not installed"):
        changed_files(plain, "HEAD")


def _audit(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, dict[str, Any]]:
    done = run_cli([*AUDIT, *map(str, args)], capsys)
    assert done.code in (0, 1), done.stderr
    return done.code, json.loads(done.stdout)


def test_only_findings_in_changed_files_are_reported_and_gated(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, everything = _audit(capsys, repo)
    total = len(everything["findings"])
    assert {f["path"] for f in everything["findings"]} >= {"src/lib.rs", "src/old.rs", "Cargo.toml"}
    code, result = _audit(capsys, "--changed-since", "HEAD", repo)
    assert (code, result["findings"]) == (0, [])
    assert result["summary"]["changed_hidden"] == total

    store = repo / "src" / "store.rs"
    store.write_text("//! Storage.\n\npub fn load(v: &str) -> u8 {\n    v.parse().unwrap()\n}\n")
    code, result = _audit(capsys, "--changed-since", "HEAD", repo)
    assert code == 1
    assert [(f["path"], f["rule"]) for f in result["findings"]] == [
        ("src/store.rs", "unwrap-in-production")
    ]
    assert result["summary"]["changed_hidden"] == total
    text = run_cli(
        ["audit", "--static", "--no-cache", "--changed-since", "HEAD", str(repo)], capsys
    )
    assert f"Not reported: {total} finding(s) outside the changed files" in text.stdout

    # A project-level finding (on Cargo.toml) counts when Cargo.toml changed.
    manifest = repo / "Cargo.toml"
    manifest.write_text(manifest.read_text() + "\n")
    code, result = _audit(capsys, "--changed-since", "HEAD", repo)
    paths = {f["path"] for f in result["findings"]}
    assert paths == {"src/store.rs", "Cargo.toml"}


def test_renamed_files_report_under_their_new_name(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(repo, "mv", "src/old.rs", "src/legacy.rs")
    lib = repo / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("mod old;", '#[path = "legacy.rs"]\nmod old;'))
    _, result = _audit(capsys, "--changed-since", "HEAD", repo)
    assert "src/legacy.rs" in {f["path"] for f in result["findings"]}
    assert "src/old.rs" not in {f["path"] for f in result["findings"]}


def test_changed_since_with_a_baseline_counts_each_finding_once(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = repo.parent / "b.json"
    _audit(capsys, "--write-baseline", baseline, repo)
    store = repo / "src" / "store.rs"
    store.write_text("//! Storage.\n\npub fn load(v: &str) -> u8 {\n    v.parse().unwrap()\n}\n")
    old = repo / "src" / "old.rs"
    old.write_text(old.read_text().replace("v.parse().unwrap()", "v.parse().unwrap_or(0)"))
    _, everything = _audit(capsys, repo)
    code, result = _audit(capsys, "--baseline", baseline, "--changed-since", "HEAD", repo)
    summary = result["summary"]
    assert code == 1
    assert [(f["path"], f["rule"]) for f in result["findings"]] == [
        ("src/store.rs", "unwrap-in-production")
    ]
    assert summary["baseline_fixed"] == 1  # old.rs's unwrap is gone
    hidden = summary["baseline_hidden"] + summary["changed_hidden"]
    assert hidden + len(result["findings"]) == len(everything["findings"])
    assert summary["changed_hidden"] == 0  # every old finding is in the baseline


@pytest.mark.parametrize(("ref", "says"), [("nope", "unknown git ref"), ("-x", "not a git ref")])
def test_errors_are_one_line_and_exit_2(
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    ref: str,
    says: str,
) -> None:
    done = run_cli([*AUDIT, f"--changed-since={ref}", str(repo)], capsys)
    assert done.code == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr
    shutil.rmtree(repo / ".git")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))
    done = run_cli([*AUDIT, "--changed-since", "HEAD", str(repo)], capsys)
    assert done.code == 2 and "not inside a git repository" in done.stderr
