"""rustpro's findings on the starting point: a static audit of the old sources.

The old side's files are written into a temporary directory under rustpro's cache dir (never
into the user's tree), audited with `--static` (nothing is built or run), fingerprinted there,
and the directory removed. The answer is cached by the content of the old side and the
engine's fingerprint, so verifying repeatedly against the same commit audits it once.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from rustpro.cachedir import cache_root, engine_fingerprint
from rustpro.errors import RustproError
from rustpro.fingerprint import source_reader
from rustpro.verify.records import FindingRecord, RecordStore, at_least_warning, to_records
from rustpro.verify.sides import Side


def start_findings(
    old: Side, root_in_repo: str, *, workers: int | None = None
) -> list[FindingRecord]:
    """Findings at warning or above of the static audit of `old` (the verified root sits at
    `root_in_repo` below the old side's top, "" when it is the top)."""
    key = hashlib.sha256(f"{engine_fingerprint()}\0{old.content_key()}".encode()).hexdigest()
    store = RecordStore("rustpro")
    cached = store.get(key)
    if cached is not None:
        return cached
    records = _audit(old, root_in_repo, workers)
    store.put(key, records)
    return records


def _audit(old: Side, root_in_repo: str, workers: int | None) -> list[FindingRecord]:
    from rustpro.engine.audit import AuditOptions, run_audit  # verify starts cargo first

    base = cache_root() / "verify" / "trees"
    base.mkdir(parents=True, exist_ok=True)
    top = Path(tempfile.mkdtemp(dir=base, prefix="start-"))
    try:
        root = top / root_in_repo if root_in_repo else top
        root.mkdir(parents=True, exist_ok=True)
        for relpath, content in old.ancestors.items():
            _write(top, relpath, content)
        for relpath, content in old.contents.items():
            _write(root, relpath, content)
        if not (root / "Cargo.toml").is_file():
            # The starting point had no crate here (it is being created): nothing to compare.
            return []
        try:
            result = run_audit(root, AuditOptions(static=True, workers=workers))
        except RustproError:
            # A start that cannot be audited (a broken manifest) had no findings anyone could
            # see: every finding now is new.
            return []
        findings = [f for f in result.findings if at_least_warning(f)]
        return to_records(findings, source_reader(result.root))
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _write(base: Path, relpath: str, content: bytes) -> None:
    parts = PurePosixPath(relpath).parts
    if not parts or any(part in ("..", "") for part in parts) or relpath.startswith("/"):
        return  # never write outside the temporary tree, whatever a tree entry says
    path = base.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
