"""Configuration: where it is read from, how selectors match, and how flags override it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.config import AuditConfig, load_config
from rustpro.discovery.manifest import read_manifest
from rustpro.errors import ConfigError
from rustpro.model import Checkpoint, Finding, Severity
from tests.support import DEFAULT_MANIFEST


def _finding(rule: str, checkpoint: Checkpoint, path: str, source: str = "rustpro") -> Finding:
    return Finding(rule, checkpoint, Severity.WARNING, path, 1, 1, 1, 2, "m", "h", source=source)


UNWRAP = _finding("unwrap-in-production", Checkpoint.ERRORS, "src/lib.rs")
DOCS = _finding("missing-panics-doc", Checkpoint.DOCS, "src/gen/tables.rs")
CLIPPY = _finding("clippy::unwrap_used", Checkpoint.ERRORS, "src/lib.rs", source="clippy")


def _load(tmp_path: Path, manifest_extra: str = "", rustpro_toml: str | None = None) -> AuditConfig:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Cargo.toml").write_text(DEFAULT_MANIFEST + manifest_extra)
    if rustpro_toml is not None:
        (tmp_path / "rustpro.toml").write_text(rustpro_toml)
    return load_config(tmp_path, read_manifest(tmp_path / "Cargo.toml"))


def test_defaults(tmp_path: Path) -> None:
    config = _load(tmp_path)
    assert config == AuditConfig()
    assert config.fail_threshold is Severity.WARNING
    assert all(config.keeps(f) for f in (UNWRAP, DOCS, CLIPPY))


def test_selectors_match_rules_checkpoints_and_tools() -> None:
    assert AuditConfig(select=("errors",)).keeps(UNWRAP)
    assert not AuditConfig(select=("errors",)).keeps(DOCS)
    assert AuditConfig(select=("clippy",)).keeps(CLIPPY)
    assert not AuditConfig(select=("clippy",)).keeps(UNWRAP)
    assert not AuditConfig(ignore=("clippy::*",)).keeps(CLIPPY)
    assert not AuditConfig(ignore=("missing-panics-doc",)).keeps(DOCS)


@pytest.mark.parametrize(
    ("pattern", "ignored"),
    [
        ("src/gen/**", True),
        ("src/gen", True),
        ("src/gen/", True),
        ("src/*/tables.rs", True),
        ("src/**/*.rs", True),
        ("src/ge", False),  # a prefix of a directory name is not that directory
        ("tests/**", False),
    ],
)
def test_per_path_patterns(pattern: str, ignored: bool) -> None:
    config = AuditConfig(per_path_ignores=((pattern, ("docs",)),))
    assert config.keeps(DOCS) is not ignored
    assert config.keeps(UNWRAP)  # other paths and rules are untouched


def test_file_precedence_and_sources(tmp_path: Path) -> None:
    package = '\n[package.metadata.rustpro]\nignore = ["docs"]\n'
    workspace = '\n[workspace]\n[workspace.metadata.rustpro]\nignore = ["memory"]\n'
    assert _load(tmp_path / "a", package).ignore == ("docs",)
    # A workspace root's table is read before the package's.
    assert _load(tmp_path / "b", package + workspace).ignore == ("memory",)
    # rustpro.toml wins over both.
    toml_wins = _load(tmp_path / "c", package, 'ignore = ["perf"]\n')
    assert toml_wins.ignore == ("perf",)
    assert toml_wins.source.endswith("rustpro.toml")


def test_flags_override_the_file(tmp_path: Path) -> None:
    text = 'select = ["docs"]\nignore = ["perf"]\nfail-on = "error"\n'
    config = _load(tmp_path, rustpro_toml=text)
    merged = config.with_overrides(select=("errors",), ignore=("memory",), fail_on="note")
    assert merged.select == ("errors",)
    assert merged.ignore == ("perf", "memory")
    assert merged.fail_on == "note"
    unchanged = config.with_overrides()
    assert (unchanged.select, unchanged.fail_on) == (("docs",), "error")
    assert config.with_overrides(fail_on="none").fail_threshold is None


def test_unknown_names_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="did you mean missing-docs"):
        AuditConfig().with_overrides(ignore=("missing-doc",))
    assert AuditConfig().with_overrides(ignore=("clippy::pedantic",)).ignore == (
        "clippy::pedantic",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("select = [1]\n", "must be a list of strings"),
        ("[per-path-ignores]\n'src' = 'docs'\n", "must be a list of strings"),
        ("per-path-ignores = 3\n", "must be a table"),
        ('fail-on = "warn"\n', "`fail-on` must be one of"),
        ('selekt = ["docs"]\n', "unknown key(s) selekt"),
        ('ignore = ["nonsense-rule"]\n', "unknown rule or checkpoint `nonsense-rule`"),
    ],
)
def test_invalid_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, rustpro_toml=text)
    assert message in str(raised.value)
    assert "rustpro.toml" in str(raised.value)
