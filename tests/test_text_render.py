"""The text report's exact bytes, in colour and without, on awkward content.

The report is built as plain strings; these snapshots were taken from the earlier renderer
(one rich `Console.print` per line), so they pin that the output did not change: markup-like
and emoji-like text, tabs and control characters, a checkpoint table too wide for 100
columns, many packages. Refresh with `RUSTPRO_UPDATE_SNAPSHOTS=1 pytest
tests/test_text_render.py` and review the diff.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rustpro.discovery.roles import PackageRole
from rustpro.engine.audit import AuditResult, PackageSummary
from rustpro.model import Checkpoint, Finding, Location, Severity
from rustpro.report.text import render_text
from tests.report_support import fixed_result
from tests.test_text_snapshot import _check_snapshot

AWKWARD_LIB = (
    "//! Awkward crate.\n"
    'pub fn bell() { let s = "ring\x07ring"; s.len().checked_add(1).unwrap(); }\n'
    "pub fn backspace() -> u8 { b'\x08'.checked_add(1).unwrap() }\n"
    "\tpub fn tabbed() -> Option<u8> { [1u8].first().copied() }\n"
    'pub fn wide() -> &\'static str { "日本語のテキスト" }\n'
)


def _awkward_findings() -> list[Finding]:
    base = Finding(
        rule="unwrap-in-production",
        checkpoint=Checkpoint.ERRORS,
        severity=Severity.WARNING,
        path="src/lib.rs",
        line=2,
        column=45,
        end_line=2,
        end_column=53,
        message="`.unwrap()` [bold]panics[/bold] :smile: in production\tcode",
        help="see `rustpro explain unwrap-in-production` [link]",
    )
    related = tuple(Location("src/[id].rs", n, 1, f"site [{n}] :x:") for n in range(1, 12))
    return [
        base,
        dataclasses.replace(
            base, line=3, column=37, end_column=45, severity=Severity.ERROR, related=related
        ),
        dataclasses.replace(
            base,
            rule="clippy::unwrap_used",
            line=4,
            column=2,
            end_line=5,
            end_column=1,
            severity=Severity.NOTE,
            source="clippy",
            message="bell \x07 and carriage\rreturn",
            also_reported_by=("rustc", "[dim]x[/]"),
        ),
        dataclasses.replace(base, line=5, column=35, end_column=43, message="wide 日本語"),
        dataclasses.replace(base, path="src/[gone].rs", line=1, column=1, end_column=2),
    ]


def _awkward_result(root: Path, *, wide_table: bool, packages: int) -> AuditResult:
    result = fixed_result(root)
    (result.root / "src" / "lib.rs").write_text(AWKWARD_LIB, encoding="utf-8")
    result.findings = _awkward_findings()
    errors = result.checkpoints[Checkpoint.ERRORS]
    errors.status, errors.reason = "fail", "[red]4 findings[/red] :warning:"
    if wide_table:
        result.checkpoints[Checkpoint.DOCS].evidence.extend(
            [f"evidence number {n} that makes the table wider than the terminal" for n in range(4)]
        )
    result.checkpoints[Checkpoint.PROJECT].evidence.append("ünïcödé evidence")
    result.packages = [
        PackageSummary(
            name=f"pkg-{n}[x]",
            path=f"crates/pkg-{n}",
            role=PackageRole.LIBRARY if n % 2 else PackageRole.TOOL,
            evidence="published [default]" if n % 3 else "name :tool:",
            not_compiled=n % 2,
        )
        for n in range(packages)
    ]
    result.parse_errors = ["src/[broken].rs:3", "src/:smile:.rs:1"]
    result.generated_files = ["src/gen.rs"]
    result.docs_only_modules = 2
    return result


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize(
    ("wide_table", "packages"), [(False, 3), (True, 12)], ids=["narrow", "wide"]
)
def test_awkward_report_is_unchanged(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    color: bool,
    wide_table: bool,
    packages: int,
) -> None:
    result = _awkward_result(tmp_path / "crate", wide_table=wide_table, packages=packages)
    monkeypatch.chdir(result.root)  # the "Fix these first" commands name `.`
    text = render_text(result, color=color)
    name = f"awkward-{'wide' if wide_table else 'narrow'}-{'colour' if color else 'plain'}.txt"
    _check_snapshot(name, text)


def test_colour_report_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = fixed_result(tmp_path / "crate")
    monkeypatch.chdir(result.root)  # the "Fix these first" commands name `.`
    _check_snapshot("report-colour.txt", render_text(result, color=True))


def test_paths_that_look_like_markup_print_as_they_are(tmp_path: Path) -> None:
    # `[/]` closed no tag and crashed rich; `[b]` and `:smile:` were interpreted.
    result = dataclasses.replace(
        fixed_result(tmp_path / "crate"),
        parse_errors=["src/[/].rs:1", "src/[b]x.rs:2", "src/:smile:.rs:3"],
    )
    text = render_text(result, color=False)
    assert "src/[/].rs:1, src/[b]x.rs:2, src/:smile:.rs:3" in text
