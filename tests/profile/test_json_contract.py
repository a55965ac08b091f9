"""The profile JSON matches docs/profile-json.md: every answer and fact key is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from rustpro.profile import build_profile
from rustpro.profile.model import SCHEMA
from rustpro.profile.render_json import profile_dict, render_json
from tests.profile.test_questions import ASYNC_SERVICE_MAIN, ASYNC_SERVICE_MANIFEST
from tests.support import make_crate

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "profile-json.md"
SCHEMA_PATH = REPO / "tests" / "schemas" / "profile-v1.schema.json"


def validate(data: dict[str, Any]) -> None:
    """Raise when `data` breaks tests/schemas/profile-v1.schema.json."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_]+)` \(\d+\).*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("contract") / "ws"
    make_crate(
        root,
        {
            "Cargo.toml": '[workspace]\nmembers = ["svc", "lib"]\n',
            "svc/Cargo.toml": ASYNC_SERVICE_MANIFEST,
            "svc/src/main.rs": ASYNC_SERVICE_MAIN,
            "lib/Cargo.toml": '[package]\nname = "lib"\nversion = "0.1.0"\nedition = "2021"\n',
            "lib/src/lib.rs": "//! L.\npub fn f(x: &str) -> usize { x.len() }\n",
        },
    )
    return profile_dict(build_profile(root, workers=1), timings=False)


def test_output_matches_the_schema(data: dict[str, Any]) -> None:
    validate(data)


def test_schema_rejects_a_renamed_fact(data: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(data))
    facts = broken["crates"][0]["answers"]["cloning"]["facts"]
    facts["clones"] = facts.pop("clone_calls")
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_top_level_keys(data: dict[str, Any]) -> None:
    assert data["schema"] == SCHEMA
    assert list(data) == [
        "schema",
        "tool",
        "root",
        "files",
        "lines",
        "workspace",
        "crates",
        "warnings",
    ]
    assert data["workspace"]["kind"] == "workspace"
    assert [c["name"] for c in data["crates"]] == ["service", "lib"]


def test_every_answer_in_order_with_documented_facts(data: dict[str, Any]) -> None:
    sections = _sections()
    for subject in [data["workspace"], *data["crates"]]:
        answers = subject["answers"]
        assert [a["id"] for a in answers.values()] == list(range(17))
        assert list(answers) == list(sections), "answers and doc sections differ in order"
        for key, answer in answers.items():
            assert answer["confidence"] in ("declared", "inferred", "unknown")
            assert set(answer) == {
                "id",
                "key",
                "question",
                "answer",
                "confidence",
                "facts",
                "evidence",
                "open_questions",
            }
            for fact, value in answer["facts"].items():
                assert f"`{fact}`" in sections[key], f"{key}.{fact} is not documented"
                if isinstance(value, dict) and fact in (
                    "counts",
                    "pointers",
                    "public_params",
                    "receivers",
                    "lifetimes",
                    "threads",
                    "async",
                    "locks",
                    "policy",
                    "ffi",
                    "migration_blockers",
                ):
                    for inner in value:
                        assert inner in sections[key], f"{key}.{fact}.{inner} not documented"
            for evidence in answer["evidence"]:
                assert set(evidence) == {"where", "path", "line", "key", "note"}
                assert not evidence["path"].startswith("/")


def test_output_is_deterministic(tmp_path: Path) -> None:
    root = make_crate(tmp_path / "svc", {"src/main.rs": ASYNC_SERVICE_MAIN}, ASYNC_SERVICE_MANIFEST)
    first = render_json(build_profile(root, workers=1), timings=False)
    second = render_json(build_profile(root, workers=1), timings=False)
    assert first == second
    assert json.loads(first)["workspace"] is None
