"""The error-API rules leave deprecated items alone, also a method of a type deprecated in
another file of the crate (the type's attribute is a fact of the crate pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import audit, make_crate

LIB = """\
//! Pools.
mod config;
pub use config::{Configuration, Settings};

/// Replaced by a builder with a typed error.
#[deprecated(note = "use the builder")]
#[derive(Default)]
pub struct Configuration;

/// Still the way to configure a pool.
#[derive(Default)]
pub struct Settings;
"""

CONFIG = """\
use std::error::Error;

#[allow(deprecated)]
impl super::Configuration {
    /// Builds the pool.
    pub fn build(self) -> Result<(), ERROR> {
        Ok(())
    }
}

impl super::Settings {
    /// Builds the pool.
    pub fn build(self) -> Result<(), ERROR> {
        Ok(())
    }
}
"""


@pytest.mark.parametrize(
    ("rule", "error"),
    [("boxed-error-in-lib-api", "Box<dyn Error>"), ("string-error", "String")],
)
def test_a_method_of_a_type_deprecated_in_another_file_is_left_alone(
    tmp_path: Path, rule: str, error: str
) -> None:
    config = CONFIG.replace("ERROR", error)
    root = make_crate(tmp_path / "c", {"src/lib.rs": LIB, "src/config.rs": config})
    found = [(f.path, f.line) for f in audit(root, select=(rule,)).findings]
    # Only `Settings::build`: `Configuration::build` belongs to a deprecated type.
    assert found == [("src/config.rs", 13)]
