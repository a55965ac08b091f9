"""Profiles of real crates of different kinds, pinned to versions whose facts were checked by
hand (grep and reading the sources), so a regression in the fact collector shows up here.

Cargo fetches the crates once into a cache of their own; the test skips, with the reason,
only when they cannot be had (no cargo, crates.io unreachable).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from benchmarks.realcrates import CratesUnavailable, fetch_pinned_crates

from rustpro.profile import build_profile
from rustpro.profile.render_json import profile_dict
from tests.profile.test_json_contract import validate

pytestmark = pytest.mark.realworld

PROFILED_CRATES = {
    "mini-redis": "0.4.1",  # an async service (tokio)
    "libsqlite3-sys": "0.30.1",  # an FFI crate
    "regex-syntax": "0.8.4",  # a parser library
    "serde_json": "1.0.120",  # a parser library with a little unsafe
}


@functools.cache
def _roots() -> dict[str, Path] | str:
    # A project of its own, so this and the audit's pinned set never rewrite each other's.
    directory = Path(platformdirs.user_cache_dir("rustpro")) / "realcrates-profile"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RUSTPRO_REALCRATES_DIR", str(directory))
        try:
            return {c.name: c.root for c in fetch_pinned_crates(PROFILED_CRATES)}
        except CratesUnavailable as unavailable:
            return str(unavailable)


@functools.cache
def _answers(name: str) -> dict[str, Any]:
    roots = _roots()
    if isinstance(roots, str):
        pytest.skip(f"crates unavailable: {roots}")
    data = profile_dict(build_profile(roots[name], workers=1), timings=False)
    validate(data)
    answers: dict[str, Any] = data["crates"][0]["answers"]
    return {key: answer["facts"] for key, answer in answers.items()}


def test_async_service_mini_redis() -> None:
    facts = _answers("mini-redis")
    assert facts["crate"]["kind"] == "lib+bin"
    assert [s["name"] for s in facts["crate"]["superseded"]] == ["structopt"]
    assert facts["edition"]["editions"] == {"mini-redis": "2018"}
    assert facts["async_runtime"]["production_runtimes"] == ["tokio"]
    assert facts["async_runtime"]["runtimes"]["tokio"]["production_features"] == ["full"]
    assert facts["ownership"]["public_functions"] == 39  # grep 'pub fn\|pub async fn' src
    assert facts["cloning"]["clone_calls"] == 8  # grep '\.clone()' src
    assert facts["sharing"]["lock_sites"] == 7  # grep '\.lock()' src
    assert facts["sharing"]["channel_constructors"] == {
        "broadcast::channel": 2,
        "oneshot::channel": 2,
        "mpsc::channel": 1,
    }
    assert facts["concurrency"]["model"] == "async"
    assert facts["tests"]["counts"]["integration"] == 11  # #[tokio::test] in tests/
    # 10 ```no_run blocks (compiled by rustdoc) and 5 ```text blocks in src/ doc comments.
    assert (facts["tests"]["counts"]["doc"], facts["tests"]["counts"]["doc_not_run"]) == (10, 5)
    assert facts["unsafe"]["counts"] == {"blocks": 0, "fns": 0, "impls": 0, "traits": 0}


def test_ffi_crate_libsqlite3_sys() -> None:
    facts = _answers("libsqlite3-sys")
    unsafe = facts["unsafe"]
    assert unsafe["links"] == ["sqlite3"]
    assert {"bindgen", "cc", "pkg-config", "vcpkg"} <= set(unsafe["ffi_build_dependencies"])
    # The bundled bindgen output reaches the crate through OUT_DIR (build.rs copies it), which
    # no module path names: the profile reads the module tree only, as rustc would see it.
    assert unsafe["ffi"]["extern_blocks"] == 0
    blockers = facts["edition"]["migration_blockers"]
    assert blockers["extern_without_unsafe"] == unsafe["ffi"]["extern_blocks"]
    assert facts["async_runtime"]["production_runtimes"] == []


def test_parser_regex_syntax() -> None:
    facts = _answers("regex-syntax")
    assert facts["unsafe"]["policy"]["forbid"] is True  # #![forbid(unsafe_code)]
    assert facts["unsafe"]["counts"]["blocks"] == 0
    assert facts["msrv"]["declared"] == {"regex-syntax": "1.65"}
    assert facts["hot_paths"]["functions"] == [{"name": "parse", "bench_calls": 7}]
    assert facts["performance_targets"]["harnesses"] == ["libtest #[bench] (nightly)"]
    assert facts["concurrency"]["model"] == "single-threaded"


def test_parser_serde_json() -> None:
    facts = _answers("serde_json")
    assert facts["msrv"]["declared"] == {"serde_json": "1.56"}
    assert facts["errors"]["impl_error"] == 1  # impl serde::de::StdError for Error
    assert facts["unsafe"]["counts"]["blocks"] == 7  # grep 'unsafe {' src
    # grep -r '#[test]' tests finds 147; 5 are in tests/regression/*.rs, which only
    # `automod::dir!` (a proc macro listing the directory at build time) brings in.
    assert facts["tests"]["counts"]["integration"] == 142
    assert facts["tests"]["counts"]["integration_files"] == 7
