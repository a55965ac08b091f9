"""TOML for the files every audit reads: Cargo.toml manifests, rustpro.toml, Cargo.toml.orig.

`tomli` is the standard library's `tomllib` as it was before it was added to Python, and on
most platforms it is installed compiled (mypyc): four times faster on real manifests, the
same documents and errors (`tests/test_tomlparse.py`). A workspace's manifests were a
twentieth of a whole static audit with `tomllib`.
"""

from __future__ import annotations

from tomli import TOMLDecodeError, loads

__all__ = ["TOMLDecodeError", "loads"]
