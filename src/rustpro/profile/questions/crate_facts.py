"""Question 0: what the crate is: name, kind, targets, dependencies, superseded dependencies."""

from __future__ import annotations

from rustpro.profile import knowledge
from rustpro.profile.model import Answer, Confidence, Evidence
from rustpro.profile.questions.common import plural
from rustpro.profile.subject import Subject


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
    for dep in subject.dependencies:
        replacement = knowledge.lookup(knowledge.SUPERSEDED, dep.package)
        if replacement is not None:
            superseded.append(
                {"name": dep.package, "replacement": replacement, "declared_by": dep.crate}
            )
            evidence.append(dep.evidence(f"{dep.package} is superseded: use {replacement}"))
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
    if superseded:
        summary += "; superseded: " + ", ".join(
            f"{s['name']} → {s['replacement']}" for s in superseded
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
    }
    return Answer(
        0, "crate", "What is this crate?", summary, Confidence.DECLARED, facts, tuple(evidence)
    )
