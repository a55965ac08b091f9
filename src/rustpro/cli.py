"""The `rustpro` command line. Errors become one line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from rustpro import __version__, audit_command
from rustpro.audit_command import FINGERPRINTED, FORMATS, FULL_MODE_STEPS, FullModeFlags
from rustpro.catalog import GROUPS
from rustpro.command_guard import aborted, run_guarded
from rustpro.config import FAIL_ON_CHOICES
from rustpro.errors import UsageError
from rustpro.model import Checkpoint, Severity
from rustpro.outcome import EXIT_ERROR

if TYPE_CHECKING:
    from rustpro.engine.audit import AuditOptions, AuditResult, ExtraFindings

__all__ = ["FINGERPRINTED", "FORMATS", "FULL_MODE_STEPS", "FullModeFlags", "cli", "main"]

# `rustpro rules` lists rules, not findings: the report formats do not apply to it.
RULE_FORMATS = ("text", "json")

TRUST_NOTE = (
    "Without --static, rustpro runs cargo (check, clippy, test, fmt, doc) on a copy of the "
    "project under its cache dir, which executes its build scripts, proc macros and tests: "
    "audit untrusted code with --static, which executes nothing from the audited project."
)


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


def baseline_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options of docs/baseline.md: `--baseline`, `--no-baseline`, `--write-baseline` and
    `--changed-since`."""
    options = [
        click.option(
            "--baseline",
            type=click.Path(path_type=Path, readable=False),
            metavar="FILE",
            help="Report and gate only findings not in this baseline file "
            "[default: `baseline` in rustpro.toml].",
        ),
        click.option("--no-baseline", is_flag=True, help="Ignore the baseline rustpro.toml names."),
        click.option(
            "--write-baseline",
            type=click.Path(path_type=Path, readable=False),
            metavar="FILE",
            help="Record every finding in FILE (a baseline), then judge the run against it.",
        ),
        click.option(
            "--changed-since",
            metavar="REF",
            help="Report and gate only findings in files changed since the git ref REF, "
            "and in untracked files (runs git, read-only).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def cargo_options(lead: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """How cargo runs (`--target-dir`, `--step-timeout`, `-F/--features`, `--all-features`,
    `--no-default-features`), shared by audit (`lead` "Full mode: ") and verify."""

    def helped(text: str) -> str:
        if lead or text.startswith("cargo"):  # the command's name stays lower-case
            return lead + text
        return text[0].upper() + text[1:]

    options = [
        click.option(
            "--target-dir",
            type=click.Path(path_type=Path, file_okay=False),
            default=None,
            help=helped("cargo's build directory [default: under the user cache dir]."),
        ),
        click.option(
            "--step-timeout",
            type=click.FloatRange(min=1),
            default=None,
            metavar="SECONDS",
            help=helped("kill a cargo step after this long [default: per step, 2-30 min]."),
        ),
        click.option(
            "-F",
            "--features",
            "features",
            multiple=True,
            metavar="FEATURES",
            help=helped("cargo features to enable (comma- or space-separated, repeatable)."),
        ),
        click.option("--all-features", is_flag=True, help=helped("enable every feature.")),
        click.option(
            "--no-default-features",
            is_flag=True,
            help=helped("do not enable the default feature."),
        ),
    ]

    def apply(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


_CLICK_PARSER_PARTS = ("_process_opts", "_opt_prefixes", "_long_opt", "_match_short_opt", "ctx")


def _short_options_first(parser: Any) -> None:
    """Let `parser` (click's option parser) read a word such as `-j` or `-q` as a short
    option straight away, as it does in the end.

    click first looks every option word up as a long option; for `-j` that fails, and the
    "no such option" error it builds and then drops computes its did-you-mean suggestions
    (importing `difflib`, comparing `-j` with every long option): about 1% of a one-file
    audit for `-j 1 -q`. The words taken here are those click would hand to its short-option
    parser after that failed lookup, unchanged (no `=`, no name normalisation, a one-character
    prefix, not a long option); every other word goes the usual way, errors included.
    """
    # The parser's private parts (click 8.1 to 8.5): with another click that lacks one,
    # every word goes click's own way.
    if not all(hasattr(parser, name) for name in _CLICK_PARSER_PARTS):
        return
    process_opts = parser._process_opts

    def process(arg: str, state: object) -> None:
        if (
            arg[:2] not in parser._opt_prefixes
            and "=" not in arg
            and arg not in parser._long_opt
            and (parser.ctx is None or parser.ctx.token_normalize_func is None)
        ):
            parser._match_short_opt(arg, state)
        else:
            process_opts(arg, state)

    parser._process_opts = process


class _Command(click.Command):
    """rustpro's commands: their short options are read without a failed long lookup."""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        _short_options_first(parser)
        return parser


class _Group(click.Group):
    """rustpro's command groups, whose commands and subgroups are `_Command`s and `_Group`s."""

    command_class = _Command
    group_class = type  # click's value for "this class too"

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        _short_options_first(parser)
        return parser


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
    help=(
        "Report format: text, json (the documented contract), markdown (a pull-request "
        "comment or $GITHUB_STEP_SUMMARY, kept within GitHub's comment limit), sarif (SARIF "
        "2.1.0 for GitHub code scanning), gitlab (GitLab code quality), html (one "
        "self-contained page)."
    ),
)
@click.option(
    "-o",
    "--output",
    # Checked by `rustpro.output.check_target`: one line for every way it can be wrong.
    type=click.Path(path_type=Path, readable=False),
    default=None,
    metavar="FILE",
    help="Write the report to FILE (atomically; its directory must exist) instead of stdout.",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="One line per rule (count, checkpoint, severity) instead of the findings.",
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
    "--require",
    multiple=True,
    metavar="CHECKPOINTS",
    help=(
        "Exit 1 when one of these checkpoints fails or does not run, whatever --fail-on "
        "says (comma-separated, repeatable)."
    ),
)
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=None,
    metavar="N",
    help="Exit 1 when the overall score (0-100) is below N.",
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
@cargo_options(lead="Full mode: ")
@baseline_options
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
def audit(**params: Any) -> None:
    """Audit a crate or workspace and report findings by checkpoint.

    PATH is a crate or workspace directory, or its Cargo.toml; without PATH, the current
    directory. A directory without a Cargo.toml means the nearest one above it, as for cargo:
    a workspace member is audited with the workspace's configuration. PATH may also be one
    or more .rs files: their crate is analysed whole and only findings in those files are
    reported.

    Exit status: 0 when every gate passes (--fail-on, --require, --min-score), 1 when one
    fails, 2 when the audit could not run or the report cannot be written, 130 on Ctrl-C,
    143 on SIGTERM.
    """
    # The audit's work is click-free: the start-up fast path runs it too (`rustpro._fastpath`).
    audit_command.audit(_run, params)


def run_audit(path: Path, options: AuditOptions, extra: ExtraFindings | None = None) -> AuditResult:
    """`rustpro.engine.audit.run_audit`, loaded when a command audits: `rustpro verify`
    starts cargo before the engine and its rules are loaded."""
    return audit_command.run_audit(path, options, extra)


def _run(path: Path, options: AuditOptions, flags: FullModeFlags | None = None) -> AuditResult:
    return audit_command.run(path, options, flags, audit=run_audit)


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
@click.option("--format", "fmt", type=click.Choice(RULE_FORMATS), default="text", show_default=True)
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


VERIFY_SKIPPABLE = ("build", "test", "clippy", "rustpro", "weakening", "fmt")
VERIFY_TRUST_NOTE = (
    "verify runs cargo (clippy, test, fmt) on a copy of the work tree under rustpro's cache "
    "dir, which executes its build scripts, proc macros and tests (--skip build runs none of "
    "them). The starting point is only read, never checked out or built."
)


@cli.command(epilog=VERIFY_TRUST_NOTE)
@click.argument(
    "path", metavar="[PATH]", required=False, type=click.Path(path_type=Path, readable=False)
)
@click.option(
    "--since", metavar="REF", default=None, help="Compare with this git ref [default: HEAD]."
)
@click.option(
    "--snapshot",
    type=click.Path(path_type=Path, dir_okay=False, readable=False),
    default=None,
    help="Compare with a snapshot written by --record.",
)
@click.option(
    "--record",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    default=None,
    help="Write a snapshot of the current state to FILE (a starting point) and exit.",
)
@click.option(
    "--allow-test-edits",
    is_flag=True,
    help="List changed expected values in tests as notes instead of failing.",
)
@click.option(
    "--skip",
    "skip_steps",
    multiple=True,
    type=click.Choice(VERIFY_SKIPPABLE),
    help="Leave out this check (repeatable; build also leaves out test and clippy).",
)
@click.option(
    "--require",
    multiple=True,
    type=click.Choice(["fmt"]),
    help="Fail when the changed files are not formatted (otherwise a note).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="Report format (JSON: docs/verify-json.md).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    default=None,
    help="Write the report to FILE (atomically) instead of stdout.",
)
@click.option(
    "--hook",
    type=click.Choice(["claude"]),
    default=None,
    help="Answer a Claude Code Stop hook: payload on stdin, exit 2 blocks with the reasons.",
)
@cargo_options(lead="")
@jobs_option
@click.option("-q", "--quiet", is_flag=True, help="No warnings or progress on stderr.")
def verify(
    path: Path | None,
    since: str | None,
    snapshot: Path | None,
    record: Path | None,
    allow_test_edits: bool,
    skip_steps: tuple[str, ...],
    require: tuple[str, ...],
    fmt: str,
    output: Path | None,
    hook: str | None,
    target_dir: Path | None,
    step_timeout: float | None,
    features: tuple[str, ...],
    all_features: bool,
    no_default_features: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Is the change done? Check the work tree at PATH against a starting point.

    Six checks, each pass or fail with evidence: it builds (cargo check --all-targets, via
    clippy), the tests pass (with counts), no new clippy warnings, no new rustpro findings at
    warning or above (by fingerprint), tests not weakened, and the changed files are
    formatted (a note unless --require fmt). The starting point is --since REF (default
    HEAD in a git repository), read from git's objects, or --snapshot FILE; nothing is checked
    out and the old side is never built. See docs/verify.md.

    Exit status: 0 when every check passes, 1 when one fails, 2 when verify could not run.
    With --hook claude: 0 lets the agent stop, 2 blocks it with the reasons on stderr.
    """
    from rustpro.toolchain.session import FullModeOptions
    from rustpro.verify.options import VerifyOptions

    if since is not None and snapshot is not None:
        raise click.UsageError("use --since or --snapshot, not both")
    if record is not None and (since is not None or snapshot is not None or hook is not None):
        raise click.UsageError(
            "--record writes a starting point: leave out --since, --snapshot and --hook"
        )
    options = VerifyOptions(
        since=since,
        snapshot=snapshot,
        allow_test_edits=allow_test_edits,
        skip=frozenset(skip_steps),
        require=frozenset(require),
        full=FullModeOptions(
            target_dir=target_dir,
            timeout=step_timeout,
            progress=not quiet and hook is None,
            features=tuple(name for value in features for name in value.replace(",", " ").split()),
            all_features=all_features,
            no_default_features=no_default_features,
        ),
        workers=jobs,
    )
    if hook is not None:
        from rustpro.verify.hook import claude_stop_hook

        answer = claude_stop_hook(sys.stdin.read(), path, options)
        click.echo(answer.stdout, nl=False)
        click.echo(answer.stderr, nl=False, err=True)
        sys.exit(answer.exit_code)
    if record is not None:
        from rustpro.verify.recording import record_snapshot

        recorded, warnings = record_snapshot(path or Path("."), options, record)
        if not quiet:
            for message in warnings:
                _warn(message)
        click.echo(
            f"rustpro verify: recorded {len(recorded.files)} file(s), "
            f"{len(recorded.rustpro)} rustpro finding(s), {recorded.declared_tests} test(s) "
            f"in {record}"
        )
        return
    from rustpro.verify.begin import begin

    # cargo starts before the rest of verify is even imported (`rustpro.verify.begin`).
    begun = begin(path or Path("."), options)
    try:
        from rustpro.verify.render import RENDERERS, headline
        from rustpro.verify.run import verify as run_verify
    except BaseException:
        begun.cancel()
        raise
    report = run_verify(path or Path("."), options, begun)
    if not quiet and fmt != "text":
        for message in report.warnings:
            _warn(message)
    text = RENDERERS[fmt](report)
    if output is not None:
        from rustpro.verify.output import write_atomically

        write_atomically(output, text)
        click.echo(headline(report))
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code)


AGENT_TRUST_NOTE = (
    "The agent changes files in --workspace (only there, never .git/) and runs cargo on a "
    "copy of it, which executes the crate's build scripts, proc macros and tests. Every "
    "change is journalled: --undo restores the files of the last run. See docs/agent.md."
)


@cli.command(epilog=AGENT_TRUST_NOTE)
@click.argument("task", required=False)
@click.option(
    "--workspace",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    show_default=True,
    help="The directory the agent may read and change.",
)
@click.option(
    "--model",
    metavar="SPEC",
    default=None,
    help="openai:MODEL, anthropic:MODEL or scripted:FILE [default: $RUSTPRO_AGENT_MODEL, "
    "the config file, else anthropic:claude-sonnet-4-5].",
)
@click.option(
    "--base-url",
    metavar="URL",
    default=None,
    help="The service's endpoint (a local server: http://127.0.0.1:11434/v1 for Ollama).",
)
@click.option(
    "--api-key-env",
    metavar="VAR",
    default=None,
    help="The variable holding the API key [default: OPENAI_API_KEY or ANTHROPIC_API_KEY].",
)
@click.option(
    "--agent",
    "agent_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="A Claude Code sub-agent definition (Markdown with YAML front matter) as persona.",
)
@click.option(
    "--max-turns",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Model turns of the run [default: the persona's maxTurns, else 60].",
)
@click.option(
    "--max-tokens",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Input and output tokens of the run.",
)
@click.option(
    "--max-cost",
    type=click.FloatRange(min=0),
    default=None,
    metavar="USD",
    help="Money the run may spend (needs the model's price: docs/agent.md).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=None,
    metavar="SECONDS",
    help="Wall time of the whole run.",
)
@click.option(
    "--max-gate-retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Refused gates the model may answer before the run ends as failed.",
)
@click.option(
    "--approve",
    type=click.Choice(["auto", "edits", "all"]),
    default=None,
    help="Ask before each write (edits) or every tool call (all) [default: auto].",
)
@click.option(
    "--transcript",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the JSONL transcript here [default: under rustpro's cache dir].",
)
@click.option(
    "--non-interactive", is_flag=True, help="Never prompt: questions get the model's assumption."
)
@click.option(
    "--target-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="cargo's build directory [default: full mode's, under the user cache dir].",
)
@click.option("--undo", is_flag=True, help="Restore the files the last run changed, and exit.")
@click.option("--print-persona", is_flag=True, help="Show the persona's system prompt, and exit.")
def agent(
    task: str | None,
    workspace: Path,
    model: str | None,
    base_url: str | None,
    api_key_env: str | None,
    agent_file: Path | None,
    max_turns: int | None,
    max_tokens: int | None,
    max_cost: float | None,
    timeout: float | None,
    max_gate_retries: int,
    approve: str | None,
    transcript: Path | None,
    non_interactive: bool,
    target_dir: Path | None,
    undo: bool,
    print_persona: bool,
) -> None:
    """Do TASK on the crate in --workspace as a senior Rust engineer, gated by verify.

    The model works through eight steps (shown as a plan) with rustpro's tools; when it says
    it is done, `rustpro verify` checks the change against the state before its first edit,
    and a refusal goes back to the model. A task that needs no code change is answered
    without a gate. See docs/agent.md.

    Exit status: 0 when the gate passed (or nothing needed changing), 1 when the run ended
    without passing, 2 for usage and configuration errors.
    """
    from rustpro.agent import persona

    if print_persona:
        definition = (
            persona.load_definition(agent_file) if agent_file else persona.builtin_definition()
        )
        click.echo(f"# {definition.name} ({definition.source})\n\n{definition.description}\n")
        click.echo(persona.system_prompt(definition), nl=False)
        return
    from rustpro.agent.run import AgentOptions, Terminal, run_agent
    from rustpro.agent.run import undo as undo_run

    if undo:
        report = undo_run(workspace)
        for path in report.restored:
            click.echo(f"restored {path}")
        for path in report.removed:
            click.echo(f"removed {path}")
        for path in report.kept:
            _warn(f"{path} changed after the run: left as it is")
        sys.exit(1 if report.kept else 0)
    if not task:
        raise click.UsageError("give the TASK (or --undo, --print-persona)")
    from rustpro.toolchain.session import FullModeOptions

    interactive = not non_interactive and sys.stdin.isatty()
    terminal = Terminal(
        ask=_ask_user if interactive else None,
        confirm=_confirm_call if interactive else None,
    )
    options = AgentOptions(
        task=task,
        workspace=workspace,
        model=model,
        base_url=base_url,
        api_key_env=api_key_env,
        agent_file=agent_file,
        max_turns=max_turns,
        max_tokens=max_tokens,
        max_cost=max_cost,
        timeout=timeout,
        max_gate_retries=max_gate_retries,
        approve=approve,
        transcript=transcript,
        non_interactive=non_interactive or not interactive,
        full=FullModeOptions(target_dir=target_dir, progress=False),
    )
    result = run_agent(options, terminal)
    sys.exit(result.exit_code)


def _ask_user(question: str) -> str:
    """The agent's question on the terminal; the answer (empty when none is given)."""
    return str(click.prompt(question, default="", show_default=False, err=True))


def _confirm_call(call: str) -> bool:
    """--approve: may the agent make this call?"""
    return click.confirm(f"allow {call}?", err=True)


class _NewCommand(_Command):
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


@cli.group(name="cache")
def cache_command() -> None:
    """Show or clean what rustpro keeps in its cache dir ($RUSTPRO_CACHE_DIR, else the user
    cache dir): file results, verify's records, full mode's work copies, the agent's
    records."""


@cache_command.command(name="info")
def cache_info() -> None:
    """The cache dir and the size of each part."""
    from rustpro.cacheclean import usage
    from rustpro.cachedir import cache_root

    _check_cache_dir(cache_root())
    click.echo(f"rustpro cache: {cache_root()}")
    for part in usage():
        when = _age(part.newest) if part.newest is not None else "empty"
        click.echo(f"  {part.name:<34} {_size(part.size):>9}  {part.files:>7} files  {when}")


@cache_command.command(name="clean")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    metavar="DAYS",
    help="remove entries written (work copies used) longer ago than this.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="remove every part, whatever its age, the agent's transcripts and undo data too.",
)
@click.option("--dry-run", is_flag=True, help="say what would go, remove nothing.")
def cache_clean(days: float, everything: bool, dry_run: bool) -> None:
    """Remove what no run will read again: file results of other rustpro versions, and
    results, verify records and work copies older than --older-than. The agent's records
    go only with --all; nothing else in the cache dir is ever touched."""
    from rustpro.cacheclean import clean
    from rustpro.cachedir import cache_root

    _check_cache_dir(cache_root())
    done = clean(older_than_days=days, everything=everything, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    click.echo(
        f"rustpro cache: {verb} {done.files} files ({_size(done.size)}) in "
        f"{len(done.removed)} entries under {cache_root()}"
    )
    for error in done.errors:
        _warn(f"could not remove {error}")
    if done.errors:
        sys.exit(EXIT_ERROR)


def _check_cache_dir(root: Path) -> None:
    """A cache dir that exists must be a directory (`RUSTPRO_CACHE_DIR` naming a file)."""
    if (root.exists() or root.is_symlink()) and not root.is_dir():
        raise UsageError(f"the cache dir {root} is not a directory (see RUSTPRO_CACHE_DIR)")


def _size(size: int) -> str:
    """`size` bytes for a person: 512 B, 3.4 KiB, 1.2 GiB."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def _age(when: float) -> str:
    import time

    days = (time.time() - when) / 86400
    return "written today" if days < 1 else f"last written {days:.0f} days ago"


def main(argv: list[str] | None = None) -> NoReturn:
    """Entry point of the `rustpro` script."""
    run_guarded(lambda: _run_click(argv), click.echo)


def _run_click(argv: list[str] | None) -> None:
    """Run the command tree on `argv`, click's own ends turned into exit statuses."""
    try:
        cli.main(args=argv, prog_name="rustpro", standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as err:
        err.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Abort as abort:
        # click turns Ctrl-C inside a command into Abort: it is still an interruption.
        if isinstance(abort.__cause__, KeyboardInterrupt):
            raise abort.__cause__ from None
        aborted(click.echo)


def cargo_main() -> NoReturn:
    """Entry point of `cargo-rustpro`: cargo passes the subcommand name as the first word."""
    argv = sys.argv[1:]
    if argv and argv[0] == "rustpro":
        argv = argv[1:]
    main(argv)
