"""`cargo metadata --no-deps`: the workspace as cargo sees it.

rustc prints paths relative to cargo's workspace root, which differs from the audited root
when one member of a larger workspace is audited; and cargo's member list confirms (or
corrects) what rustpro discovered without running it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro.errors import ToolError
from rustpro.model import Checkpoint
from rustpro.toolchain.session import CargoSession


@dataclass(frozen=True, slots=True)
class CargoPackage:
    """A workspace member: its name, its directory and its targets as `(kind, name)`."""

    name: str
    root: Path
    targets: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class CargoMetadata:
    """The parts of `cargo metadata` rustpro uses."""

    workspace_root: Path
    packages: tuple[CargoPackage, ...]

    @property
    def target_count(self) -> int:
        """Targets over all members (lib, bins, tests, benches, examples, build scripts)."""
        return sum(len(p.targets) for p in self.packages)


def parse_metadata(stdout: str) -> CargoMetadata:
    """Read `cargo metadata --format-version 1` output; raises `ToolError` when it is not
    the JSON cargo documents."""
    try:
        data = json.loads(stdout)
        members = set(data["workspace_members"])
        packages = tuple(_package(p) for p in data["packages"] if p.get("id") in members)
        return CargoMetadata(Path(data["workspace_root"]), packages)
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ToolError(
            f"cargo metadata printed unexpected output: {err}", "cargo metadata"
        ) from None


def _package(raw: dict[str, Any]) -> CargoPackage:
    targets = tuple(
        (str(kind), str(target["name"])) for target in raw["targets"] for kind in target["kind"][:1]
    )
    return CargoPackage(str(raw["name"]), Path(raw["manifest_path"]).parent, targets)


def run_metadata(session: CargoSession) -> CargoMetadata | None:
    """Ask cargo for the workspace, anchor report paths at its root, and note where cargo
    and rustpro's own discovery disagree. None when cargo cannot read the workspace."""
    args = ["metadata", "--no-deps", "--format-version", "1"]
    try:
        run = session.run("metadata", args, description="cargo metadata")
        if run.returncode != 0:
            raise ToolError(f"cargo metadata failed: {run.last_error_line()}", "cargo metadata")
        metadata = parse_metadata(run.stdout)
    except ToolError as err:
        session.report.note(Checkpoint.PROJECT, f"cargo metadata: {err}")
        session.report.warn(str(err))
        return None
    audited = [p for p in metadata.packages if _inside(p.root, session.root)]
    session.anchor_at(metadata.workspace_root, [p.name for p in audited])
    discovered = {crate.name for crate in session.workspace.crates}
    unseen = sorted({p.name for p in audited} - discovered)
    if unseen:
        session.report.warn(f"cargo builds packages rustpro did not discover: {', '.join(unseen)}")
    targets = sum(len(p.targets) for p in audited)
    session.report.note(
        Checkpoint.PROJECT,
        f"cargo metadata: {len(audited)} package(s), {targets} target(s) confirmed",
    )
    return metadata


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)
