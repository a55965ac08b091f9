"""Discovery without cargo: workspaces, targets, roles, the module tree and the public API."""

from __future__ import annotations

from pathlib import Path

import pytest

from rustpro.discovery.layout import Workspace, discover
from rustpro.engine.context import PublicGate
from rustpro.engine.crateview import CrateView
from rustpro.engine.parallel import FileJob, analyze_files
from rustpro.errors import AuditPathError
from rustpro.model import Role
from tests.support import audit, make_crate


def _manifest(name: str, extra: str = "") -> str:
    return f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "2021"\n{extra}'


def _view(workspace: Workspace, index: int = 0) -> CrateView:
    crate = workspace.crates[index]
    jobs = [FileJob(e.path, e.relpath, e.role) for e in crate.files]
    results = analyze_files(jobs, max_bytes=1 << 20, cache=None, workers=1)
    return CrateView(crate, results, workspace.root)


def _roles(workspace: Workspace) -> dict[str, Role]:
    return {e.relpath: e.role for crate in workspace.crates for e in crate.files}


# ----- workspaces -----------------------------------------------------------------------------
def test_virtual_workspace_with_globs_and_exclude(tmp_path: Path) -> None:
    for member in ("crates/alpha", "crates/beta", "crates/skipped", "tools/cli"):
        name = member.rsplit("/", 1)[-1]
        make_crate(tmp_path / member, {"src/lib.rs": "//! x\n"}, _manifest(name))
    (tmp_path / "crates" / "notes").mkdir()  # matched by the glob, but not a package
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["crates/*", "tools/cli"]\nexclude = ["crates/skipped"]\n'
    )
    workspace = discover(tmp_path)
    assert workspace.is_workspace
    assert [c.name for c in workspace.crates] == ["alpha", "beta", "cli"]
    assert workspace.warnings == []
    assert sorted(_roles(workspace)) == [
        "crates/alpha/src/lib.rs",
        "crates/beta/src/lib.rs",
        "tools/cli/src/lib.rs",
    ]


def test_root_package_that_is_also_a_workspace(tmp_path: Path) -> None:
    make_crate(tmp_path, {"src/main.rs": "fn main() {}\n"}, _manifest("app"))
    (tmp_path / "Cargo.toml").write_text(
        _manifest("app") + '\n[workspace]\nmembers = [".", "helper"]\n'
    )
    make_crate(tmp_path / "helper", {"src/lib.rs": "//! h\n"}, _manifest("helper"))
    workspace = discover(tmp_path)
    assert [c.name for c in workspace.crates] == ["app", "helper"]
    # The member's files belong to the member only, not also to the root package.
    assert [e.relpath for e in workspace.crates[0].files] == ["src/main.rs"]


def test_auditing_one_member_inherits_workspace_keys(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[workspace]\nmembers = ["m"]\n[workspace.package]\nedition = "2021"\n'
        'rust-version = "1.75"\n'
    )
    manifest = '[package]\nname = "m"\nversion = "0.1.0"\nedition.workspace = true\n'
    make_crate(
        tmp_path / "m", {"src/lib.rs": "//! m\n"}, manifest + "rust-version.workspace = true\n"
    )
    crate = discover(tmp_path / "m").crates[0]
    assert (crate.edition, crate.rust_version) == ("2021", "1.75")


def test_skipped_directories_and_nested_packages(tmp_path: Path) -> None:
    make_crate(
        tmp_path,
        {
            "src/lib.rs": "//! x\n",
            "target/debug/build/out.rs": "fn generated() {}\n",
            "vendor/dep/src/lib.rs": "fn vendored() {}\n",
            ".git/hooks/x.rs": "fn hidden() {}\n",
            "src/.cache/y.rs": "fn hidden() {}\n",
            "fuzz/Cargo.toml": _manifest("fuzz"),
            "fuzz/src/lib.rs": "fn other_package() {}\n",
        },
        _manifest("pkg"),
    )
    assert sorted(_roles(discover(tmp_path))) == ["src/lib.rs"]


def test_path_must_be_a_crate(tmp_path: Path) -> None:
    with pytest.raises(AuditPathError):
        discover(tmp_path)
    with pytest.raises(AuditPathError):
        discover(tmp_path / "missing")


# ----- targets and roles ----------------------------------------------------------------------
def test_conventional_targets_and_roles(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": "//! x\n",
        "src/main.rs": "fn main() {}\n",
        "src/bin/one.rs": "fn main() {}\n",
        "src/bin/two/main.rs": "fn main() {}\n",
        "src/bin/two/util.rs": "pub fn u() {}\n",
        "tests/it.rs": "#[test] fn t() {}\n",
        "tests/common/mod.rs": "pub fn setup() {}\n",
        "benches/speed.rs": "fn main() {}\n",
        "examples/demo.rs": "fn main() {}\n",
        "examples/big/main.rs": "fn main() {}\n",
        "build.rs": "fn main() {}\n",
    }
    workspace = discover(make_crate(tmp_path, files, _manifest("pkg")))
    crate = workspace.crates[0]
    kinds = sorted((t.kind, t.name) for t in crate.targets)
    assert kinds == [
        ("bench", "speed"),
        ("bin", "one"),
        ("bin", "pkg"),
        ("bin", "two"),
        ("build-script", "build-script-build"),
        ("example", "big"),
        ("example", "demo"),
        ("lib", "pkg"),
        ("test", "it"),
    ]
    assert _roles(workspace) == {
        "benches/speed.rs": Role.BENCH,
        "build.rs": Role.BUILD_SCRIPT,
        "examples/big/main.rs": Role.EXAMPLE,
        "examples/demo.rs": Role.EXAMPLE,
        "src/bin/one.rs": Role.PRODUCTION,
        "src/bin/two/main.rs": Role.PRODUCTION,
        "src/bin/two/util.rs": Role.PRODUCTION,
        "src/lib.rs": Role.PRODUCTION,
        "src/main.rs": Role.PRODUCTION,
        "tests/common/mod.rs": Role.TEST,
        "tests/it.rs": Role.TEST,
    }


def test_explicit_lib_and_bin_paths(tmp_path: Path) -> None:
    extra = (
        '[lib]\npath = "lib/core.rs"\n\n[[bin]]\nname = "tool"\npath = "cmd/tool.rs"\n\n'
        '[[test]]\nname = "smoke"\npath = "checks/smoke.rs"\n'
    )
    files = {
        "lib/core.rs": "//! core\npub fn c() {}\n",
        "cmd/tool.rs": "fn main() {}\n",
        "checks/smoke.rs": "#[test] fn s() {}\n",
    }
    workspace = discover(make_crate(tmp_path, files, _manifest("pkg", extra)))
    crate = workspace.crates[0]
    assert crate.lib is not None and crate.lib.root == tmp_path.resolve() / "lib" / "core.rs"
    assert [t.root.name for t in crate.targets_of("bin")] == ["tool.rs"]
    assert _roles(workspace) == {
        "checks/smoke.rs": Role.TEST,
        "cmd/tool.rs": Role.PRODUCTION,
        "lib/core.rs": Role.PRODUCTION,
    }
    view = _view(workspace)
    assert view.modules["lib/core.rs"].target_kind == "lib"
    assert view.modules["cmd/tool.rs"].target_kind == "bin"


def test_build_script_path_and_autodiscovery_off(tmp_path: Path) -> None:
    extra = 'build = "tools/gen.rs"\nautotests = false\n'
    files = {"src/lib.rs": "//! x\n", "tools/gen.rs": "fn main() {}\n", "tests/t.rs": ""}
    workspace = discover(make_crate(tmp_path, files, _manifest("pkg", extra)))
    crate = workspace.crates[0]
    assert [t.root.name for t in crate.targets_of("build-script")] == ["gen.rs"]
    assert crate.targets_of("test") == []
    assert _roles(workspace)["tools/gen.rs"] is Role.BUILD_SCRIPT


# ----- the module tree ------------------------------------------------------------------------
MODULE_TREE = {
    "src/lib.rs": (
        "//! root\n"
        "pub mod api;\n"
        "mod private;\n"
        "pub mod nested { pub mod deep; }\n"
        '#[cfg_attr(unix, path = "ignored.rs")]\n'
        '#[path = "platform/linux.rs"]\n'
        "pub mod imp;\n"
        "#[cfg(test)]\n"
        "mod tests;\n"
        "#[doc(hidden)]\n"
        "pub mod hidden;\n"
        "pub use private::Exported;\n"
        "pub(crate) mod internal;\n"
    ),
    "src/api/mod.rs": "pub mod v1;\npub struct Api;\n",
    "src/api/v1.rs": "pub struct V1;\n",
    "src/private.rs": "pub struct Exported;\npub struct NotExported;\n",
    "src/nested/deep.rs": "pub struct Deep;\n",
    "src/platform/linux.rs": "pub struct Linux;\n",
    "src/tests.rs": "pub fn helper(text: &str) -> u8 { text.parse().unwrap() }\n",
    "src/hidden.rs": "pub struct Hidden;\n",
    "src/internal.rs": "pub struct Internal;\n",
    "src/orphan.rs": "pub struct Orphan;\n",
}


def test_module_tree(tmp_path: Path) -> None:
    view = _view(discover(make_crate(tmp_path, MODULE_TREE, _manifest("pkg"))))
    modules = {
        path: (info.module, info.public, info.test_only) for path, info in view.modules.items()
    }
    assert modules == {
        "src/lib.rs": ((), True, False),
        "src/api/mod.rs": (("api",), True, False),
        "src/api/v1.rs": (("api", "v1"), True, False),
        "src/private.rs": (("private",), False, False),
        "src/nested/deep.rs": (("nested", "deep"), True, False),
        "src/platform/linux.rs": (("imp",), True, False),
        "src/tests.rs": (("tests",), False, True),
        "src/hidden.rs": (("hidden",), False, False),
        "src/internal.rs": (("internal",), False, False),
    }
    assert "src/orphan.rs" not in view.modules  # never declared: not part of the tree


def test_public_api(tmp_path: Path) -> None:
    view = _view(discover(make_crate(tmp_path, MODULE_TREE, _manifest("pkg"))))
    assert view.public_type_names >= {"Api", "V1", "Deep", "Linux", "Exported"}
    for private in ("NotExported", "Hidden", "Internal", "Orphan"):
        assert private not in view.public_type_names, private

    def public(path: str, name: str) -> bool:
        return view.is_public(path, PublicGate((), name, True))

    assert public("src/private.rs", "Exported")  # a private module's item, re-exported
    assert not public("src/private.rs", "NotExported")
    assert public("src/api/v1.rs", "V1")
    assert not public("src/internal.rs", "Internal")  # pub(crate) module
    assert not public("src/tests.rs", "helper")  # test-only


def test_glob_and_nested_reexports(tmp_path: Path) -> None:
    files = {
        "src/lib.rs": "//! r\nmod a;\nmod b;\npub use a::*;\npub use b::{inner::Deep as Alias};\n",
        "src/a.rs": "pub struct FromGlob;\n",
        "src/b.rs": "pub mod inner;\n",
        "src/b/inner.rs": "pub struct Deep;\npub struct Shallow;\n",
    }
    view = _view(discover(make_crate(tmp_path, files, _manifest("pkg"))))
    assert {"FromGlob", "Deep"} <= view.public_type_names
    assert "Shallow" not in view.public_type_names


def test_test_only_module_file_is_not_production(tmp_path: Path) -> None:
    # `#[cfg(test)] mod tests;` makes src/tests.rs test-only though its role is production.
    root = make_crate(tmp_path, MODULE_TREE, _manifest("pkg"))
    result = audit(root, select=("unwrap-in-production",))
    assert [f.path for f in result.findings] == []
    files = {**MODULE_TREE, "src/lib.rs": MODULE_TREE["src/lib.rs"].replace("#[cfg(test)]\n", "")}
    again = audit(
        make_crate(tmp_path / "again", files, _manifest("pkg")), ("unwrap-in-production",)
    )
    assert [f.path for f in again.findings] == ["src/tests.rs"]


def test_binary_only_crate_has_no_public_api(tmp_path: Path) -> None:
    files = {"src/main.rs": "mod cli;\nfn main() {}\n", "src/cli.rs": "pub struct Args;\n"}
    view = _view(discover(make_crate(tmp_path, files, _manifest("app"))))
    assert not view.is_library
    assert view.public_type_names == set()
    assert view.modules["src/cli.rs"].target_kind == "bin"


def test_modules_declared_inside_macro_calls(tmp_path: Path) -> None:
    # tokio declares most modules inside `cfg_*! { .. }` calls: macro arguments are token
    # trees, and the module tree must still find those files, their visibility and cfg(test).
    files = {
        "src/lib.rs": (
            "//! r\nmacro_rules! cfg_rt { ($($i:item)*) => { $($i)* } }\n"
            "cfg_rt! {\n    pub mod runtime;\n    pub(crate) mod util;\n"
            "    #[cfg(test)]\n    mod tests;\n"
            '    #[cfg(all(feature = "x", test))]\n    mod more_tests;\n}\n'
            "fn body() { cfg_rt! { mod ignored; } }\n"
        ),
        "src/runtime.rs": "pub struct Runtime;\n",
        "src/util.rs": "pub struct Util;\n",
        "src/tests.rs": "fn helper() -> u8 { Some(1).unwrap() }\n",
        "src/more_tests.rs": "fn helper() -> u8 { Some(2).unwrap() }\n",
        "src/ignored.rs": "pub struct Ignored;\n",
    }
    view = _view(discover(make_crate(tmp_path, files, _manifest("pkg"))))
    modules = {path: (info.public, info.test_only) for path, info in view.modules.items()}
    assert modules == {
        "src/lib.rs": (True, False),
        "src/runtime.rs": (True, False),
        "src/util.rs": (False, False),
        "src/tests.rs": (False, True),
        "src/more_tests.rs": (False, True),
    }
    assert "Runtime" in view.public_type_names
    assert "Util" not in view.public_type_names
    result = audit(tmp_path, select=("unwrap-in-production",))
    assert result.findings == []  # src/tests.rs is test-only
