"""The lintcheck corpus: pinned crates.io packages, downloaded, verified and unpacked into a cache.

`benchmarks/lintcheck/corpus.toml` lists the units. Each package's `.crate` file is downloaded
from crates.io's static file host once, checked against the pinned sha256, and unpacked into
`$RUSTPRO_LINTCHECK_DIR` (default `<user cache>/rustpro/lintcheck`), never into the repository.
Archives are unpacked by hand: only regular files and directories under the package's own
top-level directory are written; a link, a device, an absolute path or `..` rejects the archive.
Nothing is built and nothing of the packages is executed.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import http.client
import json
import os
import re
import shutil
import tarfile
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import platformdirs

CORPUS_FILE = Path(__file__).resolve().parent / "lintcheck" / "corpus.toml"
DOWNLOAD_URL = "https://static.crates.io/crates/{name}/{name}-{version}.crate"
INDEX_URL = "https://index.crates.io/{path}"
USER_AGENT = "rustpro-lintcheck (https://github.com/rustpro)"
TIMEOUT_SECONDS = 60
DOWNLOAD_THREADS = 8
# Refuse archives that unpack to more than this (the biggest package of the corpus is ~1.5 MB).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Bump when the layout of an assembled unit changes, so cached units are rebuilt.
LAYOUT_VERSION = 1
CATEGORIES = ("library", "async-library", "application", "ffi", "proc-macro", "test-support")

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CorpusUnavailable(Exception):
    """crates.io cannot be reached; the tests skip with this reason."""


class CorpusError(Exception):
    """The corpus is wrong or was tampered with (bad pin, checksum mismatch, unsafe archive)."""


@dataclass(frozen=True, slots=True)
class Package:
    """One crates.io package at an exact version, with the sha256 of its `.crate` file."""

    name: str
    version: str
    sha256: str

    @property
    def archive_name(self) -> str:
        """The `.crate` file name, also its top-level directory plus `.crate`."""
        return f"{self.name}-{self.version}.crate"

    @property
    def url(self) -> str:
        """Where crates.io serves the `.crate` file."""
        return DOWNLOAD_URL.format(name=self.name, version=self.version)


@dataclass(frozen=True, slots=True)
class Unit:
    """What is audited as one project: a package, or a family of packages as a workspace."""

    name: str
    category: str
    why: str
    packages: tuple[Package, ...]

    @property
    def is_workspace(self) -> bool:
        """A family of several packages, assembled into a synthetic workspace."""
        return len(self.packages) > 1

    def stamp(self) -> str:
        """Identifies what the unit directory holds; a changed pin rebuilds it."""
        pins = [[p.name, p.version, p.sha256] for p in self.packages]
        return json.dumps({"layout": LAYOUT_VERSION, "packages": pins}, sort_keys=True)


def load_corpus(path: Path = CORPUS_FILE) -> list[Unit]:
    """The units of the corpus file, validated; raises `CorpusError` on a malformed entry."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    units = [_unit(entry) for entry in data.get("unit", [])]
    names = [u.name for u in units]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    packages = [p.name for u in units for p in u.packages]
    duplicates += sorted({n for n in packages if packages.count(n) > 1})
    if duplicates:
        raise CorpusError(f"{path}: listed twice: {', '.join(duplicates)}")
    return units


def _unit(entry: dict[str, object]) -> Unit:
    name, category, why = entry.get("name"), entry.get("category"), entry.get("why")
    raw_packages = entry.get("packages")
    if not isinstance(name, str) or not _NAME.match(name):
        raise CorpusError(f"unit name {name!r} is not a crate-like name")
    if category not in CATEGORIES:
        raise CorpusError(f"unit {name}: category {category!r} is not one of {CATEGORIES}")
    if not isinstance(why, str) or not why.strip():
        raise CorpusError(f"unit {name}: says not why it is in the corpus")
    if not isinstance(raw_packages, list) or not raw_packages:
        raise CorpusError(f"unit {name}: lists no packages")
    packages = tuple(_package(name, raw) for raw in raw_packages)
    return Unit(name=name, category=str(category), why=why, packages=packages)


def _package(unit: str, raw: object) -> Package:
    if not isinstance(raw, dict):
        raise CorpusError(f"unit {unit}: a package entry is not a table")
    name, version, sha256 = raw.get("name"), raw.get("version"), raw.get("sha256")
    if not isinstance(name, str) or not _NAME.match(name):
        raise CorpusError(f"unit {unit}: package name {name!r} is not a crate name")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise CorpusError(f"unit {unit}: {name} version {version!r} is not an exact version")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise CorpusError(f"unit {unit}: {name} sha256 {sha256!r} is not 64 lowercase hex")
    return Package(name=name, version=version, sha256=sha256)


def cache_dir() -> Path:
    """`$RUSTPRO_LINTCHECK_DIR`, else `<user cache>/rustpro/lintcheck` (never inside the repo)."""
    override = os.environ.get("RUSTPRO_LINTCHECK_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("rustpro")) / "lintcheck"


def prepare_corpus(units: list[Unit], cache: Path | None = None) -> dict[str, Path]:
    """Download what is missing and assemble every unit; returns each unit's directory.

    Raises `CorpusUnavailable` when crates.io cannot be reached and `CorpusError` when a
    download does not match its pin or an archive is unsafe.
    """
    root = cache or cache_dir()
    wanted = [p for u in units if not _is_assembled(u, root) for p in u.packages]
    with concurrent.futures.ThreadPoolExecutor(DOWNLOAD_THREADS) as pool:
        list(pool.map(lambda package: download(package, root), wanted))
    return {unit.name: assemble(unit, root) for unit in units}


def download(package: Package, cache: Path) -> Path:
    """The verified `.crate` file of `package`, downloaded unless already cached."""
    target = cache / "downloads" / package.archive_name
    if target.is_file() and _sha256(target.read_bytes()) == package.sha256:
        return target
    data = fetch_bytes(package.url)
    actual = _sha256(data)
    if actual != package.sha256:
        raise CorpusError(
            f"{package.url}: sha256 {actual} does not match the pinned {package.sha256}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: a concurrent run never sees half a file
    return target


def fetch_bytes(url: str) -> bytes:
    """The body at `url`; `CorpusUnavailable` when the network fails, `CorpusError` on 404."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body: bytes = response.read()
            return body
    except urllib.error.HTTPError as err:
        if err.code in (404, 410):
            raise CorpusError(f"{url}: not found (HTTP {err.code}); is the pin right?") from None
        raise CorpusUnavailable(f"{url}: HTTP {err.code}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as err:
        raise CorpusUnavailable(f"{url}: {getattr(err, 'reason', err)}") from None


def assemble(unit: Unit, cache: Path) -> Path:
    """The unit's directory under `cache/units`, (re)built from verified downloads if stale."""
    units_dir = cache / "units"
    target = units_dir / unit.name
    if _is_assembled(unit, cache):
        return target
    building = units_dir / f".{unit.name}.{os.getpid()}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    if unit.is_workspace:
        for package in unit.packages:
            unpack(download(package, cache), package, building / package.name)
        (building / "Cargo.toml").write_text(workspace_manifest(unit), encoding="utf-8")
    else:
        package = unit.packages[0]
        unpack(download(package, cache), package, building)
    _stamp_path(unit, cache).unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    _stamp_path(unit, cache).write_text(unit.stamp(), encoding="utf-8")
    return target


def workspace_manifest(unit: Unit) -> str:
    """The root `Cargo.toml` that makes a family's package directories one workspace."""
    members = ", ".join(f'"{p.name}"' for p in unit.packages)
    return (
        "# Written by benchmarks/lintcheck.py: crates.io packages released from one repository,\n"
        "# assembled into a workspace again (a published package cannot carry its workspace).\n"
        "[workspace]\n"
        f"members = [{members}]\n"
        'resolver = "2"\n'
    )


def unpack(archive: Path, package: Package, destination: Path) -> None:
    """Write the files of `archive`'s top-level `{name}-{version}/` directory to `destination`.

    Only regular files and directories are accepted, each strictly under that top-level
    directory; anything else (links, devices, absolute or `..` paths, other top-level entries)
    raises `CorpusError` before a byte is written.
    """
    top = f"{package.name}-{package.version}"
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        files = _checked_members(archive, top, members)
        destination.mkdir(parents=True, exist_ok=True)
        base = destination.resolve()
        for member, relative in files:
            path = base.joinpath(*relative.parts)
            if member.isdir():
                path.mkdir(parents=True, exist_ok=True)
                continue
            source = tar.extractfile(member)
            if source is None:
                raise CorpusError(f"{archive}: {member.name} has no content")
            path.parent.mkdir(parents=True, exist_ok=True)
            with source, open(path, "xb") as out:
                shutil.copyfileobj(source, out)


def _checked_members(
    archive: Path, top: str, members: list[tarfile.TarInfo]
) -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    kept: list[tuple[tarfile.TarInfo, PurePosixPath]] = []
    total = 0
    for member in members:
        name = PurePosixPath(member.name)
        if name.is_absolute() or ".." in name.parts or not name.parts or name.parts[0] != top:
            raise CorpusError(f"{archive}: {member.name!r} lies outside {top}/")
        if not (member.isreg() or member.isdir()):
            raise CorpusError(f"{archive}: {member.name!r} is not a regular file or directory")
        relative = PurePosixPath(*name.parts[1:])  # PurePosixPath already dropped "." and ""
        total += member.size
        if total > MAX_UNPACKED_BYTES:
            raise CorpusError(f"{archive}: unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        if relative.parts:  # the top-level directory itself is `destination`
            kept.append((member, relative))
    return kept


def index_path(name: str) -> str:
    """Where the sparse index keeps a crate's records: `1/a`, `3/s/syn`, `se/rd/serde`."""
    lowered = name.lower()
    if len(lowered) <= 2:
        return f"{len(lowered)}/{lowered}"
    if len(lowered) == 3:
        return f"3/{lowered[0]}/{lowered}"
    return f"{lowered[:2]}/{lowered[2:4]}/{lowered}"


def index_entry(name: str, version: str) -> dict[str, object]:
    """The sparse-index record of one published version (its `cksum` is the `.crate` sha256)."""
    text = fetch_bytes(INDEX_URL.format(path=index_path(name))).decode("utf-8")
    for line in text.splitlines():
        record = json.loads(line) if line.strip() else {}
        if isinstance(record, dict) and record.get("vers") == version:
            return record
    raise CorpusError(f"{name} {version} is not in the crates.io index")


def pin_line(name: str, version: str) -> str:
    """A corpus.toml package entry for `name` at `version`, checksum from the index."""
    record = index_entry(name, version)
    if record.get("yanked"):
        raise CorpusError(f"{name} {version} is yanked")
    return f'  {{ name = "{name}", version = "{version}", sha256 = "{record["cksum"]}" }},'


def _is_assembled(unit: Unit, cache: Path) -> bool:
    stamp = _stamp_path(unit, cache)
    return (
        (cache / "units" / unit.name / "Cargo.toml").is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8") == unit.stamp()
    )


def _stamp_path(unit: Unit, cache: Path) -> Path:
    return cache / "units" / f"{unit.name}.stamp"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
