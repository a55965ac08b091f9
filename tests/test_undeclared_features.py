"""Code behind a feature the package does not declare is compiled by no build."""

from __future__ import annotations

from pathlib import Path

from tests.support import DEFAULT_MANIFEST, audit, make_crate

GATED = """\
//! Gated code.

#[cfg(feature = "native-tls")]
pub fn connect() {}
"""


def _findings(root: Path) -> list[int]:
    return [f.line for f in audit(root, select=("missing-docs",)).findings]


def test_an_undeclared_feature_hides_the_code(tmp_path: Path) -> None:
    assert _findings(make_crate(tmp_path / "c", {"src/lib.rs": GATED})) == []


def test_a_declared_feature_keeps_it(tmp_path: Path) -> None:
    manifest = DEFAULT_MANIFEST + "\n[features]\nnative-tls = []\n"
    root = make_crate(tmp_path / "c", {"src/lib.rs": GATED}, manifest)
    assert _findings(root) == [4]


def test_an_optional_dependency_is_a_feature(tmp_path: Path) -> None:
    manifest = (
        DEFAULT_MANIFEST + '\n[dependencies]\nnative-tls = { version = "0.2", optional = true }\n'
    )
    root = make_crate(tmp_path / "c", {"src/lib.rs": GATED}, manifest)
    assert _findings(root) == [4]


def test_a_build_script_may_set_feature_cfgs(tmp_path: Path) -> None:
    # `cargo:rustc-cfg=feature="x"` enables a cfg `[features]` does not list: rustpro cannot
    # know every feature, so it drops nothing.
    build = 'fn main() {\n    println!("cargo:rustc-cfg=feature=\\"native-tls\\"");\n}\n'
    root = make_crate(tmp_path / "c", {"src/lib.rs": GATED, "build.rs": build})
    assert _findings(root) == [4]
