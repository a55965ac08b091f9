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


def test_compiled_files_reuse_the_discovered_paths(tmp_path: Path) -> None:
    """A compiled file's `path` is the discovered file's own `Path`, equal to the one built
    from its text (what the walk made before), and a file outside the discovered ones (an
    include) still gets one."""
    from rustpro.discovery.layout import discover
    from rustpro.engine.parallel import FileJob, analyze_files

    root = tmp_path / "crate"
    (root / "src" / "a").mkdir(parents=True)
    (root / "Cargo.toml").write_text(
        '[package]\nname = "c"\nversion = "0.1.0"\nedition = "2021"\n', encoding="utf-8"
    )
    (root / "src" / "lib.rs").write_text("pub mod a;\nmod b;\n", encoding="utf-8")
    (root / "src" / "a" / "mod.rs").write_text("pub mod c;\n", encoding="utf-8")
    (root / "src" / "a" / "c.rs").write_text("pub fn f() {}\n", encoding="utf-8")
    (root / "src" / "b.rs").write_text("pub fn g() {}\n", encoding="utf-8")
    workspace = discover(root)
    walk = ModuleTreeWalk(workspace.crates, workspace.root)
    discovered = {str(e.path): e.path for crate in workspace.crates for e in crate.files}
    met = []
    wave = walk.roots()
    while wave:
        for compiled in wave:
            assert compiled.path == Path(str(compiled.path))
            assert compiled.path is discovered[str(compiled.path)]
            met.append(compiled.relpath)
        results = analyze_files(
            [FileJob(f.path, f.relpath, f.role) for f in wave], max_bytes=1 << 20, cache=None
        )
        wave = walk.children((f, r.structure) for f, r in zip(wave, results, strict=True))
    assert sorted(met) == ["src/a/c.rs", "src/a/mod.rs", "src/b.rs", "src/lib.rs"]


def test_inherited_sets_widened_only_when_something_is_added() -> None:
    """`_widened` answers as the plain union, and keeps the inherited set when nothing is
    added (no new set per file)."""
    from rustpro.engine.modtree import _widened

    inherited = frozenset({"clippy::x"})
    for added in ([], (), ["clippy::x"], ("dead_code", "clippy::y")):
        assert _widened(inherited, added) == inherited | frozenset(added)
    assert _widened(inherited, []) is inherited
