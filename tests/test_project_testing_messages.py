"""What the project and testing rules say: messages name the fix, positions are stable."""

from __future__ import annotations

from pathlib import Path

from rustpro.model import Finding
from tests.support import audit, make_crate

_LIB = "//! A crate.\n"


def _findings(
    root: Path, manifest: str, rule: str, files: dict[str, str] | None = None
) -> list[Finding]:
    crate = make_crate(root, {"src/lib.rs": _LIB, **(files or {})}, manifest)
    result = audit(crate, select=(rule,))
    assert not result.warnings, result.warnings
    return [f for f in result.findings if f.rule == rule]


def test_deprecated_dependency_names_the_replacement(tmp_path: Path) -> None:
    manifest = (
        '[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nlazy_static = "1"\ndotenv = "0.15"\n'
    )
    found = _findings(tmp_path, manifest, "deprecated-dependency")
    messages = {f.line: f.message for f in found}
    assert "std::sync::LazyLock" in messages[7]
    assert "`dotenvy`" in messages[8]
    assert all(f.path == "Cargo.toml" for f in found)


def test_atty_before_rust_1_70_points_to_is_terminal(tmp_path: Path) -> None:
    manifest = (
        '[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.65"\n\n'
        '[dependencies]\natty = "0.2"\n'
    )
    (finding,) = _findings(tmp_path, manifest, "deprecated-dependency")
    assert "`is-terminal`" in finding.message
    assert "IsTerminal" not in finding.message


def test_unknown_rule_in_suppression_suggests_the_closest_rule(tmp_path: Path) -> None:
    code = "pub fn f() {}\n// rustpro: allow(unwrap-in-prod) -- typo\npub fn g() {}\n"
    (finding,) = _findings(tmp_path, "", "unknown-rule-in-suppression", {"src/lib.rs": code})
    assert (finding.path, finding.line, finding.column) == ("src/lib.rs", 2, 1)
    assert "`unwrap-in-production`" in finding.message


def test_crate_wide_findings_point_at_the_package_header(tmp_path: Path) -> None:
    manifest = '# comment\n\n[package]\nname = "m"\nversion = "0.1.0"\nedition = "2021"\n'
    (finding,) = _findings(tmp_path, manifest, "no-unit-tests")
    assert (finding.path, finding.line) == ("Cargo.toml", 3)


def test_no_error_path_tests_names_a_public_function(tmp_path: Path) -> None:
    code = (
        "//! Ports.\npub mod net {\n"
        "    pub fn port(t: &str) -> Result<u16, std::num::ParseIntError> {\n"
        "        t.parse()\n    }\n}\n"
    )
    (finding,) = _findings(tmp_path, "", "no-error-path-tests", {"src/lib.rs": code})
    assert "`port` in src/lib.rs" in finding.message
