"""Full mode on a crate whose tests misbehave the way real suites do (tests/fixtures/cargo/
unruly): they print lines that look like cargo's, write next to their manifest, leave
children holding stdout, or hang until rustpro is stopped.

The process tests run rustpro as a real process with a marker in its environment: every
process it starts (cargo, rustc, the test binary, the test's children) inherits the marker,
so the process table says whether any of them is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from rustpro.engine.audit import AuditOptions, run_audit
from rustpro.model import Checkpoint, Severity
from rustpro.toolchain.full import FullMode
from rustpro.toolchain.session import work_copy_dir
from tests.cli_support import (
    CliRun,
    assert_one_line_error,
    run_cli,
    run_cli_process,
    tree_state,
)
from tests.toolchain.conftest import FullAudit, full_options
from tests.toolchain.process_support import carrying, in_session, wait_until_gone

pytestmark = pytest.mark.cargo

MARKER_VAR = "RUSTPRO_TEST_PROCESS_MARKER"


def test_lines_that_look_like_cargo_headers_invent_no_failure(full_audit: FullAudit) -> None:
    result = full_audit("unruly")
    testing = result.checkpoints[Checkpoint.TESTING]
    assert [f for f in result.findings if f.source == "cargo-test"] == []
    assert testing.status == "pass"
    assert testing.evidence[0].startswith("6 passed, 0 failed, 0 ignored (3 test binaries, ")
    assert testing.details == [
        "unittests src/lib.rs (fixture_unruly): 5 passed, 0 failed, 0 ignored",
        "tests/tmpdir.rs (tmpdir): 1 passed, 0 failed, 0 ignored",
        "doctests fixture_unruly: 0 passed, 0 failed, 0 ignored",
    ]


def test_tests_that_write_next_to_their_manifest_leave_the_audited_tree_untouched(
    cargo_crates: Path, full_audit: FullAudit
) -> None:
    crate = cargo_crates / "unruly"
    before = tree_state(crate)
    result = full_audit("unruly")
    assert tree_state(crate) == before
    assert not (crate / "Cargo.lock").exists()
    # The tests did write: into rustpro's copy of the crate.
    copy = work_copy_dir(crate) / crate.resolve().relative_to("/")
    assert (copy / "written-by-test.txt").read_text() == "a test wrote this\n"
    assert (copy / "book" / "index.html").is_file()
    assert result.checkpoints[Checkpoint.TESTING].status == "pass"


def test_a_finding_clippy_also_reports_keeps_its_static_severity(
    cargo_crates: Path, full_audit: FullAudit, cargo_target_dir: Path
) -> None:
    options = AuditOptions(static=True, use_cache=False, workers=1, fail_on="note")
    static = run_audit(cargo_crates / "unruly", options)
    full = full_audit("unruly")
    by_place = {(f.rule, f.path, f.line): f for f in full.findings}
    merged = [by_place[(f.rule, f.path, f.line)] for f in static.findings]
    assert [f.severity for f in merged] == [f.severity for f in static.findings]
    # The case that used to differ: an invariant `expect` (a note of the opt-in tier) whose
    # clippy twin is a warning. By default both modes leave it out: clippy's twin alone does
    # not overrule rustpro's judgement.
    assert ("clippy::expect_used", "src/lib.rs", 7) not in by_place
    assert ("expect-in-production", "src/lib.rs", 7) not in by_place
    # Selected, both modes report it as the same note; full mode names clippy too.
    chosen = ("expect-in-production",)
    static_one = run_audit(cargo_crates / "unruly", replace(options, select=chosen))
    full_one = run_audit(
        cargo_crates / "unruly",
        AuditOptions(static=False, use_cache=False, workers=1, fail_on="note", select=chosen),
        extra=FullMode(full_options(cargo_target_dir)),
    )
    (mine,) = [f for f in static_one.findings if f.line == 7]
    (twin,) = [f for f in full_one.findings if f.line == 7]
    assert (mine.severity, twin.severity) == (Severity.NOTE, Severity.NOTE)
    assert twin.also_reported_by == ("clippy::expect_used",)


def test_features_flags_reach_cargo(
    cargo_crates: Path, cargo_target_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", "--format", "json", "--quiet", "--target-dir", str(cargo_target_dir)]
    args += ["--skip", "doc", "--skip", "fmt", "--features", "extra"]
    shown = run_cli([*args, str(cargo_crates / "unruly")], capsys)
    evidence = json.loads(shown.stdout)["checkpoints"]["testing"]["evidence"]
    # `runs_only_with_the_extra_feature` exists only with the feature: seven tests, not six.
    assert evidence[0].startswith("7 passed, 0 failed"), evidence


def test_the_default_build_directory_sits_where_the_projects_would(
    cargo_crates: Path, cargo_cache_dir: Path
) -> None:
    # No --target-dir: cargo builds in `target/` of rustpro's copy, so a test that looks for
    # the workspace above `CARGO_TARGET_TMPDIR` (mdBook's test suite does) finds it.
    crate = cargo_crates / "unruly"
    run = run_cli_process(
        ["audit", "--format", "json", "--quiet", "--skip", "doc", "--skip", "fmt", str(crate)],
        env={"RUSTPRO_CACHE_DIR": str(cargo_cache_dir), "RUSTPRO_FIXTURE_TMPDIR": "1"},
        timeout=600,
    )
    report = json.loads(run.stdout)
    assert report["checkpoints"]["testing"]["evidence"][0].startswith("6 passed, 0 failed")
    build = work_copy_dir(crate) / crate.resolve().relative_to("/") / "target"
    assert (build / "CACHEDIR.TAG").is_file()
    assert (build / "tmp").is_dir()


# ---- processes -------------------------------------------------------------------------


@pytest.fixture
def marker() -> Iterator[str]:
    """A `NAME=value` line every process of one rustpro run inherits; after the test, any
    such process still alive is killed (and the test has already failed)."""
    line = f"{MARKER_VAR}={uuid.uuid4().hex}"
    yield line
    for pid in carrying(line):
        os.kill(pid, signal.SIGKILL)


def _start_rustpro(args: list[str], marker: str, cache: Path, **env: str) -> subprocess.Popen[str]:
    name, value = marker.split("=", 1)
    environment = {
        **os.environ,
        name: value,
        "RUSTPRO_CACHE_DIR": str(cache),
        "NO_COLOR": "1",
        **env,
    }
    # A session of its own, like a foreground job: the group can get the terminal's SIGINT.
    return subprocess.Popen(
        [sys.executable, "-m", "rustpro", "audit", *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_for(path: Path, process: subprocess.Popen[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"the hanging test never started:\n{out}\n{err}")
        time.sleep(0.1)


def test_a_child_holding_stdout_does_not_outlast_the_step_timeout(
    cargo_crates: Path, cargo_target_dir: Path, cargo_cache_dir: Path, marker: str
) -> None:
    step_timeout = 20
    args = ["--step-timeout", str(step_timeout), "--target-dir", str(cargo_target_dir)]
    started = time.monotonic()
    process = _start_rustpro(
        [*args, str(cargo_crates / "unruly")], marker, cargo_cache_dir, RUSTPRO_FIXTURE_STRAY="1"
    )
    out, err = process.communicate(timeout=300)
    elapsed = time.monotonic() - started
    # The children sleep 150 s; before, the run waited for them.
    assert elapsed < step_timeout + 25, err
    assert "6 passed, 0 failed" in out
    assert wait_until_gone(carrying(marker)) == []
    # Not a terminal: one line per step start and end, so a long run is visibly alive.
    for step in ("clippy: compiling", "cargo test: running", "cargo doc", "rustfmt --check"):
        assert f"rustpro: {step} ...\n" in err
        assert f"rustpro: {step}: done in " in err


@pytest.mark.parametrize(
    ("signum", "to_group", "status"),
    [(signal.SIGTERM, False, 128 + signal.SIGTERM), (signal.SIGINT, True, 130)],
    ids=["sigterm", "ctrl-c"],
)
def test_stopping_rustpro_leaves_no_cargo_or_test_process(
    cargo_crates: Path,
    cargo_target_dir: Path,
    cargo_cache_dir: Path,
    tmp_path: Path,
    marker: str,
    signum: int,
    to_group: bool,
    status: int,
) -> None:
    ready = tmp_path / "hanging"
    args = ["--target-dir", str(cargo_target_dir), str(cargo_crates / "unruly")]
    process = _start_rustpro(args, marker, cargo_cache_dir, RUSTPRO_FIXTURE_HANG=str(ready))
    _wait_for(ready, process, seconds=240)
    running = carrying(marker)
    assert len(running) >= 4  # rustpro, cargo, the test binary, the test's child
    # The sessions and process groups cargo and the tests run in (not rustpro's own).
    places = {place for pid in running for place in _session_and_group(pid)} - {process.pid, 0}
    if to_group:  # Ctrl-C: the terminal signals the whole foreground group
        os.killpg(process.pid, signum)
    else:
        os.kill(process.pid, signum)
    out, err = process.communicate(timeout=60)
    assert wait_until_gone(running) == []
    assert wait_until_gone(carrying(marker)) == []
    assert [pid for place in places for pid in in_session(place)] == []
    assert process.returncode == status, err
    assert_one_line_error(CliRun(process.returncode, out, err))


def _session_and_group(pid: int) -> tuple[int, int]:
    """The session and process group of `pid` (zeros once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0, 0
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[3]), int(fields[2])
