"""`rustpro new` without building anything: names, kinds, editions and MSRVs, what each
template contains, and how the project is put in place (atomically, never over the user's
files without --force, with git and inside workspaces). tests/test_templates.py builds them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from rustpro.errors import CrateNameError, NewProjectError, UsageError
from rustpro.new import create as create_module
from rustpro.new.create import NewRequest, create, plan
from rustpro.new.kinds import all_kinds, dependencies, kind_named, parse_rust_version
from rustpro.new.names import check_name, problem_with, suggest
from rustpro.new.render import ProjectSpec, render, template_names, used_dependencies
from rustpro.new.workspace import Membership, workspace_hint
from tests.cli_support import run_cli

KINDS = list(all_kinds())
TEMPLATES = Path(__file__).resolve().parent.parent / "src" / "rustpro" / "templates"
HAS_GIT = shutil.which("git") is not None
HAS_RUSTFMT = shutil.which("rustfmt") is not None


@pytest.fixture(autouse=True)
def no_cargo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No Cargo.lock generation (it would reach crates.io): cargo is 'not installed'."""
    monkeypatch.setenv("CARGO", "/nonexistent/cargo")
    yield


def _files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }


def _spec(kind: str, edition: str = "2024", msrv: str | None = None) -> ProjectSpec:
    spec, _ = plan(NewRequest(kind, "demo-app", Path("/nonexistent/demo"), edition, msrv))
    return spec


# --- names ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "my-app", "my_app", "app2", "x" * 64, "rust-tools"])
def test_good_names_are_accepted(name: str) -> None:
    check_name(name)


@pytest.mark.parametrize(
    ("name", "problem", "suggestion"),
    [
        ("", "empty", "my-project"),
        ("My App", "lowercase", "my-app"),
        ("my app", "letters, digits", "my-app"),
        ("2d-engine", "start with a digit", "d-engine"),
        ("-app", "starts with a letter", "app"),
        ("crème", "ASCII", "cr-me"),
        ("fn", "keyword", "my-fn"),
        ("self", "keyword", "my-self"),
        ("gen", "keyword", "my-gen"),
        ("test", "standard distribution", "my-test"),
        ("std", "standard distribution", "my-std"),
        ("proc-macro", "standard distribution", "my-proc-macro"),
        ("deps", "target/", "my-deps"),
        ("incremental", "target/", "my-incremental"),
        ("con", "Windows", "my-con"),
        ("lpt1", "Windows", "my-lpt1"),
        ("a" * 65, "64 characters", "a" * 64),
    ],
)
def test_bad_names_are_refused_with_a_working_suggestion(
    name: str, problem: str, suggestion: str
) -> None:
    with pytest.raises(CrateNameError) as refused:
        check_name(name)
    assert problem in refused.value.problem
    assert refused.value.suggestion == suggestion
    assert problem_with(suggestion) is None
    assert f"try `{suggestion}`" in str(refused.value)


def test_a_name_taken_by_a_dependency_is_refused() -> None:
    with pytest.raises(CrateNameError, match="depends on a crate of that name"):
        create(NewRequest("service", "tokio-util", Path("/nonexistent/x")))
    with pytest.raises(CrateNameError, match="try `my-tokio`"):
        check_name("tokio", {"tokio", "axum"})


@given(st.text(max_size=80))
def test_every_suggestion_is_a_good_name(name: str) -> None:
    assert problem_with(suggest(name, {"tokio"}), {"tokio"}) is None


# --- kinds, editions, MSRV ----------------------------------------------------------------


def test_list_shows_every_kind_with_a_description(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["new", "--list"], capsys)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "lib",
        "cli",
        "service",
        "stream",
        "ffi",
        "workspace",
    ]
    assert all(len(line.split(maxsplit=1)[1]) > 20 for line in lines)


def test_help_names_the_patterns_of_every_kind(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["new", "--help"], capsys)
    assert run.code == 0
    for kind in all_kinds().values():
        assert f"{kind.name}: " in run.stdout
        for pattern in kind.patterns:
            assert pattern.split()[0] in run.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    missing = run_cli(["new", "lib"], capsys)
    assert missing.code == 2
    assert "KIND and NAME" in missing.stderr
    unknown = run_cli(["new", "daemon", "x", "--path", "/nonexistent/x"], capsys)
    assert unknown.code == 2
    assert "unknown kind `daemon`: choose one of lib, cli, service" in unknown.stderr
    old_rust = run_cli(
        ["new", "service", "svc", "--msrv", "1.80", "--path", "/nonexistent/x"], capsys
    )
    assert old_rust.code == 2
    assert "rustpro: error: --msrv 1.80 is below what the service template needs" in (
        old_rust.stderr
    )
    assert f"tokio {dependencies()['tokio'].version} needs Rust 1.85" in old_rust.stderr
    bad_name = run_cli(["new", "lib", "Bad Name"], capsys)
    assert bad_name.code == 2
    assert "rustpro: error: invalid package name `Bad Name`" in bad_name.stderr


@pytest.mark.parametrize(
    ("kind", "edition", "expected"),
    [
        # proptest 1.12 needs 1.88 (criterion 1.86); the rest need tokio's or clap's 1.85,
        # which is also edition 2024's.
        ("lib", "2024", "1.88"),
        ("lib", "2021", "1.88"),
        ("cli", "2024", "1.85"),
        ("service", "2021", "1.85"),
        ("stream", "2024", "1.85"),
        ("workspace", "2021", "1.85"),
        ("ffi", "2024", "1.85"),
        # `unsafe extern` blocks need 1.82, more than thiserror's 1.77.
        ("ffi", "2021", "1.82"),
    ],
)
def test_rust_version_is_the_lowest_the_edition_and_dependencies_allow(
    kind: str, edition: str, expected: str
) -> None:
    assert str(_spec(kind, edition).rust_version) == expected


def test_a_higher_msrv_is_declared_as_given() -> None:
    spec = _spec("cli", "2024", "1.90.1")
    assert str(spec.rust_version) == "1.90.1"
    manifest = tomllib.loads(render(spec)["Cargo.toml"])
    assert manifest["package"]["rust-version"] == "1.90.1"


def test_an_msrv_below_a_dependency_names_it() -> None:
    with pytest.raises(UsageError) as refused:
        _spec("service", "2021", "1.80")
    message = str(refused.value)
    assert "--msrv 1.80 is below what the service template needs" in message
    assert f"tokio {dependencies()['tokio'].version} needs Rust 1.85" in message
    assert "axum" not in message  # axum needs only 1.80
    assert message.endswith("use --msrv 1.85 or later")


def test_an_msrv_below_the_edition_names_the_edition() -> None:
    with pytest.raises(UsageError, match=r"edition 2024 needs Rust 1\.85"):
        _spec("ffi", "2024", "1.84")
    with pytest.raises(UsageError, match=r"the ffi template's code needs Rust 1\.82"):
        _spec("ffi", "2021", "1.81")


@pytest.mark.parametrize("text", ["abc", "1", "1.x", "2.0", "1.85.0.1", ""])
def test_a_malformed_msrv_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_rust_version(text)


@pytest.mark.parametrize(
    ("kind", "edition", "msrv", "resolver"),
    [
        ("cli", "2021", None, "3"),  # 1.85: MSRV-aware resolution
        ("ffi", "2021", None, "2"),  # 1.82 knows no resolver 3
        ("ffi", "2021", "1.84", "3"),
    ],
)
def test_edition_2021_packages_name_their_resolver(
    kind: str, edition: str, msrv: str | None, resolver: str
) -> None:
    manifest = tomllib.loads(render(_spec(kind, edition, msrv))["Cargo.toml"])
    assert manifest["package"]["edition"] == edition
    assert manifest["package"]["resolver"] == resolver


def test_edition_2024_implies_resolver_3() -> None:
    manifest = tomllib.loads(render(_spec("cli"))["Cargo.toml"])
    assert "resolver" not in manifest["package"]
    workspace = tomllib.loads(render(_spec("workspace"))["Cargo.toml"])
    assert workspace["workspace"]["resolver"] == "3"


# --- what every template holds --------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_has_the_project_files(kind: str) -> None:
    files = render(_spec(kind))
    for common in (
        "Cargo.toml",
        "README.md",
        "rustfmt.toml",
        "clippy.toml",
        "deny.toml",
        ".gitignore",
        ".github/workflows/ci.yml",
    ):
        assert common in files, common
    for path, text in files.items():
        assert text.endswith("\n") and not text.endswith("\n\n"), path
        assert "{{" not in text or path.endswith(".yml"), path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("edition", ["2021", "2024"])
def test_manifests_declare_edition_rust_version_and_lints(kind: str, edition: str) -> None:
    spec = _spec(kind, edition)
    manifest = tomllib.loads(render(spec)["Cargo.toml"])
    if kind == "workspace":
        package, lints = manifest["workspace"]["package"], manifest["workspace"]["lints"]
    else:
        package, lints = manifest["package"], manifest["lints"]
    assert package["edition"] == edition
    assert package["rust-version"] == str(spec.rust_version)
    assert lints["clippy"]["pedantic"] == {"level": "warn", "priority": -1}
    assert lints["clippy"]["unwrap_used"] == "warn"
    assert lints["clippy"]["expect_used"] == "warn"
    assert lints["rust"]["unsafe_code"] == ("deny" if kind == "ffi" else "forbid")


def test_workspace_members_inherit_everything() -> None:
    files = render(_spec("workspace"))
    root = tomllib.loads(files["Cargo.toml"])
    assert "package" not in root, "a virtual manifest"
    assert root["workspace"]["members"] == ["crates/*"]
    assert "demo-app-core" in root["workspace"]["dependencies"]
    for member in ("crates/core/Cargo.toml", "crates/cli/Cargo.toml"):
        manifest = tomllib.loads(files[member])
        package = manifest["package"]
        for key in ("version", "edition", "rust-version", "license", "publish"):
            assert package[key] == {"workspace": True}, (member, key)
        assert manifest["lints"] == {"workspace": True}
        assert all(spec == {"workspace": True} for spec in manifest["dependencies"].values())


@pytest.mark.parametrize("kind", KINDS)
def test_dependencies_are_pinned_from_the_table(kind: str) -> None:
    used = used_dependencies(kind_named(kind))
    table = dependencies()
    assert used <= table.keys()
    text = "\n".join(t for p, t in render(_spec(kind)).items() if p.endswith("Cargo.toml"))
    for name in used:
        assert f'"{table[name].version}"' in text, name


def test_every_dependency_in_the_table_is_used() -> None:
    used = set().union(*(used_dependencies(kind) for kind in all_kinds().values()))
    assert used == dependencies().keys()


@pytest.mark.parametrize("kind", KINDS)
def test_readme_says_how_to_build_test_run_and_audit_and_names_the_patterns(kind: str) -> None:
    spec = _spec(kind)
    readme = render(spec)["README.md"]
    assert readme.startswith("# demo-app\n")
    for command in ("cargo build", "cargo test", "cargo clippy", "rustpro audit"):
        assert command in readme, command
    for pattern in spec.kind.patterns:
        assert pattern in readme


@pytest.mark.parametrize("kind", KINDS)
def test_workflow_runs_every_gate_and_uploads_sarif(kind: str) -> None:
    spec = _spec(kind)
    workflow = yaml.safe_load(render(spec)[".github/workflows/ci.yml"])
    runs = [
        step.get("run", "")
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if isinstance(step, dict)
    ]
    script = "\n".join(runs)
    assert "cargo fmt --all --check" in script
    assert re.search(r"cargo clippy.* --all-targets.* -- -D warnings", script)
    assert "cargo test" in script
    assert "rustpro audit --format sarif --output rustpro.sarif" in script
    uploads = [
        step
        for step in workflow["jobs"]["audit"]["steps"]
        if step.get("uses", "").startswith("github/codeql-action/upload-sarif")
    ]
    assert uploads and uploads[0]["with"]["sarif_file"] == "rustpro.sarif"
    assert workflow["jobs"]["audit"]["permissions"]["security-events"] == "write"
    assert workflow["jobs"]["msrv"]["steps"][1]["with"]["toolchain"] == str(spec.rust_version)
    assert ("--locked" in script) == spec.kind.lockfile


def test_only_the_ffi_template_has_unsafe_code() -> None:
    for kind in KINDS:
        code = "\n".join(t for p, t in render(_spec(kind)).items() if p.endswith(".rs"))
        assert ("unsafe {" in code) == (kind == "ffi"), kind


def test_ffi_documents_every_unsafe_fn_and_block() -> None:
    files = render(_spec("ffi"))
    for path, text in files.items():
        if not path.endswith(".rs"):
            continue
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if "unsafe {" in line and "SAFETY" not in line:
                before = "\n".join(lines[max(0, number - 4) : number])
                assert "// SAFETY:" in before, f"{path}:{number + 1}"
            if re.search(r"\b(pub )?(unsafe )?fn \w+\(", line) and (
                "unsafe fn" in line or "sys.rs" in path
            ):
                docs = "\n".join(lines[max(0, number - 12) : number])
                assert "# Safety" in docs, f"{path}:{number + 1}"


def test_templates_ship_as_package_data() -> None:
    """Every template is a `.j2` file (or a data file at the top), none hidden: the
    package-data globs in pyproject.toml ship them all."""
    for path in TEMPLATES.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(TEMPLATES)
        assert not any(part.startswith(".") for part in relative.parts), relative
        assert path.suffix == ".j2" or relative.as_posix() in (
            "kinds.toml",
            "dependencies.toml",
            "README.md",
        ), relative
    pyproject = tomllib.loads((TEMPLATES.parents[2] / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["setuptools"]["package-data"]["rustpro"]
    assert {"templates/*.toml", "templates/**/*.j2"} <= set(shipped)


def test_kinds_override_common_files_by_path() -> None:
    names = template_names("lib")
    assert names["rustfmt.toml"] == "common/rustfmt.toml.j2"
    assert names["README.md"] == "lib/README.md.j2"
    assert not any(name.startswith("_partials/") for name in names.values())


@pytest.mark.skipif(not HAS_RUSTFMT, reason="rustfmt is not installed")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("edition", ["2021", "2024"])
def test_templates_are_formatted_as_written(kind: str, edition: str, tmp_path: Path) -> None:
    """rustfmt changes nothing in the rendered code (`rustpro new` also runs it, for names
    long enough to reflow a line; this keeps the templates themselves formatted)."""
    spec, _ = plan(NewRequest(kind, "zzqx", tmp_path / "zzqx", edition))
    for relpath, text in render(spec).items():
        path = tmp_path / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sources = sorted(str(p) for p in tmp_path.rglob("*.rs"))
    check = subprocess.run(
        ["rustfmt", "--check", "--edition", edition, *sources],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.skipif(not HAS_RUSTFMT, reason="rustfmt is not installed")
def test_a_long_name_still_comes_out_formatted(tmp_path: Path) -> None:
    name = "a-very-long-package-name-that-pushes-every-line-it-is-on-past-100"[:64]
    outcome = create(NewRequest("cli", name, tmp_path / "long", git=False))
    assert outcome.rustfmt == "formatted"
    sources = sorted(str(p) for p in (tmp_path / "long").rglob("*.rs"))
    check = subprocess.run(
        ["rustfmt", "--check", "--edition", "2024", *sources],
        cwd=tmp_path / "long",
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout


# --- putting the project in place -----------------------------------------------------------


def test_a_project_is_created_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "demo"
    outcome = create(NewRequest("lib", "demo", target, git=False))
    assert outcome.directory == target
    assert _files(target) == set(outcome.files)
    assert "not generated" in outcome.lockfile
    assert list(tmp_path.glob("**/.demo.rustpro-new-*")) == []
    mode = target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask, "the staging directory's 0700 is not kept"


def test_the_default_directory_is_the_name_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli(["new", "lib", "here", "--no-git"], capsys)
    assert run.code == 0, run.stderr
    assert (tmp_path / "here" / "Cargo.toml").is_file()
    assert "Created lib `here` in here (edition 2024, rust-version 1.88" in run.stdout
    assert "  cd here\n" in run.stdout


def test_a_non_empty_directory_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(NewProjectError, match=r"is not empty \(notes.txt\).*--force"):
        create(NewRequest("lib", "taken", target))
    assert _files(target) == {"notes.txt"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_file_in_the_way_is_refused_even_with_force(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(NewProjectError, match="is not a directory"):
        create(NewRequest("lib", "file", tmp_path / "file", force=True))


def test_an_empty_directory_is_filled(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    outcome = create(NewRequest("lib", "empty", target, git=False))
    assert _files(target) == set(outcome.files)
    assert outcome.replaced == [] and outcome.backup is None


def test_force_backs_up_what_it_replaces_and_leaves_the_rest(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    (target / "src").mkdir(parents=True)
    (target / "Cargo.toml").write_text("[package]\nname = 'old'\n")
    (target / "notes.txt").write_text("keep me")
    (target / "src" / "extra.rs").write_text("// mine")
    rendered = render(_spec("lib"))
    (target / "rustfmt.toml").write_text(rendered["rustfmt.toml"])  # identical: untouched
    outcome = create(NewRequest("lib", "proj", target, force=True, git=False))

    assert outcome.replaced == ["Cargo.toml"]
    assert outcome.backup is not None
    assert outcome.backup.parent == tmp_path
    assert outcome.backup.name.startswith("proj.rustpro-backup-")
    assert (outcome.backup / "Cargo.toml").read_text() == "[package]\nname = 'old'\n"
    assert (target / "notes.txt").read_text() == "keep me"
    assert (target / "src" / "extra.rs").read_text() == "// mine"
    assert (target / "Cargo.toml").read_text().startswith('[package]\nname = "proj"')
    assert _files(target) == set(outcome.files) | {"notes.txt", "src/extra.rs"}


def test_force_moves_a_file_that_stands_where_a_directory_goes(tmp_path: Path) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "src").write_text("not a directory")
    outcome = create(NewRequest("lib", "proj", target, force=True, git=False))
    assert outcome.replaced == ["src"]
    assert outcome.backup is not None
    assert (outcome.backup / "src").read_text() == "not a directory"
    assert (target / "src" / "lib.rs").is_file()


def test_force_output_lists_the_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "README.md").write_text("old")
    run = run_cli(["new", "lib", "proj", "--path", str(target), "--force", "--no-git"], capsys)
    assert run.code == 0, run.stderr
    assert "replaced 1 file(s); the originals are in" in run.stdout
    assert "    README.md\n" in run.stdout


def test_a_failure_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> str:
        raise OSError(28, "No space left on device", "Cargo.lock")

    monkeypatch.setattr(create_module, "_lockfile", broken)
    target = tmp_path / "new" / "proj"
    with pytest.raises(NewProjectError, match="No space left on device"):
        create(NewRequest("lib", "proj", target))
    assert list(tmp_path.iterdir()) == [], "the staging directory and new parents are gone"


def test_a_failed_merge_puts_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "proj"
    target.mkdir()
    (target / "Cargo.toml").write_text("mine")
    real_rename = os.rename
    moved: list[str] = []

    def flaky_rename(source: str | Path, dest: str | Path) -> None:
        moved.append(str(dest))
        if len(moved) == 5:
            raise OSError(13, "Permission denied", str(dest))
        real_rename(source, dest)

    monkeypatch.setattr(os, "rename", flaky_rename)
    with pytest.raises(NewProjectError, match="Permission denied"):
        create(NewRequest("lib", "proj", target, force=True, git=False))
    monkeypatch.undo()
    assert _files(target) == {"Cargo.toml"}
    assert (target / "Cargo.toml").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["proj"]


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_init_outside_a_repository(tmp_path: Path) -> None:
    outcome = create(NewRequest("lib", "proj", tmp_path / "proj"))
    assert outcome.git == "initialised a new repository"
    assert (tmp_path / "proj" / ".git" / "HEAD").is_file()


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_no_git_init_inside_a_repository(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    outcome = create(NewRequest("lib", "proj", tmp_path / "sub" / "proj"))
    assert outcome.git == "not initialised: the directory is already inside a git repository"
    assert not (tmp_path / "sub" / "proj" / ".git").exists()


def test_no_git_skips_git(tmp_path: Path) -> None:
    outcome = create(NewRequest("lib", "proj", tmp_path / "proj", git=False))
    assert outcome.git == "not initialised (--no-git)"
    assert not (tmp_path / "proj" / ".git").exists()


def _workspace(root: Path, members: str = '["crates/*"]', exclude: str = "[]") -> bytes:
    root.mkdir(parents=True, exist_ok=True)
    text = f'[workspace]\nmembers = {members}\nexclude = {exclude}\nresolver = "3"\n'
    (root / "Cargo.toml").write_text(text)
    return text.encode()


def test_inside_a_workspace_the_member_line_is_offered_and_the_manifest_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = _workspace(tmp_path / "ws")
    target = tmp_path / "ws" / "tools" / "helper"
    run = run_cli(["new", "cli", "helper", "--path", str(target), "--no-git"], capsys)
    assert run.code == 0, run.stderr
    assert 'add "tools/helper" to `members`' in run.stdout
    assert "rustpro does not edit your manifest" in run.stdout
    assert "Cargo.lock: not generated: the workspace at" in run.stdout
    assert (tmp_path / "ws" / "Cargo.toml").read_bytes() == manifest
    assert not (target / "Cargo.lock").exists()


def test_a_member_glob_that_covers_the_project_needs_no_line(tmp_path: Path) -> None:
    _workspace(tmp_path / "ws")
    outcome = create(NewRequest("lib", "part", tmp_path / "ws" / "crates" / "part", git=False))
    assert outcome.workspace is not None
    assert outcome.workspace.membership is Membership.MEMBER
    assert outcome.workspace.message() == (
        f"it is a member of the workspace at {tmp_path / 'ws' / 'Cargo.toml'} ('crates/*')"
    )


def test_an_excluded_directory_builds_on_its_own(tmp_path: Path) -> None:
    _workspace(tmp_path / "ws", exclude='["vendor"]')
    hint = workspace_hint(tmp_path / "ws" / "vendor" / "x", "cli")
    assert hint is not None and hint.membership is Membership.EXCLUDED
    assert not hint.owns_lockfile and hint.message() is None


def test_a_new_workspace_inside_a_workspace_glob_is_told_to_exclude(tmp_path: Path) -> None:
    _workspace(tmp_path / "ws")
    hint = workspace_hint(tmp_path / "ws" / "crates" / "inner", "workspace")
    assert hint is not None and not hint.owns_lockfile
    assert 'add "crates/inner" to its `exclude` list' in (hint.message() or "")
    assert workspace_hint(tmp_path / "ws" / "other" / "inner", "workspace") is not None
    assert workspace_hint(tmp_path / "elsewhere", "lib") is None


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("crates/*", "crates/a", True),
        ("crates/*", "crates/a/b", False),
        ("crates/**", "crates/a/b", True),
        ("*", "a", True),
        ("tools/x", "tools/x", True),
        ("tools/x?", "tools/x1", True),
    ],
)
def test_member_globs(pattern: str, path: str, matches: bool, tmp_path: Path) -> None:
    _workspace(tmp_path, members=f'["{pattern}"]')
    hint = workspace_hint(tmp_path / path, "lib")
    assert hint is not None
    assert (hint.membership is Membership.MEMBER) == matches


def test_without_cargo_the_lock_file_is_left_for_later(tmp_path: Path) -> None:
    outcome = create(NewRequest("cli", "tool", tmp_path / "tool", git=False))
    assert outcome.lockfile.startswith("not generated: cargo is not installed")
    assert not (tmp_path / "tool" / "Cargo.lock").exists()


def test_every_kind_is_written_in_full(tmp_path: Path) -> None:
    for kind in KINDS:
        outcome = create(NewRequest(kind, f"k-{kind}", tmp_path / kind, git=False))
        assert _files(tmp_path / kind) == set(outcome.files), kind


def test_a_workspace_name_leaves_room_for_its_library() -> None:
    with pytest.raises(CrateNameError, match="NAME-core, which must fit in 64") as refused:
        create(NewRequest("workspace", "w" * 60, Path("/nonexistent/w")))
    assert refused.value.suggestion == "w" * 59
    assert plan(NewRequest("workspace", "w" * 59, Path("/nonexistent/w")))
