"""Start-up imports run without the cycle collector and freeze what they made (`_startup`)."""

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
