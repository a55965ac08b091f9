"""Question 0: what the crate is: name, kind, targets, dependencies, superseded dependencies."""

from __future__ import annotations

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import plural, version_text, version_tuple
from rustpro.profile.subject import Subject
from rustpro.rules.project.deprecated_dependency import SUPERSEDED


def answer(subject: Subject) -> Answer:
    """Name, kind, version, targets and every dependency, with superseded ones flagged."""
    manifest = subject.root_manifest if subject.is_workspace else subject.crates[0].manifest
    version = (manifest.package or {}).get("version")
    dependencies = [
        {
            "name": d.name,
            "package": d.package,
            "version": d.version,
            "features": list(d.features),
            "kind": d.kind,
            "optional": d.optional,
            "path": d.path,
            "declared_by": d.crate,
        }
        for d in subject.dependencies
    ]
    superseded = []
    evidence: list[Evidence] = []
    package_line = manifest.key_line("package", "name")
    evidence.append(
        Evidence(
            subject.manifest_path(manifest),
            package_line or manifest.table_line("workspace"),
            "package.name" if package_line else "workspace",
        )
    )
    declared = [v for c in subject.crates if (v := version_tuple(c.rust_version))]
    msrv = min(declared) if declared else None
    for dep in subject.dependencies:
        # One table with the deprecated-dependency rule, so audit and profile agree.
        entry = knowledge.lookup(SUPERSEDED, dep.package)
        if entry is None:
            continue
        replacement = entry.replacement.replace("`", "")
        needs = entry.std_since
        # Whether the declared MSRV already allows the std replacement (None: cannot tell).
        allows = None if needs is None or msrv is None else msrv >= needs
        superseded.append(
            {
                "name": dep.package,
                "replacement": replacement,
                "reason": entry.reason,
                "replacement_requires_rust": version_text(needs) if needs else None,
                "msrv_allows_replacement": allows,
                "declared_by": dep.crate,
            }
        )
        blocked = " (the declared MSRV is older)" if allows is False else ""
        evidence.append(dep.evidence(f"{dep.package} is superseded: use {replacement}{blocked}"))
    targets = [{"kind": t.kind, "name": t.name, "path": t.path} for t in subject.targets]
    # A workspace lists each member's declarations; count each package once per kind.
    kinds = {
        k: len({d.package for d in subject.dependencies if d.kind == k})
        for k in ("normal", "dev", "build")
    }
    summary = (
        f"{subject.kind} `{subject.name}`"
        + (f" {version}" if isinstance(version, str) else "")
        + f": {plural(len(targets), 'target')}, {kinds['normal']} dependencies"
        + f" ({kinds['dev']} dev, {kinds['build']} build)"
    )
    if subject.is_workspace:
        summary += f", {plural(len(subject.crates), 'member crate')}"
    roles = [
        {"name": c.name, "role": c.role.role.value, "evidence": c.role.evidence}
        for c in subject.crates
    ]
    summary += "; " + _roles_summary(subject)
    for crate in subject.crates:
        line = crate.manifest.table_line("package") or 1
        evidence.append(
            Evidence(
                subject.manifest_path(crate.manifest),
                line,
                f"`{crate.name}` is {_a(crate.role.role.description)}: {crate.role.evidence}",
            )
        )
    if superseded:
        summary += "; superseded: " + ", ".join(
            f"{s['name']} → {s['replacement']}"
            + (" once the MSRV allows" if s["msrv_allows_replacement"] is False else "")
            for s in superseded
        )
    facts = {
        "name": subject.name,
        "kind": subject.kind,
        "version": version if isinstance(version, str) else None,
        "targets": targets,
        "dependencies": dependencies,
        "dependency_counts": kinds,
        "superseded": superseded,
        "members": [c.name for c in subject.crates] if subject.is_workspace else [],
        "roles": roles,
    }
    return Answer(
        0, "crate", "What is this crate?", summary, Confidence.DECLARED, facts, tuple(evidence)
    )


def _roles_summary(subject: Subject) -> str:
    """`role: application (binaries)`, or for a workspace `roles: 2 published library, ...`."""
    if not subject.is_workspace:
        role = subject.crates[0].role
        return f"role: {role.role.description} ({role.evidence})"
    counts: dict[str, int] = {}
    for crate in subject.crates:
        counts[crate.role.role.description] = counts.get(crate.role.role.description, 0) + 1
    return "roles: " + ", ".join(f"{what} ×{count}" for what, count in counts.items())


def _a(description: str) -> str:
    return ("an " if description[0] in "aeiou" else "a ") + description
