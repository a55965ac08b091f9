"""`rustpro verify --record FILE`: the current state as a starting point.

One audit of the tree as it is (static rules, and clippy when cargo can build it; tests are
not run: a snapshot needs what the tree declares, not whether it passes), then the snapshot
is written atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

from rustpro.fingerprint import source_reader
from rustpro.toolchain.clippy import is_compile_error
from rustpro.verify.cargo import CargoChecks
from rustpro.verify.gitobjects import repository_root
from rustpro.verify.output import write_atomically
from rustpro.verify.records import at_least_warning, to_records
from rustpro.verify.run import VerifyOptions, audit_work_tree, verify_root
from rustpro.verify.sides import work_tree_side
from rustpro.verify.snapshot import Snapshot
from rustpro.verify.testchecks import declared_tests, weakening_module


def record_snapshot(
    path: Path, options: VerifyOptions, destination: Path
) -> tuple[Snapshot, list[str]]:
    """Write the snapshot of the tree at `path` to `destination`; returns it and warnings."""
    root = verify_root(path)
    side = work_tree_side(root, repository_root(root))
    build = not options.skipped("build") and not options.skipped("clippy")
    cargo = (
        CargoChecks(options.full, build=build, clippy=build, test=False, fmt=False)
        if build
        else None
    )
    result = audit_work_tree(root, options, cargo)
    read = source_reader(result.root)
    rustpro = [f for f in result.findings if f.source == "rustpro" and at_least_warning(f)]
    warnings = list(result.warnings)
    clippy = None
    if cargo is not None and cargo.outcome.missing_cargo is not None:
        warnings.append(f"clippy's findings are not recorded: {cargo.outcome.missing_cargo}")
    elif cargo is not None and cargo.outcome.compiled and cargo.outcome.clippy_ran:
        tool = [
            f
            for f in result.findings
            if f.source in ("clippy", "rustc") and at_least_warning(f) and not is_compile_error(f)
        ]
        clippy = to_records(tool, read)
    elif cargo is not None:
        warnings.append(
            "clippy's findings are not recorded (the tree does not build, or clippy is "
            "missing): verify will count clippy findings in changed files as new"
        )
    sources = side.test_sources()
    module = weakening_module()
    inventory = module.inventory(sources) if module is not None else None
    if module is None:
        warnings.append("no test inventory recorded: this build of rustpro has no weakening check")
    snapshot = Snapshot(
        root=str(root),
        files=dict(side.blobs),
        rustpro=to_records(rustpro, read),
        clippy=clippy,
        tests=inventory.to_json() if inventory is not None else None,
        declared_tests=declared_tests(sources, inventory),
    )
    write_atomically(destination, json.dumps(snapshot.to_json(), indent=1) + "\n")
    return snapshot, warnings
