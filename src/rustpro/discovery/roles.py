"""What each package of a workspace is for, decided from its manifest and its place in the tree.

A reviewer holds a published library to a different standard than a maintainer's codegen
tool: public-API rules (docs, error types, signatures) matter only where outside users call
the API, panics matter in production code but not in an example or a test harness. Every
package therefore gets one role, with the evidence that decided it, and rules declare the
roles they apply to (`BaseRule.roles`).

The decision, first match wins:

1. the user said so: `[package.metadata.rustpro] role = ".."` or `[roles]` in rustpro.toml;
2. what the package is by name, directory or manifest: a fuzz target package, an example,
   bench or tool package (`examples`, `benches`, `xtask`, `codegen`, `stress-test`,
   `interop`, ...), a test-support package (`*-test`, `test-utils`, `tests-*`, a package
   under a `tests/` directory, the crates.io category `development-tools::testing` or a
   keyword such as `testing` or `mock`, or an
   unpublished one its sibling packages use only as a dev-dependency); test support that
   is a published library is a *test library* (public-API rules hold, panic rules not),
   unless it is released in lockstep with an application of the workspace (step 5);
3. not for outside users: `publish = false`, no `version`, version `0.0.0`, or a
   description that says "internal": an *application* when it has binaries (and no sibling
   depends on its library), else an *internal* library;
4. binaries: an *application*; when the package also has a library, only if it is not
   published (its library then serves its binaries) or it always depends on a command-line
   parser (`clap`, ...), since a published package's library is published with them;
5. a library released in lockstep with an application of the same workspace (its `version`
   inherited from `[workspace.package]` like the application's) that the application
   depends on: *internal*;
6. any other library: a *published library*;
7. last, an unpublished (`publish = false`) binary-only package in a workspace that
   publishes its product is a maintainer *tool*.

A library that lints its docs for readers (`missing_docs` at warn or deny, own or inherited)
stays a library in step 4, and one that does so or builds docs.rs pages
(`[package.metadata.docs.rs]`) in step 5. In step 4, a library its sibling packages depend
on is a library, not the servant of its package's binary.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro.discovery.manifest import InheritedKeys, Manifest, package_value


class PackageRole(enum.StrEnum):
    """What a package is for."""

    LIBRARY = "library"  # a published library: its public API is for outside users
    APPLICATION = "application"  # binaries people run
    INTERNAL = "internal"  # a library only this workspace uses
    TEST_SUPPORT = "test-support"  # helpers, mocks, harnesses and test suites
    # A published library for other crates' tests (assertions, snapshots, mocks): its API
    # is for outside users, its panics are its users' test failures.
    TEST_LIBRARY = "test-library"
    EXAMPLE = "example"
    BENCH = "bench"
    TOOL = "tool"  # maintainer tooling: xtask, codegen, fuzz targets, stress tests

    @property
    def description(self) -> str:
        """A few words for reports."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    PackageRole.LIBRARY: "published library",
    PackageRole.APPLICATION: "application",
    PackageRole.INTERNAL: "internal library",
    PackageRole.TEST_SUPPORT: "test support",
    PackageRole.TEST_LIBRARY: "published test library",
    PackageRole.EXAMPLE: "examples",
    PackageRole.BENCH: "benchmarks",
    PackageRole.TOOL: "maintainer tool",
}

# The roles whose code ships to users: production rules apply to them.
PRODUCT_ROLES = frozenset({PackageRole.LIBRARY, PackageRole.APPLICATION, PackageRole.INTERNAL})
PUBLISHED_LIBRARY = frozenset({PackageRole.LIBRARY, PackageRole.TEST_LIBRARY})
EVERY_ROLE = frozenset(PackageRole)


@dataclass(frozen=True, slots=True)
class RoleDecision:
    """A package's role and the evidence that decided it (one line, for reports)."""

    role: PackageRole
    evidence: str


@dataclass(frozen=True, slots=True)
class PackageFacts:
    """What the role decision reads of one package (built by discovery)."""

    name: str
    root: Path
    manifest: Manifest
    has_lib: bool
    has_bins: bool
    proc_macro: bool
    version: str | None  # resolved through the workspace
    version_inherited: bool  # `version.workspace = true`
    publish: Any  # `publish`, resolved through the workspace (None when absent)
    missing_docs_linted: bool  # `missing_docs` at warn/deny/forbid, own or inherited
    docs_rs_metadata: bool  # `[package.metadata.docs.rs]`: its docs are built for readers


# Name parts that say what a package is. Matched against the package name and the name of
# its directory, split at `-` and `_`.
_EXAMPLE_WORDS = frozenset({"example", "examples", "demo", "demos"})
_BENCH_WORDS = frozenset({"bench", "benches", "benchmark", "benchmarks"})
_TOOL_WORDS = frozenset({"xtask", "fuzz", "fuzzer", "fuzzing", "generate", "stress"})
# Whole names only: `cranelift-codegen` is a library, a package called `codegen` is a tool.
_TOOL_NAMES = frozenset({"codegen", "interop", "tools", "scripts"})
_TEST_WORDS = frozenset({"test", "tests", "testing", "testutil", "testutils", "mock", "mocks"})
# Directories of a workspace that hold non-product packages.
_DIR_ROLES = {
    "examples": PackageRole.EXAMPLE,
    "example": PackageRole.EXAMPLE,
    "benches": PackageRole.BENCH,
    "tests": PackageRole.TEST_SUPPORT,
    "fuzz": PackageRole.TOOL,
    "xtask": PackageRole.TOOL,
}
# crates.io keywords of libraries made for other crates' tests.
_TEST_KEYWORDS = frozenset({"test", "testing", "mock", "mocking", "snapshot-testing", "fixture"})
_FUZZ_DEPENDENCIES = frozenset({"libfuzzer-sys", "afl", "honggfuzz", "cargo-fuzz"})
_INTERNAL_DESCRIPTION = re.compile(
    r"\binternal\b|not (?:intended|meant) for (?:public|external|general) use", re.IGNORECASE
)


def decide_roles(
    packages: list[PackageFacts],
    workspace_root: Path,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, RoleDecision]:
    """The role of every package, by package name."""
    overrides = overrides or {}
    dev_only = _dev_only_dependencies(packages)
    depended_on = _normal_dependencies(packages)
    decided: dict[str, RoleDecision] = {}
    for package in packages:
        decision = _declared(package, overrides) or _by_kind(package, workspace_root)
        if decision is None:
            decision = _by_audience(package, dev_only, depended_on)
        if decision is not None:
            decided[package.name] = decision
    # Packages with binaries that ship as the workspace's programs: the applications decided
    # so far and the published packages with a library and binaries still undecided.
    applications = [
        p for p in packages if p.name in decided and decided[p.name].role is PackageRole.APPLICATION
    ] + [p for p in packages if p.name not in decided and p.has_bins and not p.proc_macro]
    for package in packages:
        if package.name in decided:
            continue
        decided[package.name] = _library_role(package, applications, packages)
    _lockstep_test_support(packages, decided, applications, overrides)
    _unpublished_binaries_beside_a_product(packages, decided, overrides)
    return decided


def _lockstep_test_support(
    packages: list[PackageFacts],
    decided: dict[str, RoleDecision],
    applications: list[PackageFacts],
    overrides: Mapping[str, str],
) -> None:
    """Test support released in lockstep with an application (`tests-database` beside
    `atuin`, its `version` inherited like the application's) is that workspace's own
    harness, not a test library outside users call: public-API rules do not hold."""
    for package in packages:
        decision = decided[package.name]
        if decision.role is not PackageRole.TEST_LIBRARY or _declared(package, overrides):
            continue
        if not package.version_inherited or _documented(package):
            continue
        lockstep = _lockstep_applications(package, applications)
        if lockstep:
            decided[package.name] = RoleDecision(
                PackageRole.TEST_SUPPORT,
                f"{decision.evidence.removesuffix(_PUBLISHED)}, released in lockstep "
                f"with application `{lockstep[0].name}`",
            )


def _documented(package: PackageFacts) -> bool:
    """The package lints its docs for readers or builds docs.rs pages: meant for outsiders."""
    return package.missing_docs_linted or package.docs_rs_metadata


def _lockstep_applications(
    package: PackageFacts, applications: list[PackageFacts]
) -> list[PackageFacts]:
    """The other applications whose `version` is inherited from the workspace, like the
    package's own when it is too: released together with it."""
    return [a for a in applications if a.version_inherited and a.name != package.name]


def _unpublished_binaries_beside_a_product(
    packages: list[PackageFacts], decided: dict[str, RoleDecision], overrides: Mapping[str, str]
) -> None:
    """An unpublished binary-only package in a workspace that publishes its product (a
    library or an application) is the maintainers' tool (`mdbook-compare`,
    `action-versions`), not a second product."""
    products = [
        p.name
        for p in packages
        if decided[p.name].role in (PackageRole.LIBRARY, PackageRole.APPLICATION)
        and _unpublished_reason(p) is None
    ]
    if not products:
        return
    for package in packages:
        declared = _declared(package, overrides) is not None
        if (
            declared
            or decided[package.name].role is not PackageRole.APPLICATION
            or package.has_lib
            or not (package.publish is False or package.publish == [])
        ):
            continue
        decided[package.name] = RoleDecision(
            PackageRole.TOOL,
            f"an unpublished binary beside the published `{products[0]}`",
        )


def _declared(package: PackageFacts, overrides: Mapping[str, str]) -> RoleDecision | None:
    metadata = package.manifest.section("package", "metadata", "rustpro").get("role")
    chosen = overrides.get(package.name)
    where = "rustpro configuration `roles`"
    if chosen is None and isinstance(metadata, str):
        chosen, where = metadata, "`package.metadata.rustpro.role`"
    if chosen is None:
        return None
    try:
        return RoleDecision(PackageRole(chosen), f"declared in {where}")
    except ValueError:
        return None  # validated where the configuration is read; ignore here


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[-_.]", text.lower()) if w]


def _by_kind(package: PackageFacts, workspace_root: Path) -> RoleDecision | None:
    """Example, bench, tool or test-support packages, by what they say they are."""
    manifest = package.manifest
    metadata = manifest.section("package", "metadata")
    if metadata.get("cargo-fuzz") is True or any(
        dep.package in _FUZZ_DEPENDENCIES for dep in manifest.dependencies() if dep.kind == "normal"
    ):
        return RoleDecision(PackageRole.TOOL, "a fuzz target package (cargo-fuzz)")
    categories = (manifest.package or {}).get("categories")
    if isinstance(categories, list) and "development-tools::testing" in categories:
        # Assertion, snapshot and mock libraries: their panics are their tests' failures.
        return _published_test_library(
            RoleDecision(
                PackageRole.TEST_SUPPORT, "crates.io category `development-tools::testing`"
            ),
            package,
        )
    keywords = (manifest.package or {}).get("keywords")
    tagged = sorted(_TEST_KEYWORDS.intersection(keywords)) if isinstance(keywords, list) else []
    if tagged:
        return _published_test_library(
            RoleDecision(PackageRole.TEST_SUPPORT, f"crates.io keyword `{tagged[0]}`"), package
        )
    names = [("name", package.name)]
    if package.root != workspace_root:  # the audited directory's own name is arbitrary
        names.append(("directory", package.root.name))
    for label, text in names:
        found = _role_from_name(text)
        if found is not None:
            return _published_test_library(
                RoleDecision(found, f"package {label} `{text}`"), package
            )
    try:
        parents = package.root.relative_to(workspace_root).parts[:-1]
    except ValueError:
        parents = ()
    for part in parents:
        role = _DIR_ROLES.get(part.lower())
        if role is not None:
            return RoleDecision(role, f"lives under `{part}/` in the workspace")
    return None


# How a test library's evidence ends (a lockstep harness drops it again).
_PUBLISHED = ", and published"


def _published_test_library(decision: RoleDecision, package: PackageFacts) -> RoleDecision:
    """Test support that is a published library (`tokio-test`, `insta`) is a test library:
    outside users call its API, so public-API rules hold; panic rules do not. (A package
    under a workspace's `tests/` directory is that workspace's test suite, whatever it says.)"""
    if (
        decision.role is not PackageRole.TEST_SUPPORT
        or not package.has_lib
        or _unpublished_reason(package) is not None
    ):
        return decision
    return RoleDecision(PackageRole.TEST_LIBRARY, f"{decision.evidence}{_PUBLISHED}")


def _role_from_name(text: str) -> PackageRole | None:
    lowered = text.lower().replace("_", "-")
    words = set(_words(lowered))
    if lowered in _TOOL_NAMES or words & _TOOL_WORDS:
        return PackageRole.TOOL
    if words & _EXAMPLE_WORDS:
        return PackageRole.EXAMPLE
    if words & _BENCH_WORDS:
        return PackageRole.BENCH
    if words & _TEST_WORDS:
        return PackageRole.TEST_SUPPORT
    return None


def _by_audience(
    package: PackageFacts, dev_only: set[str], depended_on: set[str]
) -> RoleDecision | None:
    """Packages not meant for outside users, and applications."""
    reason = _unpublished_reason(package)
    # A package with binaries is an application, unless its library is what counts: other
    # packages depend on it, or it lints its docs for readers.
    binaries_first = (
        package.has_bins
        and not package.proc_macro
        and not (package.has_lib and binaries_first_exception(package, depended_on))
    )
    if reason is not None:
        if package.name in dev_only:
            return RoleDecision(
                PackageRole.TEST_SUPPORT, f"{reason}, and its siblings use it only in tests"
            )
        if binaries_first:
            return RoleDecision(PackageRole.APPLICATION, f"binaries, {reason}")
        return RoleDecision(PackageRole.INTERNAL, reason)
    # A published package's library is published with its binaries: outside users may
    # depend on it (`bat`), so it is a library, unless the package is built around a
    # command-line parser it always needs: then the library is its program's (`just`).
    if package.has_bins and not package.proc_macro:
        if not package.has_lib:
            return RoleDecision(PackageRole.APPLICATION, "binaries")
        parser = _command_line_parser(package)
        if parser is not None and not binaries_first_exception(package, depended_on):
            return RoleDecision(
                PackageRole.APPLICATION,
                f"binaries, and a library that always depends on `{parser}`",
            )
    return None


# Command-line parsers: a package that always needs one is a program, whatever else it has.
_CLI_PARSERS = frozenset(
    {"clap", "structopt", "argh", "pico-args", "lexopt", "gumdrop", "bpaf", "clap_builder"}
)


def _command_line_parser(package: PackageFacts) -> str | None:
    return next(
        (
            dep.package
            for dep in package.manifest.dependencies()
            if dep.kind == "normal" and not dep.optional and dep.package in _CLI_PARSERS
        ),
        None,
    )


def binaries_first_exception(package: PackageFacts, depended_on: set[str]) -> bool:
    """A library that counts despite its package's binaries: siblings depend on it, or it
    lints its docs for readers."""
    return package.name in depended_on or package.missing_docs_linted


def _unpublished_reason(package: PackageFacts) -> str | None:
    """Why the package is not for outside users, if it says so."""
    if package.publish is False or package.publish == []:
        return "`publish = false`"
    if package.version is None:
        return "no `version` (cargo will not publish it)"
    if package.version == "0.0.0":
        return "version `0.0.0`"
    description = (package.manifest.package or {}).get("description")
    if isinstance(description, str) and _INTERNAL_DESCRIPTION.search(description):
        return "its description says it is internal"
    return None


def _library_role(
    package: PackageFacts, applications: list[PackageFacts], packages: list[PackageFacts]
) -> RoleDecision:
    documented = _documented(package)
    if package.version_inherited and not documented:
        users = _dependents(package.name, packages)
        lockstep = _lockstep_applications(package, applications)
        for application in lockstep:
            if application.name in users:
                return RoleDecision(
                    PackageRole.INTERNAL,
                    f"released in lockstep with application `{application.name}`, which "
                    "depends on it",
                )
        if package.has_bins and lockstep:
            # One more program of a suite released together (`atuin-server` beside `atuin`):
            # its library serves its binaries.
            return RoleDecision(
                PackageRole.APPLICATION,
                f"binaries, released in lockstep with application `{lockstep[0].name}`",
            )
    if documented:
        return RoleDecision(PackageRole.LIBRARY, "a published library that builds docs for readers")
    if package.has_bins:
        return RoleDecision(PackageRole.LIBRARY, "a published library, with binaries beside it")
    return RoleDecision(PackageRole.LIBRARY, "a library published for outside users")


def _dependents(name: str, packages: list[PackageFacts]) -> set[str]:
    """Every package of the workspace that depends on `name`, directly or through others."""
    direct: dict[str, set[str]] = {}
    names = {p.name for p in packages}
    for package in packages:
        for dep in package.manifest.dependencies():
            if dep.kind == "normal" and dep.package in names:
                direct.setdefault(dep.package, set()).add(package.name)
    found: set[str] = set()
    stack = [name]
    while stack:
        for user in direct.get(stack.pop(), ()):
            if user not in found:
                found.add(user)
                stack.append(user)
    return found


def _normal_dependencies(packages: list[PackageFacts]) -> set[str]:
    """Packages that some sibling depends on as a normal dependency."""
    names = {p.name for p in packages}
    return {
        dep.package
        for package in packages
        for dep in package.manifest.dependencies()
        if dep.kind == "normal" and dep.package in names and dep.package != package.name
    }


def _dev_only_dependencies(packages: list[PackageFacts]) -> set[str]:
    """Packages that siblings depend on, always as a dev-dependency."""
    names = {p.name for p in packages}
    normal: set[str] = set()
    dev: set[str] = set()
    for package in packages:
        for dep in package.manifest.dependencies():
            if dep.package not in names or dep.package == package.name:
                continue
            (dev if dep.kind == "dev" else normal).add(dep.package)
    return dev - normal


def missing_docs_linted(manifest: Manifest, workspace_lints: dict[str, Any]) -> bool:
    """`missing_docs` at warn/deny/forbid in the package's lints (or the workspace's it uses)."""
    lints = manifest.section("lints")
    if lints.get("workspace") is True:
        lints = workspace_lints
    rust = lints.get("rust", {})
    if not isinstance(rust, dict):
        return False
    level = rust.get("missing_docs")
    if isinstance(level, dict):
        level = level.get("level")
    return level in ("warn", "deny", "forbid")


def package_facts(
    name: str,
    root: Path,
    manifest: Manifest,
    inherited: InheritedKeys,
    *,
    has_lib: bool,
    has_bins: bool,
    proc_macro: bool,
) -> PackageFacts:
    """The facts the role decision reads, with workspace inheritance resolved."""
    raw = (manifest.package or {}).get("version")
    version = package_value(manifest, "version", inherited)
    return PackageFacts(
        name=name,
        root=root,
        manifest=manifest,
        has_lib=has_lib,
        has_bins=has_bins,
        proc_macro=proc_macro,
        version=version if isinstance(version, str) else None,
        version_inherited=isinstance(raw, dict) and raw.get("workspace") is True,
        publish=package_value(manifest, "publish", inherited),
        missing_docs_linted=missing_docs_linted(manifest, inherited.lints),
        docs_rs_metadata=bool(manifest.section("package", "metadata", "docs", "rs")),
    )
