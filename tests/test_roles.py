"""Package roles: what each package of a workspace is for, and the evidence for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.config import load_config
from rustpro.discovery.layout import assign_roles, discover
from rustpro.discovery.roles import PackageRole
from rustpro.errors import ConfigError

LIB = {"src/lib.rs": "//! A library.\n"}
BIN = {"src/main.rs": "fn main() {}\n"}


def _package(root: Path, manifest: str, files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(manifest)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _manifest(name: str, extra: str = "", version: str | None = '"0.1.0"') -> str:
    version_line = f"version = {version}\n" if version is not None else ""
    return f'[package]\nname = "{name}"\n{version_line}edition = "2021"\n{extra}'


def _role(root: Path, name: str | None = None) -> tuple[PackageRole, str]:
    workspace = discover(root)
    crate = next(c for c in workspace.crates if name is None or c.name == name)
    return crate.role.role, crate.role.evidence


@pytest.mark.parametrize(
    ("extra", "files", "expected"),
    [
        ("", LIB, PackageRole.LIBRARY),
        ("", BIN, PackageRole.APPLICATION),
        ("", {**LIB, **BIN}, PackageRole.LIBRARY),  # published with its binaries
        ('[dependencies]\nclap = "4"\n', {**LIB, **BIN}, PackageRole.APPLICATION),
        (
            '[dependencies]\nclap = { version = "4", optional = true }\n',
            {**LIB, **BIN},
            PackageRole.LIBRARY,
        ),
        ('[lints.rust]\nmissing_docs = "warn"\n', {**LIB, **BIN}, PackageRole.LIBRARY),
        ('[package.metadata.rustpro]\nrole = "library"\n', {**LIB, **BIN}, PackageRole.LIBRARY),
        ("publish = false\n", LIB, PackageRole.INTERNAL),
        ("publish = false\n", BIN, PackageRole.APPLICATION),
        ("publish = false\n", {**LIB, **BIN}, PackageRole.APPLICATION),
        (
            'description = "The base library, intended for internal use only"\n',
            LIB,
            PackageRole.INTERNAL,
        ),
        ("[lib]\nproc-macro = true\n", LIB, PackageRole.LIBRARY),
        ('categories = ["development-tools::testing"]\n', LIB, PackageRole.TEST_LIBRARY),
        ('keywords = ["http", "mocking"]\n', LIB, PackageRole.TEST_LIBRARY),
        ('keywords = ["http", "contest"]\n', LIB, PackageRole.LIBRARY),
        (
            'publish = false\ncategories = ["development-tools::testing"]\n',
            LIB,
            PackageRole.TEST_SUPPORT,
        ),
    ],
)
def test_single_package_roles(
    tmp_path: Path, extra: str, files: dict[str, str], expected: PackageRole
) -> None:
    _package(tmp_path / "pkg", _manifest("widget", extra), files)
    role, evidence = _role(tmp_path / "pkg")
    assert role is expected
    assert evidence


@pytest.mark.parametrize("version", [None, '"0.0.0"'])
def test_unversioned_libraries_are_internal(tmp_path: Path, version: str | None) -> None:
    _package(tmp_path / "pkg", _manifest("widget", version=version), LIB)
    assert _role(tmp_path / "pkg")[0] is PackageRole.INTERNAL


def test_the_audited_directory_name_says_nothing(tmp_path: Path) -> None:
    # A checkout called `my-test-project` holds a library, not test support.
    _package(tmp_path / "my-test-project", _manifest("widget"), LIB)
    assert _role(tmp_path / "my-test-project")[0] is PackageRole.LIBRARY


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("xtask", PackageRole.TOOL),
        ("codegen", PackageRole.TOOL),
        ("interop", PackageRole.TOOL),
        ("stress-test", PackageRole.TOOL),
        ("generate-book", PackageRole.TOOL),
        ("examples", PackageRole.EXAMPLE),
        ("widget-example", PackageRole.EXAMPLE),
        ("benches", PackageRole.BENCH),
        ("widget-bench", PackageRole.BENCH),
        ("widget-test", PackageRole.TEST_LIBRARY),  # published: a test library
        ("tests-build", PackageRole.TEST_LIBRARY),
        ("test-utils", PackageRole.TEST_LIBRARY),
        ("widget_mocks", PackageRole.TEST_LIBRARY),
        # Words inside other words, and whole-name-only tool words inside library names.
        ("cranelift-codegen", PackageRole.LIBRARY),
        ("proptest", PackageRole.LIBRARY),
        ("contest", PackageRole.LIBRARY),
    ],
)
def test_roles_from_names(tmp_path: Path, name: str, expected: PackageRole) -> None:
    _package(tmp_path / "pkg", _manifest(name), LIB)
    assert _role(tmp_path / "pkg")[0] is expected


def _workspace(root: Path, members: dict[str, tuple[str, dict[str, str]]], extra: str = "") -> None:
    names = ", ".join(f'"{m}"' for m in members)
    root.mkdir(parents=True, exist_ok=True)
    (root / "Cargo.toml").write_text(
        f'[workspace]\nmembers = [{names}]\nresolver = "2"\n\n'
        '[workspace.package]\nversion = "2.1.0"\nedition = "2021"\n' + extra
    )
    for directory, (manifest, files) in members.items():
        _package(root / directory, manifest, files)


def _lockstep(name: str, extra: str = "") -> str:
    return (
        f'[package]\nname = "{name}"\nversion.workspace = true\nedition.workspace = true\n{extra}'
    )


def test_libraries_released_in_lockstep_with_their_application_are_internal(
    tmp_path: Path,
) -> None:
    _workspace(
        tmp_path,
        {
            "crates/app": (
                _lockstep("app", '[dependencies]\napp-client = { path = "../client" }\n'),
                BIN,
            ),
            "crates/client": (
                _lockstep("app-client", '[dependencies]\napp-common = { path = "../common" }\n'),
                LIB,
            ),
            "crates/common": (_lockstep("app-common"), LIB),
            "crates/sdk": (_manifest("app-sdk"), LIB),  # its own version: for outside users
            "crates/docs": (_lockstep("app-docs", "[package.metadata.docs.rs]\n"), LIB),
        },
    )
    assert _role(tmp_path, "app")[0] is PackageRole.APPLICATION
    role, evidence = _role(tmp_path, "app-client")
    assert role is PackageRole.INTERNAL and "lockstep" in evidence and "`app`" in evidence
    assert _role(tmp_path, "app-common")[0] is PackageRole.INTERNAL  # through app-client
    assert _role(tmp_path, "app-sdk")[0] is PackageRole.LIBRARY
    assert _role(tmp_path, "app-docs")[0] is PackageRole.LIBRARY


def test_test_support_released_in_lockstep_with_an_application_is_its_harness(
    tmp_path: Path,
) -> None:
    # atuin's `tests-database`: named like test support, its version inherited like the
    # application's; nobody outside calls it, so public-API rules do not hold.
    _workspace(
        tmp_path,
        {
            "crates/app": (_lockstep("app"), BIN),
            "crates/tests-database": (_lockstep("tests-database"), LIB),
            "crates/app-test": (_manifest("app-test"), LIB),  # its own version: published
        },
    )
    role, evidence = _role(tmp_path, "tests-database")
    assert role is PackageRole.TEST_SUPPORT and "lockstep" in evidence and "`app`" in evidence
    assert _role(tmp_path, "app-test")[0] is PackageRole.TEST_LIBRARY


def test_lockstep_test_support_of_a_library_workspace_stays_a_test_library(
    tmp_path: Path,
) -> None:
    _workspace(tmp_path, {"core": (_lockstep("engine"), LIB), "t": (_lockstep("engine-test"), LIB)})
    assert _role(tmp_path, "engine-test")[0] is PackageRole.TEST_LIBRARY


def test_lockstep_libraries_of_a_library_workspace_stay_published(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "core": (_lockstep("engine"), LIB),
            "util": (
                _lockstep("engine-util", '[dependencies]\nengine = { path = "../core" }\n'),
                LIB,
            ),
        },
    )
    assert _role(tmp_path, "engine")[0] is PackageRole.LIBRARY
    assert _role(tmp_path, "engine-util")[0] is PackageRole.LIBRARY


def test_a_library_with_binaries_that_siblings_use_is_a_library(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "utils": (_manifest("shared-utils"), {**LIB, **BIN}),
            "server": (
                _manifest("server", '[dependencies]\nshared-utils = { path = "../utils" }\n'),
                LIB,
            ),
        },
    )
    assert _role(tmp_path, "shared-utils")[0] is PackageRole.LIBRARY


def test_directories_of_a_workspace_give_roles(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "tests/compression": (_manifest("compression"), LIB),
            "examples/hello": (_manifest("hello"), BIN),
            "fuzz": (_manifest("widget-fuzz"), BIN),
            "engine": (_manifest("engine"), LIB),
        },
    )
    role, evidence = _role(tmp_path, "compression")
    assert role is PackageRole.TEST_SUPPORT and "`tests/`" in evidence
    assert _role(tmp_path, "hello")[0] is PackageRole.EXAMPLE
    assert _role(tmp_path, "widget-fuzz")[0] is PackageRole.TOOL
    assert _role(tmp_path, "engine")[0] is PackageRole.LIBRARY


def test_cargo_fuzz_packages_are_tools(tmp_path: Path) -> None:
    manifest = _manifest("checks", "[package.metadata]\ncargo-fuzz = true\n")
    _package(tmp_path / "pkg", manifest, BIN)
    role, evidence = _role(tmp_path / "pkg")
    assert role is PackageRole.TOOL and "fuzz" in evidence


def test_unpublished_libraries_used_only_in_tests_are_test_support(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "harness": (_manifest("harness", "publish = false\n"), LIB),
            "engine": (
                _manifest("engine", '[dev-dependencies]\nharness = { path = "../harness" }\n'),
                LIB,
            ),
        },
    )
    role, evidence = _role(tmp_path, "harness")
    assert role is PackageRole.TEST_SUPPORT and "only in tests" in evidence


def test_published_libraries_used_only_in_tests_stay_libraries(tmp_path: Path) -> None:
    # A stream adapter crate that the main crate tests with is still a product.
    _workspace(
        tmp_path,
        {
            "stream": (_manifest("streamer"), LIB),
            "engine": (
                _manifest("engine", '[dev-dependencies]\nstreamer = { path = "../stream" }\n'),
                LIB,
            ),
        },
    )
    assert _role(tmp_path, "streamer")[0] is PackageRole.LIBRARY


def test_inherited_publish_false(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {"macros": (_manifest("macros", "publish.workspace = true\n"), LIB)},
        extra="publish = false\n",
    )
    assert _role(tmp_path, "macros")[0] is PackageRole.INTERNAL


def test_configured_roles_win(tmp_path: Path) -> None:
    _package(tmp_path, _manifest("widget", "publish = false\n"), LIB)
    (tmp_path / "rustpro.toml").write_text('[roles]\nwidget = "library"\n')
    workspace = discover(tmp_path)
    config = load_config(workspace.root, workspace.manifest)
    assign_roles(workspace, dict(config.roles))
    role = workspace.crates[0].role
    assert role.role is PackageRole.LIBRARY and "rustpro configuration" in role.evidence


def test_an_unknown_configured_role_is_an_error(tmp_path: Path) -> None:
    _package(tmp_path, _manifest("widget"), LIB)
    (tmp_path / "rustpro.toml").write_text('[roles]\nwidget = "librari"\n')
    workspace = discover(tmp_path)
    with pytest.raises(ConfigError, match=r"roles\.widget"):
        load_config(workspace.root, workspace.manifest)


def test_an_unknown_metadata_role_is_an_error(tmp_path: Path) -> None:
    _package(tmp_path, _manifest("widget", '[package.metadata.rustpro]\nrole = "lib"\n'), LIB)
    workspace = discover(tmp_path)
    with pytest.raises(ConfigError, match="must be one of"):
        load_config(workspace.root, workspace.manifest)


def test_unpublished_binaries_beside_a_published_product_are_tools(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "app": (_manifest("runner"), BIN),
            "crates/compare": (_manifest("compare-output", "publish = false\n"), BIN),
        },
    )
    assert _role(tmp_path, "runner")[0] is PackageRole.APPLICATION
    role, evidence = _role(tmp_path, "compare-output")
    assert role is PackageRole.TOOL and "`runner`" in evidence


def test_an_unpublished_application_alone_stays_an_application(tmp_path: Path) -> None:
    _workspace(
        tmp_path,
        {
            "server": (_manifest("server", "publish = false\n"), {**LIB, **BIN}),
            "macros": (_manifest("macros", "publish = false\n"), LIB),
        },
    )
    assert _role(tmp_path, "server")[0] is PackageRole.APPLICATION


def test_a_suite_of_programs_released_together(tmp_path: Path) -> None:
    # `server` has a library and binaries, in lockstep with the main application: one more
    # program of the suite; what only it uses is internal too.
    _workspace(
        tmp_path,
        {
            "cli": (_lockstep("suite"), BIN),
            "server": (
                _lockstep("suite-server", '[dependencies]\nsuite-db = { path = "../db" }\n'),
                {**LIB, **BIN},
            ),
            "db": (_lockstep("suite-db"), LIB),
        },
    )
    assert _role(tmp_path, "suite")[0] is PackageRole.APPLICATION
    role, evidence = _role(tmp_path, "suite-server")
    assert role is PackageRole.APPLICATION and "lockstep" in evidence
    role, evidence = _role(tmp_path, "suite-db")
    assert role is PackageRole.INTERNAL and "`suite-server`" in evidence
