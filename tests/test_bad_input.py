"""Bad input (issue 2 §6): one-line messages, never a traceback, the right exit code, the rest
of the crate still audited, and nothing written inside the audited tree."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rustpro.engine import reading
from tests.cli_support import (
    CliRun,
    assert_one_line_error,
    isolated_cache,
    run_cli,
    run_cli_process,
    tree_state,
)
from tests.support import make_crate

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")

UNWRAP = "unwrap-in-production"
# A production unwrap the audit must still find next to the bad file.
GOOD_LIB = "//! Still audited.\n\npub fn f(text: &str) -> u8 {\n    text.parse().unwrap()\n}\n"


def _audit_process(root: Path, cache: Path, *flags: str) -> CliRun:
    """Audit as a real process, proving the tree under `root` is left untouched."""
    before = tree_state(root)
    run = run_cli_process(
        ["audit", "--static", "--select", UNWRAP, "--format", "json", *flags, str(root)],
        env={"RUSTPRO_CACHE_DIR": str(cache)},
    )
    assert tree_state(root) == before, "the audit wrote inside the audited tree"
    assert "Traceback" not in run.stderr, run.stderr
    return run


def _summary(run: CliRun) -> dict[str, Any]:
    summary = json.loads(run.stdout)["summary"]
    assert isinstance(summary, dict)
    return summary


def _finding_paths(run: CliRun) -> list[str]:
    return sorted(f["path"] for f in json.loads(run.stdout)["findings"])


# ----- the audit cannot run: exit 2, one line, nothing on stdout ------------------------------
def test_nonexistent_path(tmp_path: Path, isolated_cache: Path) -> None:
    run = run_cli_process(["audit", "--static", str(tmp_path / "nope")])
    assert run.code == 2
    assert_one_line_error(run)
    assert "no such file or directory" in run.stderr
    assert run.stdout == ""


def test_directory_without_manifest(tmp_path: Path, isolated_cache: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "lib.rs").write_text("fn f() {}\n")
    run = _audit_process(tmp_path, isolated_cache)
    assert run.code == 2
    assert_one_line_error(run)
    assert "no Cargo.toml" in run.stderr
    assert run.stdout == ""


def test_file_that_is_not_a_manifest(tmp_path: Path, isolated_cache: Path) -> None:
    # A .rs file is audited in its crate's context (tests/test_cargo_conventions.py).
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB, "README.md": "# c\n"})
    run = run_cli_process(["audit", "--static", str(root / "README.md")])
    assert run.code == 2
    assert_one_line_error(run)
    assert "expected a directory, a Cargo.toml or .rs files" in run.stderr


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ('[package]\nname = "x"\nversion = 0.1.0"\n', "Cargo.toml:3: malformed TOML"),
        ('[dependencies]\nserde = "1"\n', "neither [package] nor [workspace]"),
        (b'[package]\nname = "\xff"\n', "not valid UTF-8"),
        ('[workspace]\nmembers = "crates/*"\n', "`workspace.members` must be an array"),
        ("package = 5\n", "`package` must be a table, not an integer"),
        ("workspace = 5\n", "`workspace` must be a table, not an integer"),
        ("[workspace]\nmembers = [1]\n", "`workspace.members` must be an array of paths"),
        ('[package]\nversion = "1.0.0"\n', "`package.name` must be a non-empty string"),
        ('[workspace]\nmembers = ["crates/*"]\n', "nothing to audit"),
        ("[workspace]\nmembers = []\n", "nothing to audit"),
    ],
    ids=[
        "toml-syntax",
        "no-package",
        "not-utf8",
        "members-not-array",
        "package-not-table",
        "workspace-not-table",
        "member-not-string",
        "package-without-name",
        "glob-matches-nothing",
        "no-members",
    ],
)
def test_malformed_manifest(
    tmp_path: Path, isolated_cache: Path, manifest: str | bytes, expected: str
) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB})
    data = manifest.encode() if isinstance(manifest, str) else manifest
    (root / "Cargo.toml").write_bytes(data)
    run = _audit_process(root, isolated_cache)
    assert run.code == 2
    assert_one_line_error(run)
    assert expected in run.stderr
    assert run.stdout == ""


# ----- the audit runs on what it can: a warning line per problem, the rest audited ------------
def test_missing_and_broken_workspace_members(tmp_path: Path, isolated_cache: Path) -> None:
    root = tmp_path / "ws"
    make_crate(root / "good", {"src/lib.rs": GOOD_LIB})
    make_crate(root / "broken", {"src/lib.rs": GOOD_LIB})
    (root / "broken" / "Cargo.toml").write_text("[package\n")
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["good", "missing", "broken"]\n')
    run = _audit_process(root, isolated_cache)
    assert run.code == 1  # the good member's unwrap
    assert _finding_paths(run) == ["good/src/lib.rs"]
    assert_one_line_error(run)
    assert "workspace member `missing` does not exist" in run.stderr
    assert "broken/Cargo.toml" in run.stderr


def test_non_utf8_source_is_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod latin1;\n"})
    (root / "src" / "latin1.rs").write_bytes(b"// caf\xe9\npub fn g() { None::<u8>.unwrap(); }\n")
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert "src/latin1.rs: not valid UTF-8" in run.stderr
    assert _summary(run)["skipped_files"] == 1


def test_non_utf8_file_name_is_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    # Found by this test: such a name used to crash the audit (UnicodeEncodeError, exit 2).
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB})
    (root / "src" / os.fsdecode(b"caf\xe9.rs")).write_text("pub fn g() { None::<u8>.unwrap(); }\n")
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert "src/caf\\xe9.rs: skipped: the file name is not valid UTF-8" in run.stderr
    text = run_cli_process(["audit", "--static", "--select", UNWRAP, str(root)])
    assert text.code == 1
    assert "Traceback" not in text.stderr


def test_syntax_errors_audit_the_rest_and_are_counted(tmp_path: Path, isolated_cache: Path) -> None:
    broken = (
        "pub fn broken( {\n"
        "    let = ;\n"
        "}\n\n"
        "pub fn after(text: &str) -> u8 {\n"
        "    text.parse().unwrap()\n"
        "}\n"
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod broken;\n"})
    (root / "src" / "broken.rs").write_text(broken)
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/broken.rs", "src/lib.rs"]  # past the error, too
    assert _summary(run)["parse_errors"] == 1
    assert_one_line_error(run)
    assert "src/broken.rs:1: syntax error" in run.stderr
    text = run_cli_process(["audit", "--static", "--select", UNWRAP, str(root)])
    assert "1 file(s) had syntax errors" in text.stdout


def test_empty_files(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": "", "src/main.rs": "", "tests/it.rs": ""})
    run = _audit_process(root, isolated_cache)
    assert run.code == 0
    assert run.stderr == ""
    assert _summary(run)["files"] == 3


def test_huge_generated_file_is_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod generated;\n"})
    line = b"pub const T: [u8; 4] = [1, 2, 3, 4]; // generated table row\n"
    with open(root / "src" / "generated.rs", "wb") as handle:
        handle.write(line * (10 * 1024 * 1024 // len(line) + 1))
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert "src/generated.rs: skipped: 10.0 MiB is over the 4 MiB limit" in run.stderr


def test_symlink_loops(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod a;\n"})
    os.symlink("..", root / "src" / "up")  # a directory loop
    os.symlink("b.rs", root / "src" / "a.rs")  # a file loop
    os.symlink("a.rs", root / "src" / "b.rs")
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert "src/a.rs: cannot read" in run.stderr


def test_dangling_symlink_is_unreadable(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod gone;\n"})
    os.symlink("nowhere.rs", root / "src" / "gone.rs")
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert_one_line_error(run)
    assert "src/gone.rs: cannot read: No such file or directory" in run.stderr


def test_permission_denied_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, where chmod 000 does not stop reads, so the denial is simulated.
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod secret;\n"})
    secret = root / "src" / "secret.rs"
    secret.write_text("pub fn s() { None::<u8>.unwrap(); }\n")
    real_open: Callable[[Path], int] = reading._open_source

    def open_file(path: Path) -> int:
        if path.name == "secret.rs":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path)

    monkeypatch.setattr(reading, "_open_source", open_file)
    run = run_cli(["audit", "--static", "--no-cache", "--select", UNWRAP, str(root)], capsys)
    assert run.code == 1
    assert "src/lib.rs:4:" in run.stdout
    assert_one_line_error(run)
    assert "src/secret.rs: cannot read: Permission denied" in run.stderr


def _deny_directory(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Make `directory` behave as after `chmod 000` for a user who does not own it: it can
    be stat'ed but not listed, and nothing under it can be stat'ed or opened. Tests run as
    root, which chmod does not stop, so the denial is simulated."""
    denied = str(directory)

    def under(path: object) -> bool:
        if isinstance(path, int):
            return False
        text = os.fsdecode(os.fspath(path))  # type: ignore[call-overload]
        return text.startswith(denied + os.sep)

    def refuse(path: object) -> PermissionError:
        return PermissionError(13, "Permission denied", os.fsdecode(os.fspath(path)))  # type: ignore[call-overload]

    def guarded(real: Callable[..., Any], *, listing: bool) -> Callable[..., Any]:
        def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            if under(path) or (listing and not isinstance(path, int) and os.fspath(path) == denied):
                raise refuse(path)
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "stat", guarded(os.stat, listing=False))
    monkeypatch.setattr(os, "lstat", guarded(os.lstat, listing=False))
    monkeypatch.setattr(os, "scandir", guarded(os.scandir, listing=True))
    monkeypatch.setattr(os, "listdir", guarded(os.listdir, listing=True))
    monkeypatch.setattr(reading, "_open_source", guarded(reading._open_source, listing=False))


def test_unreadable_directories_are_warnings_and_the_rest_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11 §6: `chmod 000` on a module directory or on tests/ used to drop their files
    # without a word; now each is one warning line, and the rest is audited.
    root = make_crate(
        tmp_path / "c",
        {
            "src/lib.rs": GOOD_LIB + "mod inner;\n",
            "src/inner/mod.rs": "pub fn g() { None::<u8>.unwrap(); }\n",
            "tests/it.rs": "#[test]\nfn t() {}\n",
        },
    )
    _deny_directory(monkeypatch, root / "src" / "inner")
    _deny_directory(monkeypatch, root / "tests")
    run = run_cli(
        ["audit", "--static", "--no-cache", "-j", "1", "--select", UNWRAP, str(root)], capsys
    )
    assert run.code == 1
    assert "src/lib.rs:4:" in run.stdout
    assert_one_line_error(run)
    assert "src/inner/: cannot read the directory: Permission denied" in run.stderr
    assert "tests/: cannot read the directory: Permission denied" in run.stderr


def test_an_unreadable_src_is_nothing_to_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11 §6: `chmod 000 src` as a non-root user was `internal error: PermissionError`.
    # Nothing readable is left, and a gate that read nothing must not pass: exit 2.
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB, "src/main.rs": "fn main() {}\n"})
    _deny_directory(monkeypatch, root / "src")
    run = run_cli(["audit", "--static", "--no-cache", "-j", "1", str(root)], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "internal error" not in run.stderr
    assert "nothing to audit: no source file could be read (src/ cannot be read)" in run.stderr
    assert run.stdout == ""
    profiled = run_cli(["profile", str(root)], capsys)  # profile answers with what it has
    assert profiled.code == 0, profiled.stderr
    assert "src/: cannot read the directory: Permission denied" in profiled.stdout


def _unprivileged_python_works() -> bool:
    """Whether `unshare -U` can run this Python as an unprivileged user (not in every
    container): there, chmod 000 holds even for root's files."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    try:
        done = subprocess.run(
            ["unshare", "-U", sys.executable, "-c", "import rustpro"],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@pytest.mark.skipif(not _unprivileged_python_works(), reason="needs `unshare -U` (user namespaces)")
def test_chmod_000_for_real_in_a_user_namespace(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod inner;\n"})
    make_crate(root, {"src/inner/mod.rs": "pub fn g() {}\n"})
    os.chmod(isolated_cache, 0o777)
    os.chmod(root / "src" / "inner", 0)
    try:
        command = ["unshare", "-U", sys.executable, "-m", "rustpro", "audit", "--static"]
        partly = subprocess.run(
            [*command, "--select", UNWRAP, str(root)], capture_output=True, text=True, timeout=120
        )
        assert partly.returncode == 1, partly.stderr
        assert "src/inner/: cannot read the directory: Permission denied" in partly.stderr
        os.chmod(root / "src", 0)
        nothing = subprocess.run([*command, str(root)], capture_output=True, text=True, timeout=120)
        assert nothing.returncode == 2
        assert "nothing to audit" in nothing.stderr and "Traceback" not in nothing.stderr
    finally:
        os.chmod(root / "src", 0o755)
        os.chmod(root / "src" / "inner", 0o755)


LONG = "n" * 300  # over the 255 bytes a file name may have


def test_paths_over_255_bytes_on_the_command_line(tmp_path: Path, isolated_cache: Path) -> None:
    # Issue 11 §6: a path over 255 bytes was `internal error: OSError: File name too long`.
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB})
    for args in (
        ["audit", "--static", str(root / LONG)],
        ["audit", "--static", str(root / "src" / f"{LONG}.rs")],
        ["audit", "--static", "--manifest-path", str(root / LONG / "Cargo.toml")],
        ["profile", str(root / LONG)],
    ):
        run = run_cli_process(args)
        assert run.code == 2, args
        assert_one_line_error(run)
        assert "File name too long" in run.stderr
        assert "internal error" not in run.stderr


def test_paths_over_255_bytes_inside_the_crate(tmp_path: Path, isolated_cache: Path) -> None:
    lib = GOOD_LIB + f'mod {LONG};\n#[path = "{LONG}.rs"]\nmod long_path;\n'
    manifest = (
        '[package]\nname = "c"\nversion = "0.1.0"\nedition = "2021"\n'
        f'[[bin]]\nname = "b"\npath = "src/{LONG}.rs"\n[[test]]\nname = "t"\npath = "{LONG}/t.rs"\n'
    )
    make_crate(tmp_path / "ws" / "c", {"src/lib.rs": lib}, manifest)
    (tmp_path / "ws" / "Cargo.toml").write_text(f'[workspace]\nmembers = ["c", "{LONG}"]\n')
    run = _audit_process(tmp_path / "ws", isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["c/src/lib.rs"]
    assert_one_line_error(run)
    assert "internal error" not in run.stderr


def test_missing_module_file_and_odd_paths(tmp_path: Path, isolated_cache: Path) -> None:
    lib = GOOD_LIB + 'mod nowhere;\n#[path = "../../outside.rs"]\nmod outside;\n'
    root = make_crate(tmp_path / "c", {"src/lib.rs": lib, "src/dir.rs/inner.rs": "fn x() {}\n"})
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]


def test_deeply_nested_source(tmp_path: Path, isolated_cache: Path) -> None:
    depth = 20_000
    nested = "pub fn deep() -> u8 { " + "(" * depth + "1" + ")" * depth + " }\n"
    braces = "pub fn blocks() { " + "{" * depth + "}" * depth + " }\n"
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + nested + braces})
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]


def test_internal_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A bug anywhere in the engine still ends as one line and exit 2, never a traceback.
    import rustpro.cli

    def explode(*_args: object, **_kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(rustpro.cli, "run_audit", explode)
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB})
    run = run_cli(["audit", "--static", str(root)], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert "internal error: ValueError: boom" in run.stderr


# ----- nothing outside the audited root is read ------------------------------------------------
def test_members_outside_the_root_are_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    make_crate(tmp_path / "outside", {"src/lib.rs": GOOD_LIB})
    root = tmp_path / "ws"
    make_crate(root / "inside", {"src/lib.rs": GOOD_LIB})
    (root / "Cargo.toml").write_text(
        f'[workspace]\nmembers = ["inside", "../outside", "{tmp_path / "outside"}"]\n'
    )
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["inside/src/lib.rs"]
    assert_one_line_error(run)
    assert "is outside the audited root" in run.stderr


# What files outside the root hold: a line of `/etc/shadow`, and a line that is a finding, so a
# frame would print it, if the file were ever read.
SHADOW = "root:SECRET-HASH:19000:0:99999:7:::\n"
LEAK = "pub fn leak(x: Option<u8>) -> u8 { x.unwrap() } // SECRET-IN-CODE\n"


def _audit_text_and_json(root: Path, cache: Path) -> tuple[CliRun, CliRun]:
    """The same audit in both formats, with the checks that hold for both: nothing written,
    no traceback, every stderr line one `rustpro:` message, nothing of the outside files."""
    runs = (_audit_process(root, cache, "--format", "text"), _audit_process(root, cache))
    for run in runs:
        assert "SECRET" not in run.stdout + run.stderr
        assert_one_line_error(run)
    return runs


def test_a_symlinked_source_outside_the_root_is_never_printed(
    tmp_path: Path, isolated_cache: Path
) -> None:
    secret = tmp_path / "shadow"
    secret.write_text(SHADOW + LEAK)
    root = make_crate(tmp_path / "c", {"src/main.rs": GOOD_LIB + "mod util;\nfn main() {}\n"})
    os.symlink(secret, root / "src" / "lib.rs")
    os.symlink(secret, root / "src" / "util.rs")
    text, data = _audit_text_and_json(root, isolated_cache)
    for run in (text, data):
        assert run.code == 1  # src/main.rs's own unwrap: the rest is audited
        assert "src/lib.rs: skipped: it resolves to" in run.stderr
        assert "src/util.rs: skipped: it resolves to" in run.stderr
    assert _finding_paths(data) == ["src/main.rs"]
    assert (_summary(data)["files"], _summary(data)["parse_errors"]) == (1, 0)
    assert "--> src/main.rs:4:" in text.stdout
    assert "src/lib.rs" not in text.stdout and "src/util.rs" not in text.stdout


def _manifest(name: str) -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n'


def _outside_directory(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("lib.rs", "mod.rs"):
        (outside / name).write_text("//! Outside.\nmod inner;\n" + LEAK)
    (outside / "inner.rs").write_text(SHADOW + LEAK)
    return outside


def test_a_symlinked_module_directory_outside_the_root_is_never_read(
    tmp_path: Path, isolated_cache: Path
) -> None:
    # Issue 11 §1: "a file (or directory) whose real path is outside the audited root is never
    # read". The walk never followed directory symlinks; the module tree must not either, nor
    # a `#[path]` that climbs out of the root.
    outside = _outside_directory(tmp_path)
    lib = GOOD_LIB + 'mod sub;\n#[path = "../../outside/lib.rs"]\nmod climbs;\n'
    root = make_crate(tmp_path / "c", {"src/lib.rs": lib})
    os.symlink(outside, root / "src" / "sub")
    text, data = _audit_text_and_json(root, isolated_cache)
    for run in (text, data):
        assert run.code == 1
        assert f"src/sub/mod.rs: skipped: it resolves to {outside / 'mod.rs'}" in run.stderr
        assert f"{outside / 'lib.rs'}: skipped: a module outside the audited root" in run.stderr
        assert "inner.rs" not in run.stderr  # never read, so its `mod inner;` is never seen
    assert _finding_paths(data) == ["src/lib.rs"]
    assert (_summary(data)["files"], _summary(data)["parse_errors"]) == (1, 0)
    assert "src/sub" not in text.stdout


def test_a_symlinked_src_outside_the_root_is_never_read(
    tmp_path: Path, isolated_cache: Path
) -> None:
    outside = _outside_directory(tmp_path)
    root = tmp_path / "ws"
    make_crate(root / "good", {"src/lib.rs": GOOD_LIB}, _manifest("good"))
    make_crate(root / "linked", {}, _manifest("linked"))
    os.symlink(outside, root / "linked" / "src")
    (root / "Cargo.toml").write_text('[workspace]\nmembers = ["good", "linked"]\n')
    text, data = _audit_text_and_json(root, isolated_cache)
    for run in (text, data):
        assert run.code == 1
        assert "linked/src/lib.rs: skipped: it resolves to" in run.stderr
    assert _finding_paths(data) == ["good/src/lib.rs"]
    assert "linked/src" not in text.stdout
    # With nothing else to audit, the audit read nothing: it passes no gate (exit 2).
    alone = _audit_process(root / "linked", isolated_cache)
    assert alone.code == 2
    assert_one_line_error(alone)
    assert "SECRET" not in alone.stderr
    assert (
        "nothing to audit: no source file could be read (src/lib.rs: skipped: it resolves to"
        in (alone.stderr)
    )
    assert alone.stdout == ""


def test_profile_never_reads_sources_outside_the_root(tmp_path: Path, isolated_cache: Path) -> None:
    outside = _outside_directory(tmp_path)
    root = make_crate(
        tmp_path / "c", {"src/main.rs": GOOD_LIB + "mod util;\nmod sub;\nfn main() {}\n"}
    )
    os.symlink(outside / "lib.rs", root / "src" / "lib.rs")
    os.symlink(outside / "inner.rs", root / "src" / "util.rs")
    os.symlink(outside, root / "src" / "sub")
    before = tree_state(root)
    run = run_cli_process(["profile", "--format", "json", str(root)])
    assert tree_state(root) == before
    assert run.code == 0, run.stderr
    assert "SECRET" not in run.stdout + run.stderr
    profile = json.loads(run.stdout)
    assert profile["files"] == 1  # src/main.rs
    assert sorted(w.split(":", 1)[0] for w in profile["warnings"]) == [
        "src/lib.rs",
        "src/sub/mod.rs",
        "src/util.rs",
    ]
    assert all("outside the audited root" in w for w in profile["warnings"])


# ----- only regular files are read; reading never blocks and never runs away -------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_and_devices_are_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod pipe;\nmod zero;\n"})
    os.mkfifo(root / "src" / "pipe.rs")  # opening it for reading would wait for a writer
    os.symlink("/dev/zero", root / "src" / "zero.rs")  # size 0 to fstat, endless to read
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert "src/pipe.rs: skipped: not a regular file (a FIFO)" in run.stderr
    # /dev/zero lies outside the audited root, which is checked first.
    assert "src/zero.rs: skipped" in run.stderr


def _zero_device(path: Path) -> bool:
    """Make `path` a character device that reads like /dev/zero; False where that is not
    allowed (creating device nodes needs CAP_MKNOD; a container may forbid opening them)."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (AttributeError, OSError):
        return False
    try:
        return os.read(descriptor, 1) == b"\0"
    finally:
        os.close(descriptor)


def test_a_device_inside_the_root_is_skipped(tmp_path: Path, isolated_cache: Path) -> None:
    # Issue 11 §2: `src/zero.rs` a device read until memory ran out (fstat says size 0). Here
    # it lies inside the root, so only the reader's own check (regular files only) stops it.
    root = make_crate(tmp_path / "c", {"src/lib.rs": GOOD_LIB + "mod zero;\n"})
    if not _zero_device(root / "src" / "zero.rs"):
        pytest.skip("cannot create and open a device node here (needs CAP_MKNOD)")
    message = "src/zero.rs: skipped: not a regular file (a device)"
    run = _audit_process(root, isolated_cache)
    assert run.code == 1
    assert _finding_paths(run) == ["src/lib.rs"]
    assert_one_line_error(run)
    assert message in run.stderr
    profiled = run_cli_process(["profile", "--format", "json", str(root)])
    assert profiled.code == 0, profiled.stderr
    assert message in json.loads(profiled.stdout)["warnings"]


def _bytes_read_by_this_process() -> int:
    """What every read() of this process has returned so far (Linux's /proc/self/io)."""
    with open("/proc/self/io") as counters:
        for line in counters:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def _can_count_reads() -> bool:
    try:
        _bytes_read_by_this_process()
    except (OSError, AssertionError):
        return False
    return True


@pytest.mark.skipif(not _can_count_reads(), reason="needs /proc/self/io (Linux)")
def test_read_source_stops_at_the_limit_whatever_fstat_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11 §2: the size limit holds for the bytes actually read. A regular file can hold
    # more than fstat says (files under /proc report size 0; a file still being written grows
    # after the stat): the reader stops one byte past the limit instead of reading it all.
    limit = 1 << 20
    big = tmp_path / "growing.rs"
    big.write_bytes(b"x" * (8 * limit))
    real_fstat = os.fstat

    def fstat_says_empty(descriptor: int) -> os.stat_result:
        status = real_fstat(descriptor)
        fields = list(status[:10])
        fields[stat.ST_SIZE] = 0
        return os.stat_result(fields)

    with monkeypatch.context() as patch:
        patch.setattr(os, "fstat", fstat_says_empty)
        before = _bytes_read_by_this_process()
        with pytest.raises(reading.SourceSkipped, match="over the 1 MiB limit"):
            reading.read_source(big, max_bytes=limit)
        read = _bytes_read_by_this_process() - before
    assert read < 2 * limit, f"read {read} bytes of an 8 MiB file for a 1 MiB limit"


def test_read_source_rejects_devices_and_bounds_what_it_reads(tmp_path: Path) -> None:
    with pytest.raises(reading.SourceSkipped, match="not a regular file"):
        reading.read_source(Path("/dev/zero"), max_bytes=1024)
    big = tmp_path / "big.rs"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(reading.SourceSkipped, match="over the"):
        reading.read_source(big, max_bytes=4096)
    assert reading.read_source(big, max_bytes=5000) == b"x" * 5000
