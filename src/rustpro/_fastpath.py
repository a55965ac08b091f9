"""`rustpro audit` started without click, for the command lines click would read plainly.

Importing click and building rustpro's command tree (eighty-odd options of nine commands,
when one runs) cost a one-file audit an eighth of its instructions, 43 M of 331 M, on
every run. An audit's command line is nearly always a few known options and paths:
`rustpro audit --static -j 1 --format json PATH`. `parsed` reads such a command line into
the very parameters click would hand the `audit` command (tests/test_fastpath.py holds
the two readings equal), and `command` runs the click-free audit with them
(`rustpro.audit_command`), handling what escapes it as `rustpro.cli.main` and click's own
`main` do.

Any other word leaves the command line to click, unread here: help, `--version`, another
command, an unknown or misspelt option, an option click would refuse or read another way
(a value starting with `-`, `-j1`, `--`, an empty word, a number not written plainly, a
repeated single-valued option, a directory as `--manifest-path`), full mode's `--target-dir`
and `--step-timeout`, and shell completion. So every error message, help text and exit
status is click's, as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rustpro.audit_command import COLOR_CHOICES, FORMATS, FULL_MODE_STEPS
from rustpro.config import FAIL_ON_CHOICES

# What click hands `audit` for a parameter the command line does not give.
DEFAULTS: dict[str, Any] = {
    "paths": (),
    "manifest_path": None,
    "packages": (),
    "static_only": False,
    "fmt": "text",
    "output": None,
    "statistics": False,
    "color": "auto",
    "fail_on": None,
    "require": (),
    "min_score": None,
    "select": (),
    "ignore": (),
    "no_cache": False,
    "jobs": None,
    "max_file_size": 4,
    "skip_steps": (),
    "target_dir": None,
    "step_timeout": None,
    "features": (),
    "all_features": False,
    "no_default_features": False,
    "baseline": None,
    "no_baseline": False,
    "write_baseline": None,
    "changed_since": None,
    "quiet": False,
}

FLAGS = {
    "--static": "static_only",
    "--statistics": "statistics",
    "--no-cache": "no_cache",
    "--all-features": "all_features",
    "--no-default-features": "no_default_features",
    "--no-baseline": "no_baseline",
    "-q": "quiet",
    "--quiet": "quiet",
}

# A value as click converts it, or None when click might not take it as it is.
Reader = Callable[[str], object]


def _text(word: str) -> str:
    return word


def _path(word: str) -> Path:
    # click.Path(path_type=Path) with no existence, kind or permission check: Path(word).
    return Path(word)


def _file_path(word: str) -> Path | None:
    # click.Path(dir_okay=False): an existing directory is click's error to report.
    return None if os.path.isdir(word) else Path(word)


def _choice(choices: tuple[str, ...]) -> Reader:
    return lambda word: word if word in choices else None


def _number(low: int, high: int | None) -> Reader:
    """click.IntRange(low, high) for a number written plainly (ASCII digits, no sign, no
    leading zero, no `_`: the forms where `int` and the eye agree)."""

    def read(word: str) -> int | None:
        if not (word.isascii() and word.isdigit()) or (word[0] == "0" and word != "0"):
            return None
        value = int(word)
        return value if value >= low and (high is None or value <= high) else None

    return read


# Option word -> (parameter, how its value is read, whether it repeats).
VALUES: dict[str, tuple[str, Reader, bool]] = {
    "--manifest-path": ("manifest_path", _file_path, False),
    "-p": ("packages", _text, True),
    "--package": ("packages", _text, True),
    "--format": ("fmt", _choice(FORMATS), False),
    "-o": ("output", _path, False),
    "--output": ("output", _path, False),
    "--color": ("color", _choice(COLOR_CHOICES), False),
    "--fail-on": ("fail_on", _choice(FAIL_ON_CHOICES), False),
    "--require": ("require", _text, True),
    "--min-score": ("min_score", _number(0, 100), False),
    "--select": ("select", _text, True),
    "--ignore": ("ignore", _text, True),
    "-j": ("jobs", _number(1, None), False),
    "--jobs": ("jobs", _number(1, None), False),
    "--max-file-size": ("max_file_size", _number(1, None), False),
    "--skip": ("skip_steps", _choice(FULL_MODE_STEPS), True),
    "-F": ("features", _text, True),
    "--features": ("features", _text, True),
    "--baseline": ("baseline", _path, False),
    "--write-baseline": ("write_baseline", _path, False),
    "--changed-since": ("changed_since", _text, False),
}

# click's shell completion starts when this variable is set (`_<PROG_NAME>_COMPLETE`).
COMPLETION_VARIABLE = "_RUSTPRO_COMPLETE"


def parsed(argv: Sequence[str]) -> dict[str, Any] | None:
    """The parameters click would hand `rustpro audit` for the words `argv` (after the
    program name), or None when click is to read them."""
    if not argv or argv[0] != "audit" or COMPLETION_VARIABLE in os.environ:
        return None
    params = dict(DEFAULTS)
    given: set[str] = set()
    paths: list[Path] = []
    words = iter(argv[1:])
    for word in words:
        if not word:
            return None
        if word[0] != "-":
            paths.append(Path(word))
            continue
        flag = FLAGS.get(word)
        if flag is not None:
            params[flag] = True
            continue
        read = _option_value(word, words)
        if read is None or (not read[2] and read[0] in given):
            return None
        name, value, repeats = read
        given.add(name)
        params[name] = (*params[name], value) if repeats else value
    params["paths"] = tuple(paths)
    return params


def _option_value(word: str, words: Iterator[str]) -> tuple[str, object, bool] | None:
    """The parameter of option `word`, its value (attached by `=` to a long option, else the
    next word) and whether it repeats; None for anything click is to read."""
    option, equals, attached = word.partition("=")
    if equals and not option.startswith("--"):
        return None  # `-j=1`: click reads `=1` as the value
    known = VALUES.get(option)
    if known is None:
        return None
    name, read, repeats = known
    text = attached if equals else next(words, None)
    if not text or text[0] == "-":
        return None
    value = read(text)
    return None if value is None else (name, value, repeats)


def command(argv: Sequence[str]) -> Callable[[], NoReturn] | None:
    """The audit that `argv` asks for, run without click; None when click is to run it."""
    params = parsed(argv)
    if params is None:
        return None
    return lambda: _guarded(params)


def _guarded(params: dict[str, Any]) -> NoReturn:
    """The audit, ended as `rustpro.cli.main` ends a command (`rustpro.command_guard`)."""
    from rustpro.audit_command import echo
    from rustpro.command_guard import aborted, run_guarded

    def audit() -> None:
        stopped = _invoked(params)
        # click's `main` raises `Abort` from the interruption; `cli.main` reports it so.
        if isinstance(stopped, KeyboardInterrupt):
            raise stopped
        aborted(echo)

    run_guarded(audit, echo)


def _invoked(params: dict[str, Any]) -> BaseException:
    """Run the audit (it ends by `sys.exit`) as click's `main` runs a command: Ctrl-C or the
    end of input gets a new line on stderr and is returned (click raises `Abort` from it);
    a broken pipe ends the process with status 1, the standard streams made quiet."""
    import errno

    from rustpro import audit_command

    try:
        audit_command.audit(audit_command.run, params)
    except (EOFError, KeyboardInterrupt) as stop:
        audit_command.echo("", err=True)  # click's `main` ends the line so
        return stop
    except OSError as error:
        if error.errno != errno.EPIPE:
            raise
        _quieten_standard_streams()
        sys.exit(1)


def _quieten_standard_streams() -> None:
    """What click's `main` does on a broken pipe: flushing stdout and stderr at exit fails
    silently from now on."""
    import click.utils

    names = ("_PacifyFlushWrapper", "PacifyFlushWrapper")  # since click 8.2, and before
    wrapper: Callable[[Any], Any] = next(
        found for found in (getattr(click.utils, name, None) for name in names) if found
    )
    sys.stdout = wrapper(sys.stdout)
    sys.stderr = wrapper(sys.stderr)
