"""What a package unpacked from a published `.crate` cannot show of its repository.

`cargo package` writes what it ships: the files `package.include` / `package.exclude` keep,
never a sub-package (any directory holding its own Cargo.toml: a `fuzz/` crate, a benchmark
crate, the other members of the workspace), and a normalised Cargo.toml beside
`Cargo.toml.orig`, cargo's copy of the manifest as written. Audited from such a package
(vendored sources, the registry cache, a corpus of published crates), the tests, benchmarks
and fuzz targets of the repository may simply not be there, and rules about whether they
exist cannot conclude that they do not.

Each question answers with the reason it cannot be told (for the rule's docs and tests), or
None when the package shows everything the question needs: a repository checkout (no
`Cargo.toml.orig`) always does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro import tomlparse
from rustpro.discovery.manifest import Manifest

ORIGINAL_MANIFEST = "Cargo.toml.orig"
# Directory names that hold benchmarks, when a package leaves one out.
_BENCH_DIRS = ("benches", "bench", "benchmark", "benchmarks")


@dataclass(frozen=True, slots=True)
class Unseen:
    """Why parts of the repository may be missing from a package (None: nothing is)."""

    tests: str | None = None  # integration tests (`tests/`, `[[test]]` targets)
    benches: str | None = None  # bench targets (`benches/`, `[[bench]]`)
    fuzz: str | None = None  # cargo-fuzz targets (a `fuzz/` sub-package)
    # Paths the written manifest's `[workspace]` names (members, excluded packages) that are
    # not in the package: the repository's other packages, which may sit elsewhere in an
    # audit that brought them together again.
    members: tuple[str, ...] = ()


def unseen(root: Path, manifest: Manifest) -> Unseen:
    """What the package at `root` (with its parsed `manifest`) may lack of its repository."""
    original_path = root / ORIGINAL_MANIFEST
    if not original_path.is_file():
        return Unseen()  # a checkout: what is not here does not exist
    shipped = manifest.data
    try:
        original: dict[str, Any] = tomlparse.loads(original_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlparse.TOMLDecodeError):
        original = {}
    package = shipped.get("package")
    filters = _Filters.of(package if isinstance(package, dict) else {})
    return Unseen(
        tests=_missing_targets(root, original, "test", "tests") or filters.leaves_out(("tests",)),
        benches=_missing_targets(root, original, "bench", "benches")
        or filters.leaves_out(_BENCH_DIRS),
        # cargo-fuzz makes `fuzz/` a package of its own, and `cargo package` never ships a
        # sub-package, whatever `include` says.
        fuzz="a published package never carries a cargo-fuzz sub-package (`fuzz/`)",
        members=_missing_members(root, original),
    )


def _missing_targets(root: Path, original: dict[str, Any], kind: str, folder: str) -> str | None:
    """The first `[[test]]` / `[[bench]]` target the manifest as written names whose file is
    not in the package."""
    tables = original.get(kind, [])
    for table in tables if isinstance(tables, list) else []:
        if not isinstance(table, dict) or not isinstance(table.get("name"), str):
            continue
        path = table.get("path")
        relpath = path if isinstance(path, str) else f"{folder}/{table['name']}.rs"
        if not (root / relpath).is_file():
            return (
                f"the manifest names the {kind} target `{table['name']}` ({relpath}), "
                "which the package does not carry"
            )
    return None


def _missing_members(root: Path, original: dict[str, Any]) -> tuple[str, ...]:
    """The paths of the written manifest's `[workspace]` (members, exclude) that are not in
    the package: packages of the repository that were not shipped with this one."""
    workspace = original.get("workspace")
    if not isinstance(workspace, dict):
        return ()
    missing: list[str] = []
    for key in ("members", "exclude"):
        paths = workspace.get(key, [])
        for path in paths if isinstance(paths, list) else []:
            if not isinstance(path, str) or any(c in path for c in "*?["):
                continue  # a glob names no one package
            if not (root / path).exists():
                missing.append(path.strip("/"))
    return tuple(missing)


@dataclass(frozen=True, slots=True)
class _Filters:
    """`package.include` / `package.exclude` of the shipped manifest (gitignore-style globs)."""

    include: tuple[str, ...] | None
    exclude: tuple[str, ...]

    @classmethod
    def of(cls, package: dict[str, Any]) -> _Filters:
        include = package.get("include")
        exclude = package.get("exclude")
        return cls(
            tuple(str(p) for p in include) if isinstance(include, list) else None,
            tuple(str(p) for p in exclude) if isinstance(exclude, list) else (),
        )

    def leaves_out(self, folders: tuple[str, ...]) -> str | None:
        """Why the package lacks whatever the repository keeps in these top-level folders."""
        for folder in folders:
            if self.include is not None and not any(
                _matches(pattern, folder) for pattern in self.include
            ):
                return f"`package.include` does not ship `{folder}/`"
            if any(_matches(pattern, folder) for pattern in self.exclude):
                return f"`package.exclude` leaves out `{folder}/`"
        return None


def _matches(pattern: str, folder: str) -> bool:
    """Whether a gitignore-style `pattern` selects the top-level `folder` or a file in it."""
    anchored = pattern.startswith("/")
    text = pattern.strip("/")
    if not text:
        return False
    import fnmatch  # here: only manifests with include/exclude lists need it, not every start

    sample = f"{folder}/file.rs"
    if "/" not in text and not anchored:
        # A bare name or glob matches at any depth: the folder itself, or every file (`*`).
        return fnmatch.fnmatchcase(folder, text) or fnmatch.fnmatchcase("file.rs", text)
    head = text.split("/", 1)[0]
    return fnmatch.fnmatchcase(folder, head) and (
        text == head or fnmatch.fnmatchcase(sample, text) or text.startswith(f"{head}/**")
    )
