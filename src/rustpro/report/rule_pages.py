"""The page of each rule a report names: where it is documented, and its text to embed.

rustpro's own rules have their documentation in the rule classes (the text `rustpro explain`
shows and docs/rules/ holds); a self-contained report embeds it, so that a rule's name links
to its page without any network. Tools' rules (`clippy::needless_return`, `rustc::E0308`)
link to the tool's documentation and embed what rustpro knows without running the tool
(`rustpro explain` may ask `rustc --explain`; a report never runs anything).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rustpro.catalog import catalog

CLIPPY_LINT_URL = "https://rust-lang.github.io/rust-clippy/master/index.html#{name}"
RUSTC_ERROR_URL = "https://doc.rust-lang.org/error_codes/{code}.html"
RUSTC_LINTS_URL = "https://doc.rust-lang.org/rustc/lints/listing/index.html"
RUSTDOC_LINTS_URL = "https://doc.rust-lang.org/rustdoc/lints.html#{name}"
_ERROR_CODE = re.compile(r"E\d{4}")


def external_url(rule: str) -> str | None:
    """The tool's own documentation of a tool rule; None for rustpro's rules and for the
    names rustpro gives tool findings (`rustfmt::diff`), which only rustpro documents."""
    from rustpro.toolrules import FIXED_RULES

    tool, sep, name = rule.partition("::")
    if not sep or rule in FIXED_RULES:
        return None
    if tool == "clippy":
        return CLIPPY_LINT_URL.format(name=name)
    if tool == "rustc":
        return RUSTC_ERROR_URL.format(code=name) if _ERROR_CODE.fullmatch(name) else RUSTC_LINTS_URL
    if tool == "rustdoc":
        return RUSTDOC_LINTS_URL.format(name=name)
    return None


def rule_pages(names: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each rule name: `name`, `url` (the tool's documentation, or None) and `md`, the
    Markdown page the report embeds."""
    pages: dict[str, dict[str, Any]] = {}
    lints = None
    for name in names:
        if name in pages:
            continue
        if name in catalog():
            text = _own_page(name)
        else:
            if lints is None:
                from rustpro.lintlist import shipped

                lints = shipped()
            text = _tool_page(name, lints)
        pages[name] = {"name": name, "url": external_url(name), "md": text}
    return pages


def _own_page(name: str) -> str:
    from rustpro.docsgen import rule_markdown
    from rustpro.rules.registry import rule_class

    rule = rule_class(name)
    if rule is None:  # in the catalog, not in this build
        entry = catalog()[name]
        return f"# {name}\n\nFires on {entry.fires_on}.\n"
    return rule_markdown(rule)


def _tool_page(name: str, lints: Any) -> str:
    from rustpro.toolrules import FIXED_RULES, canonical, explain_tool_markdown

    if name in FIXED_RULES:
        return explain_tool_markdown(name) or f"# {name}\n"
    tool, _, rest = canonical(name).partition("::")
    lint = lints.lint(tool, rest) if tool in ("clippy", "rustc", "rustdoc") else None
    parts = [f"# {name}", "", f"Reported by {tool or 'a tool'} in full mode."]
    if lint is not None:
        parts += ["", f"{lint.summary[:1].upper()}{lint.summary[1:]}."]
        parts += ["", f"**Default level:** {lint.level}"]
    if tool == "rustc" and _ERROR_CODE.fullmatch(rest):
        parts += ["", f"`rustc --explain {rest}` explains the error."]
    elif tool == "clippy":
        parts += ["", f"`cargo clippy --explain {rest}` shows clippy's explanation."]
    parts += ["", f"`rustpro explain {name}` shows more."]
    return "\n".join(parts) + "\n"
