"""The module tree resolves each directory once: the same answer as `os.path.realpath`."""

from __future__ import annotations

import os
from pathlib import Path

from rustpro.engine.modtree import ModuleTreeWalk


def test_resolving_directories_once_answers_as_realpath(tmp_path: Path) -> None:
    root = tmp_path / "crate"
    (root / "src" / "a" / "b").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    for directory in (root / "src", root / "src" / "a", root / "src" / "a" / "b", outside):
        (directory / "m.rs").write_text("pub fn f() {}\n", encoding="utf-8")
    (root / "elsewhere" / "real.rs").write_text("pub fn g() {}\n", encoding="utf-8")
    (root / "src" / "linked_dir").symlink_to(root / "src" / "a")  # a directory link
    (root / "src" / "linked.rs").symlink_to(root / "elsewhere" / "real.rs")  # a file link
    (root / "src" / "a" / "out.rs").symlink_to(outside / "m.rs")  # a link out of the root
    (root / "src" / "a" / "chain.rs").symlink_to(root / "src" / "linked.rs")  # link to link
    (root / "src" / "out_dir").symlink_to(outside)
    walk = ModuleTreeWalk([], root)
    paths = [
        root / "src" / "m.rs",
        root / "src" / "a" / "m.rs",
        root / "src" / "a" / "b" / "m.rs",
        root / "src" / "linked_dir" / "m.rs",
        root / "src" / "linked_dir" / "b" / "m.rs",
        root / "src" / "linked.rs",
        root / "src" / "a" / "out.rs",
        root / "src" / "a" / "chain.rs",
        root / "src" / "out_dir" / "m.rs",
        root / "src" / "linked_dir" / "out.rs",
        root / "src" / "missing.rs",
    ]
    for _ in range(2):  # the second time from the remembered directories
        for path in paths:
            assert walk._realpath(str(path)) == os.path.realpath(path), path
