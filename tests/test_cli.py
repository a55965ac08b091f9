"""The command line: exit codes, rule selection, configuration files, and the cargo entry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rustpro.cli import cargo_main
from tests.cli_support import (
    REPO,
    CliRun,
    assert_one_line_error,
    isolated_cache,
    run_cli,
    run_cli_process,
)
from tests.support import DEFAULT_MANIFEST, make_crate

__all__ = ["isolated_cache"]  # a fixture, used through `usefixtures`
pytestmark = pytest.mark.usefixtures("isolated_cache")

UNWRAP = "unwrap-in-production"
DIRTY_LIB = """\
//! A crate with one unwrap.

/// Parses a port.
pub fn port(text: &str) -> u16 {
    text.parse().unwrap()
}
"""
CLEAN_LIB = """\
//! A crate without unwraps.

/// Parses a port, falling back to 80.
pub fn port(text: &str) -> u16 {
    text.parse().unwrap_or(80)
}
"""


def _audit(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> CliRun:
    return run_cli(["audit", "--static", "--no-cache", "-j", "1", *flags, str(root)], capsys)


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    return make_crate(tmp_path / "dirty", {"src/lib.rs": DIRTY_LIB})


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return make_crate(tmp_path / "clean", {"src/lib.rs": CLEAN_LIB})


# ----- exit codes ----------------------------------------------------------------------------
def test_clean_crate_exits_0(capsys: pytest.CaptureFixture[str], clean: Path) -> None:
    run = _audit(capsys, clean, "--select", UNWRAP)
    assert run.code == 0, run.stderr
    assert "PASS" in run.stdout


def test_warning_exits_1_by_default(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    run = _audit(capsys, dirty, "--select", UNWRAP)
    assert run.code == 1
    assert "warning[unwrap-in-production]" in run.stdout
    assert "src/lib.rs:5:18" in run.stdout
    assert "FAIL" in run.stdout


@pytest.mark.parametrize(
    ("fail_on", "code"), [("error", 0), ("warning", 1), ("note", 1), ("none", 0)]
)
def test_fail_on_sets_the_threshold(
    capsys: pytest.CaptureFixture[str], dirty: Path, fail_on: str, code: int
) -> None:
    assert _audit(capsys, dirty, "--select", UNWRAP, "--fail-on", fail_on).code == code


def test_ignore_by_rule_and_by_checkpoint(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    by_rule = _audit(capsys, dirty, "--select", UNWRAP, "--ignore", UNWRAP)
    assert by_rule.code == 0
    assert "unwrap-in-production" not in by_rule.stdout
    by_checkpoint = _audit(capsys, dirty, "--select", UNWRAP, "--ignore", "errors")
    assert by_checkpoint.code == 0


def test_select_by_checkpoint_and_comma_lists(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    run = _audit(capsys, dirty, "--select", "errors", "--format", "json")
    rules = {f["rule"] for f in json.loads(run.stdout)["findings"]}
    assert UNWRAP in rules
    assert all(f["checkpoint"] == "errors" for f in json.loads(run.stdout)["findings"])
    listed = _audit(capsys, dirty, "--select", f"{UNWRAP},memory", "--format", "json")
    assert {f["rule"] for f in json.loads(listed.stdout)["findings"]} == {UNWRAP}


def test_unknown_rule_is_a_usage_error_with_suggestion(
    capsys: pytest.CaptureFixture[str], dirty: Path
) -> None:
    run = _audit(capsys, dirty, "--select", "unwrap-in-prod")
    assert run.code == 2
    assert_one_line_error(run)
    assert "did you mean unwrap-in-production" in run.stderr
    assert run.stdout == ""


def test_bad_flag_value_exits_2(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    run = _audit(capsys, dirty, "--format", "yaml")
    assert run.code == 2
    assert "Traceback" not in run.stderr
    assert "yaml" in run.stderr


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    helped = run_cli(["audit", "--help"], capsys)
    assert helped.code == 0
    assert "--static" in helped.stdout
    assert "executes nothing" in " ".join(helped.stdout.split())
    version = run_cli(["--version"], capsys)
    assert version.code == 0
    assert "0.1.0" in version.stdout


def test_color_only_when_asked(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    plain = _audit(capsys, dirty, "--select", UNWRAP, "--color", "never")
    assert "\x1b[" not in plain.stdout
    auto = _audit(capsys, dirty, "--select", UNWRAP)  # captured stdout is not a terminal
    assert "\x1b[" not in auto.stdout
    coloured = _audit(capsys, dirty, "--select", UNWRAP, "--color", "always")
    assert "\x1b[" in coloured.stdout


def test_json_goes_alone_to_stdout(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    run = _audit(capsys, dirty, "--select", UNWRAP, "--format", "json")
    assert run.code == 1
    report = json.loads(run.stdout)  # nothing but the report on stdout
    assert report["summary"]["findings"] == 1


def test_path_defaults_to_current_directory(
    capsys: pytest.CaptureFixture[str], dirty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(dirty)
    run = run_cli(["audit", "--static", "--no-cache", "--select", UNWRAP], capsys)
    assert run.code == 1
    assert "src/lib.rs:5:18" in run.stdout


def test_cargo_toml_path_is_accepted(capsys: pytest.CaptureFixture[str], dirty: Path) -> None:
    run = _audit(capsys, dirty / "Cargo.toml", "--select", UNWRAP)
    assert run.code == 1


# ----- configuration files --------------------------------------------------------------------
def _with_config(root: Path, *, rustpro_toml: str | None = None, metadata: str = "") -> Path:
    tables = "pub fn t(text: &str) -> u8 {\n    text.parse().unwrap()\n}\n"
    files = {"src/lib.rs": DIRTY_LIB, "src/gen/tables.rs": tables}
    files["src/lib.rs"] += "pub mod gen { pub mod tables; }\n"
    if rustpro_toml is not None:
        files["rustpro.toml"] = rustpro_toml
    return make_crate(root, files, DEFAULT_MANIFEST + metadata)


def _paths(run: CliRun) -> list[str]:
    return sorted(f["path"] for f in json.loads(run.stdout)["findings"])


def test_rustpro_toml_ignore_and_fail_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = _with_config(tmp_path / "c", rustpro_toml=f'select = ["{UNWRAP}"]\nfail-on = "error"\n')
    run = _audit(capsys, root, "--format", "json")
    assert run.code == 0  # warnings do not fail with fail-on = error
    assert _paths(run) == ["src/gen/tables.rs", "src/lib.rs"]
    assert json.loads(run.stdout)["summary"]["fail_on"] == "error"
    overridden = _audit(capsys, root, "--fail-on", "warning")
    assert overridden.code == 1  # the command line wins over the file


def test_per_path_ignores(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = f'select = ["{UNWRAP}"]\n[per-path-ignores]\n"src/gen/**" = ["{UNWRAP}"]\n'
    root = _with_config(tmp_path / "c", rustpro_toml=config)
    assert _paths(_audit(capsys, root, "--format", "json")) == ["src/lib.rs"]


def test_cli_ignore_adds_to_file_ignore(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = _with_config(tmp_path / "c", rustpro_toml='ignore = ["memory"]\n')
    run = _audit(capsys, root, "--select", UNWRAP, "--ignore", UNWRAP)
    assert run.code == 0


def test_cli_select_replaces_file_select(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = _with_config(tmp_path / "c", rustpro_toml='select = ["memory"]\n')
    run = _audit(capsys, root, "--select", UNWRAP, "--format", "json")
    assert _paths(run) == ["src/gen/tables.rs", "src/lib.rs"]


def test_package_metadata_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    metadata = f'\n[package.metadata.rustpro]\nselect = ["{UNWRAP}"]\nfail-on = "none"\n'
    root = _with_config(tmp_path / "c", metadata=metadata)
    run = _audit(capsys, root, "--format", "json")
    assert run.code == 0
    assert _paths(run) == ["src/gen/tables.rs", "src/lib.rs"]


def test_workspace_metadata_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "ws"
    make_crate(root / "member", {"src/lib.rs": DIRTY_LIB})
    (root / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["member"]\n\n'
        f'[workspace.metadata.rustpro]\nselect = ["{UNWRAP}"]\n'
        '[workspace.metadata.rustpro.per-path-ignores]\n"member/src/lib.rs" = ["errors"]\n'
    )
    run = _audit(capsys, root, "--format", "json")
    assert run.code == 0
    assert _paths(run) == []
    assert json.loads(run.stdout)["summary"]["crates"] == ["fixture"]


def test_rustpro_toml_wins_over_cargo_metadata(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    metadata = '\n[package.metadata.rustpro]\nfail-on = "none"\n'
    root = _with_config(tmp_path / "c", rustpro_toml=f'select = ["{UNWRAP}"]\n', metadata=metadata)
    assert _audit(capsys, root).code == 1


@pytest.mark.parametrize(
    "config",
    [
        'select = "unwrap-in-production"\n',  # not a list
        'fail-on = "sometimes"\n',
        'colour = "red"\n',  # unknown key
        'ignore = ["unwrap-in-prodution"]\n',  # unknown rule
        "select = [\n",  # not TOML
    ],
)
def test_invalid_config_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, config: str
) -> None:
    root = _with_config(tmp_path / "c", rustpro_toml=config)
    run = _audit(capsys, root)
    assert run.code == 2
    assert_one_line_error(run)
    assert "rustpro.toml" in run.stderr
    assert run.stdout == ""


# ----- the cargo subcommand ------------------------------------------------------------------
def test_cargo_entry_drops_the_subcommand_word(
    capsys: pytest.CaptureFixture[str], dirty: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `cargo rustpro audit --static .` runs `cargo-rustpro rustpro audit --static .`.
    argv = ["cargo-rustpro", "rustpro", "audit", "--static", "--no-cache", "--select", UNWRAP]
    monkeypatch.setattr(sys, "argv", [*argv, str(dirty)])
    with pytest.raises(SystemExit) as done:
        cargo_main()
    assert done.value.code == 1
    assert "warning[unwrap-in-production]" in capsys.readouterr().out


def test_cargo_entry_also_works_without_the_word(
    capsys: pytest.CaptureFixture[str], clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["cargo-rustpro", "audit", "--static", "--no-cache", "--select", UNWRAP, str(clean)]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as done:
        cargo_main()
    assert done.value.code == 0


def _console_script(name: str) -> Path | None:
    script = Path(sys.executable).parent / name
    return script if script.is_file() else None


def test_console_scripts_as_processes(dirty: Path, isolated_cache: Path) -> None:
    rustpro = _console_script("rustpro")
    cargo_rustpro = _console_script("cargo-rustpro")
    if rustpro is None or cargo_rustpro is None:
        pytest.skip("rustpro is not installed as console scripts in this environment")
    env = {**os.environ, "RUSTPRO_CACHE_DIR": str(isolated_cache), "NO_COLOR": "1"}
    for argv in (
        [str(rustpro), "audit", "--static", "--select", UNWRAP, "."],
        [str(cargo_rustpro), "rustpro", "audit", "--static", "--select", UNWRAP, "."],
    ):
        done = subprocess.run(argv, cwd=dirty, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 1, done.stderr
        assert "src/lib.rs:5:18" in done.stdout
        assert "Traceback" not in done.stderr


@pytest.mark.cargo
def test_real_cargo_subcommand(dirty: Path, isolated_cache: Path) -> None:
    cargo = shutil.which("cargo")
    scripts = Path(sys.executable).parent
    if cargo is None or not (scripts / "cargo-rustpro").is_file():
        pytest.skip("needs cargo and the installed cargo-rustpro script")
    env = {
        **os.environ,
        "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}",
        "RUSTPRO_CACHE_DIR": str(isolated_cache),
        "NO_COLOR": "1",
    }
    done = subprocess.run(
        [cargo, "rustpro", "audit", "--static", "--select", UNWRAP, "."],
        cwd=dirty,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "warning[unwrap-in-production]" in done.stdout


def test_module_entry_as_a_process(dirty: Path, isolated_cache: Path) -> None:
    run = run_cli_process(
        ["audit", "--static", "--select", UNWRAP, "--format", "json", str(dirty)],
        cwd=REPO,
        env={"RUSTPRO_CACHE_DIR": str(isolated_cache)},
    )
    assert run.code == 1, run.stderr
    assert json.loads(run.stdout)["findings"][0]["rule"] == UNWRAP
