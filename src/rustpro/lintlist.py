"""The lints of clippy, rustc and rustdoc, by name: shipped as data, read from the toolchain.

`toollints.json` is generated from the installed toolchain, never written by hand:

    python -m rustpro.lintlist            # or `make lint-list`; rewrites toollints.json

reads `clippy-driver -W help` (rustc's and clippy's lints, each with its default level and a
one-line description, and their groups) and `rustdoc -W help` (rustdoc's). With the list,
`--select clippy::unwrap_usd` is caught as a typo without a toolchain, and `rustpro explain
clippy::NAME` has something to say where clippy is not installed. A lint newer than the list
is asked of the installed clippy or rustc before it is called unknown.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro.packaged_data import read_text

LIST_FILE = "toollints.json"
TOOLS = ("clippy", "rustc", "rustdoc")
LEVELS = ("allow", "warn", "deny", "forbid")
# Clippy's groups that `clippy::all` (and clippy's defaults) cover.
CLIPPY_DEFAULT_GROUPS = ("correctness", "suspicious", "style", "complexity", "perf")
# A lookup in the installed toolchain never holds up a command for long.
TOOL_TIMEOUT = 30.0

_NAME = re.compile(r"[a-z0-9_]+")
_CHECK_ROW = re.compile(
    r"^\s*(?P<name>[\w:-]+)\s+(?P<level>allow|warn|deny|forbid)\s+(?P<text>.*)$"
)
_GROUP_ROW = re.compile(r"^\s*(?P<name>[\w:-]+)\s{2,}(?P<members>[\w:-]+(?:,\s*[\w:-]+)*)\s*$")


@dataclass(frozen=True, slots=True)
class Lint:
    """One lint as the toolchain describes it."""

    tool: str  # clippy, rustc or rustdoc
    name: str  # with underscores, as diagnostics name it (`unwrap_used`)
    level: str  # its default level: allow, warn, deny or forbid
    summary: str  # the one-line description `-W help` prints
    groups: tuple[str, ...] = ()  # the tool's groups that contain it (`restriction`)

    @property
    def qualified(self) -> str:
        """The name reports use: `clippy::unwrap_used`, `rustc::dead_code`."""
        return f"{self.tool}::{self.name}"


@dataclass(frozen=True, slots=True)
class LintList:
    """Every lint of the three tools, their groups, and the toolchain they came from."""

    lints: dict[str, dict[str, Lint]]  # tool -> name -> lint
    groups: dict[str, tuple[str, ...]]  # tool -> group names
    toolchain: dict[str, str]  # tool -> its version line

    def lint(self, tool: str, name: str) -> Lint | None:
        """The lint `tool::name` (either spelling, `-` or `_`), if the list has it."""
        return self.lints.get(tool, {}).get(normalise(name))

    def names(self, tool: str) -> list[str]:
        """Every lint name of `tool`, qualified (`clippy::unwrap_used`)."""
        return [f"{tool}::{name}" for name in self.lints.get(tool, {})]


def normalise(name: str) -> str:
    """Lint names are written with `-` in `-W help` and with `_` in attributes and reports."""
    return name.replace("-", "_")


@functools.cache
def shipped() -> LintList:
    """The list shipped with rustpro."""
    text = read_text(LIST_FILE)
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> LintList:
    """The list from its JSON form; raises `ValueError` when it is malformed."""
    lints: dict[str, dict[str, Lint]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    for tool in TOOLS:
        table = data["lints"][tool]
        lints[tool] = {
            name: Lint(tool, name, entry["level"], entry["summary"], tuple(entry["groups"]))
            for name, entry in table.items()
        }
        groups[tool] = tuple(data["groups"][tool])
    result = LintList(lints, groups, dict(data["toolchain"]))
    problems = problems_in(result)
    if problems:
        raise ValueError(f"{LIST_FILE}: {problems[0]}")
    return result


def to_json(lint_list: LintList) -> dict[str, Any]:
    """The JSON form `from_json` reads (sorted, so regenerating is a small diff)."""
    return {
        "generated_by": "python -m rustpro.lintlist (from `clippy-driver -W help` and "
        "`rustdoc -W help`)",
        "toolchain": dict(sorted(lint_list.toolchain.items())),
        "groups": {tool: sorted(lint_list.groups[tool]) for tool in TOOLS},
        "lints": {
            tool: {
                name: {"level": lint.level, "groups": list(lint.groups), "summary": lint.summary}
                for name, lint in sorted(lint_list.lints[tool].items())
            }
            for tool in TOOLS
        },
    }


def dumps(data: dict[str, Any]) -> str:
    """The JSON text of `to_json`'s output, one lint a line (a new clippy is a short diff)."""
    parts = [
        "{",
        f'"generated_by": {json.dumps(data["generated_by"])},',
        f'"toolchain": {json.dumps(data["toolchain"])},',
        f'"groups": {json.dumps(data["groups"])},',
        '"lints": {',
    ]
    tools = list(data["lints"].items())
    for index, (tool, table) in enumerate(tools):
        parts.append(f"{json.dumps(tool)}: {{")
        rows = [f"{json.dumps(name)}: {json.dumps(entry)}" for name, entry in table.items()]
        parts.append(",\n".join(rows))
        parts.append("}" + ("," if index < len(tools) - 1 else ""))
    parts += ["}", "}"]
    return "\n".join(parts) + "\n"


def problems_in(lint_list: LintList) -> list[str]:
    """What is wrong with a list: bad names or levels, empty descriptions, unknown groups."""
    problems: list[str] = []
    for tool in TOOLS:
        known_groups = set(lint_list.groups.get(tool, ()))
        for name, lint in lint_list.lints.get(tool, {}).items():
            where = f"{tool}::{name}"
            if not _NAME.fullmatch(name) or lint.name != name or lint.tool != tool:
                problems.append(f"{where}: not a lint name")
            if lint.level not in LEVELS:
                problems.append(f"{where}: unknown level {lint.level!r}")
            if not lint.summary.strip():
                problems.append(f"{where}: no description")
            problems.extend(
                f"{where}: unknown group {group!r}"
                for group in lint.groups
                if group not in known_groups
            )
    return problems


# ----- reading the installed toolchain ----------------------------------------------------------
def parse_lint_help(text: str) -> tuple[list[Lint], dict[str, list[str]]]:
    """The lints and groups of a `-W help` listing: `(lints, {qualified group: members})`.

    Rows are `name  level  description` under "Lint checks ..." headers and `name  members`
    under "Lint groups ..." headers; names carry their tool's prefix except rustc's own.
    """
    lints: list[Lint] = []
    groups: dict[str, list[str]] = {}
    section = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Lint checks"):
            section = "checks"
            continue
        if stripped.startswith("Lint groups"):
            section = "groups"
            continue
        if not stripped or stripped.startswith(("name ", "----")):
            continue
        if section == "checks":
            row = _CHECK_ROW.match(line)
            if row is not None:
                tool, name = _split_name(row["name"])
                lints.append(Lint(tool, name, row["level"], row["text"].strip()))
        elif section == "groups":
            # A description instead of members (`warnings  all lints that ...`) is no match.
            row = _GROUP_ROW.match(line)
            if row is not None:
                tool, name = _split_name(row["name"])
                members = [_split_name(m.strip())[1] for m in row["members"].split(",")]
                groups[f"{tool}::{name}"] = members
    return lints, groups


def _split_name(printed: str) -> tuple[str, str]:
    tool, _, name = printed.rpartition("::")
    return (tool or "rustc"), normalise(name)


def build_list(listings: Sequence[str], toolchain: dict[str, str]) -> LintList:
    """A `LintList` from `-W help` listings (later listings add to earlier ones)."""
    by_tool: dict[str, dict[str, Lint]] = {tool: {} for tool in TOOLS}
    group_members: dict[str, list[str]] = {}
    for text in listings:
        lints, groups = parse_lint_help(text)
        for lint in lints:
            if lint.tool in by_tool:
                by_tool[lint.tool].setdefault(lint.name, lint)
        group_members.update(groups)
    groups_of: dict[str, set[str]] = {tool: set() for tool in TOOLS}
    member_groups: dict[tuple[str, str], list[str]] = {}
    for qualified, members in group_members.items():
        tool, _, group = qualified.partition("::")
        # `warnings` is rustc's name for "whatever warns", not a group of lints.
        if tool not in groups_of or group == "warnings":
            continue
        groups_of[tool].add(group)
        for member in members:
            member_groups.setdefault((tool, member), []).append(group)
    lints_out: dict[str, dict[str, Lint]] = {}
    for tool, table in by_tool.items():
        lints_out[tool] = {
            name: Lint(
                tool,
                name,
                lint.level,
                lint.summary,
                tuple(sorted(member_groups.get((tool, name), []))),
            )
            for name, lint in table.items()
        }
    return LintList(lints_out, {t: tuple(sorted(g)) for t, g in groups_of.items()}, toolchain)


def read_installed() -> LintList:
    """The lint list of the installed toolchain; raises `RuntimeError` without clippy."""
    import shutil

    listings: list[str] = []
    toolchain: dict[str, str] = {}
    for tool, program in (("clippy", "clippy-driver"), ("rustdoc", "rustdoc")):
        if shutil.which(program) is None:
            raise RuntimeError(
                f"`{program}` is not on PATH (install clippy: rustup component add clippy)"
            )
        listings.append(_output([program, "-W", "help"]))
        toolchain[tool] = _output([program, "--version"]).strip()
    toolchain["rustc"] = _output(["rustc", "--version"]).strip() if shutil.which("rustc") else ""
    lint_list = build_list(listings, toolchain)
    problems = problems_in(lint_list)
    if problems or not lint_list.lints["clippy"]:
        raise RuntimeError(f"unexpected `-W help` output: {problems[:1] or 'no clippy lints'}")
    return lint_list


def _output(command: list[str]) -> str:
    import subprocess

    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT,
        check=True,
        cwd=neutral_directory(),
    )
    return done.stdout


# Running the toolchain imports `subprocess` and `shutil` where it is done: an audit that never
# asks costs no imports for them.
# ----- asking the installed toolchain about one name ----------------------------------------------
def installed_knows(tool: str, name: str) -> bool:
    """Whether the installed clippy (or rustc) knows a lint missing from the shipped list
    (one newer than it). False when the tool is not installed."""
    import shutil
    import subprocess

    try:
        if tool == "clippy":
            return clippy_explain(name) is not None
        if tool == "rustc" and shutil.which("rustc"):
            lints, _ = parse_lint_help(_output(["rustc", "-W", "help"]))
            return any(lint.name == normalise(name) for lint in lints)
    except (OSError, subprocess.SubprocessError):
        return False
    return False


def clippy_explain(name: str) -> str | None:
    """`cargo clippy --explain NAME`, or None when cargo or clippy is missing or does not
    know the lint. Run from `neutral_directory()`."""
    import shutil
    import subprocess

    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which(cargo) is None:
        return None
    try:
        done = subprocess.run(
            [cargo, "clippy", "--explain", normalise(name)],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
            cwd=neutral_directory(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    return done.stdout


def neutral_directory() -> Path:
    """Where rustpro runs toolchain commands that concern no project: the home directory, so
    that no project's `rust-toolchain.toml` or `.cargo/config.toml` has a say."""
    home = Path.home()
    return home if home.is_dir() else Path("/")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m rustpro.lintlist [FILE]`: regenerate the shipped list from the toolchain."""
    import subprocess

    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else Path(__file__).with_name(LIST_FILE)
    try:
        lint_list = read_installed()
    except (RuntimeError, OSError, subprocess.SubprocessError) as err:
        print(f"cannot read the installed toolchain's lints: {err}", file=sys.stderr)
        return 1
    target.write_text(dumps(to_json(lint_list)), encoding="utf-8")
    counts = ", ".join(f"{len(lint_list.lints[tool])} {tool}" for tool in TOOLS)
    print(f"wrote {target}: {counts} lints ({lint_list.toolchain.get('clippy', '?')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
