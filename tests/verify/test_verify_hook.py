"""`rustpro verify --hook claude` with recorded Stop payloads: the first stop is blocked with
the reasons, the retry cap lets a stuck session stop, a pass lets it stop and resets the count,
and anything verify cannot do fails closed with a reason."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from rustpro.errors import ToolError
from rustpro.verify.hook import BlockCount, claude_stop_hook
from rustpro.verify.result import Check, Problem, StartPoint, Status, VerifyReport
from rustpro.verify.run import VerifyOptions
from tests.cli_support import isolated_cache, run_cli
from tests.verify.support import (
    NEW_UNWRAP,
    NEW_UNWRAP_LINE,
    PAYLOADS,
    VERIFIABLE,
    edit,
    make_repo,
    reset,
)

__all__ = ["isolated_cache"]

SESSION = "3f1c9a0e-5b7d-4e21-9c4a-0d2f6b8e7a11"


def payload(name: str, cwd: Path) -> str:
    return (PAYLOADS / name).read_text().replace("@CWD@", str(cwd))


def report(*, failing: bool) -> VerifyReport:
    checks = [
        Check(
            "tests",
            Status.FAIL if failing else Status.PASS,
            "1 passed, 1 failed, 0 ignored (1 test binaries)",
            [
                Problem(
                    "src/lib.rs",
                    21,
                    "test `tests::adds_small_numbers` failed: assertion `left == right` failed",
                    "rerun with `cargo test -- --exact tests::adds_small_numbers`",
                    "cargo-test::failed",
                )
            ]
            if failing
            else [],
        ),
    ]
    return VerifyReport(
        "/work/crate", StartPoint("git", "HEAD (1a2b3c4d5e)"), checks, ["src/lib.rs"]
    )


class Verifier:
    """Stands in for `verify`: answers from a script, records the paths it was given."""

    def __init__(self, *answers: VerifyReport | Exception) -> None:
        self.answers = list(answers)
        self.paths: list[Path] = []

    def __call__(self, path: Path, options: VerifyOptions) -> VerifyReport:
        self.paths.append(path)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def stop(verifier: Verifier, name: str = "stop-payload.json", cwd: Path = VERIFIABLE) -> object:
    return claude_stop_hook(payload(name, cwd), None, VerifyOptions(), run=verifier)


def test_a_failing_check_blocks_the_stop_with_its_reasons(isolated_cache: Path) -> None:
    verifier = Verifier(report(failing=True))
    answer = stop(verifier)
    assert answer.exit_code == 2  # type: ignore[attr-defined]
    reason = answer.stderr  # type: ignore[attr-defined]
    assert reason.startswith("rustpro verify: FAIL: 1 of 1 checks failed (tests pass")
    assert "src/lib.rs:21: test `tests::adds_small_numbers` failed" in reason
    assert "1 of 3 consecutive blocks" in reason
    assert verifier.paths == [VERIFIABLE]  # the payload's cwd is what gets verified


def test_the_retry_cap_lets_a_stuck_session_stop(isolated_cache: Path) -> None:
    verifier = Verifier(*[report(failing=True)] * 4)
    codes = [
        stop(verifier, "stop-payload.json").exit_code,  # type: ignore[attr-defined]
        stop(verifier, "stop-payload-continued.json").exit_code,  # type: ignore[attr-defined]
        stop(verifier, "stop-payload-continued.json").exit_code,  # type: ignore[attr-defined]
    ]
    assert codes == [2, 2, 2]
    fourth = stop(verifier, "stop-payload-continued.json")
    assert fourth.exit_code == 0  # type: ignore[attr-defined]
    message = json.loads(fourth.stdout)["systemMessage"]  # type: ignore[attr-defined]
    assert "blocked this stop 3 times in a row" in message
    assert len(verifier.paths) == 3  # the capped stop does not run the checks again
    # The count starts again: the next failing stop is blocked.
    assert stop(verifier).exit_code == 2  # type: ignore[attr-defined]


def test_a_pass_lets_the_session_stop_and_resets_the_count(isolated_cache: Path) -> None:
    verifier = Verifier(report(failing=True), report(failing=False))
    assert stop(verifier).exit_code == 2  # type: ignore[attr-defined]
    answer = stop(verifier, "stop-payload-continued.json")
    assert (answer.exit_code, answer.stdout, answer.stderr) == (0, "", "")  # type: ignore[attr-defined]
    assert BlockCount(SESSION).read() == 0


@pytest.mark.parametrize(
    ("error", "phrase"),
    [
        (
            ToolError("cargo failed to start", "cargo"),
            "could not run, so the change is not verified",
        ),
        (KeyError("boom"), "internal error: KeyError"),
    ],
)
def test_errors_fail_closed_with_a_reason(
    isolated_cache: Path, error: Exception, phrase: str
) -> None:
    answer = stop(Verifier(error))
    assert answer.exit_code == 2  # type: ignore[attr-defined]
    assert phrase in answer.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in answer.stderr  # type: ignore[attr-defined]
    assert BlockCount(SESSION).read() == 1


def test_a_payload_that_is_not_json_blocks(isolated_cache: Path) -> None:
    answer = claude_stop_hook("not json", None, VerifyOptions(), run=Verifier())
    assert answer.exit_code == 2
    assert "not a JSON object" in answer.stderr


def test_a_directory_without_a_crate_is_not_held_up(isolated_cache: Path, tmp_path: Path) -> None:
    verifier = Verifier()
    answer = stop(verifier, cwd=tmp_path)
    assert answer.exit_code == 0  # type: ignore[attr-defined]
    assert verifier.paths == []


def test_sessions_are_counted_apart(isolated_cache: Path) -> None:
    BlockCount("one").write(3)
    assert BlockCount("two").read() == 0
    assert BlockCount("one").read() == 3


def test_the_command_line_answers_the_hook_protocol(
    isolated_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = make_repo(tmp_path / "crate")
    edit(repo, "src/lib.rs", *NEW_UNWRAP)
    args = ["verify", "--hook", "claude", "--skip", "build", "--skip", "fmt"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(payload("stop-payload.json", repo)))
    blocked = run_cli(args, capsys)
    assert blocked.code == 2
    assert blocked.stdout == ""
    assert blocked.stderr.startswith("rustpro verify: FAIL: 1 of 6 checks failed")
    assert f"src/lib.rs:{NEW_UNWRAP_LINE}: warning unwrap-in-production" in blocked.stderr
    reset(repo)
    monkeypatch.setattr(sys, "stdin", io.StringIO(payload("stop-payload-continued.json", repo)))
    allowed = run_cli(args, capsys)
    assert (allowed.code, allowed.stdout, allowed.stderr) == (0, "", "")
