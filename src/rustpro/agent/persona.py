"""Who the model is: a Claude Code sub-agent definition (Markdown with YAML front matter),
either `--agent FILE` or rustpro's built-in rust-pro persona (`rust_pro.md`, our own words).

Front matter: `name` and `description` are required; `tools` (a comma-separated string or a
list, Claude Code's names or ours), `disallowedTools`, `model`, `maxTurns` and
`permissionMode` are honoured; Claude Code's other fields are accepted and ignored; any
other field is a one-line warning. A file that cannot be read as a definition is a
`PersonaError` (one line, exit 2).

Every persona's prompt gets the harness's own rules appended (`HARNESS_RULES`): how the
tools, the plan and the gate work do not depend on who wrote the persona.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rustpro.errors import PersonaError

BUILTIN = "rust_pro.md"
# Claude Code's fields that rustpro reads but has no use for.
IGNORED_FIELDS = frozenset(
    {"color", "skills", "hooks", "mcpServers", "memory", "background", "isolation", "effort"}
)
HONOURED_FIELDS = frozenset(
    {"name", "description", "tools", "disallowedTools", "model", "maxTurns", "permissionMode"}
)
PERMISSION_MODES = ("default", "acceptEdits", "bypassPermissions", "plan", "dontAsk")
# Claude Code's tool names and the rustpro tools that do their job (none: no counterpart).
CLAUDE_TOOLS: Mapping[str, tuple[str, ...]] = {
    "Read": ("read_file",),
    "Write": ("write_file",),
    "Edit": ("edit_file",),
    "MultiEdit": ("edit_file",),
    "Grep": ("search",),
    "Glob": ("list_dir", "search"),
    "LS": ("list_dir",),
    "Bash": ("cargo",),
    "Task": ("delegate",),
    "Agent": ("delegate",),
    "TodoWrite": ("update_plan",),
    "NotebookEdit": (),
    "NotebookRead": (),
    "WebFetch": (),
    "WebSearch": (),
}

HARNESS_RULES = """\
## How rustpro agent runs you

- The workspace is the only place you can read or change; its root is `.` for every path.
  Paths outside it and `.git/` are refused. Every change you make is journalled and can be
  undone by the user.
- There is no shell. Build, test, lint, format and benchmark with the `cargo` tool.
- Keep the eight-step plan current with `update_plan` (status and self-check of each step).
- Independent read-only calls asked for in one turn run in parallel; writes run one at a
  time, in the order you give them. A failed call comes back to you as its result: read the
  error and correct the call. The same failing call three times ends the run.
- When you are finished, answer without calling a tool. If you changed any file, rustpro
  then runs `rustpro verify` against the state before your first edit (it builds, the tests
  pass, no new clippy warning, no new rustpro finding at warning or above, no test
  weakened). If a check fails, its report comes back to you: fix the code and finish again.
  Run the `verify` tool yourself first. You cannot talk your way past the gate.
- A task that asks for no change (a question, a review) is answered in your final message;
  change no file for it.
- Your final message is what the user reads: say what you changed and why, what you
  verified, and what is left open.
"""

SUB_AGENT_RULES = """\
## You are a sub-agent

Another agent gave you one task and sees only your final message. Do that task and nothing
else, with the tools you have, within your budget; then answer with a final message that
holds everything the other agent needs (findings with file:line, what you changed, what
you could not do). Do not ask it questions: state your assumptions instead.
"""


@dataclass(frozen=True, slots=True)
class AgentDefinition:
    """A sub-agent definition as rustpro uses it."""

    name: str
    description: str
    prompt: str
    source: str
    tools: tuple[str, ...] | None = None
    disallowed_tools: tuple[str, ...] = ()
    model: str | None = None
    max_turns: int | None = None
    permission_mode: str | None = None
    warnings: tuple[str, ...] = ()


def builtin_text() -> str:
    """The built-in persona's file, as `--print-persona` shows it."""
    return resources.files("rustpro.agent").joinpath(BUILTIN).read_text(encoding="utf-8")


def builtin_definition() -> AgentDefinition:
    """rustpro's own rust-pro persona."""
    return parse_definition(builtin_text(), "built-in rust-pro")


def load_definition(path: Path) -> AgentDefinition:
    """The definition in `path`; raises `PersonaError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise PersonaError(
            f"cannot read the agent definition {path}: {err.strerror or err}"
        ) from None
    except UnicodeDecodeError:
        raise PersonaError(f"the agent definition {path} is not UTF-8 text") from None
    return parse_definition(text, str(path))


def parse_definition(text: str, source: str) -> AgentDefinition:
    """Read a definition's front matter and prompt; raises `PersonaError`."""
    import yaml

    header, body = _split_front_matter(text, source)
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(err, "problem", None) or type(err).__name__
        raise PersonaError(
            f"{source}: the front matter is not valid YAML{where}: {problem}"
        ) from None
    if not isinstance(data, dict):
        raise PersonaError(f"{source}: the front matter must be a mapping of fields")
    for field in ("name", "description"):
        value = data.get(field)
        if not isinstance(value, str) or not value.strip():
            raise PersonaError(f"{source}: the front matter needs `{field}` (a non-empty string)")
    warnings = [
        f"{source}: unknown field `{key}` ignored"
        for key in data
        if key not in HONOURED_FIELDS and key not in IGNORED_FIELDS
    ]
    max_turns = data.get("maxTurns")
    if max_turns is not None and (not isinstance(max_turns, int) or max_turns < 1):
        raise PersonaError(f"{source}: `maxTurns` must be a whole number of 1 or more")
    mode = data.get("permissionMode")
    if mode is not None and mode not in PERMISSION_MODES:
        raise PersonaError(
            f"{source}: `permissionMode` must be one of {', '.join(PERMISSION_MODES)}"
        )
    model = data.get("model")
    if model is not None and not isinstance(model, str):
        raise PersonaError(f"{source}: `model` must be a string")
    return AgentDefinition(
        name=data["name"].strip(),
        description=" ".join(data["description"].split()),
        prompt=body.strip(),
        source=source,
        tools=_names(data.get("tools"), "tools", source),
        disallowed_tools=_names(data.get("disallowedTools"), "disallowedTools", source) or (),
        model=model,
        max_turns=max_turns,
        permission_mode=mode,
        warnings=tuple(warnings),
    )


def _split_front_matter(text: str, source: str) -> tuple[str, str]:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise PersonaError(
            f"{source}: not an agent definition: it must start with YAML front matter "
            "between `---` lines"
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise PersonaError(f"{source}: the front matter has no closing `---` line")


def _names(value: Any, field: str, source: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(name.strip() for name in value.split(",") if name.strip())
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        return tuple(name.strip() for name in value if name.strip())
    raise PersonaError(f"{source}: `{field}` must be a comma-separated string or a list of names")


def select_tools(
    definition: AgentDefinition, available: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The tools the definition allows, of those `available`, and a warning for each name
    it gives that rustpro has no counterpart for. No `tools` field: all of them."""
    warnings: list[str] = []

    def resolve(names: Sequence[str]) -> set[str]:
        chosen: set[str] = set()
        for name in names:
            if name in available:
                chosen.add(name)
            elif name in CLAUDE_TOOLS:
                counterparts = [tool for tool in CLAUDE_TOOLS[name] if tool in available]
                if not counterparts:
                    warnings.append(f"{definition.source}: tool `{name}` has no counterpart here")
                chosen.update(counterparts)
            else:
                warnings.append(f"{definition.source}: unknown tool `{name}` ignored")
        return chosen

    chosen = set(available) if definition.tools is None else resolve(definition.tools)
    chosen -= resolve(definition.disallowed_tools)
    if definition.permission_mode == "plan":
        chosen -= {"write_file", "edit_file", "delete_file"}
    return [name for name in available if name in chosen], warnings


def system_prompt(definition: AgentDefinition, *, sub_agent: bool = False) -> str:
    """The system prompt: the persona, then the harness's rules."""
    parts = [definition.prompt, HARNESS_RULES]
    if sub_agent:
        parts.append(SUB_AGENT_RULES)
    return "\n\n".join(part.strip() for part in parts if part.strip()) + "\n"
