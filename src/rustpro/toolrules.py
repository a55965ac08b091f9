"""The rule names of tool findings (`clippy::unwrap_used`, `rustfmt::diff`, ...): checking
them in `--select`/`--ignore`, and explaining them.

Full mode reports what clippy, rustc, rustdoc, rustfmt and `cargo test` say under names of
the form `TOOL::NAME`. Lints (`clippy::`, `rustc::`, `rustdoc::`) are checked against the
lint list shipped with rustpro (`rustpro.lintlist`), and against the installed toolchain for
lints newer than it; rustc's error codes by their shape (`E0308`); the names rustpro gives
other tool findings are fixed (`FIXED_RULES`). Nothing here runs the audited project: an
explanation at most asks `cargo clippy --explain` or `rustc --explain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rustpro.model import Checkpoint, Severity

if TYPE_CHECKING:
    from rustpro.lintlist import Lint, LintList

# The tools whose findings full mode folds in; each is also a selector for all its findings.
TOOL_SOURCES = ("clippy", "rustc", "rustdoc", "rustfmt", "cargo-test")
_LINT_TOOLS = ("clippy", "rustc", "rustdoc")
_ERROR_CODE = re.compile(r"E\d{4}")

# What each tool's findings need: static mode runs none of them.
NEEDS = {
    "clippy": "full mode runs clippy",
    "rustc": "full mode compiles the code",
    "rustdoc": "full mode builds the docs",
    "rustfmt": "full mode runs rustfmt",
    "cargo-test": "full mode runs the tests",
}


@dataclass(frozen=True, slots=True)
class FixedRule:
    """A tool finding whose name rustpro gives it (not a lint of the tool)."""

    name: str
    checkpoint: Checkpoint
    severity: Severity
    what: str
    fix: str


FIXED_RULES: dict[str, FixedRule] = {
    rule.name: rule
    for rule in (
        FixedRule(
            "rustfmt::diff",
            Checkpoint.PROJECT,
            Severity.NOTE,
            "`cargo fmt --all --check` would reformat this file; the finding points at its "
            "first changed line. Full mode only reads rustfmt's diff: it never rewrites a file.",
            "Run `cargo fmt`, or configure rustfmt in `rustfmt.toml`.",
        ),
        FixedRule(
            "cargo-test::failed",
            Checkpoint.TESTING,
            Severity.ERROR,
            "A test or doctest failed under `cargo test --no-fail-fast` (or the tests did not "
            "build, or a test binary exited before reporting its results). The finding points "
            "at the test function, or the doctest's line, and quotes the failure.",
            "Run the command in the help line (`cargo test ... -- --exact NAME`) to see the "
            "whole output, and fix the code or the test.",
        ),
        FixedRule(
            "cargo-test::timeout",
            Checkpoint.TESTING,
            Severity.ERROR,
            "`cargo test` ran past its timeout (`--step-timeout`) and was stopped: a test that "
            "hangs, or a suite slower than the timeout.",
            "Find the hanging test with `cargo test -- --test-threads=1`, or raise "
            "`--step-timeout`.",
        ),
        FixedRule(
            "rustc::build-failed",
            Checkpoint.MEMORY,
            Severity.ERROR,
            "cargo could not build the project, and the compiler printed no diagnostic that "
            "points into it (a dependency that does not build, a linker error, a manifest "
            "cargo rejects).",
            "Run `cargo build` to see the whole error.",
        ),
        FixedRule(
            "rustc::error",
            Checkpoint.MEMORY,
            Severity.ERROR,
            "A compile error without an error code.",
            "Run `cargo check` to see it in context.",
        ),
        FixedRule(
            "rustc::warning",
            Checkpoint.PROJECT,
            Severity.WARNING,
            "A compiler warning without a lint name.",
            "Run `cargo check` to see it in context.",
        ),
    )
}


# The lint list (`rustpro.lintlist`, its JSON and the toolchain helpers) loads when a tool rule
# is first named: an audit that names none does not pay its imports.
def shipped() -> LintList:
    """The lint list shipped with rustpro."""
    from rustpro.lintlist import shipped as shipped_list

    return shipped_list()


def installed_knows(tool: str, name: str) -> bool:
    """Whether the installed toolchain knows a lint missing from the shipped list."""
    from rustpro.lintlist import installed_knows as knows

    return knows(tool, name)


def clippy_explain(name: str) -> str | None:
    """`cargo clippy --explain NAME`, or None when it cannot say."""
    from rustpro.lintlist import clippy_explain as explain

    return explain(name)


def tool_of(selector: str) -> str | None:
    """The tool a selector names findings of (`clippy` for `clippy::x` and `clippy`), or
    None for rustpro's own rules, checkpoints and groups."""
    tool = selector.split("::", 1)[0] if "::" in selector else selector
    return tool if tool in TOOL_SOURCES else None


def canonical(selector: str) -> str:
    """Lint selectors as reports spell them: `clippy::unwrap-used` -> `clippy::unwrap_used`."""
    tool, sep, name = selector.partition("::")
    if selector in FIXED_RULES:
        return selector  # `rustc::build-failed` is rustpro's name, not a lint's
    if sep and tool in _LINT_TOOLS and not _ERROR_CODE.fullmatch(name):
        return f"{tool}::{name.replace('-', '_')}"
    return selector


def known_tool_rule(name: str) -> bool:
    """True when `name` (`TOOL::NAME`, `TOOL::*` or `TOOL::GROUP`) can name tool findings."""
    tool, sep, rest = canonical(name).partition("::")
    if not sep or tool not in TOOL_SOURCES:
        return False
    if rest == "*" or f"{tool}::{rest}" in FIXED_RULES:
        return True
    if tool == "rustc" and _ERROR_CODE.fullmatch(rest):
        return True
    if tool not in _LINT_TOOLS:
        return False
    lints = shipped()
    if lints.lint(tool, rest) is not None or rest in lints.groups.get(tool, ()):
        return True
    return installed_knows(tool, rest)  # newer than the shipped list?


def tool_rule_names() -> list[str]:
    """Every tool rule name rustpro knows: the fixed ones, then every lint."""
    lints = shipped()
    return [*FIXED_RULES, *(name for tool in _LINT_TOOLS for name in lints.names(tool))]


def in_group(rule: str, selector: str) -> bool:
    """True when the tool finding `rule` is a lint of the group `selector` names
    (`clippy::unwrap_used` is in `clippy::restriction`)."""
    tool, _, group = selector.partition("::")
    if tool not in _LINT_TOOLS or group not in shipped().groups.get(tool, ()):
        return False
    rule_tool, _, name = rule.partition("::")
    lint = shipped().lint(tool, name) if rule_tool == tool else None
    return lint is not None and group in lint.groups


# ----- explanations ----------------------------------------------------------------------------
def explain_tool_markdown(name: str) -> str | None:
    """The page `rustpro explain TOOL::NAME` shows, or None when the name is unknown."""
    name = canonical(name)
    tool, _, rest = name.partition("::")
    if name in FIXED_RULES:
        return _fixed_page(FIXED_RULES[name])
    if tool == "rustc" and _ERROR_CODE.fullmatch(rest):
        return _error_code_page(rest)
    if tool == "clippy":
        return _clippy_page(rest)
    if tool in _LINT_TOOLS:
        lint = shipped().lint(tool, rest)
        return _lint_page(lint) if lint is not None else None
    return None


def _checkpoint_line(name: str) -> str:
    # lints.py is a plain table (no cargo code): the checkpoint a tool finding counts against.
    from rustpro.toolchain.lints import rule_checkpoint

    checkpoint = rule_checkpoint(name)
    return f"**Checkpoint:** {checkpoint.value} ({checkpoint.heading})"


def _mode_note(tool: str) -> str:
    return f"Reported in full mode only ({NEEDS[tool]}); `rustpro audit --static` never reports it."


def _fixed_page(rule: FixedRule) -> str:
    tool = rule.name.split("::", 1)[0]
    return (
        f"# {rule.name}\n\n**Source:** {tool} · **Checkpoint:** {rule.checkpoint.value} "
        f"({rule.checkpoint.heading}) · **Severity:** {rule.severity.value}\n\n"
        f"{_mode_note(tool)}\n\n## What it means\n\n{rule.what}\n\n## What to do\n\n{rule.fix}\n"
        f"\n## How to silence it\n\n{_silencing(rule.name)}\n"
    )


def _error_code_page(code: str) -> str:
    name = f"rustc::{code}"
    head = (
        f"# {name}\n\n**Source:** rustc · {_checkpoint_line(name)} · **Severity:** error\n\n"
        f"{_mode_note('rustc')} A compile error counts against memory: the borrow checker's "
        "and the type checker's verdict.\n\n"
    )
    text = _rustc_explain(code)
    if text is None:
        return head + (
            f"rustc is not installed here; `rustc --explain {code}` explains the error.\n"
        )
    return head + f"*From `rustc --explain {code}`:*\n\n{text.strip()}\n"


def _rustc_explain(code: str) -> str | None:
    import shutil  # here: an audit never asks, and the imports cost every start
    import subprocess

    from rustpro.lintlist import TOOL_TIMEOUT, neutral_directory

    if shutil.which("rustc") is None:
        return None
    try:
        done = subprocess.run(
            ["rustc", "--explain", code],
            capture_output=True,
            text=True,
            timeout=TOOL_TIMEOUT,
            check=False,
            cwd=neutral_directory(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 and done.stdout.strip() else None


def _clippy_page(lint_name: str) -> str | None:
    lint = shipped().lint("clippy", lint_name)
    explained = clippy_explain(lint_name)
    if lint is None and explained is None:
        return None
    name = f"clippy::{lint.name if lint is not None else lint_name}"
    parts = [f"# {name}", "", _lint_facts(name, lint), "", _clippy_in_rustpro(name)]
    twins = _twins(name)
    if twins:
        listed = ", ".join(f"`{t}`" for t in twins)
        parts += [
            "",
            f"rustpro's own rule {listed} reports the same problem, also with `--static`; in "
            "full mode the two merge into one finding, and an `#[allow]` of this lint "
            "silences both.",
        ]
    if explained is not None:
        parts += ["", f"*From `cargo clippy --explain {lint_name}`:*", "", explained.strip()]
    else:
        version = shipped().toolchain.get("clippy", "clippy")
        assert lint is not None  # one of the two is set
        parts += [
            "",
            f"{lint.summary[:1].upper()}{lint.summary[1:]}.",
            "",
            f"*clippy is not installed here: this is the one-line description from the lint "
            f"list shipped with rustpro ({version}); `cargo clippy --explain {lint.name}` "
            "shows clippy's whole explanation.*",
        ]
    parts += ["", "## How to silence it", "", _silencing(name)]
    return "\n".join(parts) + "\n"


def _clippy_in_rustpro(name: str) -> str:
    from rustpro.toolchain.lints import PROFILE

    lint = name.split("::", 1)[1]
    if lint in PROFILE:
        return f"{_mode_note('clippy')} rustpro's clippy profile turns it on (`-W {name}`)."
    level = shipped().lint("clippy", lint)
    if level is not None and level.level == "allow":
        return (
            f"{_mode_note('clippy')} It is allowed by default and not in rustpro's clippy "
            "profile: it is reported only where the project turns it on (`[lints.clippy]`)."
        )
    return f"{_mode_note('clippy')} clippy runs it by default."


def _lint_facts(name: str, lint: Lint | None) -> str:
    facts = [f"**Source:** {name.split('::', 1)[0]}", _checkpoint_line(name)]
    if lint is not None:
        groups = [g for g in lint.groups if g != "all"]
        if groups:
            facts.append(f"**Group:** {', '.join(groups)}")
        facts.append(f"**Default level:** {lint.level}")
    return " · ".join(facts)


def _lint_page(lint: Lint) -> str:
    name = lint.qualified
    version = shipped().toolchain.get(lint.tool, lint.tool)
    return (
        f"# {name}\n\n{_lint_facts(name, lint)}\n\n{_mode_note(lint.tool)}\n\n"
        f"{lint.summary[:1].upper()}{lint.summary[1:]}.\n\n"
        f"*The one-line description from the lint list shipped with rustpro ({version}).*\n\n"
        f"## How to silence it\n\n{_silencing(name)}\n"
    )


def _twins(name: str) -> list[str]:
    from rustpro.rules.registry import all_rules

    lint = name.split("::", 1)[1]
    return sorted(rule.name for rule in all_rules() if lint in rule.clippy_twins)


def _silencing(name: str) -> str:
    tool = name.split("::", 1)[0]
    lines = []
    if tool in _LINT_TOOLS and not _ERROR_CODE.fullmatch(name.split("::", 1)[1]):
        attribute = name if tool != "rustc" else name.split("::", 1)[1]
        lines += [
            f"In the code, as for any lint: `#[allow({attribute})]` (better: "
            f'`#[expect({attribute}, reason = "...")]`) on the item.',
            "",
        ]
    lines += [
        "In rustpro's configuration (`rustpro.toml` or `[package.metadata.rustpro]`):",
        "",
        "```toml",
        f'ignore = ["{name}"]',
        "```",
    ]
    return "\n".join(lines)
