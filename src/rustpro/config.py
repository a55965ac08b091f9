"""rustpro's configuration: `rustpro.toml`, or `[workspace|package.metadata.rustpro]`.

    select = ["errors", "missing-docs"]      # only these rules, checkpoints or groups
                                              # (default: the rules of the "default" group)
    ignore = ["no-benchmarks", "types"]      # never these
    [roles]                                   # correct a package's inferred role
    "my-internal-crate" = "internal"
    fail-on = "warning"                       # error | warning | note | none
    require = ["memory", "threads"]           # fail when one of these fails or did not run
    min-score = 80                            # fail when the overall score is below
    baseline = "rustpro-baseline.json"        # report only findings not in it (relative
                                              # to the file that says so)
    [per-path-ignores]
    "src/generated/**" = ["missing-docs"]

Command-line flags override the file. For a member of a workspace audited on its own, the
nearest `rustpro.toml` between the member and the workspace root applies, else the member's
own `[package.metadata.rustpro]` (when it says more than its `role`), else the workspace
root's configuration: auditing a member gives it the verdict the whole workspace gives it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rustpro import tomlparse
from rustpro.catalog import DEFAULT_GROUP, GROUPS, catalog, closest
from rustpro.discovery.manifest import Manifest
from rustpro.discovery.roles import PackageRole
from rustpro.errors import ConfigError
from rustpro.model import Checkpoint, Finding, Severity
from rustpro.toolrules import TOOL_SOURCES, canonical, in_group, known_tool_rule, tool_of

FAIL_ON_CHOICES = ("error", "warning", "note", "none")


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """Which findings count and which fail the audit."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_path_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: str = "warning"
    # Checkpoint names that must pass (`require`), and the least overall score (`min-score`).
    require: tuple[str, ...] = ()
    min_score: int | None = None
    source: str = "defaults"
    extra: dict[str, Any] = field(default_factory=dict)
    # Package name -> declared role (`rustpro.discovery.roles.PackageRole` values).
    roles: tuple[tuple[str, str], ...] = ()
    # The audited root as seen from the directory the configuration lives in (`crates/a/`
    # for a member audited with its workspace's file): `per-path-ignores` patterns are
    # written relative to that directory.
    path_prefix: str = ""
    # The baseline file (`baseline`, resolved against the directory of the file naming it).
    baseline: Path | None = None

    def with_overrides(
        self,
        *,
        select: tuple[str, ...] = (),
        ignore: tuple[str, ...] = (),
        fail_on: str | None = None,
        require: tuple[str, ...] = (),
        min_score: int | None = None,
    ) -> AuditConfig:
        """The command line's words win over the file's (`require` replaces the file's list)."""
        select, ignore = _canonical(select), _canonical(ignore)
        for flag, names in (("--select", select), ("--ignore", ignore)):
            for name in names:
                validate_selector(name, f"command line: {flag}")
        _checkpoint_names(require, "command line: --require")
        _score(min_score, "command line: --min-score")
        return replace(
            self,
            select=select or self.select,
            ignore=(*self.ignore, *ignore),
            fail_on=fail_on or self.fail_on,
            require=require or self.require,
            min_score=self.min_score if min_score is None else min_score,
        )

    def keeps(self, finding: Finding) -> bool:
        """True when the finding is selected, not ignored, and not ignored for its path.

        Without `select`, rustpro's own rules of the default group are selected (and every
        tool's findings). A checkpoint selects its rules of the default group and of any
        group also selected; a group or `all` selects its rules wherever they are.
        """
        if not _selected(finding, self.select):
            return False
        if _matches(finding, self.ignore):
            return False
        for pattern, names in self.per_path_ignores:
            path = self.path_prefix + finding.path
            if _path_matches(path, pattern) and _matches(finding, names):
                return False
        return True

    def may_keep(self, finding: Finding) -> bool:
        """Whether `keeps` can hold a finding like this one somewhere: selected and not
        ignored (per-path ignores leave it elsewhere)."""
        return _selected(finding, self.select) and not _matches(finding, self.ignore)

    @property
    def fail_threshold(self) -> Severity | None:
        """The least severity that fails the audit, or None for `none`."""
        return None if self.fail_on == "none" else Severity(self.fail_on)


ALL_RULES = "all"


def _group_of(finding: Finding) -> str | None:
    """The group of a rustpro finding (its own, else its rule's); None for tools' findings."""
    if finding.source != "rustpro":
        return None
    if finding.group:
        return finding.group
    entry = catalog().get(finding.rule)
    return entry.group if entry is not None else DEFAULT_GROUP


def _selected(finding: Finding, select: tuple[str, ...]) -> bool:
    group = _group_of(finding)
    if not select:
        return group is None or group == DEFAULT_GROUP
    if ALL_RULES in select or (group is not None and group in select):
        return True
    if finding.checkpoint.value in select and (group is None or group == DEFAULT_GROUP):
        return True
    return _matches(finding, tuple(s for s in select if s != finding.checkpoint.value))


def _matches(finding: Finding, selectors: tuple[str, ...]) -> bool:
    group = _group_of(finding)
    for selector in selectors:
        if selector in (finding.rule, finding.checkpoint.value, finding.source, ALL_RULES):
            return True
        if group is not None and selector == group:
            return True
        if selector.endswith("::*") and finding.rule.startswith(selector[:-1]):
            return True
        if group is None and "::" in selector and in_group(finding.rule, selector):
            return True  # a tool's lint group: `clippy::pedantic`
    return False


def _canonical(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(canonical(name) for name in names)


def _path_matches(path: str, pattern: str) -> bool:
    import fnmatch  # here: only path patterns in a configuration need it, not every start

    if fnmatch.fnmatch(path, pattern):
        return True
    # `dir/**` also covers files directly in dir, and a bare directory name covers its tree.
    return (pattern.endswith("/**") and path.startswith(pattern[:-2])) or (
        not any(c in pattern for c in "*?[") and path.startswith(pattern.rstrip("/") + "/")
    )


def validate_selector(name: str, where: str) -> None:
    """Raise `ConfigError` unless `name` is a rule, a checkpoint, a group, a tool, or a rule
    of a tool: `clippy::NAME` must be a clippy lint (the shipped list, else the installed
    clippy), `rustc::E0308` an error code or a rustc lint, and so on."""
    if name in catalog() or name in _CHECKPOINTS or name in GROUPS or name == ALL_RULES:
        return
    if name in TOOL_SOURCES:
        return  # every finding of that tool
    tool = tool_of(name)
    if tool is not None:
        if known_tool_rule(name):
            return
        from rustpro.toolrules import tool_rule_names

        names = [n for n in tool_rule_names() if n.startswith(f"{tool}::")]
        hint = closest(name, names)
        extra = f" (did you mean {', '.join(hint)}?)" if hint else ""
        raise ConfigError(f"{where}: unknown {tool} rule `{name}`{extra}")
    if "::" in name:
        tools = ", ".join(TOOL_SOURCES)
        raise ConfigError(
            f"{where}: unknown tool in `{name}` (tool findings are named {tools}::NAME)"
        )
    hint = closest(name, [*catalog(), *_CHECKPOINTS, *GROUPS, ALL_RULES, *TOOL_SOURCES])
    extra = f" (did you mean {', '.join(hint)}?)" if hint else ""
    raise ConfigError(f"{where}: unknown rule or checkpoint `{name}`{extra}")


_CHECKPOINTS = tuple(c.value for c in Checkpoint)


def load_config(
    root: Path, manifest: Manifest, enclosing: tuple[Path, Manifest] | None = None
) -> AuditConfig:
    """The configuration for an audit root: `rustpro.toml` first, then Cargo metadata.

    `enclosing` is the workspace (root directory and manifest) the audited package is a
    member of: its configuration applies when the member has none of its own.
    """
    if enclosing is None:
        return _file_config(root) or _manifest_config(manifest) or AuditConfig()
    workspace_root, workspace_manifest = enclosing
    own = _file_config(root) or _manifest_config(manifest, role_is_config=False)
    if own is not None:
        return own
    for directory in root.parents:
        if directory == workspace_root:
            break
        found = _file_config(directory)
        if found is not None:
            return replace(found, path_prefix=_prefix(root, directory))
    shared = _file_config(workspace_root) or _manifest_config(workspace_manifest)
    if shared is None:
        return AuditConfig()
    return replace(shared, path_prefix=_prefix(root, workspace_root))


def _prefix(root: Path, base: Path) -> str:
    return f"{root.relative_to(base).as_posix()}/"


def _file_config(directory: Path) -> AuditConfig | None:
    file = directory / "rustpro.toml"
    try:
        if not file.is_file():
            return None
        data = tomlparse.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomlparse.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read configuration: {err}", file) from None
    return _from_table(data, str(file), directory)


def _manifest_config(manifest: Manifest, *, role_is_config: bool = True) -> AuditConfig | None:
    for keys in (("workspace", "metadata", "rustpro"), ("package", "metadata", "rustpro")):
        table = manifest.section(*keys)
        # A member's `role` alone is a fact about the member, not a configuration that
        # would replace the workspace's.
        if table and (role_is_config or set(table) - {"role"}):
            where = f"{manifest.path} [{'.'.join(keys)}]"
            return _from_table(table, where, manifest.path.parent)
    return None


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _from_table(table: dict[str, Any], where: str, directory: Path) -> AuditConfig:
    # `role` belongs to `[package.metadata.rustpro]`: the package's own role, read by
    # `rustpro.discovery.roles`; checked here so that a typo is an error, not a silent no-op.
    known = {
        "select",
        "ignore",
        "per-path-ignores",
        "fail-on",
        "require",
        "min-score",
        "roles",
        "role",
        "baseline",
    }
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}")
    if "role" in table:
        _roles({"role": table["role"]}, where)
    select = _canonical(_strings(table.get("select", []), "select", where))
    ignore = _canonical(_strings(table.get("ignore", []), "ignore", where))
    per_path_raw = table.get("per-path-ignores", {})
    if not isinstance(per_path_raw, dict):
        raise ConfigError(f"{where}: `per-path-ignores` must be a table of glob = [rules]")
    per_path = tuple(
        (pattern, _canonical(_strings(names, f"per-path-ignores.{pattern}", where)))
        for pattern, names in per_path_raw.items()
    )
    fail_on = table.get("fail-on", "warning")
    if fail_on not in FAIL_ON_CHOICES:
        raise ConfigError(f"{where}: `fail-on` must be one of {', '.join(FAIL_ON_CHOICES)}")
    for name in (*select, *ignore, *(n for _, names in per_path for n in names)):
        validate_selector(name, where)
    require = _strings(table.get("require", []), "require", where)
    _checkpoint_names(require, f"{where}: `require`")
    min_score = table.get("min-score")
    _score(min_score, f"{where}: `min-score`")
    return AuditConfig(
        select=select,
        ignore=ignore,
        per_path_ignores=per_path,
        fail_on=str(fail_on),
        require=require,
        min_score=min_score,
        source=where,
        roles=_roles(table.get("roles", {}), where),
        baseline=_baseline(table.get("baseline"), where, directory),
    )


def _checkpoint_names(names: tuple[str, ...], where: str) -> None:
    """Raise `ConfigError` unless every name is a checkpoint's."""
    for name in names:
        if name not in _CHECKPOINTS:
            hint = closest(name, list(_CHECKPOINTS))
            extra = f" (did you mean {', '.join(hint)}?)" if hint else ""
            raise ConfigError(
                f"{where}: unknown checkpoint `{name}`{extra}; "
                f"checkpoints are {', '.join(_CHECKPOINTS)}"
            )


def _score(value: Any, where: str) -> None:
    """Raise `ConfigError` unless `value` is None or a whole score from 0 to 100."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ConfigError(f"{where} must be a whole number from 0 to 100, not {value!r}")


def _baseline(value: Any, where: str, directory: Path) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: `baseline` must be the path of a baseline file")
    return directory / value


def _roles(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: `roles` must be a table of package = role")
    known = [role.value for role in PackageRole]
    for package, role in value.items():
        if role not in known:
            raise ConfigError(
                f"{where}: `roles.{package}` must be one of {', '.join(known)}, not {role!r}"
            )
    return tuple(sorted(value.items()))
