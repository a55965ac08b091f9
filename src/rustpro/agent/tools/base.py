"""A tool the model may call: its JSON Schema, how it runs, and whether it only reads.

One definition serves both adapters (`ToolDefinition`). `kind` decides how a turn's calls
are scheduled: `read` calls of one turn run in parallel with each other, `write` and
`serial` calls run alone, in the order the model gave them (`serial`: cargo, verify, the
plan, questions to the user, sub-agents: they read, but share the build directory, the
terminal or the run's state).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from rustpro.agent.adapters.base import ToolDefinition

Kind = Literal["read", "write", "serial"]
Handler = Callable[[dict[str, Any]], str]


class ToolFailure(Exception):
    """A tool call that failed; its message goes back to the model as the call's result."""


@dataclass(frozen=True, slots=True)
class Tool:
    """A tool: name, description, parameters (JSON Schema), scheduling kind and handler.
    `kind_of` decides the kind from the arguments when it depends on them (`cargo fmt`
    writes, `cargo fmt --check` does not)."""

    name: str
    description: str
    parameters: dict[str, Any]
    kind: Kind
    run: Handler
    kind_of: Callable[[Mapping[str, Any]], Kind] | None = field(default=None)

    def definition(self) -> ToolDefinition:
        """What the model is shown."""
        return ToolDefinition(self.name, self.description, self.parameters)

    def kind_for(self, arguments: Mapping[str, Any]) -> Kind:
        """How a call with these arguments is scheduled."""
        return self.kind_of(arguments) if self.kind_of is not None else self.kind


def schema(
    required: Mapping[str, Any], optional: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """An object schema with these required and optional properties, nothing else."""
    properties = {**required, **(optional or {})}
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def string(description: str, **extra: Any) -> dict[str, Any]:
    """A string property."""
    return {"type": "string", "description": description, **extra}


def integer(description: str, minimum: int = 0) -> dict[str, Any]:
    """An integer property."""
    return {"type": "integer", "description": description, "minimum": minimum}


_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def check_arguments(parameters: Mapping[str, Any], arguments: Mapping[str, Any]) -> None:
    """Check `arguments` against an object schema of the shapes `schema()` builds; raises
    `ToolFailure` saying what is wrong, so the model can correct its call."""
    properties: Mapping[str, Any] = parameters.get("properties", {})
    missing = [name for name in parameters.get("required", []) if name not in arguments]
    if missing:
        raise ToolFailure(f"missing argument(s): {', '.join(missing)}")
    unknown = sorted(set(arguments) - set(properties))
    if unknown and parameters.get("additionalProperties") is False:
        raise ToolFailure(
            f"unknown argument(s): {', '.join(unknown)} (known: {', '.join(properties)})"
        )
    for name, value in arguments.items():
        spec = properties.get(name)
        if spec is not None:
            _check_value(name, spec, value)


def _check_value(name: str, spec: Mapping[str, Any], value: Any) -> None:
    expected = spec.get("type")
    if isinstance(expected, str):
        kinds = _TYPES[expected]
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise ToolFailure(f"`{name}` must be a {expected}, not {type(value).__name__}")
    if "enum" in spec and value not in spec["enum"]:
        raise ToolFailure(f"`{name}` must be one of {', '.join(map(str, spec['enum']))}")
    minimum = spec.get("minimum")
    if minimum is not None and isinstance(value, int | float) and value < minimum:
        raise ToolFailure(f"`{name}` must be at least {minimum}")
    if expected == "array" and isinstance(spec.get("items"), dict):
        for index, item in enumerate(value):
            _check_value(f"{name}[{index}]", spec["items"], item)
    if expected == "object" and isinstance(value, dict) and "properties" in spec:
        check_arguments(spec, value)
