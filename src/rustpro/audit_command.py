"""What `rustpro audit` does once its command line is read, without click.

Two callers read the command line: the click CLI (`rustpro.cli.audit`) and, at start-up, the
audit fast path (`rustpro._fastpath`), which reads the usual forms of an audit's command line
itself and so never imports click or builds the CLI's command tree (an eighth of a one-file
audit's instructions). Both hand the same parameters to `audit` here, so the two runs do the
same thing; what the run prints goes through `echo`, which writes as `click.echo` does.
"""

from __future__ import annotations

import importlib
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from rustpro._startup import collector_paused
from rustpro.errors import RustproError, UsageError
from rustpro.outcome import verdict

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditOptions, AuditResult, ExtraFindings

FORMATS = ("text", "json", "markdown", "sarif", "gitlab", "html")
# Machine formats whose schema has no place for `--statistics` (JSON always carries it, as
# `summary.by_rule`).
NO_STATISTICS = ("sarif", "gitlab")
# Formats that fingerprint every finding (`rustpro.fingerprint`): their audits record where
# each finding sits while its file's tree is at hand (`AuditOptions.anchors`).
FINGERPRINTED = ("sarif", "gitlab")
# Full mode's cargo steps, in the order they run (rustpro.toolchain.session.STEPS).
FULL_MODE_STEPS = ("metadata", "clippy", "test", "fmt", "doc")
COLOR_CHOICES = ("auto", "always", "never")


def echo(message: str, *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """`click.echo(message, err=err, nl=nl, color=color)`, without importing click when
    it would write the text unchanged to the stream itself.

    That is: the stream is the interpreter's own text stream (`io.TextIOWrapper`) with an
    encoding that is not ASCII (click wraps such a stream in one of its own), on a system
    that is not Windows (its console gets click's own writer), and the text holds no escape
    character (the colour codes click strips off a stream that is not a terminal). Every
    other case is click's.
    """
    stream = sys.stderr if err else sys.stdout
    text = message + "\n" if nl else message
    if "\x1b" in text or not _plain_text_stream(stream):
        import click

        click.echo(message, err=err, nl=nl, color=color)
        return
    if text:
        stream.write(text)
    stream.flush()


def _plain_text_stream(stream: object) -> bool:
    """Whether click's `echo` writes to `stream` as it is (`click._compat`'s
    `_force_correct_text_writer` keeps a compatible text stream; Windows gets its console
    writer)."""
    if type(stream) is not io.TextIOWrapper or sys.platform.startswith("win"):
        return False
    encoding = stream.encoding
    if not encoding or stream.errors is None:
        return False
    import codecs

    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return True  # click's `is_ascii_encoding` says no: the stream is used as it is


def warn(message: str) -> None:
    """A warning line on stderr."""
    echo(f"rustpro: warning: {message}", err=True)


def split(values: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated, repeatable option values as one tuple of names."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def use_color(choice: str, stream: object) -> bool:
    """Whether the text report is coloured (`--color`)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(frozen=True, slots=True)
class FullModeFlags:
    """The command line's full-mode flags, kept apart so --static never imports cargo code."""

    skip: tuple[str, ...] = ()
    target_dir: Path | None = None
    step_timeout: float | None = None
    progress: bool = True
    features: tuple[str, ...] = ()
    all_features: bool = False
    no_default_features: bool = False


def run_audit(path: Path, options: AuditOptions, extra: ExtraFindings | None = None) -> AuditResult:
    """`rustpro.engine.audit.run_audit`, loaded when a command audits: `rustpro verify`
    starts cargo before the engine and its rules are loaded."""
    from rustpro.engine.audit import run_audit as audit

    return audit(path, options, extra=extra)


AuditRunner = Callable[..., "AuditResult"]
Runner = Callable[[Path, "AuditOptions", FullModeFlags], "AuditResult"]


def run(
    path: Path,
    options: AuditOptions,
    flags: FullModeFlags | None = None,
    audit: AuditRunner = run_audit,
) -> AuditResult:
    """The audit of `path`: static, or with full mode's cargo steps as its extra findings."""
    if options.static:
        return audit(path, options)
    try:
        full = importlib.import_module("rustpro.toolchain.full")
    except ImportError:
        raise RustproError("full mode is not available in this build; use --static") from None
    flags = flags or FullModeFlags()
    hook = full.FullMode(
        full.FullModeOptions(
            skip=frozenset(flags.skip),
            target_dir=flags.target_dir,
            timeout=flags.step_timeout,
            progress=flags.progress,
            features=flags.features,
            all_features=flags.all_features,
            no_default_features=flags.no_default_features,
        )
    )
    return audit(path, options, extra=hook)


def render(result: AuditResult, fmt: str, *, color: bool, statistics: bool) -> str:
    """The report in format `fmt` (each renderer is imported only when it is used)."""
    if fmt == "json":
        from rustpro.report.json_report import render_json

        return render_json(result)
    if fmt == "html":
        from rustpro.report.html import render_html

        return render_html(result, statistics=statistics)
    if fmt == "markdown":
        from rustpro.report.markdown import render_markdown

        return render_markdown(result, statistics=statistics)
    if fmt == "sarif":
        from rustpro.report.sarif import render_sarif

        return render_sarif(result, exit_code=verdict(result).code)
    if fmt == "gitlab":
        from rustpro.report.gitlab import render_gitlab

        return render_gitlab(result)
    from rustpro.report.text import render_text

    return render_text(result, color=color, statistics=statistics)


def audit(runner: Runner, params: dict[str, Any]) -> NoReturn:
    """`rustpro audit` with the parameters click would hand its command (`params`, by the
    command's parameter names), running the audit with `runner` (`run`, or a test's)."""
    _audit(runner, **params)


def _audit(
    runner: Runner,
    *,
    paths: tuple[Path, ...],
    manifest_path: Path | None,
    packages: tuple[str, ...],
    static_only: bool,
    fmt: str,
    output: Path | None,
    statistics: bool,
    color: str,
    fail_on: str | None,
    require: tuple[str, ...],
    min_score: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    no_cache: bool,
    jobs: int | None,
    max_file_size: int,
    skip_steps: tuple[str, ...],
    target_dir: Path | None,
    step_timeout: float | None,
    features: tuple[str, ...],
    all_features: bool,
    no_default_features: bool,
    baseline: Path | None,
    no_baseline: bool,
    write_baseline: Path | None,
    changed_since: str | None,
    quiet: bool,
) -> NoReturn:
    with collector_paused():  # the engine's modules (`rustpro._startup`)
        from rustpro.discovery.target import locate
        from rustpro.engine.audit import AuditOptions

    if statistics and fmt in NO_STATISTICS:
        raise UsageError(f"--statistics does not apply to --format {fmt}")
    if output is not None:
        from rustpro.output import check_target

        check_target(output)  # before the audit: a typo in the path costs no audit

    target = locate(paths, manifest_path)
    options = AuditOptions(
        static=static_only,
        max_file_bytes=max_file_size * 1024 * 1024,
        use_cache=not no_cache,
        workers=jobs,
        select=split(select),
        ignore=split(ignore),
        fail_on=fail_on,
        require=split(require),
        min_score=min_score,
        packages=split(packages),
        files=target.files,
        baseline=baseline,
        use_baseline=not no_baseline,
        write_baseline=write_baseline,
        changed_since=changed_since,
        anchors=fmt in FINGERPRINTED,
    )
    if no_baseline and baseline is not None:
        raise UsageError("--baseline and --no-baseline contradict each other")
    full_mode = FullModeFlags(
        skip_steps,
        target_dir,
        step_timeout,
        progress=not quiet,
        features=tuple(name for value in features for name in value.replace(",", " ").split()),
        all_features=all_features,
        no_default_features=no_default_features,
    )
    if static_only and (full_mode.features or all_features or no_default_features):
        warn("--features, --all-features and --no-default-features only apply to full mode")
    result = runner(target.path, options, full_mode)
    if not quiet:
        for message in (*result.warnings, *result.skipped_files):
            warn(message)
        for where in result.parse_errors:
            warn(f"{where}: syntax error; audited the rest of the file")
        if write_baseline is not None:
            echo(
                f"rustpro: wrote {write_baseline}: {result.baseline_hidden} finding(s); "
                f"entries no longer found, dropped: {result.baseline_fixed}",
                err=True,
            )
    colored = use_color(color, sys.stdout if output is None else None)
    with collector_paused():  # the renderer's modules are imported now
        report = render(result, fmt, color=colored, statistics=statistics)
    if output is None:
        echo(report, nl=False, color=colored)
    else:
        from rustpro.output import write_atomically

        write_atomically(output, report)
    sys.exit(verdict(result).code)
