"""The rules of rustpro's SARIF run: `reportingDescriptor`s for the driver and the tools.

The driver (`rustpro`) lists every catalog rule the audit ran (the selected catalog), plus
any other rule of rustpro's that reported something. GitHub advises that two analyses with
the same tool and configuration differ in their results, not in their rules; listing what
ran (rather than what fired) keeps the rules of a run stable across commits and tells a
reader which checks came back clean. The tools full mode runs (clippy, rustc, rustdoc,
rustfmt, cargo test) are `tool.extensions`, one component per tool, listing only the lints
that reported something: clippy and rustc know about a thousand lints and error codes, and
rustpro ran them as one step each, not lint by lint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rustpro.catalog import DEFAULT_GROUP, RuleSpec, catalog
from rustpro.config import AuditConfig
from rustpro.links import doc_url, rule_page_url
from rustpro.model import Finding, Severity

# GitHub code scanning truncates longer descriptions and names (SARIF support for code
# scanning: `reportingDescriptor`).
MAX_DESCRIPTION = 1024
MAX_NAME = 255

# GitHub's `problem.severity` for non-security rules: error, warning or recommendation.
PROBLEM_SEVERITY = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.NOTE: "recommendation",
}
# `precision` from the lintcheck corpus, stated only once enough findings were judged for
# the figure to mean something.
MIN_JUDGED_FOR_PRECISION = 10
_PRECISION_BANDS = ((0.95, "very-high"), (0.90, "high"), (0.75, "medium"), (0.0, "low"))

_TOOL_HOMES = {
    "clippy": "https://github.com/rust-lang/rust-clippy",
    "rustc": "https://doc.rust-lang.org/rustc/",
    "rustdoc": "https://doc.rust-lang.org/rustdoc/",
    "rustfmt": "https://github.com/rust-lang/rustfmt",
    "cargo-test": "https://doc.rust-lang.org/cargo/commands/cargo-test.html",
}
_RUSTC_LINTS = "https://doc.rust-lang.org/rustc/lints/listing/index.html"


@dataclass(frozen=True, slots=True)
class RuleRef:
    """Where a finding's rule is: `component` None for the driver, else the index of its
    tool in `tool.extensions`; `index` in that component's `rules`."""

    component: int | None
    index: int


@dataclass(slots=True)
class _Component:
    """One `toolComponent`'s rules and where each is in them. (A docstring of its own: a
    dataclass without one gets its signature as doc, which imports `inspect`.)"""

    name: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def add(self, rule_id: str, descriptor: dict[str, Any]) -> None:
        self.index[rule_id] = len(self.rules)
        self.rules.append(descriptor)


class RuleTable:
    """The driver's rules and the tools' components for one audit's findings."""

    def __init__(self, findings: Iterable[Finding], config: AuditConfig) -> None:
        # The driver's rules by name, each its catalog entry (None: a rule missing from the
        # catalog); their descriptors are made only when a report asks (`driver_rules`,
        # `driver_rules_text`), and a SARIF report asks for their text alone.
        self._driver_entries: list[tuple[str, RuleSpec | None]] = []
        self._driver_index: dict[str, int] = {}
        self._tools: dict[str, _Component] = {}
        findings = list(findings)
        own = {f.rule for f in findings if f.source == "rustpro"}
        for name, entry in catalog().items():
            if name in own or config.keeps(
                Finding.probe(entry.name, entry.checkpoint, entry.severity)
            ):
                self._add_driver_rule(name, entry)
        for name in sorted(own - set(self._driver_index)):
            self._add_driver_rule(name, None)
        first_of: dict[str, Finding] = {}
        for finding in findings:
            if finding.source != "rustpro":
                first_of.setdefault(finding.rule, finding)
        for rule, finding in sorted(first_of.items(), key=lambda pair: _tool_order(pair[1])):
            component = self._tools.setdefault(finding.source, _Component(finding.source))
            component.add(rule, tool_descriptor(rule, finding))

    def _add_driver_rule(self, name: str, entry: RuleSpec | None) -> None:
        self._driver_index[name] = len(self._driver_entries)
        self._driver_entries.append((name, entry))

    @property
    def driver_rules(self) -> list[dict[str, Any]]:
        """The driver's `rules`, in catalog order."""
        return [
            catalog_descriptor(entry) if entry is not None else _unknown_descriptor(name, "rustpro")
            for name, entry in self._driver_entries
        ]

    def driver_rules_text(self, dump: Callable[[Any], str]) -> str:
        """`dump(self.driver_rules)`, where `dump` writes a value as JSON text: each catalog
        rule's descriptor comes from `descriptor_texts`, which keeps them between runs."""
        kept = descriptor_texts(
            [entry for _, entry in self._driver_entries if entry is not None], dump
        )
        texts = [
            kept[name] if entry is not None else dump(_unknown_descriptor(name, "rustpro"))
            for name, entry in self._driver_entries
        ]
        return "[" + ",".join(texts) + "]"

    def extensions(self) -> list[dict[str, Any]]:
        """`tool.extensions`: one `toolComponent` per tool that reported something."""
        return [
            {
                "name": component.name,
                "informationUri": _TOOL_HOMES.get(component.name, doc_url("docs/full-mode.md")),
                "rules": component.rules,
            }
            for component in self._tools.values()
        ]

    def ref(self, finding: Finding) -> RuleRef:
        """Where `finding`'s rule is described."""
        if finding.source == "rustpro":
            return RuleRef(None, self._driver_index[finding.rule])
        position = list(self._tools).index(finding.source)
        return RuleRef(position, self._tools[finding.source].index[finding.rule])


def catalog_descriptor(entry: RuleSpec) -> dict[str, Any]:
    """The `reportingDescriptor` of a rustpro rule: its summary, when it fires, its page."""
    from rustpro.docsgen import rule_markdown, summary
    from rustpro.rules.registry import rule_class

    rule = rule_class(entry.name)
    short = summary(rule) if rule is not None else entry.fires_on
    full = f"Fires on {entry.fires_on}."
    url = rule_page_url(entry.name)
    tags = [entry.checkpoint.value] + ([entry.group] if entry.group != DEFAULT_GROUP else [])
    properties: dict[str, Any] = {
        "checkpoint": entry.checkpoint.value,
        "group": entry.group,
        "tags": tags,
        "problem.severity": PROBLEM_SEVERITY[entry.severity],
    }
    precision = measured_precision(entry.name)
    if precision is not None:
        properties["precision"] = precision
    help_text = f"{short}\n\n{full}\n\nDocumentation: {url} (or `rustpro explain {entry.name}`)."
    descriptor: dict[str, Any] = {
        "id": entry.name,
        "name": clip(entry.name, MAX_NAME),
        "shortDescription": {"text": clip(short, MAX_DESCRIPTION)},
        "fullDescription": {"text": clip(full, MAX_DESCRIPTION)},
        "helpUri": url,
        "help": {"text": help_text},
        "defaultConfiguration": {"level": entry.severity.value},
        "properties": properties,
    }
    if rule is not None:
        descriptor["help"]["markdown"] = rule_markdown(rule)
    return descriptor


# What a catalog rule's descriptor is made from, besides its docstring and clippy twins
# (`descriptor_texts`): this module and the ones `catalog_descriptor` calls, and the data
# files they read. A kept text is used only while these are as they were when it was kept.
_DESCRIPTOR_SOURCES = (
    "report/sarif_rules.py",
    "docsgen.py",
    "precision.py",
    "precision.json",
    "catalog.py",
    "catalog.toml",
    "links.py",
    "model.py",
    "rules/base.py",
)
_DESCRIPTOR_TABLE = "_sarif_rule_descriptors"


def descriptor_texts(entries: Sequence[RuleSpec], dump: Callable[[Any], str]) -> dict[str, str]:
    """`dump(catalog_descriptor(entry))` for each of `entries`, by rule name.

    A descriptor is the same in every run of the same rustpro: its rule's page as Markdown
    (`docsgen.rule_markdown`) and about 4 KB of JSON text, which cost a SARIF report of a
    small crate more than all its results. Each text is kept between runs beside rustpro's
    bytecode (`_codecache.KeptTexts`), under the rule's name, docstring and clippy twins,
    in a table stamped with the files it is made from (`_DESCRIPTOR_SOURCES`);
    tests/test_sarif_rules.py holds every kept text equal to the one made afresh.
    """
    from rustpro._codecache import KeptTexts, file_stamp
    from rustpro.rules.registry import rule_class

    table = KeptTexts(_DESCRIPTOR_TABLE, file_stamp(_DESCRIPTOR_SOURCES))
    texts: dict[str, str] = {}
    for entry in entries:
        rule = rule_class(entry.name)
        doc = (rule.__doc__ or "") if rule is not None else ""
        twins = "\0".join(rule.clippy_twins) if rule is not None else ""
        key = f"{entry.name}\0{rule is not None}\0{twins}\0{doc}"
        text = table.get(key)
        if text is None:
            text = dump(catalog_descriptor(entry))
            table.put(key, text)
        texts[entry.name] = text
    table.save()
    return texts


def tool_descriptor(rule: str, example: Finding) -> dict[str, Any]:
    """The `reportingDescriptor` of a tool's rule (`clippy::unwrap_used`, `rustfmt::diff`),
    from the lint list shipped with rustpro; `example` is one of its findings (its checkpoint
    is the one the rule counts against)."""
    tool, _, name = rule.partition("::")
    short, url, groups = _tool_facts(tool, name, rule)
    full = (
        f"{short} Reported by {tool} in rustpro's full mode; it counts against the "
        f"{example.checkpoint.value} checkpoint."
    )
    tags = [example.checkpoint.value, tool, *groups]
    properties: dict[str, Any] = {
        "checkpoint": example.checkpoint.value,
        "tags": list(dict.fromkeys(tags)),
    }
    if groups:
        properties["group"] = groups[0]
    return {
        "id": rule,
        "name": clip(rule, MAX_NAME),
        "shortDescription": {"text": clip(short, MAX_DESCRIPTION)},
        "fullDescription": {"text": clip(full, MAX_DESCRIPTION)},
        "helpUri": url,
        "help": {"text": f"{full}\n\nDocumentation: {url} (or `rustpro explain {rule}`)."},
        "properties": properties,
    }


def measured_precision(rule: str) -> str | None:
    """GitHub's `precision` band for a rule measured on the lintcheck corpus, or None."""
    from rustpro.precision import measured

    entry = measured().get(rule)
    if entry is None or entry.tp + entry.fp < MIN_JUDGED_FOR_PRECISION:
        return None
    value = entry.precision or 0.0
    return next(band for floor, band in _PRECISION_BANDS if value >= floor)


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tool_facts(tool: str, name: str, rule: str) -> tuple[str, str, list[str]]:
    """A tool rule's one-line description, documentation address and lint groups."""
    from rustpro.lintlist import shipped
    from rustpro.toolrules import FIXED_RULES

    if rule in FIXED_RULES:
        return FIXED_RULES[rule].what, doc_url("docs/full-mode.md"), []
    if tool == "rustc" and name[:1] == "E" and name[1:].isdigit():
        return (
            f"rustc error {name}: the code does not compile.",
            f"https://doc.rust-lang.org/error_codes/{name}.html",
            [],
        )
    lint = shipped().lint(tool, name) if tool in ("clippy", "rustc", "rustdoc") else None
    short = _sentence(lint.summary) if lint is not None else f"{rule}, as {tool} reports it."
    groups = [g for g in lint.groups if g != "all"] if lint is not None else []
    if tool == "clippy":
        url = f"https://rust-lang.github.io/rust-clippy/master/index.html#{name}"
    elif tool == "rustdoc":
        url = f"https://doc.rust-lang.org/rustdoc/lints.html#{name}"
    elif tool == "rustc":
        url = _RUSTC_LINTS
    else:
        url = _TOOL_HOMES.get(tool, doc_url("docs/full-mode.md"))
    return short, url, groups


def _sentence(summary: str) -> str:
    text = summary.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _unknown_descriptor(rule: str, tool: str) -> dict[str, Any]:
    """A rustpro rule missing from the catalog: cannot happen today (every rule is
    checked against it when its class is defined), but a report must not fail over it."""
    text = f"{rule}, as {tool} reports it."
    return {
        "id": rule,
        "name": clip(rule, MAX_NAME),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": f"{text} `rustpro explain {rule}` says more."},
    }


def _tool_order(finding: Finding) -> tuple[int, str]:
    from rustpro.toolrules import TOOL_SOURCES

    known = finding.source in TOOL_SOURCES
    position = TOOL_SOURCES.index(finding.source) if known else len(TOOL_SOURCES)
    return (position, finding.rule)
