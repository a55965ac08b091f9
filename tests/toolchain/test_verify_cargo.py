"""`rustpro verify` with real cargo on a git repository made from tests/fixtures/cargo/verifiable,
one scripted edit per case. The repository and its build are shared by the whole module (each
case resets the tree first), so after the first case every run is an incremental build of a
tiny crate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rustpro.verify.cargo import CargoChecks
from rustpro.verify.hook import claude_stop_hook
from rustpro.verify.result import Status, VerifyReport
from rustpro.verify.run import VerifyOptions, verify
from tests.toolchain.conftest import full_options
from tests.verify.support import (
    NEW_UNWRAP,
    NEW_UNWRAP_LINE,
    PAYLOADS,
    edit,
    make_repo,
    reset,
)

pytestmark = pytest.mark.cargo

UNWRAP = NEW_UNWRAP
BROKEN_TEST = ("left.saturating_add(right)", "left.saturating_sub(right)")
COMPILE_ERROR = ("left.saturating_add(right)", 'left.saturating_add("right")')


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, cargo_cache_dir: Path) -> Iterator[Path]:
    """The fixture repository, a git repository made from the verifiable crate."""
    yield make_repo(tmp_path_factory.mktemp("verify") / "crate")


@pytest.fixture(scope="module")
def options(cargo_target_dir: Path) -> VerifyOptions:
    return VerifyOptions(full=full_options(cargo_target_dir), workers=1)


def run(repo: Path, options: VerifyOptions, *edits: tuple[str, str]) -> VerifyReport:
    reset(repo)
    for old, new in edits:
        edit(repo, "src/lib.rs", old, new)
    return verify(repo, options)


def statuses(report: VerifyReport) -> dict[str, Status]:
    return {check.id: check.status for check in report.checks}


def test_an_unchanged_tree_passes_with_counts(repo: Path, options: VerifyOptions) -> None:
    report = run(repo, options)
    assert report.verdict == "pass", [(c.id, c.summary) for c in report.checks]
    # clippy builds in a build dir of its own inside the target dir, beside the tests.
    assert options.full.target_dir is not None
    assert (options.full.target_dir / "rustpro-clippy" / "debug").is_dir()
    assert set(statuses(report).values()) == {Status.PASS}
    assert report.tests is not None
    assert (report.tests.passed, report.tests.failed) == (2, 0)
    assert report.check("tests").summary.startswith("2 passed, 0 failed, 0 ignored")


def test_a_new_unwrap_in_production_fails_check_4_only(repo: Path, options: VerifyOptions) -> None:
    report = run(repo, options, UNWRAP)
    failed = {check.id for check in report.failed}
    assert failed == {"rustpro"}, [(c.id, c.summary) for c in report.checks]
    assert statuses(report)["clippy"] is Status.PASS  # clippy's unwrap_used is rustpro's twin
    problem = report.check("rustpro").problems[0]
    assert (problem.place, problem.name) == (
        f"src/lib.rs:{NEW_UNWRAP_LINE}",
        "unwrap-in-production",
    )
    assert report.exit_code == 1


def test_a_failing_test_fails_check_2_naming_it(repo: Path, options: VerifyOptions) -> None:
    report = run(repo, options, BROKEN_TEST)
    assert {check.id for check in report.failed} == {"tests"}
    tests = report.check("tests")
    assert tests.summary.startswith("1 passed, 1 failed")
    assert any("tests::adds_small_numbers" in p.message for p in tests.problems)
    assert statuses(report)["builds"] is Status.PASS


def test_a_compile_error_fails_check_1_and_the_cargo_checks_are_not_run(
    repo: Path, options: VerifyOptions
) -> None:
    report = run(repo, options, COMPILE_ERROR)
    assert statuses(report)["builds"] is Status.FAIL
    assert statuses(report)["tests"] is Status.NOT_RUN
    assert statuses(report)["clippy"] is Status.NOT_RUN
    builds = report.check("builds")
    assert builds.problems and builds.problems[0].path == "src/lib.rs"
    assert builds.problems[0].name.startswith("rustc::E")
    assert report.exit_code == 1


def test_a_target_the_tests_do_not_build_still_decides_that_the_tree_does_not_build(
    repo: Path, options: VerifyOptions
) -> None:
    # `cargo test` builds no bench, so it ran the tests; clippy --all-targets says the tree
    # does not build: the tests' answers are dropped, as if they had never run.
    reset(repo)
    (repo / "benches").mkdir()
    (repo / "benches" / "broken.rs").write_text('pub fn broken() -> u8 {\n    "x"\n}\n')
    report = verify(repo, options)
    assert statuses(report)["builds"] is Status.FAIL
    assert statuses(report)["tests"] is Status.NOT_RUN
    assert statuses(report)["clippy"] is Status.NOT_RUN
    assert report.check("builds").problems[0].path == "benches/broken.rs"
    assert report.tests is None
    assert not any(line.startswith("tests") for line in report.check("tests").evidence)


def test_verify_failing_after_cargo_started_leaves_no_cargo_running(
    repo: Path, options: VerifyOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rustpro.verify.begin as verify_begin
    from rustpro.errors import RustproError
    from rustpro.toolchain import runner

    started: list[CargoChecks] = []
    real = verify_begin.building_steps

    def recording(options: VerifyOptions) -> CargoChecks | None:
        steps = real(options)
        if steps is not None:
            started.append(steps)
        return steps

    monkeypatch.setattr(verify_begin, "building_steps", recording)
    reset(repo)
    (repo / "rustpro.toml").write_text("not toml [[[\n")  # read by the audit, after cargo starts
    with pytest.raises(RustproError, match="cannot read configuration"):
        verify(repo, options)
    (steps,) = started
    assert steps._thread is not None and not steps._thread.is_alive()
    assert not runner._REGISTRY.runs


def test_the_stop_hook_blocks_then_lets_the_fixed_change_stop(
    repo: Path, options: VerifyOptions, cargo_cache_dir: Path
) -> None:
    stop = (PAYLOADS / "stop-payload.json").read_text().replace("@CWD@", str(repo))
    reset(repo)
    edit(repo, "src/lib.rs", *UNWRAP)
    blocked = claude_stop_hook(stop, None, options)
    assert blocked.exit_code == 2
    assert blocked.stderr.startswith("rustpro verify: FAIL: 1 of 6 checks failed")
    assert f"src/lib.rs:{NEW_UNWRAP_LINE}: warning unwrap-in-production" in blocked.stderr
    reset(repo)  # the honest fix: the unwrap is gone
    again = (PAYLOADS / "stop-payload-continued.json").read_text().replace("@CWD@", str(repo))
    allowed = claude_stop_hook(again, None, options)
    assert (allowed.exit_code, allowed.stderr) == (0, "")
