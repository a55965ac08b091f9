"""A kind's files, rendered with Jinja2 from the templates shipped in `rustpro/templates/`.

Layout (templates/README.md says the same for contributors):

    templates/KIND/**.j2       the kind's own files
    templates/common/**.j2     files every kind gets, unless it has one at the same path
    templates/_partials/**.j2  pieces the others include; never written out

A template's path, less `.j2`, is where its output lands; a path segment written `dot-NAME`
lands as `.NAME` (`dot-github/workflows/ci.yml.j2` -> `.github/workflows/ci.yml`), so no
template is a hidden file that packaging could leave out.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from rustpro import __version__
from rustpro.new.kinds import (
    DEFAULT_EDITION,
    EDITION_RUST_VERSION,
    RESOLVER_3,
    Kind,
    RustVersion,
    dependencies,
)
from rustpro.new.names import crate_ident

COMMON = "common"
PARTIALS = "_partials"
SUFFIX = ".j2"
HIDDEN_PREFIX = "dot-"
# The manifest tables that list dependencies (besides `[workspace.dependencies]`).
SECTIONS = ("dependencies", "dev-dependencies", "build-dependencies")


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """Everything a template is rendered from."""

    kind: Kind
    name: str
    edition: str
    rust_version: RustVersion

    def context(self) -> dict[str, Any]:
        """The variables templates see (templates/README.md lists them)."""
        return {
            "kind": self.kind.name,
            "name": self.name,
            "crate": crate_ident(self.name),
            "edition": self.edition,
            "rust_version": str(self.rust_version),
            "resolver": "3" if self.rust_version >= RESOLVER_3 else "2",
            "summary": self.kind.summary,
            "patterns": self.kind.patterns,
            "lockfile": self.kind.lockfile,
            "deps": {name: dep.version for name, dep in dependencies().items()},
            "rustpro_version": __version__,
        }


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment every template is rendered in: an undefined variable is an
    error, and output keeps its trailing newline."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rustpro", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def output_path(template: str) -> str:
    """Where a template's output lands in the project (`lib/src/lib.rs.j2` -> `src/lib.rs`)."""
    _, _, rest = template.partition("/")
    parts = rest.removesuffix(SUFFIX).split("/")
    return "/".join(
        "." + part.removeprefix(HIDDEN_PREFIX) if part.startswith(HIDDEN_PREFIX) else part
        for part in parts
    )


def template_names(kind: str) -> dict[str, str]:
    """The templates of `kind`, by the path their output lands at (the kind's own win over
    the common ones)."""
    names = environment().list_templates(extensions=[SUFFIX.lstrip(".")])
    chosen: dict[str, str] = {}
    for prefix in (COMMON, kind):
        for template in names:
            if template.startswith(f"{prefix}/"):
                chosen[output_path(template)] = template
    return dict(sorted(chosen.items()))


def render(spec: ProjectSpec) -> dict[str, str]:
    """The project's files: relative path -> text."""
    env = environment()
    context = spec.context()
    return {
        path: env.get_template(name).render(context)
        for path, name in template_names(spec.kind.name).items()
    }


def _dependencies(table: object) -> dict[str, bool]:
    """The dependencies of a manifest table: crate name -> whether it is a path dependency."""
    if not isinstance(table, dict):
        return {}
    found: dict[str, bool] = {}
    for key, spec in table.items():
        detail = spec if isinstance(spec, dict) else {}
        found[str(detail.get("package", key))] = "path" in detail
    return found


@cache
def used_dependencies(kind: Kind) -> frozenset[str]:
    """The crates.io dependencies the kind's manifests name (normal, dev, build and
    `[workspace.dependencies]`; not the workspace's own members), as read from its rendered
    `Cargo.toml` files."""
    probe = ProjectSpec(kind, "probe", DEFAULT_EDITION, EDITION_RUST_VERSION[DEFAULT_EDITION])
    named: set[str] = set()
    local: set[str] = set()
    for path, text in render(probe).items():
        if path.rsplit("/", 1)[-1] != "Cargo.toml":
            continue
        manifest = tomllib.loads(text)
        tables = [manifest.get(section) for section in SECTIONS]
        tables.append(manifest.get("workspace", {}).get("dependencies"))
        for table in tables:
            for name, is_path in _dependencies(table).items():
                (local if is_path else named).add(name)
    return frozenset(named - local)
