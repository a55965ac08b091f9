"""The module of each catalogued rule, named from the catalog, is the one the listing finds."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from rustpro.catalog import catalog
from rustpro.rules import registry


def test_every_catalogued_rule_s_module_is_the_listed_one() -> None:
    listed = registry.rule_modules()
    for name in catalog():
        assert registry.catalogued_module(name) == listed[name], name


def test_a_name_outside_the_catalog_has_no_catalogued_module() -> None:
    assert registry.catalogued_module("no-such-rule") is None


def test_a_rule_loaded_by_its_catalogued_module_is_registered() -> None:
    # In a fresh process: the module is imported by the name the catalog gives, without the
    # rule directories being listed.
    script = textwrap.dedent(
        """
        import sys
        from rustpro.rules import registry
        names = ["panic-in-production", "unbounded-channel", "no-unit-tests"]
        found = [registry.loaded_class(name) for name in names]
        assert [cls.name for cls in found] == names, found
        assert registry.rule_modules.cache_info().currsize == 0  # never listed
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
