"""`rustpro agent` on the command line: lazy imports, usage errors, a whole scripted run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.support import call, crate_copy, turn, write_script
from tests.cli_support import REPO, run_cli

LAZY_PROBE = """
import sys
from rustpro.cli import main
try:
    main(["audit", "--help"])
except SystemExit:
    pass
heavy = [m for m in ("openai", "anthropic", "yaml", "httpx", "httpx2", "rustpro.agent")
         if m in sys.modules]
print(",".join(heavy) or "none")
"""


def test_audit_never_imports_the_model_sdks() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LAZY_PROBE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "none"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give the TASK (or --undo, --print-persona)"),
        (["--model", "gpt:4", "task"], "unknown model `gpt:4`: use openai:MODEL"),
        (["--approve", "edits", "--non-interactive", "task"], "--approve edits asks before"),
        (["--max-turns", "0", "task"], "Invalid value for '--max-turns'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    script = write_script(tmp_path / "s.jsonl", [turn("x")])
    base = ["agent", "--workspace", str(tmp_path), "--model", f"scripted:{script}"]
    if "--model" in args:
        base = base[:3]
    done = run_cli([*base, *args], capsys)
    assert done.code == 2, done
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_config_file_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('modle = "openai:x"\n')
    monkeypatch.setenv("RUSTPRO_AGENT_CONFIG", str(config))
    done = run_cli(["agent", "--workspace", str(tmp_path), "task"], capsys)
    assert done.code == 2
    assert done.stderr.startswith(f"rustpro: error: {config}: unknown key(s) modle")


def test_a_scripted_run_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crate = crate_copy(tmp_path / "crate")
    script = write_script(
        tmp_path / "s.jsonl",
        [turn("Looking.", call("list_dir")), turn("Two functions: add and port.")],
    )
    transcript = tmp_path / "t.jsonl"
    done = run_cli(
        [
            "agent",
            "--workspace",
            str(crate),
            "--model",
            f"scripted:{script}",
            "--transcript",
            str(transcript),
            "--non-interactive",
            "What is in this crate?",
        ],
        capsys,
    )
    assert done.code == 0
    assert "main: Two functions: add and port." in done.stdout
    assert f"transcript in {transcript}" in done.stdout
    records = [json.loads(line) for line in transcript.read_text().splitlines()]
    assert records[0]["type"] == "run_start" and records[-1]["type"] == "run_end"
    assert records[0]["task"] == "What is in this crate?"


def test_a_broken_script_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "s.jsonl"
    script.write_text('{"text": "ok"}\nnot json\n')
    done = run_cli(
        ["agent", "--workspace", str(tmp_path), "--model", f"scripted:{script}", "task"], capsys
    )
    assert done.code == 2
    assert done.stderr.startswith(f"rustpro: error: {script}:2: not a JSON object")
