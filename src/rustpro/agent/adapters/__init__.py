"""Model adapters: `openai:MODEL`, `anthropic:MODEL` and `scripted:FILE`, opened by spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rustpro.agent.adapters.base import ModelAdapter
from rustpro.errors import ModelError, UsageError

PROVIDERS = ("openai", "anthropic", "scripted")
KEY_VARIABLES = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
# Sent when no key is set but a --base-url is: local servers (Ollama, llama.cpp) ignore it,
# and the SDKs refuse to start without one.
LOCAL_PLACEHOLDER_KEY = "no-key-needed"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """`provider:name` from --model (the name may hold colons: `openai:qwen2.5-coder:7b`)."""

    provider: str
    name: str

    @classmethod
    def parse(cls, spec: str) -> ModelSpec:
        """Read a spec; raises `UsageError` for an unknown provider or an empty name."""
        provider, _, name = spec.partition(":")
        if provider not in PROVIDERS or not name:
            raise UsageError(
                f"unknown model `{spec}`: use openai:MODEL, anthropic:MODEL or scripted:FILE"
            )
        return cls(provider, name)

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True, slots=True)
class Connection:
    """How to reach a hosted or local model."""

    base_url: str | None = None
    api_key_env: str | None = None
    max_retries: int = 2
    max_output_tokens: int | None = None
    stream: bool = False


def key_variable(spec: ModelSpec, connection: Connection) -> str | None:
    """The environment variable that holds the API key (None for scripted models)."""
    if spec.provider == "scripted":
        return None
    return connection.api_key_env or KEY_VARIABLES[spec.provider]


def open_model(
    spec: ModelSpec, connection: Connection, env: Mapping[str, str]
) -> tuple[ModelAdapter, str | None]:
    """The adapter for `spec`, and the API key it was given (to keep it out of every
    transcript and message); raises `ModelError` (configuration) when no key is set for a
    hosted service."""
    if spec.provider == "scripted":
        from rustpro.agent.adapters.scripted import ScriptedModel

        return ScriptedModel(Path(spec.name)), None
    variable = key_variable(spec, connection)
    assert variable is not None
    key = env.get(variable) or None
    if key is None:
        if connection.base_url is None:
            raise ModelError(
                f"no API key for {spec}: set {variable}"
                + (
                    "" if connection.api_key_env else " or name another variable with --api-key-env"
                ),
                configuration=True,
            )
        key = LOCAL_PLACEHOLDER_KEY
    if spec.provider == "openai":
        from rustpro.agent.adapters.openai import OpenAIChat

        adapter: ModelAdapter = OpenAIChat(
            spec.name,
            api_key=key,
            base_url=connection.base_url,
            max_retries=connection.max_retries,
            stream=connection.stream,
            max_output_tokens=connection.max_output_tokens,
        )
    else:
        from rustpro.agent.adapters.anthropic import AnthropicMessages

        adapter = AnthropicMessages(
            spec.name,
            api_key=key,
            base_url=connection.base_url,
            max_retries=connection.max_retries,
            stream=connection.stream,
            max_output_tokens=connection.max_output_tokens,
        )
    return adapter, key


__all__ = ["Connection", "ModelAdapter", "ModelError", "ModelSpec", "open_model"]
