"""The `cargo fmt --check` diff-header parser."""

from __future__ import annotations

from rustpro.toolchain.rustfmt import files_to_format
from tests.toolchain.recorded_support import recorded


def test_recorded_check_names_each_file_once_at_its_first_change() -> None:
    assert files_to_format(recorded("fmt-unformatted.txt")) == {"/audit/unformatted/src/lib.rs": 2}


def test_both_header_styles_are_read() -> None:
    output = (
        "Diff in /w/src/a.rs at line 7:\n-x\n+y\nDiff in /w/src/b.rs:3:\nDiff in /w/src/a.rs:2:\n"
    )
    assert files_to_format(output) == {"/w/src/a.rs": 2, "/w/src/b.rs": 3}
    assert files_to_format("") == {}
