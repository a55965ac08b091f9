"""Every `rustpro new` kind, generated and put through the gates it promises to pass.

Each kind is generated into a temporary directory by the real command, then built, tested,
linted (`cargo clippy --all-targets -- -D warnings`), format-checked and audited in full mode
with nothing at warning or above. Every cargo run of the session shares one build directory
(`$CARGO_TARGET_DIR` when set, else one in pytest's cache, so a developer's second run is
warm) and cargo's own download cache. The timings, test counts and audit summaries are
printed at the end of the session. `pytest -m "not templates"` leaves these out. They skip,
with the reason, when cargo is missing or crates.io cannot be reached, except under CI
(`CI` set), where that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rustpro.new.kinds import all_kinds
from tests.cli_support import run_cli_process
from tests.support import TEMPLATE_REPORTS, TemplateReport

pytestmark = pytest.mark.templates

KINDS = list(all_kinds())
# A cold build of a kind's dependencies on two busy cores takes minutes; a hung build longer.
STEP_TIMEOUT = 1_200.0
_PASSED = re.compile(r"^test result: \w+\. (\d+) passed", re.M)
# What cargo says when crates.io cannot be reached.
_OFFLINE = re.compile(
    r"failed to (query replaced source|download|fetch|get `)|Couldn't resolve host|"
    r"spurious network error|unable to update registry|attempting to make an HTTP request"
)


@dataclass(frozen=True)
class TemplateSession:
    """What every template test shares: cargo's build directory and environment, and the
    result cache of the full-mode audits."""

    target_dir: Path
    env: dict[str, str]


@pytest.fixture(scope="session")
def template_session(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TemplateSession]:
    if shutil.which("cargo") is None:
        pytest.skip("cargo is not installed")
    configured = os.environ.get("CARGO_TARGET_DIR")
    if configured:
        target = Path(configured)
    else:
        target = Path(request.config.cache.mkdir("rustpro-templates-target"))
    env = {
        **os.environ,
        "CARGO_TARGET_DIR": str(target),
        "CARGO_TERM_COLOR": "never",
        "CARGO_TERM_PROGRESS_WHEN": "never",
        # A test build is thrown away: no incremental state, line tables only (smaller
        # objects, faster links). Every cargo run of the session, rustpro's included, sees
        # the same settings, so none of them invalidates another's artifacts.
        "CARGO_INCREMENTAL": "0",
        "CARGO_PROFILE_DEV_DEBUG": "line-tables-only",
        "RUSTPRO_CACHE_DIR": str(tmp_path_factory.mktemp("rustpro-cache")),
        "NO_COLOR": "1",
    }
    yield TemplateSession(target, env)


def _cargo(project: Path, session: TemplateSession, *args: str) -> tuple[float, str]:
    """Run `cargo ARGS` in `project`; fail with its output unless it succeeds. Returns the
    seconds it took and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(
        ["cargo", *args],
        cwd=project,
        env=session.env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 and _OFFLINE.search(done.stderr) and not os.environ.get("CI"):
        pytest.skip(f"crates.io cannot be reached: {done.stderr.strip().splitlines()[-1]}")
    if done.returncode != 0:
        pytest.fail(
            f"`cargo {' '.join(args)}` failed in {project.name} (exit {done.returncode}):\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
        )
    return seconds, done.stdout


def _generate(kind: str, root: Path, session: TemplateSession, *options: str) -> Path:
    project = root / f"demo-{kind}"
    run = run_cli_process(
        ["new", kind, project.name, "--path", str(project), *options],
        env=session.env,
        timeout=STEP_TIMEOUT,
    )
    assert run.code == 0, run.stderr
    return project


def _audit_summary(report: dict[str, object]) -> str:
    summary = report["summary"]
    assert isinstance(summary, dict)
    crates = summary["crates"]
    assert isinstance(crates, list)
    return (
        f"{summary['files']} files, {summary['lines']} lines, {len(crates)} crate(s): "
        f"{summary['findings']} findings ({summary['errors']} errors, "
        f"{summary['warnings']} warnings, {summary['notes']} notes), "
        f"score {summary['score']}/100, {report['mode']} mode"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_template_passes_every_gate(
    kind: str, template_session: TemplateSession, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    project = _generate(kind, tmp_path, template_session)
    ships_lock = all_kinds()[kind].lockfile
    assert (project / "Cargo.lock").is_file() == ships_lock
    scope = ["--workspace"] if kind == "workspace" else []
    # The shipped Cargo.lock is complete: CI builds with --locked.
    locked = ["--locked"] if ships_lock else []
    seconds: dict[str, float] = {}
    seconds["build"], _ = _cargo(project, template_session, "build", *scope, *locked)
    seconds["test"], output = _cargo(project, template_session, "test", *scope)
    seconds["clippy"], _ = _cargo(
        project, template_session, "clippy", *scope, "--all-targets", "--", "-D", "warnings"
    )
    seconds["fmt"], _ = _cargo(project, template_session, "fmt", "--all", "--check")
    # A rebuild after an edit, with every dependency compiled: what a developer waits for.
    for source in project.rglob("*.rs"):
        source.touch()
    seconds["rebuild"], _ = _cargo(project, template_session, "build", *scope)
    tests = sum(int(count) for count in _PASSED.findall(output))
    assert tests > 0, output

    started = time.perf_counter()
    audit = run_cli_process(
        ["audit", "--format", "json", "-q", "--target-dir", str(template_session.target_dir)],
        cwd=project,
        env=template_session.env,
        timeout=STEP_TIMEOUT,
    )
    seconds["audit"] = time.perf_counter() - started
    assert audit.code in (0, 1), audit.stderr
    report = json.loads(audit.stdout)
    serious = [
        f"{f['severity']} {f['rule']} at {f['path']}:{f['line']}: {f['message']}"
        for f in report["findings"]
        if f["severity"] in ("error", "warning")
    ]
    assert serious == [], "\n".join(serious)
    assert audit.code == 0, audit.stderr
    assert report["mode"] == "full"
    assert report["summary"]["parse_errors"] == 0
    skipped = {
        name: checkpoint.get("reason")
        for name, checkpoint in report["checkpoints"].items()
        if checkpoint["status"] != "pass"
    }
    assert skipped == {}, "every checkpoint runs and passes"

    reports = request.config.stash.setdefault(TEMPLATE_REPORTS, [])
    reports.append(TemplateReport(kind, seconds, tests, _audit_summary(report)))


@pytest.mark.parametrize("kind", KINDS)
def test_template_passes_on_edition_2021(
    kind: str, template_session: TemplateSession, tmp_path: Path
) -> None:
    """The 2021 edition of each kind: the same gates, but the audit is static (full mode
    would only repeat what cargo just said)."""
    project = _generate(kind, tmp_path, template_session, "--edition", "2021", "--no-git")
    manifest = (project / "Cargo.toml").read_text(encoding="utf-8")
    assert 'edition = "2021"' in manifest
    scope = ["--workspace"] if kind == "workspace" else []
    _cargo(project, template_session, "clippy", *scope, "--all-targets", "--", "-D", "warnings")
    _, output = _cargo(project, template_session, "test", *scope)
    assert _PASSED.search(output), output
    _cargo(project, template_session, "fmt", "--all", "--check")
    audit = run_cli_process(["audit", "--static", "-q", str(project)], env=template_session.env)
    assert audit.code == 0, audit.stdout + audit.stderr
