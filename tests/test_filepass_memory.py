"""A file pass frees its file as soon as it is done. The engine pauses Python's cycle collector
while files are analysed, so a reference cycle a pass leaves behind keeps the file's tree and
every node met alive until the whole wave ends: the ancestry's folds pointed back at it, and
openssl's pass grew by 27 MB (7,500 page faults) for 1.6 MB of source."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tree_sitter import Node

from rustpro.engine.filepass import analyze_source
from rustpro.model import Role
from rustpro.syntax.ancestry import Ancestry
from rustpro.syntax.parser import parse

FIXTURES = sorted((Path(__file__).parent / "fixtures").rglob("*.rs"))


@pytest.fixture
def saved_garbage() -> Iterator[list[object]]:
    """What the cycle collector finds unreachable, kept for the test to look at; every
    fixture is analysed once before, so that the rule modules a file pass imports on first
    need are imported (a `slots=True` dataclass leaves its first class behind, once)."""
    for path in FIXTURES:
        for role in (Role.PRODUCTION, Role.TEST):
            analyze_source(path.read_bytes(), "src/lib.rs", role)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()


@pytest.mark.parametrize("role", [Role.PRODUCTION, Role.TEST], ids=["production", "test"])
def test_a_file_pass_leaves_no_reference_cycles(saved_garbage: list[object], role: Role) -> None:
    assert len(FIXTURES) > 50
    left: Counter[str] = Counter()
    for path in FIXTURES:
        result = analyze_source(path.read_bytes(), "src/lib.rs", role)
        assert result.relpath == "src/lib.rs"
        del result
        gc.collect()
        left.update(f"{path.name}: {type(found).__qualname__}" for found in saved_garbage)
        saved_garbage.clear()
    assert not left, f"cycles left by the file pass: {left.most_common(10)}"


def test_a_released_ancestry_still_answers_as_the_tree_does() -> None:
    source = b"mod a { fn f() { let x = g(1).h(); } }\nstruct S;\n"
    root = parse(source).root_node
    ancestry = Ancestry(root)
    call = ancestry.node_at(source.index(b"g(1)"), source.index(b"g(1)") + 1)
    assert call is not None
    before = [node.id for node in _climb(ancestry, call)]
    fold = ancestry.fold(lambda depth, node: depth + 1, 0)
    depth = fold.at(call)
    ancestry.release()
    assert [node.id for node in _climb(ancestry, call)] == before
    assert ancestry.fold(lambda depth, node: depth + 1, 0).at(call) == depth
    expected = []
    parent = call.parent
    while parent is not None:
        expected.append(parent.id)
        parent = parent.parent
    assert before == expected


def _climb(ancestry: Ancestry, node: Node) -> list[Node]:
    found = []
    parent = ancestry.parent(node)
    while parent is not None:
        found.append(parent)
        parent = ancestry.parent(parent)
    return found
