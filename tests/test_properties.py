"""Property tests: whatever bytes a source file holds, the audit finishes with a report.

Random bytes, random text and mutated real Rust (the rule fixtures, with byte ranges deleted,
duplicated or replaced) are written to a crate's src/lib.rs and audited in-process. Neither
the engine nor any rule may raise (a rule that raises shows up in `AuditResult.warnings`), and
both report formats must render.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.report.json_report import render_json
from rustpro.report.text import render_text
from tests.support import FIXTURES, make_crate

REAL_SOURCES = sorted((FIXTURES / "rules").glob("*.rs"))
# Extra text spliced into real source: the tokens that make tree-sitter's error recovery work.
SPLICES = [b"{", b"}", b"(", b"#[cfg(test)]", b"unsafe {", b".unwrap()", b"\xff", b"'", b'"', b"/*"]
OPTIONS = AuditOptions(static=True, use_cache=False, workers=1)
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def crate_root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rustpro-prop-") as tmp:
        root = make_crate(Path(tmp) / "crate", {"src/lib.rs": ""})
        yield root


def _audit_lib(root: Path, source: bytes) -> None:
    (root / "src" / "lib.rs").write_bytes(source)
    result = run_audit(root, OPTIONS)
    assert result.warnings == [], result.warnings  # no rule raised
    assert result.files + len(result.skipped_files) == 1
    report = json.loads(render_json(result))
    assert report["summary"]["findings"] == len(result.findings)
    text = render_text(result, color=False)
    # The verdict closes the report, before the failed gates and "Fix these first".
    head = text.partition("\n\nFix these first:\n")[0].splitlines()
    verdict = [line for line in head if not line.startswith("failed gate: ")][-1]
    assert verdict.startswith(("PASS", "FAIL"))
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1


@PROPERTY_SETTINGS
@given(source=st.binary(max_size=2_000))
def test_random_bytes(crate_root: Path, source: bytes) -> None:
    _audit_lib(crate_root, source)


@PROPERTY_SETTINGS
@given(source=st.text(max_size=1_000))
def test_random_text(crate_root: Path, source: str) -> None:
    _audit_lib(crate_root, source.encode("utf-8", errors="surrogatepass"))


@st.composite
def mutated_rust(draw: st.DrawFn) -> bytes:
    """A real fixture with a few byte ranges deleted, duplicated or overwritten."""
    source = bytearray(draw(st.sampled_from(REAL_SOURCES)).read_bytes())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(st.integers(min_value=0, max_value=len(source)))
        end = draw(st.integers(min_value=start, max_value=min(len(source), start + 200)))
        action = draw(st.sampled_from(["delete", "duplicate", "splice", "random"]))
        if action == "delete":
            del source[start:end]
        elif action == "duplicate":
            source[end:end] = source[start:end]
        elif action == "splice":
            source[start:start] = draw(st.sampled_from(SPLICES))
        else:
            source[start:end] = draw(st.binary(max_size=16))
    return bytes(source)


@PROPERTY_SETTINGS
@given(source=mutated_rust())
def test_mutated_real_rust(crate_root: Path, source: bytes) -> None:
    _audit_lib(crate_root, source)


def test_real_sources_exist() -> None:
    assert REAL_SOURCES, "the mutation test needs the rule fixtures as seed sources"
