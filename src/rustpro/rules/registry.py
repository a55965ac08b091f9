"""Loads rule modules and hands out rule instances by kind: every rule, or those an audit runs.

Each rule lives in a module named after it (`rules/<checkpoint>/<rule_name>.py`, one rule per
module; a test holds every rule to it), so the modules of the rules an audit runs can be
imported without the others: with the default selection, half of the rule modules' import
cost is for rules that do not run.
"""

from __future__ import annotations

import functools
import importlib
import keyword
import os
from collections.abc import Iterable, Iterator
from typing import TypeVar

import rustpro.rules
from rustpro.rules.base import BaseRule, CrateRule, FileRule, WorkspaceRule, registered_rules


@functools.cache
def _load_all() -> tuple[type[BaseRule], ...]:
    # Rule modules register themselves on import; new rule files need no list to edit.
    import pkgutil  # every rule module: the listing of the rule subset skips it

    for module in pkgutil.walk_packages(rustpro.rules.__path__, "rustpro.rules."):
        importlib.import_module(module.name)
    return tuple(sorted(registered_rules(), key=lambda cls: cls.name))


@functools.cache
def rule_modules() -> dict[str, str]:
    """Rule name -> the module named after it, found without importing any module (helper
    modules are listed too, under names no rule has)."""
    return {
        module.rsplit(".", 1)[-1].replace("_", "-"): module
        for directory in rustpro.rules.__path__
        for module in _source_modules(directory, "rustpro.rules.")
    }


def _source_modules(directory: str, prefix: str) -> Iterator[str]:
    """The modules (not packages) under a package directory, in `pkgutil.walk_packages`'s
    order (names sorted, a package's modules right after it), from the file names alone:
    `walk_packages` imports every package it meets, and this runs at every start. The
    directory's entries say what is a file without a `stat` each (a hundred at every start)."""
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.endswith(".py") and name != "__init__.py" and entry.is_file():
            yield prefix + name[:-3]
        elif (
            "." not in name
            and entry.is_dir()
            and os.path.isfile(os.path.join(entry.path, "__init__.py"))
        ):
            yield from _source_modules(entry.path, f"{prefix}{name}.")


def load(names: Iterable[str]) -> None:
    """Import the modules of the rules named (all of them for a name without its own)."""
    for name in names:
        module = catalogued_module(name) or rule_modules().get(name)
        if module is None:
            _load_all()
            return
        importlib.import_module(module)


def catalogued_module(name: str) -> str | None:
    """The module of a catalogued rule, from its name and checkpoint alone: where
    `rule_modules` finds it (`rules/<checkpoint>/<rule_name>.py`, `async_` for the keyword;
    tests/test_registry_modules.py holds every catalogued rule to it). Listing the rule
    directories was a hundred and twenty calls and a dozen `stat`s at every start."""
    from rustpro.catalog import catalog

    spec = catalog().get(name)
    if spec is None:
        return None
    folder = spec.checkpoint.value
    if keyword.iskeyword(folder):
        folder += "_"
    return f"rustpro.rules.{folder}.{name.replace('-', '_')}"


def loaded_class(name: str) -> type[BaseRule] | None:
    """The class of rule `name`, importing its module only (None for no such rule)."""
    found = _registered(name)
    if found is None:
        load([name])
        found = _registered(name)
    return found


def _registered(name: str) -> type[BaseRule] | None:
    return next((cls for cls in registered_rules() if cls.name == name), None)


def all_rules() -> list[type[BaseRule]]:
    """Every rule class, sorted by name."""
    return list(_load_all())


_INSTANCES: dict[type[BaseRule], BaseRule] = {}
_Rule = TypeVar("_Rule", bound=BaseRule)


def _instance(cls: type[_Rule]) -> _Rule:
    # One instance per rule, whichever accessor asks: a rule that collects over a file in
    # `check` and judges in `finish` must be the same object in both.
    found = _INSTANCES.get(cls)
    if found is None:
        found = _INSTANCES[cls] = cls()
    return found  # type: ignore[return-value]


@functools.cache
def file_rules() -> tuple[FileRule, ...]:
    """One instance of every file rule, in a stable order (pattern indices depend on it)."""
    return tuple(_instance(cls) for cls in _load_all() if issubclass(cls, FileRule))


@functools.cache
def crate_rules() -> tuple[CrateRule, ...]:
    """One instance of every crate rule."""
    return tuple(_instance(cls) for cls in _load_all() if issubclass(cls, CrateRule))


def rule_class(name: str) -> type[BaseRule] | None:
    """The class implementing rule `name`, if any (importing its module only: reports
    describe the rules of a run without importing every other rule)."""
    return loaded_class(name)


@functools.cache
def workspace_rules() -> tuple[WorkspaceRule, ...]:
    """One instance of every workspace rule."""
    return tuple(_instance(cls) for cls in _load_all() if issubclass(cls, WorkspaceRule))


@functools.cache
def _named(names: frozenset[str]) -> tuple[BaseRule, ...]:
    load(sorted(names))
    classes = sorted((c for c in registered_rules() if c.name in names), key=lambda c: c.name)
    return tuple(_instance(cls) for cls in classes)


def file_rules_named(names: frozenset[str]) -> tuple[FileRule, ...]:
    """The file rules of `names`, in `file_rules`' order, their modules imported alone."""
    return tuple(rule for rule in _named(names) if isinstance(rule, FileRule))


def crate_rules_named(names: frozenset[str]) -> tuple[CrateRule, ...]:
    """The crate rules of `names`."""
    return tuple(rule for rule in _named(names) if isinstance(rule, CrateRule))


def workspace_rules_named(names: frozenset[str]) -> tuple[WorkspaceRule, ...]:
    """The workspace rules of `names`."""
    return tuple(rule for rule in _named(names) if isinstance(rule, WorkspaceRule))
