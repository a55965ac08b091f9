"""`--format sarif`: the audit as SARIF 2.1.0, for GitHub code scanning and SARIF viewers.

One run, driven by `rustpro`, with one `result` per finding (never one per span: a
finding's other places are its `relatedLocations`, linked from its message, which is how
GitHub shows them). Full mode's tool findings stay in the same run, under the tool that
reported them as a `tool.extensions` component (`sarif_rules`): rustpro ran the tools,
folded their findings into its checkpoints and decided the exit code over all of them, so
one run with one invocation says what happened; each result still names its tool's rule
(`clippy::unwrap_used`) and component.

Paths are relative to the top of the git repository holding the audited root
(`report.repository`), because that is what code scanning matches against the files it
knows; `%SRCROOT%` is that top, given as a `file:` URI in `originalUriBaseIds`. Lines and
columns are 1-based and columns count characters (`columnKind: unicodeCodePoints`), as
everywhere in rustpro. `partialFingerprints` carries rustpro's own fingerprint (the one
baselines use); GitHub computes its `primaryLocationLineHash` itself when the file is
uploaded with `github/codeql-action/upload-sarif`.

GitHub's documented limits are enforced here, not left to a rejected upload: at most
25,000 results per run (the most severe are kept), 1,000 locations per result, and a file
of at most 10 MB once gzipped; whatever is left out is said in a `toolExecutionNotification`.
Rule names and descriptions are cut to GitHub's 255 and 1,024 characters (`sarif_rules`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from rustpro.engine.audit import AuditResult
from rustpro.fingerprint import FINGERPRINT_VERSION, fingerprint_findings, source_reader
from rustpro.links import REPOSITORY_URL
from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.outcome import verdict
from rustpro.report.json_report import checkpoint_json
from rustpro.report.repository import RepositoryPaths, repository_paths
from rustpro.report.sarif_rules import RuleRef, RuleTable
from rustpro.scoring import overall_score

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
# The key names the algorithm: a consumer comparing runs must not compare fingerprints of
# different algorithms: the version is rustpro.fingerprint's.
FINGERPRINT_KEY = f"rustproFingerprint/v{FINGERPRINT_VERSION}"
# Related locations linked from a finding's message; the rest are listed, not linked.
MAX_LINKED_RELATED = 10
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """What GitHub code scanning accepts in one SARIF upload ("SARIF support for code
    scanning": a file over any of these is rejected)."""

    results_per_run: int = 25_000
    locations_per_result: int = 1_000
    gzip_bytes: int = 10 * 1000 * 1000


GITHUB_LIMITS = UploadLimits()


def render_sarif(
    result: AuditResult, *, exit_code: int | None = None, limits: UploadLimits = GITHUB_LIMITS
) -> str:
    """The report as SARIF 2.1.0 JSON text.

    `exit_code` is the status rustpro exits with (the invocation records it); without it,
    the `--fail-on` gate's verdict over the findings.
    """
    run = _RunBuilder(result, exit_code, limits)
    kept = run.most_severe(limits.results_per_run)
    text = run.text(kept)
    size = _gzipped_size(text, limits.gzip_bytes)
    while kept and size > limits.gzip_bytes:
        # Shrink in proportion to the overshoot, and always by at least one result.
        share = limits.gzip_bytes / size * 0.95
        kept = run.most_severe(min(len(kept) - 1, int(len(kept) * share)))
        text = run.text(kept, size_limited=True)
        size = _gzipped_size(text, limits.gzip_bytes)
    return text


class _RunBuilder:
    """Everything one audit's run is made of, built once; `log` renders a subset of the
    findings (all of them unless a limit says otherwise)."""

    def __init__(self, result: AuditResult, exit_code: int | None, limits: UploadLimits) -> None:
        self.result = result
        self.limits = limits
        self.exit_code = exit_code if exit_code is not None else verdict(result).code
        self.paths = repository_paths(result.root)
        self.rules = RuleTable(result.findings, result.config)
        self.fingerprints = fingerprint_findings(
            result.findings, source_reader(result.root), result.known_places
        )
        self._uris: dict[str, str] = {}
        self._artifacts: dict[str, str] = {}  # report path -> its `artifactLocation` as JSON
        self._texts: dict[int, str] = {}  # finding index -> its result as JSON
        # A result's head and properties texts by what they say (`_result_text`).
        self._shared: dict[
            tuple[str, str, Severity, Checkpoint, str, tuple[str, ...]], tuple[str, str]
        ] = {}
        self._messages: dict[tuple[str, str], str] = {}  # see `_message_text`

    def text(self, kept: Sequence[int], *, size_limited: bool = False) -> str:
        """`log(kept)` as compact JSON text (`_dump`'s), each result written straight as
        text: building thousands of results as dicts and encoding them cost most of the
        report's time. A test holds each result's text to `json.dumps` of `_result`."""
        log = self.log(kept, size_limited=size_limited, results=False)
        log["runs"][0]["results"] = _RESULTS
        log["runs"][0]["tool"]["driver"]["rules"] = _RULES
        # The log around its two placeholders: the driver's rules come first in it, the
        # results after them (dicts keep their order in JSON).
        before_rules, after_rules = _dump(log).split(_RULES_TEXT, 1)
        between, after_results = after_rules.split(_RESULTS_TEXT, 1)
        opening = (
            f'{before_rules}"rules":{self.rules.driver_rules_text(_dump_value)}{between}"results":['
        )
        closing = "]" + after_results
        findings, fingerprints, texts = self.result.findings, self.fingerprints, self._texts
        cap = self.limits.locations_per_result - 1
        parts = []
        for index in kept:
            found = texts.get(index)
            if found is None:
                found = texts[index] = self._result_text(findings[index], fingerprints[index], cap)
            parts.append(found)
        if not parts:
            return opening + closing
        # One join writes the whole text: the results are megabytes on a large crate, and
        # each further concatenation or replacement would copy them all again.
        parts[0] = opening + parts[0]
        parts[-1] += closing
        return ",".join(parts)

    def most_severe(self, count: int) -> list[int]:
        """Indexes of the `count` most severe findings (earlier ones first among equals),
        in report order."""
        findings = self.result.findings
        if count >= len(findings):
            return list(range(len(findings)))
        ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity.rank, i))
        return sorted(ranked[: max(count, 0)])

    def log(
        self, kept: Sequence[int], *, size_limited: bool = False, results: bool = True
    ) -> dict[str, Any]:
        """The whole `sarifLog` over the findings at indexes `kept` (without `results`: its
        results and its driver's rules empty, for `text` to fill)."""
        findings = self.result.findings
        related_cap = self.limits.locations_per_result - 1  # the primary location counts
        results_of = (
            [self._result(findings[i], self.fingerprints[i], related_cap) for i in kept]
            if results
            else []
        )
        clipped = sum(1 for i in kept if len(findings[i].related) > related_cap)
        notes = self._notifications(len(kept), size_limited, clipped, related_cap)
        tool: dict[str, Any] = {"driver": self._driver(rules=results)}
        extensions = self.rules.extensions()
        if extensions:
            tool["extensions"] = extensions
        return {
            "$schema": SCHEMA_URI,
            "version": SARIF_VERSION,
            "runs": [
                {
                    "tool": tool,
                    "invocations": [self._invocation(notes)],
                    "originalUriBaseIds": {
                        SRCROOT: {
                            "uri": self.paths.top_uri(),
                            "description": {"text": _srcroot_description(self.paths)},
                        }
                    },
                    "results": results_of,
                    "columnKind": "unicodeCodePoints",
                    "properties": self._run_properties(),
                }
            ],
        }

    def _driver(self, *, rules: bool) -> dict[str, Any]:
        """The `driver` component; its `rules` empty unless `rules` (`text` writes them)."""
        version = self.result.tool_version
        driver: dict[str, Any] = {
            "name": "rustpro",
            "version": version,
            "informationUri": REPOSITORY_URL,
            "rules": self.rules.driver_rules if rules else [],
        }
        if _SEMVER.fullmatch(version):
            driver["semanticVersion"] = version
        return driver

    def _result(self, finding: Finding, fingerprint: str, related_cap: int) -> dict[str, Any]:
        ref = self.rules.ref(finding)
        related = finding.related[:related_cap]
        entry: dict[str, Any] = {"ruleId": finding.rule, "ruleIndex": ref.index}
        if ref.component is not None:
            entry["rule"] = _rule_reference(finding.rule, ref)
        entry["level"] = finding.severity.value
        entry["message"] = {"text": _message(finding, related)}
        entry["locations"] = [{"physicalLocation": self._physical(finding)}]
        if related:
            entry["relatedLocations"] = [
                self._related(number, place) for number, place in enumerate(related, start=1)
            ]
        entry["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
        properties: dict[str, Any] = {
            "checkpoint": finding.checkpoint.value,
            "source": finding.source,
        }
        if finding.group:
            properties["group"] = finding.group
        if finding.also_reported_by:
            properties["alsoReportedBy"] = list(finding.also_reported_by)
        entry["properties"] = properties
        return entry

    def _result_text(self, finding: Finding, fingerprint: str, related_cap: int) -> str:
        """`_result` as the compact JSON text `_dump` writes of it (written as one string,
        its pieces shared by findings encoded once: it runs per finding)."""
        related = finding.related[:related_cap]
        # What a rule's findings share (rule, level, properties), looked up once per result.
        shared_key = (
            finding.rule,
            finding.source,
            finding.severity,
            finding.checkpoint,
            finding.group,
            finding.also_reported_by,
        )
        shared = self._shared.get(shared_key)
        if shared is None:
            shared = self._shared[shared_key] = (
                self._head_text(finding),
                self._properties_text(finding),
            )
        head, properties = shared
        line = finding.line if finding.line > 1 else 1
        column = finding.column if finding.column > 1 else 1
        end_line = finding.end_line if finding.end_line > line else line
        end_column = finding.end_column if finding.end_column > 1 else 1
        if end_line == line and end_column < column:
            end_column = column  # an empty region at worst, never reversed
        artifact = self._artifacts.get(finding.path)
        if artifact is None:
            artifact = self._artifact_text(finding.path)
        if related:
            message = _STR(_message(finding, related))
            places = ",".join(
                self._related_text(number, place) for number, place in enumerate(related, start=1)
            )
            places = f'"relatedLocations":[{places}],'
        else:  # most findings: a rule's findings repeat their message and help
            places = ""
            known = self._messages.get((finding.message, finding.help))
            message = known if known is not None else self._message_text(finding)
        return (
            f'{head}"message":{{"text":{message}}},'
            f'"locations":[{{"physicalLocation":{{"artifactLocation":{artifact},'
            f'"region":{{"startLine":{line},"startColumn":{column},'
            f'"endLine":{end_line},"endColumn":{end_column}}}}}}}],{places}'
            # A fingerprint is hexadecimal: nothing in it to escape.
            f'"partialFingerprints":{{{_FINGERPRINT_KEY_TEXT}:"{fingerprint}"}},'
            f"{properties}"
        )

    def _message_text(self, finding: Finding) -> str:
        """The text of a finding without related places, encoded (each text once)."""
        key = (finding.message, finding.help)
        found = self._messages.get(key)
        if found is None:
            found = self._messages[key] = _STR(_message(finding, ()))
        return found

    def _properties_text(self, finding: Finding) -> str:
        """A result's `properties` to its end."""
        text = (
            f'"properties":{{"checkpoint":{_STR(finding.checkpoint)},'
            f'"source":{_STR(finding.source)}'
        )
        if finding.group:
            text += f',"group":{_STR(finding.group)}'
        if finding.also_reported_by:
            listed = ",".join(_STR(name) for name in finding.also_reported_by)
            text += f',"alsoReportedBy":[{listed}]'
        return text + "}}"

    def _head_text(self, finding: Finding) -> str:
        """A result's text up to its message, the same for a rule's findings of a severity."""
        ref = self.rules.ref(finding)
        rule = _STR(finding.rule)
        text = f'{{"ruleId":{rule},"ruleIndex":{ref.index},'
        if ref.component is not None:
            text += (
                f'"rule":{{"id":{rule},"index":{ref.index},'
                f'"toolComponent":{{"index":{ref.component}}}}},'
            )
        # The severity is a `StrEnum`: its own text is its value.
        return text + f'"level":{_STR(finding.severity)},'

    def _related_text(self, number: int, place: Location) -> str:
        # One f-string, the bounds written out: a finding can have a thousand places.
        artifact = self._artifacts.get(place.path)
        if artifact is None:
            artifact = self._artifact_text(place.path)
        message = f',"message":{{"text":{_STR(place.message)}}}' if place.message else ""
        return (
            f'{{"id":{number},"physicalLocation":{{"artifactLocation":{artifact},'
            f'"region":{{"startLine":{place.line if place.line > 1 else 1},'
            f'"startColumn":{place.column if place.column > 1 else 1}}}}}{message}}}'
        )

    def _artifact_text(self, report_path: str) -> str:
        found = self._artifacts.get(report_path)
        if found is None:
            found = self._artifacts[report_path] = _dump(self._artifact(report_path))[:-1]
        return found

    def _physical(self, finding: Finding) -> dict[str, Any]:
        line = max(finding.line, 1)
        column = max(finding.column, 1)
        end_line = max(finding.end_line, line)
        end_column = max(finding.end_column, 1)
        if end_line == line:
            end_column = max(end_column, column)  # an empty region at worst, never reversed
        return {
            "artifactLocation": self._artifact(finding.path),
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column,
            },
        }

    def _related(self, number: int, place: Location) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "id": number,
            "physicalLocation": {
                "artifactLocation": self._artifact(place.path),
                "region": {"startLine": max(place.line, 1), "startColumn": max(place.column, 1)},
            },
        }
        if place.message:
            entry["message"] = {"text": place.message}
        return entry

    def _artifact(self, report_path: str) -> dict[str, Any]:
        uri = self._uris.get(report_path)
        if uri is None:  # thousands of findings share a few hundred files
            uri = self._uris[report_path] = self.paths.uri(report_path)
        return {"uri": uri, "uriBaseId": SRCROOT}

    def _invocation(self, notes: list[dict[str, Any]]) -> dict[str, Any]:
        invocation: dict[str, Any] = {
            # The audit ran to its end: findings, even failing ones, are its success.
            "executionSuccessful": True,
            "exitCode": self.exit_code,
            "exitCodeDescription": _EXIT_MEANINGS.get(self.exit_code, "see `rustpro audit --help`"),
        }
        if notes:
            invocation["toolExecutionNotifications"] = notes
        return invocation

    def _notifications(
        self, kept: int, size_limited: bool, clipped: int, related_cap: int
    ) -> list[dict[str, Any]]:
        result = self.result
        texts = [
            *result.warnings,
            *result.skipped_files,
            *(f"{at}: syntax error; audited the rest of the file" for at in result.parse_errors),
        ]
        notes = [_notification(text) for text in texts]
        total = len(result.findings)
        if kept < total:
            why = (
                f"the file must stay under {self.limits.gzip_bytes:,} bytes gzipped"
                if size_limited
                else f"GitHub code scanning accepts at most {self.limits.results_per_run:,} "
                "results per run"
            )
            notes.append(
                _notification(
                    f"{total - kept:,} of {total:,} findings are left out of this SARIF file: "
                    f"{why}. The most severe are kept; `--format json` lists every finding."
                )
            )
        if clipped:
            notes.append(
                _notification(
                    f"{clipped:,} finding(s) have more than {related_cap:,} related locations; "
                    f"each keeps its first {related_cap:,} (GitHub accepts "
                    f"{self.limits.locations_per_result:,} locations per result)."
                )
            )
        notes += [_notification(text, "note") for text in _baseline_notes(result)]
        return notes

    def _run_properties(self) -> dict[str, Any]:
        result = self.result
        checkpoints = {
            checkpoint.value: checkpoint_json(outcome, evidence=False)
            for checkpoint, outcome in result.checkpoints.items()
        }
        return {
            "mode": result.mode,
            "auditRoot": self.paths.audit_root(),
            "score": overall_score(result.checkpoints),
            "checkpoints": checkpoints,
            "suppressed": result.suppressed,
        }


_EXIT_MEANINGS = {
    0: "no finding fails the audit's gates",
    1: "the audit fails its gates (findings at or above --fail-on, or a gate on "
    "checkpoints or score)",
}


def _rule_reference(rule: str, ref: RuleRef) -> dict[str, Any]:
    return {"id": rule, "index": ref.index, "toolComponent": {"index": ref.component}}


def _message(finding: Finding, related: Sequence[Location]) -> str:
    """The finding's message, its help, and links to its related locations (`[text](id)` is
    SARIF's embedded link to the related location with that id)."""
    if not related:  # most findings: written out
        return f"{finding.message}\nhelp: {finding.help}" if finding.help else finding.message
    lines = [finding.message]
    if finding.help:
        lines.append(f"help: {finding.help}")
    if related:
        links = [
            f"[{_link_text(place)}]({number})"
            for number, place in enumerate(related[:MAX_LINKED_RELATED], start=1)
        ]
        rest = len(finding.related) - len(links)
        lines.append("related: " + ", ".join(links) + (f" and {rest:,} more" if rest else ""))
    return "\n".join(lines)


def _link_text(place: Location) -> str:
    text = f"{place.path}:{place.line}" + (f" {place.message}" if place.message else "")
    # Brackets inside a link's text must be escaped (SARIF 2.1.0, embedded links).
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _notification(text: str, level: str = "warning") -> dict[str, Any]:
    return {"level": level, "message": {"text": text}}


def _baseline_notes(result: AuditResult) -> list[str]:
    """What a baseline or `--changed-since` hid, when the result says so (those attributes
    arrive with the baseline feature; a result without them has nothing to say)."""
    notes = []
    hidden = getattr(result, "baseline_hidden", 0)
    fixed = getattr(result, "baseline_fixed", 0)
    unchanged = getattr(result, "changed_hidden", 0)
    if hidden:
        notes.append(f"{hidden:,} finding(s) in the baseline are not reported")
    if fixed:
        notes.append(f"{fixed:,} baseline entries match no finding any more (fixed)")
    if unchanged:
        notes.append(f"{unchanged:,} finding(s) in files not changed are not reported")
    return notes


def _srcroot_description(paths: RepositoryPaths) -> str:
    if paths.in_git:
        return "The top of the git repository that holds the audited crate or workspace."
    return "The audited crate or workspace (it is in no git repository)."


def _gzipped_size(text: str, limit: int) -> int:
    """The size of `text` gzipped; 0 when its plain size is within `limit` already (then so
    is its gzipped size, and compressing it would only cost time)."""
    if len(text) * 4 <= limit:  # a character is at most 4 bytes: no need to encode it
        return 0
    data = text.encode("utf-8")
    if len(data) <= limit:
        return 0
    import gzip  # only for logs of megabytes: the others skip its imports (1 ms)

    return len(gzip.compress(data))


# The results' place in the dumped log, filled by `_RunBuilder.text`: found with its key,
# which no string can hold (a string's quotes are escaped).
_RESULTS = "\0results\0"
_RESULTS_TEXT = '"results":' + json.dumps(_RESULTS)
_RULES = "\0rules\0"  # the driver's rules, the same way
_RULES_TEXT = '"rules":' + json.dumps(_RULES)
# How `_dump` writes a string (non-ASCII kept), and the fingerprint's key.
_STR = encode_basestring
_FINGERPRINT_KEY_TEXT = encode_basestring(FINGERPRINT_KEY)


def _dump(log: dict[str, Any]) -> str:
    # Compact: json's C encoder serves only unindented output, and an indented report of
    # thousands of results costs ten times as long to write (`jq .` pretty-prints it).
    return _dump_value(log) + "\n"


def _dump_value(value: Any) -> str:
    """`value` as the compact JSON text a report is written in."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
