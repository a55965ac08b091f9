"""A whole `rustpro agent` run: settings, persona, model, tools, the loop, the gate, the exit.

    0  the gate passed (or the task asked for no change, and none was made)
    1  the run ended without passing: a budget, the gate's retries, repeated failures, a
       model that could not be reached or answered nonsense
    2  usage or configuration: a bad flag, persona, model spec, config file, a missing key

Whatever happens, the transcript holds every event up to the end and the undo journal
every change, so `rustpro agent --undo` can restore the workspace.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from rustpro import __version__
from rustpro.agent.adapters import Connection, ModelSpec, key_variable, open_model
from rustpro.agent.adapters.base import ModelAdapter
from rustpro.agent.agents import Crew
from rustpro.agent.budget import Budget, Limits, Price
from rustpro.agent.console import Console
from rustpro.agent.dispatch import Approver, FailureGuard
from rustpro.agent.events import Events
from rustpro.agent.gate import Gate, refusal, runs_dir
from rustpro.agent.loop import AgentLoop
from rustpro.agent.persona import (
    AgentDefinition,
    builtin_definition,
    load_definition,
    select_tools,
)
from rustpro.agent.plan import Plan, plan_tool
from rustpro.agent.settings import AgentSettings, load_settings
from rustpro.agent.tools.ask import ask_tool
from rustpro.agent.tools.base import Tool
from rustpro.agent.tools.cargo import CargoRunner, cargo_tool
from rustpro.agent.tools.files import file_tools
from rustpro.agent.tools.review import review_tools
from rustpro.agent.transcript import Redactor, Transcript, default_path
from rustpro.agent.undo import Journal, UndoReport, undo_last_run, workspace_key
from rustpro.agent.workspace import Workspace
from rustpro.engine.cache import cache_root
from rustpro.errors import ModelError, RustproError, UsageError
from rustpro.outcome import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from rustpro.stopping import EXIT_INTERRUPTED, Terminated
from rustpro.toolchain.session import FullModeOptions
from rustpro.verify.render import render_text
from rustpro.verify.run import VerifyOptions

APPROVE_MODES = ("auto", "edits", "all")
DEFAULT_MAX_TURNS = 60
DEFAULT_GATE_RETRIES = 3
# Every tool, in the order the model is shown them.
TOOL_ORDER = (
    "list_dir",
    "read_file",
    "search",
    "write_file",
    "edit_file",
    "delete_file",
    "cargo",
    "audit",
    "profile",
    "explain",
    "verify",
    "update_plan",
    "ask_user",
    "delegate",
)


@dataclass(frozen=True, slots=True)
class AgentOptions:
    """What the command line asks of a run."""

    task: str
    workspace: Path = Path(".")
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    agent_file: Path | None = None
    max_turns: int | None = None
    max_tokens: int | None = None
    max_cost: float | None = None
    timeout: float | None = None
    max_gate_retries: int = DEFAULT_GATE_RETRIES
    # None: the persona's permissionMode decides, else `auto`.
    approve: str | None = None
    transcript: Path | None = None
    non_interactive: bool = False
    # None: stream when the output is a terminal.
    stream: bool | None = None
    full: FullModeOptions = field(default_factory=lambda: FullModeOptions(progress=False))
    # Checks the gate leaves out (verify's --skip names); for tests that are not about cargo.
    gate_skip: frozenset[str] = frozenset()


@dataclass(slots=True)
class Terminal:
    """Where the run talks to a person; tests replace it."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    # Asks a question and returns the answer; None when nobody can answer.
    ask: Callable[[str], str] | None = None
    # Asks for approval of a call; None when nobody can approve.
    confirm: Callable[[str], bool] | None = None
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended."""

    exit_code: int
    outcome: str  # passed, answered, failed
    summary: str
    transcript: Path | None
    changed: tuple[str, ...] = ()


def run_agent(options: AgentOptions, terminal: Terminal | None = None) -> RunResult:
    """Run the agent on the task; raises `RustproError` (exit 2) for usage and configuration
    errors found before the run starts."""
    terminal = terminal or Terminal()
    settings = load_settings(terminal.env)
    root = options.workspace.expanduser()
    if not root.is_dir():
        raise UsageError(f"--workspace {options.workspace}: not a directory")
    root = root.resolve()
    definition = load_definition(options.agent_file) if options.agent_file else builtin_definition()
    for warning in definition.warnings:
        terminal.err.write(f"rustpro: warning: {warning}\n")
    spec = ModelSpec.parse(_model_spec(options, definition, settings))
    approve = _approve_mode(options, definition, terminal)
    stream = options.stream if options.stream is not None else _isatty(terminal.out)
    connection = Connection(
        base_url=options.base_url or settings.base_url,
        api_key_env=options.api_key_env or settings.api_key_env,
        max_retries=settings.max_retries,
        max_output_tokens=settings.max_output_tokens,
        stream=stream,
    )
    variable = key_variable(spec, connection)
    key = terminal.env.get(variable) if variable else None
    redactor = Redactor.from_environment(terminal.env, [key])
    try:
        model, _ = open_model(spec, connection, terminal.env)
    except ModelError as err:
        raise UsageError(redactor.text(str(err))) from None
    price = settings.prices.lookup(model.model)
    if options.max_cost is not None and price is None:
        raise UsageError(
            f"--max-cost needs the price of `{model.model}`: add it to [prices] in "
            f"{settings.config_path or 'the agent config (docs/agent.md)'}"
        )
    limits = Limits(
        turns=options.max_turns or definition.max_turns or DEFAULT_MAX_TURNS,
        tokens=options.max_tokens,
        cost=options.max_cost,
        seconds=options.timeout,
    )
    transcript_path = options.transcript or default_path(
        cache_root() / "agent" / "transcripts" / workspace_key(root)
    )
    transcript = Transcript(transcript_path, redactor)
    console = Console(terminal.out, redactor, streaming=stream)
    events = Events(transcript, console)
    try:
        run = _Run(options, terminal, definition, spec, model, price, limits, approve, root, events)
        return run.execute(connection, transcript_path, redactor)
    finally:
        transcript.close()


def _model_spec(options: AgentOptions, definition: AgentDefinition, settings: AgentSettings) -> str:
    if options.model:
        return options.model
    wanted = definition.model
    if wanted and wanted != "inherit":
        if wanted in settings.aliases:
            return settings.aliases[wanted]
        return wanted if ":" in wanted else f"anthropic:{wanted}"
    return settings.model


def _approve_mode(options: AgentOptions, definition: AgentDefinition, terminal: Terminal) -> str:
    interactive = not options.non_interactive and terminal.confirm is not None
    mode = options.approve
    if mode is None:
        persona_modes = {"default": "edits", "acceptEdits": "auto", "bypassPermissions": "auto"}
        mode = persona_modes.get(definition.permission_mode or "", "auto")
        if mode != "auto" and not interactive:
            mode = "auto"
    if mode not in APPROVE_MODES:
        raise UsageError(f"--approve must be one of {', '.join(APPROVE_MODES)}")
    if mode != "auto" and not interactive:
        raise UsageError(
            f"--approve {mode} asks before tool calls, which needs an interactive terminal "
            "(and no --non-interactive)"
        )
    return mode


def _isatty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Run:
    """One run's state once everything is configured."""

    def __init__(
        self,
        options: AgentOptions,
        terminal: Terminal,
        definition: AgentDefinition,
        spec: ModelSpec,
        model: ModelAdapter,
        price: Price | None,
        limits: Limits,
        approve: str,
        root: Path,
        events: Events,
    ) -> None:
        self.options = options
        self.terminal = terminal
        self.definition = definition
        self.spec = spec
        self.model = model
        self.root = root
        self.events = events
        self.epoch = time.monotonic()
        self.budget = Budget("main", limits, price)
        self.journal = Journal.for_workspace(root)
        verify_options = VerifyOptions(
            full=options.full, skip=options.gate_skip, workers=1, use_cache=True
        )
        self.gate = Gate(root, verify_options, events.emit, self.budget.seconds_left)
        self.workspace = Workspace(root, self.journal, before_first_change=self.gate.record_start)
        self.plan = Plan()
        self.approver = Approver(approve, terminal.confirm)
        self.guard = FailureGuard()
        self.interactive = not options.non_interactive and terminal.ask is not None

    def tools(self) -> dict[str, Tool]:
        """Every tool of the run but `delegate` (each agent gets its own)."""
        runner = CargoRunner(self.workspace, self.options.full, self.budget.seconds_left)

        def plan_changed(plan: Plan) -> None:
            self.events.emit("plan", "main", steps=plan.to_json(), text=plan.render())

        def asked(**fields: object) -> None:
            self.events.emit("ask_user", "main", **fields)

        tools = [
            *file_tools(self.workspace),
            cargo_tool(runner),
            *review_tools(self.workspace, self.gate),
            plan_tool(self.plan, plan_changed),
            ask_tool(self.terminal.ask if self.interactive else None, asked),
        ]
        return {tool.name: tool for tool in tools}

    def execute(self, connection: Connection, transcript: Path, redactor: Redactor) -> RunResult:
        allowed, warnings = select_tools(self.definition, TOOL_ORDER)
        for warning in warnings:
            self.terminal.err.write(f"rustpro: warning: {warning}\n")
        self.events.emit(
            "run_start",
            task=self.options.task,
            workspace=str(self.root),
            model=str(self.spec),
            base_url=connection.base_url,
            api_key_env=key_variable(self.spec, connection),
            streaming=connection.stream,
            persona={"name": self.definition.name, "source": self.definition.source},
            tools=allowed,
            approve=self.approver.mode,
            interactive=self.interactive,
            limits=self.budget.summary()["limits"],
            max_gate_retries=self.options.max_gate_retries,
            rustpro_version=__version__,
        )
        crew = Crew(
            model=self.model,
            definition=self.definition,
            tools=self.tools(),
            events=self.events,
            guard=self.guard,
            approver=self.approver,
            epoch=self.epoch,
        )
        agent = crew.main_agent(allowed, self.budget)
        agent.say(self.options.task)
        try:
            outcome, code, summary, final = self._drive(agent)
        except ModelError as err:
            outcome, final = "failed", agent.last_text
            code = EXIT_ERROR if err.configuration else EXIT_FINDINGS
            summary = redactor.text(f"the model could not be asked: {err}")
            self.terminal.err.write(f"rustpro: error: {summary}\n")
        except KeyboardInterrupt:
            self._end("interrupted", EXIT_INTERRUPTED, "interrupted", agent.last_text)
            raise
        except Terminated as stop:
            self._end("interrupted", stop.exit_status, stop.message, agent.last_text)
            raise
        finally:
            self.journal.finish()
        self._end(outcome, code, summary, final)
        changed = tuple(self.workspace.changed)
        if changed and code != EXIT_CLEAN:
            self.terminal.out.write(
                f"rustpro agent: {len(changed)} file(s) changed; `rustpro agent --undo "
                f"--workspace {self.root}` restores them\n"
            )
        self.terminal.out.write(f"rustpro agent: transcript in {transcript}\n")
        return RunResult(code, outcome, summary, transcript, changed)

    def _drive(self, agent: AgentLoop) -> tuple[str, int, str, str]:
        attempts = 0
        while True:
            end = agent.run()
            if end.status == "stopped":
                return "failed", EXIT_FINDINGS, f"stopped: {end.reason}", end.text
            unfinished = self.plan.unfinished_work(changed=bool(self.workspace.changed))
            if unfinished is not None:
                self.events.emit("gate", verdict="not-run", reason=f"not done: {unfinished}")
                return "failed", EXIT_FINDINGS, f"not done: {unfinished}", end.text
            if not self.workspace.changed:
                self.events.emit(
                    "gate",
                    verdict="not-needed",
                    reason="no file was changed: the task was answered without a code change",
                )
                return "answered", EXIT_CLEAN, "answered; no file changed, no gate needed", end.text
            exhausted = self.budget.exhausted()
            if exhausted is not None:
                self.events.emit(
                    "budget", exhausted=exhausted.describe(), budget=self.budget.summary()
                )
                return (
                    "failed",
                    EXIT_FINDINGS,
                    f"stopped before the gate: {exhausted.describe()}",
                    end.text,
                )
            attempts += 1
            try:
                report = self.gate.check()
            except RustproError as err:
                self.events.emit("gate", verdict="error", attempt=attempts, reason=str(err))
                return "failed", EXIT_FINDINGS, f"the gate could not run: {err}", end.text
            max_attempts = self.options.max_gate_retries + 1
            self.events.emit(
                "gate",
                verdict=report.verdict,
                attempt=attempts,
                max_attempts=max_attempts,
                failed=[check.id for check in report.failed],
                checks={check.id: check.status.value for check in report.checks},
                changed_files=report.changed_files,
                report=render_text(report),
            )
            if report.verdict == "pass":
                return "passed", EXIT_CLEAN, f"done: the gate passed (attempt {attempts})", end.text
            if attempts >= max_attempts:
                names = ", ".join(check.title for check in report.failed)
                return (
                    "failed",
                    EXIT_FINDINGS,
                    f"the gate refused {attempts} time(s), the last for: {names}",
                    end.text,
                )
            agent.say(refusal(report, attempts, max_attempts))

    def _end(self, outcome: str, code: int, summary: str, final: str) -> None:
        self.events.emit(
            "run_end",
            outcome=outcome,
            exit_code=code,
            summary=summary,
            final_message=final,
            changed_files=list(self.workspace.changed),
            budget=self.budget.summary(),
        )


def undo(workspace: Path) -> UndoReport:
    """`rustpro agent --undo`: restore what the last run in `workspace` changed."""
    root = workspace.expanduser()
    if not root.is_dir():
        raise UsageError(f"--workspace {workspace}: not a directory")
    return undo_last_run(root)


__all__ = ["AgentOptions", "RunResult", "Terminal", "run_agent", "runs_dir", "undo"]
