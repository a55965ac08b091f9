"""What every run pays before its first file: start-up imports run without the cycle collector
and freeze what they made (`_startup`); the grammar is read from its binding alone (`parser`)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from rustpro._startup import collector_paused


@pytest.fixture
def unfrozen() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_it_was_after(enabled: bool) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failed import")
    assert gc.isenabled() is enabled


@pytest.mark.usefixtures("unfrozen")
def test_only_a_block_that_imported_freezes() -> None:
    gc.unfreeze()
    with collector_paused():
        pass
    assert gc.get_freeze_count() == 0
    name = "rustpro_startup_test_module"
    sys.modules.pop(name, None)
    with collector_paused():
        sys.modules[name] = type(sys)(name)  # what an import leaves behind
    del sys.modules[name]
    assert gc.get_freeze_count() > 0


def test_the_grammar_read_from_the_binding_is_tree_sitter_rust_s() -> None:
    import tree_sitter
    import tree_sitter_rust

    from rustpro.syntax import parser

    # Languages are equal when they are the same grammar in memory.
    assert tree_sitter.Language(tree_sitter_rust.language()) == parser.RUST
    assert tree_sitter.Language(parser._rust_grammar()) == parser.RUST


def test_a_package_laid_out_otherwise_is_imported_as_usual(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    import tree_sitter

    from rustpro.syntax import parser

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert tree_sitter.Language(parser._rust_grammar()) == parser.RUST
