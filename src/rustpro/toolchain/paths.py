"""Turning the paths tools print into report paths (relative to the audited root, `/`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where tool paths are anchored: rustc prints paths relative to cargo's workspace root,
    which is the audited root unless a member crate was audited on its own."""

    audit_root: Path
    cargo_root: Path

    def relative(self, printed: str, *anchors: Path) -> str | None:
        """`printed` as a report path, or None when it lies outside the audited root
        (the standard library, a registry crate) or is a pseudo-file such as `<macros>`."""
        if not printed or printed.startswith("<"):
            return None
        path = Path(printed)
        candidates = (
            [path] if path.is_absolute() else [a / path for a in (*anchors, self.cargo_root)]
        )
        for candidate in candidates:
            resolved = candidate.resolve()
            try:
                rel = resolved.relative_to(self.audit_root)
            except ValueError:
                continue
            # Prefer an anchor where the file exists; the last one is taken on trust (the
            # file may be gone, or the output was recorded elsewhere).
            if resolved.exists() or candidate is candidates[-1]:
                return rel.as_posix()
        return None
