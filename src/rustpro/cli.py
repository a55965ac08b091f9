"""The `rustpro` command line. Errors become one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

from rustpro import __version__
from rustpro.catalog import GROUPS
from rustpro.config import FAIL_ON_CHOICES
from rustpro.engine.audit import AuditOptions, AuditResult, run_audit
from rustpro.errors import RustproError
from rustpro.model import Checkpoint, Severity
from rustpro.outcome import EXIT_ERROR, exit_code
from rustpro.stopping import EXIT_INTERRUPTED, Terminated, terminate_as_exception

FORMATS = ("text", "json")
# Full mode's cargo steps, in the order they run (rustpro.toolchain.session.STEPS).
FULL_MODE_STEPS = ("metadata", "clippy", "test", "fmt", "doc")

TRUST_NOTE = (
    "Without --static, rustpro runs cargo (check, clippy, test, fmt, doc) on a copy of the "
    "project under its cache dir, which executes its build scripts, proc macros and tests: "
    "audit untrusted code with --static, which executes nothing from the audited project."
)


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _use_color(choice: str, stream: object) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _warn(message: str) -> None:
    click.echo(f"rustpro: warning: {message}", err=True)


# Options shared by the commands that read a whole crate (audit, profile).
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes [default: all cores].",
)
max_file_size_option = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Skip source files larger than this many MiB (generated code).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rustpro")
def cli() -> None:
    """rustpro: a senior Rust engineer's review of a crate or workspace."""


@cli.command(epilog=TRUST_NOTE)
@click.argument(
    "paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path, readable=False)
)
@click.option(
    "--manifest-path",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    default=None,
    help="The Cargo.toml of the crate or workspace to audit (instead of PATH).",
)
@click.option(
    "-p",
    "--package",
    "packages",
    multiple=True,
    metavar="NAME",
    help="Only this workspace member (repeatable; the rest of the workspace is still read).",
)
@click.option(
    "--static",
    "static_only",
    is_flag=True,
    help="Read the code only; run nothing of the audited project.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format (JSON follows the documented contract).",
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report (auto: only on a terminal).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default=None,
    help="Least severity that makes the exit code 1 [default: warning].",
)
@click.option(
    "--select",
    multiple=True,
    metavar="RULES",
    help=(
        "Only these rules, checkpoints or groups (default, pedantic, restriction, all), or "
        "tools' rules of full mode (clippy::NAME, rustc::E0308, rustfmt::diff); "
        "comma-separated, repeatable [default: the default group]."
    ),
)
@click.option(
    "--ignore",
    multiple=True,
    metavar="RULES",
    help="Never these rules, checkpoints or groups (comma-separated, repeatable).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@jobs_option
@max_file_size_option
@click.option(
    "--skip",
    "skip_steps",
    multiple=True,
    type=click.Choice(FULL_MODE_STEPS),
    help="Full mode: do not run this cargo step (repeatable).",
)
@click.option(
    "--target-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Full mode: cargo's build directory [default: under the user cache dir].",
)
@click.option(
    "--step-timeout",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Full mode: kill a cargo step after this long [default: per step, 2-30 min].",
)
@click.option(
    "-F",
    "--features",
    "features",
    multiple=True,
    metavar="FEATURES",
    help="Full mode: cargo features to enable (comma- or space-separated, repeatable).",
)
@click.option("--all-features", is_flag=True, help="Full mode: enable every feature.")
@click.option(
    "--no-default-features", is_flag=True, help="Full mode: do not enable the default feature."
)
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
def audit(
    paths: tuple[Path, ...],
    manifest_path: Path | None,
    packages: tuple[str, ...],
    static_only: bool,
    fmt: str,
    color: str,
    fail_on: str | None,
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
    quiet: bool,
) -> None:
    """Audit a crate or workspace and report findings by checkpoint.

    PATH is a crate or workspace directory, or its Cargo.toml; without PATH, the current
    directory. A directory without a Cargo.toml means the nearest one above it, as for cargo:
    a workspace member is audited with the workspace's configuration. PATH may also be one
    or more .rs files: their crate is analysed whole and only findings in those files are
    reported.

    Exit status: 0 when nothing reaches --fail-on, 1 when something does, 2 when the audit
    could not run, 130 on Ctrl-C, 143 on SIGTERM.
    """
    from rustpro.discovery.target import locate

    target = locate(paths, manifest_path)
    options = AuditOptions(
        static=static_only,
        max_file_bytes=max_file_size * 1024 * 1024,
        use_cache=not no_cache,
        workers=jobs,
        select=_split(select),
        ignore=_split(ignore),
        fail_on=fail_on,
        packages=_split(packages),
        files=target.files,
    )
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
        _warn("--features, --all-features and --no-default-features only apply to full mode")
    result = _run(target.path, options, full_mode)
    if not quiet:
        for message in (*result.warnings, *result.skipped_files):
            _warn(message)
        for where in result.parse_errors:
            _warn(f"{where}: syntax error; audited the rest of the file")
    if fmt == "json":
        from rustpro.report.json_report import render_json

        click.echo(render_json(result), nl=False)
    else:
        from rustpro.report.text import render_text

        use_color = _use_color(color, sys.stdout)
        click.echo(render_text(result, color=use_color), nl=False, color=use_color)
    sys.exit(exit_code(result.findings, result.config.fail_threshold))


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


def _run(path: Path, options: AuditOptions, flags: FullModeFlags | None = None) -> AuditResult:
    if options.static:
        return run_audit(path, options)
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
    return run_audit(path, options, extra=hook)


@cli.command(name="rules")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.Choice([c.value for c in Checkpoint]),
    help="Only rules of this checkpoint (repeatable).",
)
@click.option(
    "--severity",
    "severities",
    multiple=True,
    type=click.Choice([s.value for s in Severity]),
    help="Only rules of this severity (repeatable).",
)
@click.option(
    "--group",
    "groups",
    multiple=True,
    type=click.Choice(GROUPS),
    help="Only rules of this group (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--write-docs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write docs/rules-style Markdown pages (one per rule and an index) to this directory.",
)
@click.option(
    "--check-docs",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Exit 1 when the generated pages in this directory are stale.",
)
def rules_command(
    checkpoints: tuple[str, ...],
    severities: tuple[str, ...],
    groups: tuple[str, ...],
    fmt: str,
    write_docs: Path | None,
    check_docs: Path | None,
) -> None:
    """List every rule: name, checkpoint, severity, group and a one-line summary."""
    from rustpro import docsgen
    from rustpro.rulelist import render_rule_json, render_rule_table, select_rules

    if write_docs is not None:
        for name in docsgen.write_pages(write_docs):
            click.echo(f"updated {write_docs / name}")
        return
    if check_docs is not None:
        stale = docsgen.stale_pages(check_docs)
        for name in stale:
            click.echo(f"stale: {check_docs / name} (run `make docs`)")
        sys.exit(1 if stale else 0)
    chosen = select_rules(
        {Checkpoint(c) for c in checkpoints}, {Severity(s) for s in severities}, set(groups)
    )
    click.echo(render_rule_json(chosen) if fmt == "json" else render_rule_table(chosen), nl=False)


@cli.command()
@click.argument("rule")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "markdown"]),
    default="terminal",
    show_default=True,
    help="terminal: rendered with rich; markdown: the raw page.",
)
def explain(rule: str, fmt: str) -> None:
    """Show a rule's documentation: what it does, why, a bad and a good example.

    An unknown RULE prints the closest names and exits 2.
    """
    from rustpro.docsgen import explain_markdown

    page = explain_markdown(rule)
    if fmt == "markdown":
        click.echo(page, nl=False)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console().print(Markdown(page, code_theme="ansi_dark"))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, readable=False), default=Path("."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="JSON follows docs/profile-json.md (a stable contract for agents).",
)
@jobs_option
@max_file_size_option
def profile(path: Path, fmt: str, jobs: int | None, max_file_size: int) -> None:
    """Answer an expert's sixteen questions about the crate or workspace at PATH.

    Every answer shows its evidence (file:line or manifest key) and a confidence (declared,
    inferred, unknown); what cannot be inferred is listed as open questions. Reads the code
    only: nothing of the profiled project is built or run.
    """
    from rustpro.profile import build_profile

    result = build_profile(path, max_file_bytes=max_file_size * 1024 * 1024, workers=jobs)
    if fmt == "json":
        from rustpro.profile.render_json import render_json

        click.echo(render_json(result), nl=False)
    elif fmt == "markdown":
        from rustpro.profile.render_markdown import render_markdown

        click.echo(render_markdown(result), nl=False)
    else:
        from rustpro.profile.render_text import render_text

        click.echo(render_text(result), nl=False)


class _NewCommand(click.Command):
    """`rustpro new`: its help ends with the kinds and the patterns each demonstrates (read
    from the templates' data only when the help is shown)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from rustpro.new.kinds import all_kinds

        with formatter.section("Kinds and the patterns they demonstrate"):
            for kind in all_kinds().values():
                formatter.write_text(f"{kind.name}: {kind.summary}")
                with formatter.indentation():
                    for pattern in kind.patterns:
                        formatter.write_text(f"- {pattern}")


@cli.command(name="new", cls=_NewCommand)
@click.argument("kind", required=False)
@click.argument("name", required=False)
@click.option(
    "--path",
    type=click.Path(path_type=Path, readable=False),
    default=None,
    help="The project's directory [default: ./NAME].",
)
@click.option(
    "--edition",
    type=click.Choice(["2021", "2024"]),
    default="2024",
    show_default=True,
    help="The Rust edition; rust-version follows it.",
)
@click.option(
    "--msrv",
    metavar="X.Y",
    default=None,
    help=(
        "rust-version to declare [default: the lowest the edition and the dependencies "
        "allow]; a lower one is an error naming what needs more."
    ),
)
@click.option("--no-git", is_flag=True, help="Do not run `git init`.")
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Write into a directory that is not empty: files the template would replace are "
        "moved to NAME.rustpro-backup-TIME/ beside it first; nothing else is touched."
    ),
)
@click.option("--list", "list_kinds", is_flag=True, help="List the kinds and exit.")
def new_command(
    kind: str | None,
    name: str | None,
    path: Path | None,
    edition: str,
    msrv: str | None,
    no_git: bool,
    force: bool,
    list_kinds: bool,
) -> None:
    """Create a Rust project of KIND called NAME that passes every gate rustpro enforces.

    The project builds, its tests pass, `cargo clippy --all-targets -- -D warnings` and
    `cargo fmt --check` are clean, and `rustpro audit` reports nothing at warning or
    above. It comes with a [lints] table, rustfmt.toml, deny.toml, clippy.toml, a README, a
    GitHub Actions workflow and .gitignore (and Cargo.lock when it builds binaries).

    It is rendered in a temporary directory beside the target and renamed into place, so a
    failure leaves nothing behind; `git init` runs unless the target is already inside a
    repository (or --no-git). Inside a cargo workspace, rustpro prints the `members` line to
    add and leaves your manifest alone.
    """
    from rustpro.new.kinds import all_kinds

    if list_kinds:
        kinds = all_kinds()
        width = max(len(name) for name in kinds)
        for entry in kinds.values():
            click.echo(f"{entry.name:<{width}}  {entry.summary}")
        return
    if kind is None or name is None:
        raise click.UsageError(
            "rustpro new needs KIND and NAME (rustpro new --list shows the kinds)"
        )
    from rustpro.new.create import NewRequest, create

    outcome = create(
        NewRequest(
            kind=kind,
            name=name,
            path=path,
            edition=edition,
            msrv=msrv,
            git=not no_git,
            force=force,
        )
    )
    spec = outcome.spec
    shown = _shown_path(outcome.directory)
    click.echo(
        f"Created {spec.kind.name} `{spec.name}` in {shown} "
        f"(edition {spec.edition}, rust-version {spec.rust_version}, "
        f"{len(outcome.files)} files)"
    )
    click.echo(f"  git: {outcome.git}")
    click.echo(f"  Cargo.lock: {outcome.lockfile}")
    if outcome.rustfmt != "formatted":
        click.echo(f"  rustfmt: {outcome.rustfmt}")
    if outcome.replaced and outcome.backup is not None:
        click.echo(
            f"  replaced {len(outcome.replaced)} file(s); the originals are in {outcome.backup}:"
        )
        for relpath in outcome.replaced:
            click.echo(f"    {relpath}")
    hint = outcome.workspace.message() if outcome.workspace is not None else None
    if hint:
        click.echo(f"  workspace: {hint}")
    click.echo("Next:")
    click.echo(f"  cd {shown}")
    click.echo("  cargo test")
    click.echo("  rustpro audit")


def _shown_path(directory: Path) -> str:
    """`directory` relative to the working directory when it lies below it."""
    try:
        relative = directory.relative_to(Path.cwd())
    except ValueError:
        return str(directory)
    return str(relative) if str(relative) != "." else "."


def _stop_tools() -> None:
    """Kill whatever cargo full mode started (only loaded when full mode ran)."""
    runner = sys.modules.get("rustpro.toolchain.runner")
    stop_all = getattr(runner, "stop_all", None)
    if callable(stop_all):
        stop_all()


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the `rustpro` script."""
    try:
        with terminate_as_exception():
            cli.main(args=argv, prog_name="rustpro", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as err:
        err.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort as abort:
        # click turns Ctrl-C inside a command into Abort: it is still an interruption.
        if isinstance(abort.__cause__, KeyboardInterrupt):
            _stop_tools()
            click.echo("rustpro: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        click.echo("rustpro: aborted", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _stop_tools()
        click.echo("rustpro: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Terminated as stop:
        _stop_tools()
        click.echo(stop.message, err=True)
        sys.exit(stop.exit_status)
    except RustproError as err:
        click.echo(f"rustpro: error: {err}", err=True)
        sys.exit(EXIT_ERROR)
    except RecursionError:
        click.echo("rustpro: internal error: input nested too deeply", err=True)
        sys.exit(EXIT_ERROR)
    except Exception as err:  # the last guard: one line, never a traceback
        click.echo(f"rustpro: internal error: {type(err).__name__}: {err}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(0)


def cargo_main() -> NoReturn:
    """Entry point of `cargo-rustpro`: cargo passes the subcommand name as the first word."""
    argv = sys.argv[1:]
    if argv and argv[0] == "rustpro":
        argv = argv[1:]
    main(argv)
