"""Cargo's conventions on the command line (issue 11 §11): `Cargo.toml` found by searching up
from the current directory, a member audited with its workspace's configuration,
`--manifest-path`, `-p/--package`, and `.rs` files audited in their crate's context."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rustpro.discovery.layout import Workspace, discover
from rustpro.engine.audit import AuditOptions, ExtraResult, run_audit
from rustpro.toolchain.progress import StepProgress
from rustpro.toolchain.session import CargoSession, FullModeOptions, StepReport
from tests.cli_support import (
    CliRun,
    assert_one_line_error,
    isolated_cache,
    run_cli,
    run_cli_process,
)

__all__ = ["isolated_cache"]
pytestmark = pytest.mark.usefixtures("isolated_cache")

UNWRAP = "unwrap-in-production"
PANICS_DOC = "missing-panics-doc"
NO_INTEGRATION_TESTS = "no-integration-tests"


def _package(name: str, extra: str = "") -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n{extra}'


def _write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# A warning-level unwrap (a parse of the caller's text), after an undocumented `assert!`
# that missing-panics-doc reports on its own (it would fold into an unwrap it pointed at).
UNWRAPS = "pub fn {name}(x: &str) -> u8 {{\n    assert!(x.len() < 9);\n    x.parse().unwrap()\n}}\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """alpha (a library that alpha-tests tests from outside), beta; the workspace's
    rustpro.toml selects unwraps and panic docs and ignores unwraps under alpha's gen/."""
    root = tmp_path / "ws"
    return _write(
        root,
        {
            "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
            "rustpro.toml": (
                f'select = ["{UNWRAP}", "{PANICS_DOC}", "{NO_INTEGRATION_TESTS}"]\n'
                f'[per-path-ignores]\n"crates/alpha/src/gen/**" = ["{UNWRAP}"]\n'
            ),
            "crates/alpha/Cargo.toml": _package("alpha"),
            "crates/alpha/src/lib.rs": "//! alpha\npub mod gen;\n" + UNWRAPS.format(name="f"),
            "crates/alpha/src/gen/mod.rs": UNWRAPS.format(name="g"),
            "crates/alpha/src/orphan.rs": UNWRAPS.format(name="o"),
            "crates/alpha-tests/Cargo.toml": _package(
                "alpha-tests", '[dev-dependencies]\nalpha = { path = "../alpha" }\n'
            ),
            "crates/alpha-tests/src/lib.rs": "//! tests of alpha\n",
            "crates/alpha-tests/tests/it.rs": "#[test]\nfn works() {\n    alpha::f(Some(1));\n}\n",
            "crates/beta/Cargo.toml": _package("beta"),
            "crates/beta/src/lib.rs": "//! beta\n" + UNWRAPS.format(name="b"),
        },
    )


# What the workspace's configuration finds in beta, paths relative to beta.
BETA = [
    ("Cargo.toml", NO_INTEGRATION_TESTS),
    ("src/lib.rs", PANICS_DOC),
    ("src/lib.rs", UNWRAP),
]


def _report(run: CliRun) -> dict[str, Any]:
    assert "Traceback" not in run.stderr, run.stderr
    report = json.loads(run.stdout)
    assert isinstance(report, dict)
    return report


def _found(run: CliRun) -> list[tuple[str, str]]:
    return sorted((f["path"], f["rule"]) for f in _report(run)["findings"])


def _audit_in(cwd: Path, *args: str) -> CliRun:
    return run_cli_process(["audit", "--static", "--format", "json", *args], cwd=cwd)


# ----- finding Cargo.toml and rustpro.toml -----------------------------------------------------
def test_the_crate_is_found_from_a_subdirectory(workspace: Path) -> None:
    # It used to be "no Cargo.toml here" (exit 2): cargo searches parent directories.
    run = _audit_in(workspace / "crates" / "beta" / "src")
    assert run.code == 1
    assert Path(_report(run)["root"]) == workspace / "crates" / "beta"
    assert _found(run) == BETA


def test_a_member_is_audited_with_its_workspace_configuration(workspace: Path) -> None:
    # It used to get the defaults: the workspace's select and per-path ignores were lost.
    expected = [
        ("Cargo.toml", NO_INTEGRATION_TESTS),  # audited alone, alpha-tests is not seen
        ("src/gen/mod.rs", PANICS_DOC),  # unwraps under gen/ are ignored, from the root's file
        ("src/lib.rs", PANICS_DOC),
        ("src/lib.rs", UNWRAP),
    ]
    from_inside = _audit_in(workspace / "crates" / "alpha" / "src" / "gen")
    assert _found(from_inside) == expected
    by_path = _audit_in(workspace, "crates/alpha")
    assert _found(by_path) == expected


def test_workspace_metadata_applies_to_a_member(workspace: Path) -> None:
    (workspace / "rustpro.toml").unlink()
    (workspace / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crates/*"]\n'
        f'[workspace.metadata.rustpro]\nselect = ["{PANICS_DOC}"]\n'
    )
    run = _audit_in(workspace / "crates" / "beta")
    assert _found(run) == [("src/lib.rs", PANICS_DOC)]


def test_a_members_own_configuration_wins(workspace: Path) -> None:
    (workspace / "crates" / "beta" / "rustpro.toml").write_text(f'select = ["{UNWRAP}"]\n')
    run = _audit_in(workspace / "crates" / "beta")
    assert _found(run) == [("src/lib.rs", UNWRAP)]
    # A member's `role` alone is no configuration: the workspace's still applies.
    (workspace / "crates" / "beta" / "rustpro.toml").unlink()
    manifest = workspace / "crates" / "beta" / "Cargo.toml"
    manifest.write_text(_package("beta", '[package.metadata.rustpro]\nrole = "library"\n'))
    assert _found(_audit_in(workspace / "crates" / "beta")) == [
        ("Cargo.toml", NO_INTEGRATION_TESTS),
        ("src/lib.rs", PANICS_DOC),
        ("src/lib.rs", UNWRAP),
    ]


def test_a_crate_inside_a_workspace_that_does_not_list_it_is_its_own(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "ws",
        {
            "Cargo.toml": '[workspace]\nmembers = ["listed"]\n',
            "rustpro.toml": f'select = ["{PANICS_DOC}"]\n',
            "listed/Cargo.toml": _package("listed"),
            "listed/src/lib.rs": "//! x\n",
            "other/Cargo.toml": _package("other"),
            "other/src/lib.rs": "//! other\n" + UNWRAPS.format(name="f"),
        },
    )
    workspace = discover(root / "other")
    assert workspace.enclosing is None
    run = _audit_in(root / "other", "--select", UNWRAP)
    assert _found(run) == [("src/lib.rs", UNWRAP)]


def test_no_cargo_toml_anywhere_above(tmp_path: Path) -> None:
    (tmp_path / "loose" / "src").mkdir(parents=True)
    run = run_cli_process(["audit", "--static"], cwd=tmp_path / "loose" / "src")
    assert run.code == 2
    assert_one_line_error(run)
    assert "no Cargo.toml here or in any parent directory" in run.stderr


# ----- --manifest-path ------------------------------------------------------------------------
def test_manifest_path(workspace: Path) -> None:
    run = _audit_in(workspace, "--manifest-path", "crates/beta/Cargo.toml")
    assert run.code == 1
    assert _found(run) == BETA
    for args, message in (
        (["--manifest-path", "crates/beta/src/lib.rs"], "must be the path to a Cargo.toml"),
        (["--manifest-path", "crates/gamma/Cargo.toml"], "no such file"),
        (["--manifest-path", "crates/beta/Cargo.toml", "crates/alpha"], "not both"),
    ):
        refused = _audit_in(workspace, *args)
        assert refused.code == 2, args
        assert_one_line_error(refused)
        assert message in refused.stderr


# ----- -p/--package ---------------------------------------------------------------------------
def test_package_selects_members_and_sees_the_whole_workspace(workspace: Path) -> None:
    run = _audit_in(workspace, "-p", "alpha")
    assert run.code == 1
    report = _report(run)
    assert [p["name"] for p in report["packages"]] == ["alpha"]
    assert report["summary"]["crates"] == ["alpha"]
    # alpha-tests tests alpha from outside: no `no-integration-tests` here, unlike an audit
    # of crates/alpha on its own, which cannot see its sibling.
    assert _found(run) == [
        ("crates/alpha/src/gen/mod.rs", PANICS_DOC),
        ("crates/alpha/src/lib.rs", PANICS_DOC),
        ("crates/alpha/src/lib.rs", UNWRAP),
    ]
    both = _audit_in(workspace, "-p", "alpha", "--package", "beta")
    assert {path.split("/")[1] for path, _ in _found(both)} == {"alpha", "beta"}


def test_package_from_inside_a_member_picks_from_the_workspace(workspace: Path) -> None:
    run = _audit_in(workspace / "crates" / "alpha", "-p", "beta")
    assert Path(_report(run)["root"]) == workspace
    assert _found(run) == [(f"crates/beta/{path}", rule) for path, rule in BETA]


def test_an_unknown_package_is_a_usage_error(workspace: Path) -> None:
    run = _audit_in(workspace, "-p", "alpah")
    assert run.code == 2
    assert_one_line_error(run)
    assert "-p alpah: no such package in this workspace (did you mean alpha?)" in run.stderr
    assert run.stdout == ""


def test_full_mode_builds_only_the_selected_packages(workspace: Path) -> None:
    selected = discover(workspace, ["beta"])
    session = CargoSession(selected, FullModeOptions(), StepProgress(False), StepReport())
    assert session.scope == ["--package", "beta"]
    whole = CargoSession(discover(workspace), FullModeOptions(), StepProgress(False), StepReport())
    assert whole.scope == ["--workspace"]


# ----- files named on the command line ----------------------------------------------------------
LIB = "//! c\npub mod public;\nmod private;\n" + UNWRAPS.format(name="f")


@pytest.fixture
def crate(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "c",
        {
            "Cargo.toml": _package("c"),
            "src/lib.rs": LIB,
            "src/public.rs": UNWRAPS.format(name="p"),
            "src/private.rs": UNWRAPS.format(name="q"),
            "src/orphan.rs": UNWRAPS.format(name="o"),
        },
    )


def test_named_files_report_only_their_findings(crate: Path) -> None:
    select = ["--select", f"{UNWRAP},{PANICS_DOC},{NO_INTEGRATION_TESTS}"]
    run = _audit_in(crate / "src", *select, "public.rs", "private.rs")
    assert run.code == 1
    # The crate decides what is public API (missing-panics-doc only for the `pub mod`);
    # lib.rs's findings and the crate-level one at Cargo.toml are not reported.
    assert _found(run) == [
        ("src/private.rs", UNWRAP),
        ("src/public.rs", PANICS_DOC),
        ("src/public.rs", UNWRAP),
    ]
    assert _report(run)["summary"]["files"] == 2
    whole = _audit_in(crate, *select)
    assert ("Cargo.toml", NO_INTEGRATION_TESTS) in _found(whole)


def test_a_named_file_no_target_compiles(crate: Path) -> None:
    alone = _audit_in(crate, "src/orphan.rs")
    assert alone.code == 2
    assert_one_line_error(alone)
    assert "nothing to audit: src/orphan.rs is not compiled by any target" in alone.stderr
    beside = _audit_in(crate, "--select", UNWRAP, "src/orphan.rs", "src/public.rs")
    assert beside.code == 1
    assert _found(beside) == [("src/public.rs", UNWRAP)]
    assert "rustpro: warning: src/orphan.rs: not compiled by any target" in beside.stderr


def test_named_files_of_two_members(workspace: Path) -> None:
    run = _audit_in(
        workspace, "crates/alpha/src/gen/mod.rs", "crates/beta/src/lib.rs", "--select", UNWRAP
    )
    assert Path(_report(run)["root"]) == workspace
    assert _found(run) == [("crates/beta/src/lib.rs", UNWRAP)]  # gen/ is ignored by config


def test_named_files_of_unrelated_crates(workspace: Path, tmp_path: Path) -> None:
    elsewhere = _write(tmp_path / "other", {"Cargo.toml": _package("other"), "src/lib.rs": ""})
    run = _audit_in(workspace, "crates/beta/src/lib.rs", str(elsewhere / "src" / "lib.rs"))
    assert run.code == 2
    assert_one_line_error(run)
    assert "not files of one crate or workspace" in run.stderr


def test_named_files_scope_full_mode_to_their_packages(workspace: Path) -> None:
    seen: list[tuple[str, ...]] = []

    def hook(audited: Workspace) -> ExtraResult:
        seen.append(audited.selected)
        return ExtraResult([])

    options = AuditOptions(
        static=False, use_cache=False, workers=1, files=(workspace / "crates/beta/src/lib.rs",)
    )
    run_audit(workspace / "crates", options, extra=hook)
    assert seen == [("beta",)]


def test_a_named_file_relative_to_the_current_directory(
    crate: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(crate)
    run = run_cli(["audit", "--static", "--no-cache", "--select", UNWRAP, "src/public.rs"], capsys)
    assert run.code == 1
    assert "src/public.rs:3:" in run.stdout
    assert "src/lib.rs" not in run.stdout
