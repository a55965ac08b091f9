"""What a package unpacked from a published `.crate` cannot show of its repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.discovery.manifest import read_manifest
from rustpro.discovery.packaged import Unseen, _matches, unseen
from tests.support import audit, make_crate

PACKAGE = '[package]\nname = "p"\nversion = "0.1.0"\nedition = "2021"\nrust-version = "1.80"\n'


@pytest.mark.parametrize(
    ("pattern", "folder", "selected"),
    [
        ("tests/**/*.rs", "tests", True),
        ("tests/*.rs", "tests", True),
        ("tests/**", "tests", True),
        ("/tests", "tests", True),
        ("tests/", "tests", True),
        ("*", "tests", True),
        ("*.rs", "tests", True),
        ("src/**/*", "tests", False),
        ("Cargo.toml", "tests", False),
        ("tests/fixtures/*", "tests", False),  # part of the folder only
        ("/benchmarks", "benchmarks", True),
        ("benches/", "benches", True),
        ("assets/*", "benches", False),
        ("/", "tests", False),
    ],
)
def test_include_and_exclude_patterns(pattern: str, folder: str, selected: bool) -> None:
    assert _matches(pattern, folder) is selected


def _unseen(root: Path, files: dict[str, str]) -> Unseen:
    make_crate(root, files)
    return unseen(root, read_manifest(root / "Cargo.toml"))


def test_a_checkout_shows_everything(tmp_path: Path) -> None:
    shipped = PACKAGE + 'include = ["src/**/*.rs"]\n'
    assert _unseen(tmp_path / "c", {"Cargo.toml": shipped, "src/lib.rs": ""}) == Unseen()


def test_a_package_tells_what_it_left_out(tmp_path: Path) -> None:
    shipped = PACKAGE + 'exclude = ["benches/"]\n'
    written = shipped + '[[test]]\nname = "api"\n[workspace]\nmembers = [".", "speed"]\n'
    found = _unseen(
        tmp_path / "c",
        {"Cargo.toml": shipped, "Cargo.toml.orig": written, "src/lib.rs": ""},
    )
    assert found.tests is not None and "`api`" in found.tests
    assert found.benches == "`package.exclude` leaves out `benches/`"
    assert found.fuzz is not None  # never shipped
    assert found.members == ("speed",)


def test_a_package_that_left_nothing_out(tmp_path: Path) -> None:
    written = PACKAGE + '[[test]]\nname = "api"\n'
    found = _unseen(
        tmp_path / "c",
        {
            "Cargo.toml": PACKAGE,
            "Cargo.toml.orig": written,
            "src/lib.rs": "",
            "tests/api.rs": "",
        },
    )
    assert (found.tests, found.benches, found.members) == (None, None, ())


def _family(root: Path, members: str) -> Path:
    """A library released from a workspace, assembled with its sibling again."""
    core = PACKAGE.replace('name = "p"', 'name = "fam-core"')
    written = core + f"[workspace]\nmembers = {members}\n"
    make_crate(
        root,
        {
            "Cargo.toml": '[workspace]\nmembers = ["core", "fam-extra"]\nresolver = "2"\n',
            "core/Cargo.toml": core,
            "core/Cargo.toml.orig": written,
            "core/src/lib.rs": "//! Core.\n",
            "fam-extra/Cargo.toml": PACKAGE.replace('name = "p"', 'name = "fam-extra"'),
            "fam-extra/src/lib.rs": "//! Extra.\n",
        },
    )
    return root


def test_siblings_the_audit_holds_are_not_missing(tmp_path: Path) -> None:
    root = _family(tmp_path / "f", '[".", "fam-extra"]')
    rules = [f.rule for f in audit(root, select=("no-benchmarks",)).findings]
    assert rules == ["no-benchmarks"]


def test_siblings_the_audit_lacks_leave_the_project_unknown(tmp_path: Path) -> None:
    root = _family(tmp_path / "f", '[".", "fam-extra", "benchmarks/"]')
    assert not audit(root, select=("no-benchmarks", "no-property-tests")).findings


def test_a_published_package_cannot_show_its_fuzz_targets(tmp_path: Path) -> None:
    files = {"Cargo.toml": PACKAGE, "Cargo.toml.orig": PACKAGE, "src/lib.rs": "//! P.\n"}
    root = make_crate(tmp_path / "c", files)
    (finding,) = audit(root, select=("no-property-tests",)).findings
    assert "never carries a cargo-fuzz sub-package" in finding.message
    (tmp_path / "c" / "Cargo.toml.orig").unlink()
    (checkout,) = audit(root, select=("no-property-tests",)).findings
    assert "cargo-fuzz" not in checkout.message
