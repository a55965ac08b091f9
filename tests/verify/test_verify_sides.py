"""The two sides of a change: git's blob ids computed the way git does, which files count,
and which lines a change touched (whitespace-only edits touch nothing)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from rustpro.verify.sides import Side, blob_id, is_source, touched_lines

LINES = st.lists(st.text(alphabet="abc(){};= ", min_size=1, max_size=12), min_size=1, max_size=12)


def side(text: str) -> Side:
    return Side(
        blobs={"src/lib.rs": blob_id(text.encode())}, contents={"src/lib.rs": text.encode()}
    )


def test_blob_ids_are_gits(tmp_path: Path) -> None:
    path = tmp_path / "a.rs"
    path.write_bytes(b"fn main() {}\n")
    git = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, text=True, check=True
    )
    assert blob_id(path.read_bytes()) == git.stdout.strip()


def test_build_output_and_hidden_directories_are_not_sources() -> None:
    assert is_source("src/lib.rs") and is_source("Cargo.toml") and is_source("README.md")
    assert not is_source("target/debug/build/out.rs")
    assert not is_source(".cargo/config.toml")
    assert not is_source("src/data.bin")


def test_added_and_rewritten_lines_are_touched() -> None:
    old = side("fn a() {}\nfn b() {}\nfn c() {}\n")
    new = side("fn a() {}\nfn b2() {}\nfn new() {}\nfn c() {}\n")
    assert touched_lines(old, new, ["src/lib.rs"]) == {"src/lib.rs": frozenset({2, 3})}


def test_a_file_without_old_content_is_touched_everywhere() -> None:
    new = side("fn a() {}\nfn b() {}")
    assert touched_lines(Side(blobs={}), new, ["src/lib.rs"]) == {"src/lib.rs": frozenset({1, 2})}


@given(LINES, st.lists(st.sampled_from(["", " ", "    ", "\t"]), min_size=12, max_size=12))
def test_whitespace_only_edits_touch_nothing(lines: list[str], pads: list[str]) -> None:
    old = "\n".join(lines)
    padded = zip(lines, pads[: len(lines)], strict=True)
    new = "\n".join(f"{pad}{' '.join(line.split())}{pad}" for line, pad in padded)
    assert touched_lines(side(old), side(new), ["src/lib.rs"]) == {"src/lib.rs": frozenset()}
