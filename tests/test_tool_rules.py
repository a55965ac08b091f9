"""Tool rules as selectors and in `explain` (issue 11 §7): a typo in `clippy::NAME` is an
error with a suggestion, `--static` says which selected rules it cannot report, near-miss
names get suggestions, and `explain` knows every name a report can show."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import rustpro.toolrules
from rustpro import lintlist
from rustpro.config import AuditConfig, validate_selector
from rustpro.errors import ConfigError
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.rules.registry import all_rules
from rustpro.toolchain.lints import PROFILE
from rustpro.toolchain.rustfmt import files_to_format
from rustpro.toolchain.testing import FAILED_RULE, TIMEOUT_RULE
from rustpro.toolrules import FIXED_RULES, known_tool_rule
from tests.cli_support import assert_one_line_error, run_cli
from tests.support import make_crate

UNWRAP = "unwrap-in-production"
DIRTY = "//! Crate docs.\n\npub fn f(x: &str) -> u8 {\n    x.parse().unwrap()\n}\n"


@pytest.fixture(autouse=True)
def no_toolchain_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names missing from the shipped list are not asked of an installed clippy here (the
    answer would depend on the machine); the tests that want it say so."""
    monkeypatch.setattr(rustpro.toolrules, "installed_knows", lambda tool, name: False)


def _audit(capsys: pytest.CaptureFixture[str], root: Path, *flags: str) -> tuple[int, str, str]:
    run = run_cli(["audit", "--static", "--no-cache", "-j", "1", *flags, str(root)], capsys)
    return run.code, run.stdout, run.stderr


# ----- selectors --------------------------------------------------------------------------------
def test_a_misspelt_clippy_lint_is_an_error_with_a_suggestion(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # It used to be accepted silently and matched nothing: the gate passed.
    root = make_crate(tmp_path / "c", {"src/lib.rs": DIRTY})
    code, out, err = _audit(capsys, root, "--select", "clippy::unwrap_usd")
    assert code == 2
    assert out == ""
    assert "unknown clippy rule `clippy::unwrap_usd` (did you mean clippy::unwrap_used" in err


@pytest.mark.parametrize(
    "name",
    [
        "clippy::unwrap_used",
        "clippy::unwrap-used",  # the spelling `-W help` prints
        "clippy::pedantic",
        "clippy::*",
        "clippy",
        "rustc::E0308",
        "rustc::dead_code",
        "rustc::error",
        "rustdoc::broken_intra_doc_links",
        "rustfmt::diff",
        "cargo-test::failed",
        "cargo-test::timeout",
    ],
)
def test_real_tool_rules_are_accepted(name: str) -> None:
    validate_selector(rustpro.toolrules.canonical(name), "test")


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("rustc::dead_cod", "rustc::dead_code"),
        ("rustfmt::dif", "rustfmt::diff"),
        ("cargo-test::fail", "cargo-test::failed"),
        ("rustdoc::broken_intra_doc_link", "rustdoc::broken_intra_doc_links"),
        ("clipy::unwrap_used", ""),  # not a tool
    ],
)
def test_unknown_tool_rules_are_errors(name: str, hint: str) -> None:
    with pytest.raises(ConfigError, match="unknown") as raised:
        validate_selector(name, "test")
    assert hint in str(raised.value)


def test_a_lint_newer_than_the_shipped_list_is_asked_of_the_installed_clippy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[tuple[str, str]] = []

    def installed(tool: str, name: str) -> bool:
        asked.append((tool, name))
        return name == "brand_new_lint"

    monkeypatch.setattr(rustpro.toolrules, "installed_knows", installed)
    validate_selector("clippy::brand_new_lint", "test")
    assert asked == [("clippy", "brand_new_lint")]
    assert known_tool_rule("clippy::unwrap_used") and len(asked) == 1  # listed: not asked


def test_hyphenated_lint_selectors_match_reported_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = AuditConfig().with_overrides(ignore=("clippy::unwrap-used",))
    clippy = Finding(
        "clippy::unwrap_used",
        Checkpoint.ERRORS,
        Severity.WARNING,
        "a.rs",
        1,
        1,
        1,
        2,
        "m",
        "h",
        source="clippy",
    )
    assert not config.keeps(clippy)
    # A clippy group selects the lints of that group.
    assert not AuditConfig(ignore=("clippy::restriction",)).keeps(clippy)
    assert AuditConfig(ignore=("clippy::pedantic",)).keeps(clippy)


def test_ignore_typo_suggests_the_checkpoint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_crate(tmp_path / "c", {"src/lib.rs": DIRTY})
    code, _, err = _audit(capsys, root, "--ignore", "erors")
    assert code == 2
    assert "unknown rule or checkpoint `erors` (did you mean errors" in err


def test_static_mode_says_which_selected_rules_it_cannot_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # `--select rustc::E0308` in static mode reported nothing and passed.
    root = make_crate(tmp_path / "c", {"src/lib.rs": DIRTY})
    code, out, err = _audit(capsys, root, "--select", "rustc::E0308")
    assert code == 2
    assert out == ""
    assert "nothing selected that --static can report: `rustc::E0308` needs full mode" in err
    code, out, err = _audit(
        capsys, root, "--select", f"clippy::unwrap_used,{UNWRAP}", "--format", "json"
    )
    assert code == 1
    assert {f["rule"] for f in json.loads(out)["findings"]} == {UNWRAP}
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("rustpro: warning: `clippy::unwrap_used` is selected, but --static")
    assert f"rustpro's own twin `{UNWRAP}` runs in --static" in lines[0]


def test_tool_selectors_in_the_configuration_file_are_checked_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_crate(
        tmp_path / "c", {"src/lib.rs": DIRTY, "rustpro.toml": 'ignore = ["clippy::unwrap_usd"]\n'}
    )
    code, _, err = _audit(capsys, root)
    assert code == 2
    assert_one_line_error_text(err)
    assert "rustpro.toml: unknown clippy rule `clippy::unwrap_usd`" in err


def assert_one_line_error_text(err: str) -> None:
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


# ----- explain ----------------------------------------------------------------------------------
def test_explain_suggests_rules_for_a_word(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["explain", "unwrap"], capsys)
    assert run.code == 2
    assert_one_line_error(run)
    assert f"did you mean {UNWRAP}, clippy::unwrap_used" in run.stderr


@pytest.mark.parametrize("name", [*FIXED_RULES, "rustc::dead_code", "rustdoc::bare_urls"])
def test_explain_tool_rules_reports_show(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["explain", name, "--format", "markdown"], capsys)
    assert run.code == 0, run.stderr
    assert run.stdout.startswith(f"# {name}\n")
    assert "full mode only" in run.stdout
    assert "## How to silence it" in run.stdout


def test_explain_a_clippy_lint_says_where_the_text_comes_from(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rustpro.toolrules, "clippy_explain", lambda name: None)
    shipped = run_cli(["explain", "clippy::unwrap_used", "--format", "markdown"], capsys)
    assert shipped.code == 0
    assert shipped.stdout.startswith("# clippy::unwrap_used\n")
    assert "**Group:** restriction" in shipped.stdout
    assert "Using `.unwrap()` on `Result` or `Option`" in shipped.stdout
    assert "clippy is not installed here: this is the one-line description" in shipped.stdout
    assert f"rustpro's own rule `{UNWRAP}`" in shipped.stdout

    def clippy_explain(name: str) -> str | None:
        return "### What it does\nChecks unwraps.\n" if name == "unwrap_used" else None

    monkeypatch.setattr(rustpro.toolrules, "clippy_explain", clippy_explain)
    installed = run_cli(["explain", "clippy::unwrap-used", "--format", "markdown"], capsys)
    assert installed.code == 0
    assert "*From `cargo clippy --explain unwrap_used`:*" in installed.stdout
    assert "Checks unwraps." in installed.stdout
    unknown = run_cli(["explain", "clippy::unwrap_usd"], capsys)
    assert unknown.code == 2
    assert "did you mean clippy::unwrap_used" in unknown.stderr


@pytest.mark.cargo
@pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo")
def test_explain_asks_the_installed_clippy(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["explain", "clippy::unwrap_used", "--format", "markdown"], capsys)
    assert run.code == 0
    assert "*From `cargo clippy --explain unwrap_used`:*" in run.stdout
    assert "### What it does" in run.stdout


def test_fixed_rules_are_the_names_full_mode_reports() -> None:
    assert {FAILED_RULE, TIMEOUT_RULE, "rustfmt::diff"} <= set(FIXED_RULES)
    assert files_to_format("Diff in /x/src/lib.rs:3:\n") == {"/x/src/lib.rs": 3}


# ----- the shipped lint list --------------------------------------------------------------------
def test_the_shipped_lint_list_is_well_formed() -> None:
    lints = lintlist.shipped()
    assert lintlist.problems_in(lints) == []
    assert len(lints.lints["clippy"]) > 500 and len(lints.lints["rustc"]) > 100
    assert {"pedantic", "restriction", "correctness"} <= set(lints.groups["clippy"])
    assert lints.toolchain["clippy"].startswith("clippy ")
    # Every lint rustpro passes to clippy, or names as a twin, is in it.
    named = {*PROFILE, *(twin for rule in all_rules() for twin in rule.clippy_twins)}
    assert sorted(n for n in named if lints.lint("clippy", n) is None) == []
    rustc_twins = {twin for rule in all_rules() for twin in rule.rustc_twins}
    assert sorted(n for n in rustc_twins if lints.lint("rustc", n) is None) == []
    # The file is exactly what the generator writes for the list it holds.
    text = (Path(lintlist.__file__).parent / lintlist.LIST_FILE).read_text(encoding="utf-8")
    assert lintlist.dumps(lintlist.to_json(lints)) == text


def test_a_malformed_list_is_rejected() -> None:
    data = lintlist.to_json(lintlist.shipped())
    data["lints"]["clippy"]["unwrap_used"]["level"] = "sometimes"
    with pytest.raises(ValueError, match="unknown level"):
        lintlist.from_json(data)


HELP = """\
Lint checks provided by rustc:

                              name  default  meaning
                              ----  -------  -------
                         dead-code  warn     detect unused, unexported items

Lint groups provided by rustc:

                              name  sub-lints
                              ----  ---------
                          warnings  all lints that are set to issue warnings
                            unused  dead-code

Lint checks loaded by this crate:

                              name  default  meaning
                              ----  -------  -------
               clippy::unwrap-used  allow    using `.unwrap()`

Lint groups loaded by this crate:

                              name  sub-lints
                              ----  ---------
               clippy::restriction  clippy::unwrap-used
"""


def test_the_generator_reads_w_help() -> None:
    built = lintlist.build_list([HELP], {"clippy": "clippy 0.0.0"})
    assert built.lint("clippy", "unwrap_used") == lintlist.Lint(
        "clippy", "unwrap_used", "allow", "using `.unwrap()`", ("restriction",)
    )
    assert built.lint("rustc", "dead_code") is not None
    assert built.groups["rustc"] == ("unused",)  # `warnings` is no group of lints
    assert lintlist.problems_in(built) == []


@pytest.mark.cargo
@pytest.mark.skipif(shutil.which("clippy-driver") is None, reason="needs clippy")
def test_the_generator_reads_the_installed_clippy() -> None:
    installed = lintlist.read_installed()
    assert lintlist.problems_in(installed) == []
    assert all(installed.lint("clippy", name) is not None for name in PROFILE)
