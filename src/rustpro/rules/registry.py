"""Loads every rule module once and hands out rule instances by kind."""

from __future__ import annotations

import functools
import importlib
import pkgutil

import rustpro.rules
from rustpro.rules.base import BaseRule, CrateRule, FileRule, WorkspaceRule, registered_rules


@functools.cache
def _load_all() -> tuple[type[BaseRule], ...]:
    # Rule modules register themselves on import; new rule files need no list to edit.
    for module in pkgutil.walk_packages(rustpro.rules.__path__, "rustpro.rules."):
        importlib.import_module(module.name)
    return tuple(sorted(registered_rules(), key=lambda cls: cls.name))


def all_rules() -> list[type[BaseRule]]:
    """Every rule class, sorted by name."""
    return list(_load_all())


@functools.cache
def file_rules() -> tuple[FileRule, ...]:
    """One instance of every file rule, in a stable order (pattern indices depend on it)."""
    return tuple(cls() for cls in _load_all() if issubclass(cls, FileRule))


@functools.cache
def crate_rules() -> tuple[CrateRule, ...]:
    """One instance of every crate rule."""
    return tuple(cls() for cls in _load_all() if issubclass(cls, CrateRule))


def rule_class(name: str) -> type[BaseRule] | None:
    """The class implementing rule `name`, if any."""
    return next((cls for cls in _load_all() if cls.name == name), None)


@functools.cache
def workspace_rules() -> tuple[WorkspaceRule, ...]:
    """One instance of every workspace rule."""
    return tuple(cls() for cls in _load_all() if issubclass(cls, WorkspaceRule))
