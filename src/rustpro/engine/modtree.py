"""Which files the compiler builds: the module tree, followed from each target's root.

Only compiled code is audited. A `.rs` file that no target reaches through `mod`, `#[path]`
or `include!("..")` is data (parser test inputs, trybuild cases, text read with
`include_str!`), and nobody reviews data as code. The tree is followed breadth-first: the
audit analyses one wave of files, and each file's declarations (`FileStructure.mod_decls`,
`.includes`) name the next wave, so every file is still parsed once.

Each compiled file gets its place (`ModuleInfo`): the module path, the target that reaches
it, whether it is public from the library root, whether it is compiled only for tests (a
`#[cfg(test)] mod tests;`, a test-support module), the lints allowed on the way down and the
features its declarations require (`#[cfg(feature = "x")] mod x;`).
Modules compiled only for rustdoc (`#[cfg(docsrs)] mod doc;`) are not followed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rustpro.discovery.layout import CrateLayout, SourceEntry
from rustpro.engine.structure import FileStructure, ModDecl
from rustpro.model import Role

_TARGET_ROLES = {
    "test": Role.TEST,
    "bench": Role.BENCH,
    "example": Role.EXAMPLE,
    "build-script": Role.BUILD_SCRIPT,
}


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    """Where a file sits in a target's module tree."""

    module: tuple[str, ...]
    target_kind: str
    public: bool  # reachable from the library root through `pub mod` all the way
    test_only: bool  # compiled only for tests (`#[cfg(test)] mod x;`, test-support modules)
    # Lints allowed for the whole file by its ancestors (declarations and their files' `#![allow]`).
    allows: frozenset[str] = frozenset()
    # Features the `#[cfg(feature = "x")]` of the declarations leading here certainly require.
    features: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class CompiledFile:
    """A file the module tree reaches, and what the file pass needs to know to analyse it."""

    crate: int  # index into `Workspace.crates`
    path: Path
    relpath: str
    role: Role
    info: ModuleInfo
    # Where this file's `mod x;` children live (`dir/` for `dir/mod.rs`, `dir/name/` for
    # `dir/name.rs`). Text, not a `Path`: the walk joins it with every declared module's
    # name, and pathlib's joins cost more than the rest of the walk.
    children_dir: str


@dataclass(slots=True)
class TreeOutcome:
    """Per crate, the module places of its compiled files; and what was left out, and why."""

    modules: list[dict[str, ModuleInfo]]
    not_compiled: list[int]  # per crate: `.rs` files under it that no target reaches
    docs_only: int = 0  # modules compiled only for rustdoc, not followed
    warnings: list[str] = field(default_factory=list)
    # The warnings above for files that exist but lie outside the audited root: never read.
    outside_root: list[str] = field(default_factory=list)


class ModuleTreeWalk:
    """Hands out the compiled files of a workspace wave by wave (see the module docs)."""

    def __init__(self, crates: list[CrateLayout], root: Path) -> None:
        self.crates = crates
        self.root = root
        self._real_root = os.path.realpath(root)
        self._entries: list[dict[str, SourceEntry]] = [
            {str(e.path): e for e in crate.files} for crate in crates
        ]
        self._seen: set[str] = set()
        self._real_dirs: dict[str, str] = {}  # see `_realpath`
        self.outcome = TreeOutcome(modules=[{} for _ in crates], not_compiled=[0] * len(crates))

    def roots(self) -> list[CompiledFile]:
        """The first wave: every target's root file."""
        wave: list[CompiledFile] = []
        for index, crate in enumerate(self.crates):
            for target in crate.targets:
                info = ModuleInfo((), target.kind, target.kind == "lib", False)
                role = _TARGET_ROLES.get(target.kind, Role.PRODUCTION)
                children_dir = os.path.dirname(target.root)
                found = self._compiled(index, str(target.root), role, info, children_dir)
                if found is not None:
                    wave.append(found)
        return wave

    def children(
        self, analysed: Iterable[tuple[CompiledFile, FileStructure | None]]
    ) -> list[CompiledFile]:
        """The next wave: the files the analysed files declare (`None`: not analysed)."""
        wave: list[CompiledFile] = []
        for parent, structure in analysed:
            if structure is None:
                continue
            inherited = _widened(parent.info.allows, structure.root_allows)
            for decl in structure.mod_decls:
                if decl.docs_only:
                    self.outcome.docs_only += 1
                    continue
                child = self._declared(parent, decl, inherited)
                if child is not None:
                    wave.append(child)
            for include in structure.includes:
                path = os.path.join(os.path.dirname(parent.path), include)
                found = self._compiled(
                    parent.crate, path, parent.role, parent.info, parent.children_dir
                )
                if found is not None:
                    wave.append(found)
        return wave

    def finish(self) -> TreeOutcome:
        """What the walk decided, once no wave is left."""
        for index, entries in enumerate(self._entries):
            self.outcome.not_compiled[index] = sum(1 for text in entries if text not in self._seen)
        return self.outcome

    def _declared(
        self, parent: CompiledFile, decl: ModDecl, inherited: frozenset[str]
    ) -> CompiledFile | None:
        file_name = decl.name.removeprefix("r#")  # `mod r#async;` lives in `async.rs`
        join = os.path.join
        base = join(parent.children_dir, *decl.chain)
        paths = [decl.path_attr] if decl.path_attr else list(decl.conditional_paths)
        if paths:
            # `#[path]` is relative to the declaring file's directory (outside inline
            # modules) and the file it names owns its directory like a `mod.rs`.
            anchor = os.path.dirname(parent.path) if not decl.chain else base
            candidates = [
                (join(anchor, path), os.path.dirname(join(anchor, path))) for path in paths
            ]
        else:
            owned = join(base, file_name)
            candidates = [(f"{owned}.rs", owned), (join(owned, "mod.rs"), owned)]
        info = ModuleInfo(
            module=(*parent.info.module, *decl.chain, decl.name),
            target_kind=parent.info.target_kind,
            public=parent.info.public and decl.is_pub and not decl.doc_hidden,
            test_only=parent.info.test_only or decl.test_only,
            allows=_widened(inherited, decl.allows),
            features=_widened(parent.info.features, decl.features),
        )
        role = Role.TEST if decl.test_only and parent.role is Role.PRODUCTION else parent.role
        for path, children_dir in candidates:
            found = self._compiled(parent.crate, path, role, info, children_dir)
            if found is not None:
                return found
        return None

    def _compiled(
        self, crate: int, path: str, role: Role, info: ModuleInfo, children_dir: str
    ) -> CompiledFile | None:
        """The file at `path` if it exists, lies inside the audited root and is new."""
        text = os.path.normpath(path)
        if text in self._seen:
            return None
        entry = self._entries[crate].get(text)
        if entry is None:
            if not os.path.isfile(text):
                return None
            relpath = _relative(text, str(self.root))
            if relpath is None:
                self._seen.add(text)
                self._outside(f"{text}: skipped: a module outside the audited root")
                return None
        else:
            relpath = entry.relpath
        real = self._realpath(text)
        if real != text and not (real + os.sep).startswith(self._real_root + os.sep):
            self._seen.add(text)
            self._outside(f"{relpath}: skipped: it resolves to {real}, outside the audited root")
            return None
        self._seen.add(text)
        self.outcome.modules[crate][relpath] = info
        # The discovered file's own `Path` (its text is `text`): a new one costs a pathlib
        # parse for each of the crate's files.
        found = entry.path if entry is not None else Path(text)
        return CompiledFile(crate, found, relpath, role, info, children_dir)

    def _realpath(self, text: str) -> str:
        """`os.path.realpath(text)`, each directory resolved once per walk.

        `realpath` checks every component of the path (ten `lstat`s and as many string
        steps for a file ten directories deep): for a workspace's hundreds of modules, most
        in a few directories, that was most of the walk. The file's own name is still
        checked each time: a symlinked module resolves in full, as before."""
        directory, name = os.path.split(text)
        real_dir = self._real_dirs.get(directory)
        if real_dir is None:
            real_dir = self._real_dirs[directory] = os.path.realpath(directory)
        # A directory that resolves to itself (no symlink on the way, the usual case) gives
        # back `text` itself: `text` is normalised, so joining its parts again would rebuild it.
        joined = text if real_dir == directory else os.path.join(real_dir, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined

    def _outside(self, message: str) -> None:
        self.outcome.warnings.append(message)
        self.outcome.outside_root.append(message)


def _widened(inherited: frozenset[str], added: Sequence[str]) -> frozenset[str]:
    """`inherited | frozenset(added)`, and `inherited` itself when `added` is empty: most
    declarations and files add nothing, and each union builds two new sets per file."""
    return inherited | frozenset(added) if added else inherited


def _relative(text: str, root: str) -> str | None:
    prefix = root if root.endswith(os.sep) else root + os.sep
    if not text.startswith(prefix):
        return None
    return text[len(prefix) :].replace(os.sep, "/")


def walk_analysed(
    crates: list[CrateLayout], root: Path, structures: dict[str, FileStructure]
) -> TreeOutcome:
    """The module tree over files already analysed (`structures` by relpath)."""
    walk = ModuleTreeWalk(crates, root)
    wave = walk.roots()
    while wave:
        wave = walk.children((f, structures.get(f.relpath)) for f in wave)
    return walk.finish()
