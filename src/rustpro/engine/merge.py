"""One finding per problem: where two rules report the same thing, keep one that says both.

Rules are written one problem at a time, so an undocumented public function that returns
`Result` is both `missing-docs` and `missing-errors-doc`, and an `.unwrap()` in a public
function without `# Panics` docs is both `unwrap-in-production` and `missing-panics-doc`. A
reviewer says each once. This runs after suppressions and the configuration's selection, so a
finding that was silenced or not selected never absorbs another.

Many findings of one shape in one place are one problem too: a table of 900 undocumented
constants, an impl of 30 syscall wrappers none of which documents its errors. Rules mark such
findings with a `Bundle`; a large enough group becomes one finding listing the others.
"""

from __future__ import annotations

from dataclasses import replace

from rustpro.model import Finding, Location, Severity

# Doc-section rules that an undocumented item's `missing-docs` finding already covers.
_SECTION_RULES = {"missing-errors-doc": "`# Errors`", "missing-panics-doc": "`# Panics`"}
# Rules whose finding sits on a panic site that `missing-panics-doc` points at.
_PANIC_RULES = frozenset({"unwrap-in-production", "expect-in-production", "panic-in-production"})


def merge_overlapping(findings: list[Finding]) -> list[Finding]:
    """`findings` with each overlapping pair folded into one finding that names both."""
    findings = _fold_sections_into_missing_docs(findings)
    findings = _fold_panics_doc_into_panic_sites(findings)
    findings = _fold_bundles(findings)
    return _drop_restated_crate_findings(findings)


def _fold_bundles(findings: list[Finding]) -> list[Finding]:
    """Each group of `Bundle` members at least its `minimum` large as one finding at its
    first member, the others as related locations; smaller groups as they are.

    It runs after the section folds: an undocumented function's missing `# Errors` is already
    part of its `missing-docs` finding and is no member of a group any more.
    """
    groups: dict[tuple[str, str, str], list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.bundle is not None:
            groups.setdefault((finding.path, finding.rule, finding.bundle.key), []).append(index)
    if not groups:
        return findings
    replaced: dict[int, Finding] = {}
    dropped: set[int] = set()
    for members in groups.values():
        bundle = findings[members[0]].bundle
        assert bundle is not None
        if len(members) < bundle.minimum:
            replaced.update((index, replace(findings[index], bundle=None)) for index in members)
            continue
        ordered = sorted(members, key=lambda i: findings[i].sort_key())
        head = findings[ordered[0]]
        others = tuple(_as_member(findings[index]) for index in ordered[1:])
        replaced[ordered[0]] = replace(
            head,
            # `replace`, not `format`: a type in the message may hold braces (`[u8; { N }]`).
            message=bundle.message.replace("{count}", str(len(members))),
            help=bundle.help,
            related=(*head.related, *others),
            severity=_worst(*(findings[index] for index in members)),
            bundle=None,
        )
        dropped.update(ordered[1:])
    return [
        replaced.get(index, finding)
        for index, finding in enumerate(findings)
        if index not in dropped
    ]


def _as_member(finding: Finding) -> Location:
    member = finding.bundle.member if finding.bundle is not None else finding.message
    return Location(finding.path, finding.line, finding.column, member)


def _fold_sections_into_missing_docs(findings: list[Finding]) -> list[Finding]:
    undocumented = {
        _place(f): index for index, f in enumerate(findings) if f.rule == "missing-docs"
    }
    if not undocumented:
        return findings
    sections: dict[int, list[str]] = {}
    dropped: set[int] = set()
    for index, finding in enumerate(findings):
        section = _SECTION_RULES.get(finding.rule)
        target = undocumented.get(_place(finding)) if section is not None else None
        if section is not None and target is not None:
            sections.setdefault(target, []).append(section)
            dropped.add(index)
    # Every finding at a merged place, gathered once: asking all findings for each merged
    # one would grow with the square of their number.
    at_place: dict[tuple[str, int, int], list[Finding]] = {}
    for finding in findings:
        place = _place(finding)
        if place in undocumented:
            at_place.setdefault(place, []).append(finding)
    merged: list[Finding] = []
    for index, finding in enumerate(findings):
        if index in dropped:
            continue
        wanted = sections.get(index)
        if wanted:
            finding = replace(
                finding,
                message=f"{finding.message}; its docs will need {' and '.join(sorted(wanted))}",
                severity=_worst(finding, *at_place[_place(finding)]),
            )
        merged.append(finding)
    return merged


def _fold_panics_doc_into_panic_sites(findings: list[Finding]) -> list[Finding]:
    sites = {(f.path, f.line): index for index, f in enumerate(findings) if f.rule in _PANIC_RULES}
    if not sites:
        return findings
    notes: dict[int, Finding] = {}
    dropped: set[int] = set()
    for index, finding in enumerate(findings):
        if finding.rule != "missing-panics-doc":
            continue
        for place in finding.related:
            target = sites.get((place.path, place.line))
            if target is not None and target not in notes:
                notes[target] = finding
                dropped.add(index)
                break
    merged: list[Finding] = []
    for index, finding in enumerate(findings):
        if index in dropped:
            continue
        doc = notes.get(index)
        if doc is not None:
            finding = replace(
                finding,
                message=f"{finding.message}; {doc.message}",
                severity=_worst(finding, doc),
                related=(*finding.related, _as_related(doc)),
            )
        merged.append(finding)
    return merged


def _drop_restated_crate_findings(findings: list[Finding]) -> list[Finding]:
    """`no-error-path-tests` says nothing `no-unit-tests` has not said for the same crate."""
    untested = {f.path for f in findings if f.rule == "no-unit-tests"}
    if not untested:
        return findings
    return [f for f in findings if not (f.rule == "no-error-path-tests" and f.path in untested)]


def _place(finding: Finding) -> tuple[str, int, int]:
    return (finding.path, finding.line, finding.column)


def _worst(*findings: Finding) -> Severity:
    return max((f.severity for f in findings), key=lambda s: s.rank)


def _as_related(finding: Finding) -> Location:
    return Location(finding.path, finding.line, finding.column, f"also [{finding.rule}]")
