"""Cargo.toml reading: the package facts rules and profiles need, with the lines of keys."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rustpro import tomlparse
from rustpro.errors import ManifestError


def default_features(features: object) -> frozenset[str]:
    """The features `default` enables, given a manifest's `[features]` table, followed
    through the features it names (not `dep:` entries or other packages' `pkg/feature`)."""
    if not isinstance(features, dict):
        return frozenset()
    enabled: set[str] = set()
    pending = ["default"]
    while pending:
        name = pending.pop()
        if name in enabled:
            continue
        enabled.add(name)
        entries = features.get(name)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, str) and "/" not in entry and not entry.startswith("dep:"):
                pending.append(entry)
    return frozenset(enabled)


@dataclass(frozen=True, slots=True)
class Dependency:
    """One dependency as declared: `name` is the key, `package` the crate it really is."""

    name: str
    package: str
    version: str | None
    features: tuple[str, ...]
    optional: bool
    kind: str  # "normal", "dev" or "build"
    line: int | None
    path: str | None = None
    workspace: bool = False


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed Cargo.toml: the raw table plus the facts rustpro asks about most."""

    path: Path
    text: str
    data: dict[str, Any]
    # `dependencies()`, worked out once: package roles ask every manifest of a workspace
    # about its dependencies once per package (a workspace of 30 packages: 26k calls).
    _dependencies: tuple[Dependency, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def package(self) -> dict[str, Any] | None:
        """The `[package]` table, or None for a virtual manifest."""
        pkg = self.data.get("package")
        return pkg if isinstance(pkg, dict) else None

    @property
    def workspace(self) -> dict[str, Any] | None:
        """The `[workspace]` table, when this manifest is a workspace root."""
        ws = self.data.get("workspace")
        return ws if isinstance(ws, dict) else None

    @property
    def name(self) -> str:
        """The package name (the directory name for a virtual manifest)."""
        pkg = self.package or {}
        name = pkg.get("name")
        return name if isinstance(name, str) else self.path.parent.name

    def key_line(self, table: str, key: str) -> int | None:
        """1-based line of `key = ...` (or `key.workspace = ...`) inside `[table]`."""
        return key_line(self.text, table, key)

    def table_line(self, table: str) -> int | None:
        """1-based line of the `[table]` header."""
        return table_line(self.text, table)

    def section(self, *keys: str) -> dict[str, Any]:
        """A nested table (`section("package", "metadata", "rustpro")`), empty when absent."""
        node: Any = self.data
        for key in keys:
            if not isinstance(node, dict):
                return {}
            node = node.get(key, {})
        return node if isinstance(node, dict) else {}

    def dependencies(self) -> list[Dependency]:
        """Every dependency of the package: normal, dev and build, including target tables."""
        found = self._dependencies
        if found is None:
            found = self._read_dependencies()
            object.__setattr__(self, "_dependencies", found)
        return list(found)

    def _read_dependencies(self) -> tuple[Dependency, ...]:
        tables: list[tuple[str, str, dict[str, Any]]] = []
        for kind, key in _DEPENDENCY_TABLES:
            tables.append((kind, key, self.section(key)))
            for target_name, target in self.section("target").items():
                if isinstance(target, dict) and isinstance(target.get(key), dict):
                    tables.append((kind, f"target.{target_name}.{key}", target[key]))
        return tuple(
            _dependency(name, spec, kind, key_line(self.text, table_name, name))
            for kind, table_name, table in tables
            for name, spec in table.items()
        )

    def declared_features(self) -> frozenset[str]:
        """The features a build of the package can enable: the keys of `[features]` and the
        implicit feature of each optional dependency that no feature names as `dep:name`."""
        table = self.section("features")
        declared = set(table)
        hidden = {
            value[len("dep:") :]
            for values in table.values()
            if isinstance(values, list)
            for value in values
            if isinstance(value, str) and value.startswith("dep:")
        }
        declared.update(
            dep.name for dep in self.dependencies() if dep.optional and dep.name not in hidden
        )
        return frozenset(declared)


_DEPENDENCY_TABLES = (
    ("normal", "dependencies"),
    ("dev", "dev-dependencies"),
    ("build", "build-dependencies"),
)


def _dependency(name: str, spec: Any, kind: str, line: int | None) -> Dependency:
    if isinstance(spec, str):
        return Dependency(name, name, spec, (), False, kind, line)
    if not isinstance(spec, dict):
        return Dependency(name, name, None, (), False, kind, line)
    features = spec.get("features", [])
    return Dependency(
        name=name,
        package=str(spec.get("package", name)),
        version=str(spec["version"]) if "version" in spec else None,
        features=tuple(str(f) for f in features) if isinstance(features, list) else (),
        optional=bool(spec.get("optional", False)),
        kind=kind,
        line=line,
        path=str(spec["path"]) if "path" in spec else None,
        workspace=bool(spec.get("workspace", False)),
    )


def read_manifest(path: Path) -> Manifest:
    """Read and parse a Cargo.toml; raises `ManifestError` with the line of a syntax error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError("no such manifest", path) from None
    except OSError as err:
        raise ManifestError(f"cannot read manifest: {err.strerror or err}", path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ManifestError("manifest is not valid UTF-8", path) from None
    try:
        data = tomlparse.loads(text)
    except tomlparse.TOMLDecodeError as err:
        # Python 3.11's TOMLDecodeError has no `lineno`; its message ends "(at line N, ...)".
        where = re.search(r"\(at line (\d+)", str(err))
        line = int(where.group(1)) if where else None
        message = str(err).split(" (at ")[0]
        raise ManifestError(f"malformed TOML: {message}", path, line) from None
    if "package" not in data and "workspace" not in data:
        raise ManifestError("neither [package] nor [workspace] is declared", path)
    _check_shape(data, path)
    return Manifest(path=path, text=text, data=data)


def _check_shape(data: dict[str, Any], path: Path) -> None:
    """Reject what cargo rejects before it reads anything else: tables that are not tables,
    a package without a name, workspace paths that are not strings."""
    for key in ("package", "workspace", "lib", "dependencies", "dev-dependencies", "lints"):
        if key in data and not isinstance(data[key], dict):
            raise ManifestError(f"`{key}` must be a table, not {_kind(data[key])}", path)
    package = data.get("package")
    if package is not None:
        name = package.get("name")
        if not isinstance(name, str) or not name:
            raise ManifestError("`package.name` must be a non-empty string", path)
    workspace = data.get("workspace")
    if workspace is not None:
        for key in ("members", "exclude", "default-members"):
            value = workspace.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ManifestError(f"`workspace.{key}` must be an array of paths", path)


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    return names.get(type(value), "an array" if isinstance(value, list) else "a value")


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def _normalise_table(name: str) -> str:
    return ".".join(part.strip().strip('"').strip("'") for part in name.split("."))


def table_line(text: str, table: str) -> int | None:
    """1-based line of the header `[table]` in TOML `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        match = _HEADER.match(line)
        if match and _normalise_table(match.group(1)) == table:
            return number
    return None


def key_line(text: str, table: str, key: str) -> int | None:
    """1-based line where `key` is set inside `[table]` (also `key.workspace = ..`)."""
    return _key_lines(text).get((table, key))


_KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_.-]+?)[\"']?\s*(\.\s*[\w-]+\s*)?=")


@functools.lru_cache(maxsize=64)
def _key_lines(text: str) -> dict[tuple[str, str], int]:
    # One pass over the manifest for all keys: a crate asks for every dependency's line.
    lines: dict[tuple[str, str], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            current = _normalise_table(header.group(1))
            continue
        match = _KEY.match(line)
        if match:
            lines.setdefault((current, match.group(1)), number)
    return lines


@dataclass(frozen=True, slots=True)
class InheritedKeys:
    """Keys a member may inherit from `[workspace.package]` (`edition.workspace = true`)."""

    values: dict[str, Any] = field(default_factory=dict)
    dependencies: dict[str, Any] = field(default_factory=dict)
    lints: dict[str, Any] = field(default_factory=dict)  # `[workspace.lints]`


def package_value(manifest: Manifest, key: str, inherited: InheritedKeys) -> Any:
    """A `[package]` value, resolving `key.workspace = true` through the workspace root."""
    value = (manifest.package or {}).get(key)
    if isinstance(value, dict) and value.get("workspace") is True:
        return inherited.values.get(key)
    return value
