"""The audit fast path (`rustpro._fastpath`) reads a command line as click does, or leaves it
to click; the click-free audit writes what click wrote (`rustpro.audit_command.echo`)."""

from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest

from rustpro import _fastpath, audit_command, cli


def _click_params(words: list[str]) -> dict[str, Any] | str:
    """The parameters click hands `rustpro audit` for `words`, or the error it raises."""
    group = click.Context(cli.cli, info_name="rustpro")
    command = cli.cli.get_command(group, "audit")
    assert command is not None
    try:
        with command.make_context("audit", list(words), parent=group) as context:
            return dict(context.params)
    except click.exceptions.Exit:
        return "exit"
    except click.ClickException as error:
        return f"{type(error).__name__}: {error.format_message()}"


# Command lines the fast path must read itself (the usual ones), each as click does.
READ_HERE = [
    [],
    ["--static", "--no-cache", "-j", "1", "/tmp/one"],
    ["--static", "--no-cache", "-j", "1", "-q", "a", "b", "--format", "json"],
    ["--static", "--format=sarif", "-o", "report.sarif", "--fail-on", "none", "."],
    ["--select", "all", "--select", "pedantic,docs", "--ignore", "missing-docs", "-p", "x"],
    ["--package", "a", "--require", "errors", "--min-score", "0"],
    ["--min-score", "100", "--jobs", "12", "--max-file-size", "9", "--statistics"],
    ["--color=always", "--skip", "fmt", "--skip", "doc", "-F", "a,b", "--features", "c d"],
    ["--all-features", "--no-default-features", "--no-baseline", "--quiet", "--static"],
    ["--baseline", "base.json", "--write-baseline", "new.json", "--changed-since", "HEAD~1"],
    ["src/lib.rs", "src/main.rs", "--static", "--static", "-q", "-q"],
    ["--manifest-path", "Cargo.toml"],
    ["--manifest-path=x/Cargo.toml", "-q"],
]

# Command lines left to click (help, errors, the forms the fast path does not read).
LEFT_TO_CLICK = [
    ["--help"],
    ["-h"],
    ["-j"],
    ["-j", "0"],
    ["-j", "01"],
    ["-j", "+1"],
    ["-j", "-1"],
    ["-j1"],
    ["-j=1"],
    ["-qj", "1"],
    ["--jobs", "1", "--jobs", "2"],
    ["--format", "JSON"],
    ["--format", "yaml"],
    ["--min-score", "101"],
    ["--static=1"],
    ["--stat"],
    ["--", "-x"],
    ["-"],
    [""],
    ["--select", ""],
    ["--select", "-x"],
    ["--manifest-path", "."],
    ["--target-dir", "t"],
    ["--step-timeout", "5"],
    ["--output"],
    ["--nocache"],
]


@pytest.mark.parametrize("words", READ_HERE)
def test_the_usual_command_lines_are_read_here_as_click_reads_them(words: list[str]) -> None:
    assert _fastpath.parsed(["audit", *words]) == _click_params(words)


@pytest.mark.parametrize("words", LEFT_TO_CLICK)
def test_the_rest_is_left_to_click(words: list[str]) -> None:
    assert _fastpath.parsed(["audit", *words]) is None


@pytest.mark.parametrize(
    "argv", [[], ["rules"], ["--version"], ["-h"], ["explain", "audit"], ["Audit"]]
)
def test_other_commands_are_click_s(argv: list[str]) -> None:
    assert _fastpath.parsed(argv) is None


def test_shell_completion_is_click_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_fastpath.COMPLETION_VARIABLE, "bash_complete")
    assert _fastpath.parsed(["audit", "--static"]) is None


def test_every_word_read_here_is_an_option_of_audit_with_that_parameter() -> None:
    group = click.Context(cli.cli, info_name="rustpro")
    command = cli.cli.get_command(group, "audit")
    assert command is not None
    by_word = {
        word: param
        for param in command.params
        if isinstance(param, click.Option)
        for word in (*param.opts, *param.secondary_opts)
    }
    for word, name in _fastpath.FLAGS.items():
        assert by_word[word].name == name and by_word[word].is_flag, word
    for word, (name, _read, repeats) in _fastpath.VALUES.items():
        param = by_word[word]
        assert param.name == name and not param.is_flag, word
        assert param.multiple == repeats, word
    left = {"--target-dir", "--step-timeout", "-h", "--help"}
    read_here = {*_fastpath.FLAGS, *_fastpath.VALUES}
    assert set(by_word) | {"-h", "--help"} == read_here | left


# Words to make random command lines of: options, values click takes or refuses, paths.
_WORDS = [
    *_fastpath.FLAGS,
    *_fastpath.VALUES,
    *(f"{word}=" for word in _fastpath.VALUES),
    "--step-timeout",
    "--target-dir",
    "--help",
    "--",
    "-",
    "",
    "-x",
    "--format=json",
    "--jobs=3",
    "-j=3",
    "-j2",
    "--static=1",
    "0",
    "1",
    "01",
    "100",
    "101",
    "-1",
    "json",
    "sarif",
    "JSON",
    "always",
    "warning",
    "fmt",
    "clippy",
    "a,b",
    "src/lib.rs",
    "Cargo.toml",
    ".",
]


def test_random_command_lines_are_read_as_click_reads_them_or_left_to_it() -> None:
    chosen = random.Random(12)
    read = 0
    for _ in range(6000):
        words = [chosen.choice(_WORDS) for _ in range(chosen.randint(1, 6))]
        fast = _fastpath.parsed(["audit", *words])
        if fast is not None:
            read += 1
            assert fast == _click_params(words), words
    assert read > 400  # the test exercised the reading, not only the refusals


def _written(write: Any, *, encoding: str, **kwargs: Any) -> bytes:
    """What `write(message, **kwargs)` writes to stdout and stderr, as bytes."""
    streams = []
    for name in ("stdout", "stderr"):
        stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="strict")
        streams.append(stream)
        setattr(sys, name, stream)
    try:
        write(**kwargs)
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    for stream in streams:
        stream.flush()
    return b"|".join(stream.buffer.getvalue() for stream in streams)


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
@pytest.mark.parametrize("message", ["", "one line", "two\nlines\n", "\x1b[31mred\x1b[0m", "é"])
@pytest.mark.parametrize("err", [False, True])
@pytest.mark.parametrize("nl", [False, True])
@pytest.mark.parametrize("color", [None, False, True])
def test_the_audit_writes_what_click_echo_writes(
    encoding: str, message: str, err: bool, nl: bool, color: bool | None
) -> None:
    kwargs = {"message": message, "err": err, "nl": nl, "color": color}
    assert _written(audit_command.echo, encoding=encoding, **kwargs) == _written(
        click.echo, encoding=encoding, **kwargs
    )


def _tiny_crate(root: Path) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "Cargo.toml").write_text('[package]\nname = "tiny"\nversion = "0.1.0"\n')
    (root / "src" / "lib.rs").write_text("pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n")
    return root


_BY_CLICK = "import sys; from rustpro.cli import main; main(sys.argv[1:])"
_BY_ENTRY = "from rustpro._entry import main; main()"


def _process(code: str, words: list[str], cwd: Path) -> tuple[int, str, str]:
    cache = cwd / ("cache-by-entry" if code == _BY_ENTRY else "cache-by-click")
    done = subprocess.run(
        [sys.executable, "-c", code, *words],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "RUSTPRO_CACHE_DIR": str(cache)},
    )
    seconds = re.compile(r"\d+\.\d+")  # how long the audit took (text, JSON)
    return done.returncode, seconds.sub("N", done.stdout), done.stderr


AUDITS = [
    ["audit", "--static", "--no-cache", "-j", "1", "crate"],
    ["audit", "--static", "-q", "--format", "json", "crate"],
    ["audit", "--static", "--statistics", "crate", "--fail-on", "none"],
    ["audit", "--static", "--format", "sarif", "--statistics", "crate"],
    ["audit", "--static", "no-such-crate"],
    ["audit", "--static", "-o", "missing/report.txt", "crate"],
    ["audit", "--static", "--baseline", "b.json", "--no-baseline", "crate"],
    ["audit", "--static", "-F", "x", "crate/src/lib.rs"],
    ["audit", "--static", "--select", "no-such-rule", "crate"],
    ["audit", "--static", "--manifest-path", "crate/Cargo.toml"],
    ["audit", "--static", "--manifest-path", "crate/src/lib.rs"],
]


@pytest.mark.parametrize("words", AUDITS)
def test_an_audit_run_without_click_is_the_click_cli_s_run(
    tmp_path: Path, words: list[str]
) -> None:
    _tiny_crate(tmp_path / "crate")
    assert _fastpath.parsed(words) is not None
    assert _process(_BY_ENTRY, words, tmp_path) == _process(_BY_CLICK, words, tmp_path)


def test_an_audit_run_without_click_imports_no_click(tmp_path: Path) -> None:
    crate = _tiny_crate(tmp_path / "crate")
    script = textwrap.dedent(
        f"""
        import sys
        from rustpro import _entry
        sys.argv = ["rustpro", "audit", "--static", "--no-cache", "-j", "1", "-q", {str(crate)!r}]
        try:
            _entry._imported(cargo=False)()
        except SystemExit:
            pass
        print(sorted(name for name in sys.modules if name.split(".")[0] == "click"
                     or name == "rustpro.cli"))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.stdout.splitlines()[-1] == "[]", done.stderr


def test_cargo_rustpro_audit_takes_the_fast_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from rustpro import _entry

    monkeypatch.setattr(sys, "argv", ["cargo-rustpro", "rustpro", "audit", "--static"])
    assert _entry._imported(cargo=True).__module__ == "rustpro._fastpath"
    monkeypatch.setattr(sys, "argv", ["cargo-rustpro", "rustpro", "rules"])
    assert _entry._imported(cargo=True) is cli.cargo_main
