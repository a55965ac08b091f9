"""The profile never crashes on strange input, and parallel collection equals sequential."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustpro.model import Role
from rustpro.profile import build_profile, builder
from rustpro.profile.collect import collect
from rustpro.profile.render_json import render_json
from tests.profile.test_questions import ASYNC_SERVICE_MAIN, ASYNC_SERVICE_MANIFEST
from tests.support import make_crate

RUST_WORDS = st.sampled_from(
    ["fn", "unsafe", "{", "}", "(", ")", "#[test]", "#[cfg(test)]", "mod", "async", ".await",
     "Arc::new", ".clone()", "///", "```", "\n", "extern", "\"C\"", "impl", "Error", "for",
     "let", "else", "'a", "static", "mut", "gen", "$e:expr", "macro_rules!", "x", ";", "::"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(RUST_WORDS, max_size=60).map(" ".join), st.sampled_from(list(Role)))
def test_collect_survives_rust_like_noise(text: str, role: Role) -> None:
    facts = collect(text.encode(), "src/x.rs", role)
    assert facts.lines >= 1
    assert 0 <= facts.test_lines <= facts.lines
    for tally in facts.areas.values():
        assert all(count > 0 for count in tally.counts.values())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_collect_survives_random_bytes(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace").encode()
    collect(text, "src/lib.rs", Role.PRODUCTION)


def test_parallel_collection_matches_sequential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {f"src/m{i}.rs": ASYNC_SERVICE_MAIN.replace("fn main", f"fn main{i}") for i in range(6)}
    files["src/main.rs"] = ASYNC_SERVICE_MAIN
    root = make_crate(tmp_path / "p", files, ASYNC_SERVICE_MANIFEST)
    sequential = render_json(build_profile(root, workers=1), timings=False)
    monkeypatch.setattr(builder, "_PARALLEL_MIN_BYTES", 0)
    parallel = render_json(build_profile(root, workers=2), timings=False)
    assert parallel == sequential


def test_deeply_nested_source_is_profiled(tmp_path: Path) -> None:
    nested = "fn f() { " + "(" * 3000 + "1" + ")" * 3000 + " }\n"
    root = make_crate(tmp_path / "n", {"src/lib.rs": nested})
    profile = build_profile(root, workers=1)
    assert profile.files == 1


def test_workspace_without_members_still_answers(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text('[workspace]\nmembers = ["missing"]\n')
    profile = build_profile(tmp_path, workers=1)
    assert profile.crates == []
    assert profile.workspace is not None and len(profile.workspace.answers) == 17
    edition = profile.workspace.answer("edition")
    assert edition is not None and edition.summary == "no crates to read an edition from"
    assert profile.warnings == ["workspace member `missing` does not exist"]
