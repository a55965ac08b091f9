"""Check 5, tests not weakened, through `rustpro.verify.weakening` (inventory and compare),
and the start's declared test count that check 2 needs.

The weakening module is loaded when verify runs, not at import: a build without it still
verifies the rest and says that check 5 could not run.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from rustpro.cachedir import cache_root, engine_fingerprint, put_json
from rustpro.verify.result import Check, Problem, Status
from rustpro.verify.sides import Side

WEAKENING_MODULE = "rustpro.verify.weakening"

# A fallback count of test functions when no inventory is available: the attributes that
# make one (`#[test]`, `#[tokio::test]`, `#[rstest]`, `#[test_case(..)]`).
_TEST_ATTRIBUTE = re.compile(r"#\[\s*(?:[\w:]+::)?(?:test|rstest|test_case)\b")

_FIX = (
    "restore what the test checked at the starting point; if the change to the test is "
    "really intended, a person has to accept it"
)
_NOTE_FIX = "listed because --allow-test-edits was given: check the new value is the right one"


def weakening_module() -> ModuleType | None:
    """`rustpro.verify.weakening`, or None when this build does not have it."""
    try:
        return importlib.import_module(WEAKENING_MODULE)
    except ModuleNotFoundError as err:
        if err.name != WEAKENING_MODULE:
            raise  # the module exists but one of its imports is missing: a real bug
        return None


def inventory_of(module: ModuleType, side: Side, *, use_cache: bool = True) -> Any:
    """The test inventory of `side`'s sources, cached by their content.

    An inventory is a function of the `.rs` files and manifests it reads (and of rustpro's
    code, which the engine fingerprint covers), so one stored for the same blob ids is the
    same answer: verifying again with nothing changed parses nothing. An entry that cannot be
    read or decoded is a miss."""
    sources = side.test_sources()
    if not use_cache:
        return module.inventory(sources)
    digest = hashlib.sha256(f"inventory\0{engine_fingerprint()}".encode())
    for path in sources:  # sorted by `test_sources`
        digest.update(f"\n{path}\0{side.blobs.get(path, '')}".encode())
    entry = cache_root() / "verify" / "inventory" / f"{digest.hexdigest()}.json"
    try:
        return module.TestInventory.from_json(json.loads(entry.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    found = module.inventory(sources)
    put_json(entry, found.to_json())
    return found


def declared_tests(sources: Mapping[str, str], inventory: Any | None) -> int:
    """How many tests `cargo test` would run from the sources (the inventory's count of runs,
    ignored and cfg-excluded tests left out, when known; else the test attributes)."""
    if inventory is not None:
        return int(inventory.total_runs)
    return sum(len(_TEST_ATTRIBUTE.findall(text)) for text in sources.values())


def weakening_check(
    module: ModuleType, old_inventory: Any, new_inventory: Any, *, allow_test_edits: bool
) -> Check:
    """Check 5 from the two inventories."""
    found = module.compare(old_inventory, new_inventory, allow_test_edits=allow_test_edits)
    problems = [_problem(w, _FIX) for w in found if not w.note_only]
    notes = [_problem(w, _NOTE_FIX) for w in found if w.note_only]
    before, after = len(old_inventory.tests), len(new_inventory.tests)
    counts = f"{after} test(s) now, {before} at the start"
    if problems:
        summary = f"{len(problems)} weakening(s) of the tests ({counts})"
        return Check("weakening", Status.FAIL, summary, problems, notes)
    return Check("weakening", Status.PASS, f"no test weakened ({counts})", [], notes)


def _problem(weakening: Any, fix: str) -> Problem:
    test = str(weakening.test or "")
    name = f"{weakening.kind}: {test}" if test else str(weakening.kind)
    return Problem(
        path=str(weakening.path),
        line=int(weakening.line or 0),
        message=str(weakening.message),
        fix=fix,
        name=name,
    )
