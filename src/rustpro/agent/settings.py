"""The agent's settings from the user's configuration and the environment.

    command line  >  environment (RUSTPRO_AGENT_MODEL, RUSTPRO_AGENT_BASE_URL)
                  >  the user's agent.toml  >  built-in defaults

The file is `agent.toml` in the user's config dir (`$RUSTPRO_AGENT_CONFIG` names another).
A project's own files (`rustpro.toml`, `Cargo.toml`) are never read for these settings: a
repository must not be able to send your API key to a server of its choosing (`base-url`)
or make rustpro read another secret as the key (`api-key-env`).

    model = "openai:qwen2.5-coder:7b"
    base-url = "http://127.0.0.1:11434/v1"
    api-key-env = "OLLAMA_API_KEY"
    max-retries = 2
    max-output-tokens = 8192

    [prices."qwen2.5-coder"]     # USD per million tokens
    input = 0.0
    output = 0.0

    [model-aliases]              # a sub-agent definition's `model: sonnet`
    sonnet = "anthropic:claude-sonnet-4-5"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from rustpro.agent.budget import Price, PriceTable
from rustpro.errors import ConfigError

CONFIG_ENV = "RUSTPRO_AGENT_CONFIG"
MODEL_ENV = "RUSTPRO_AGENT_MODEL"
BASE_URL_ENV = "RUSTPRO_AGENT_BASE_URL"
DEFAULT_MODEL = "anthropic:claude-sonnet-4-5"
DEFAULT_MAX_RETRIES = 2
# Claude Code's model aliases in a sub-agent definition.
DEFAULT_ALIASES: Mapping[str, str] = {
    "sonnet": "anthropic:claude-sonnet-4-5",
    "opus": "anthropic:claude-opus-4-1",
    "haiku": "anthropic:claude-haiku-4-5",
}
_KEYS = ("model", "base-url", "api-key-env", "max-retries", "max-output-tokens")
_TABLES = ("prices", "model-aliases")


@dataclass(frozen=True, slots=True)
class AgentSettings:
    """Where the model is and how it is asked, before the command line has its say."""

    model: str = DEFAULT_MODEL
    # Where `model` came from: "built-in default", the variable or the file.
    model_source: str = "built-in default"
    base_url: str | None = None
    api_key_env: str | None = None
    max_retries: int = DEFAULT_MAX_RETRIES
    max_output_tokens: int | None = None
    prices: PriceTable = field(default_factory=PriceTable)
    aliases: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ALIASES))
    config_path: Path | None = None


def config_path(env: Mapping[str, str]) -> Path:
    """The user's agent.toml (`$RUSTPRO_AGENT_CONFIG` wins)."""
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("rustpro")) / "agent.toml"


def load_settings(env: Mapping[str, str] | None = None) -> AgentSettings:
    """The settings from the user's config file and the environment; raises `ConfigError`
    (one line, exit 2) for a file that is not valid."""
    env = os.environ if env is None else env
    path = config_path(env)
    data = _read(path) if path.is_file() else {}
    model = str(data.get("model") or DEFAULT_MODEL)
    source = f"{path}" if data.get("model") else "built-in default"
    if env.get(MODEL_ENV):
        model, source = env[MODEL_ENV], MODEL_ENV
    base_url = env.get(BASE_URL_ENV) or data.get("base-url")
    prices = {name: _price(path, name, value) for name, value in data.get("prices", {}).items()}
    aliases = dict(DEFAULT_ALIASES)
    aliases.update({str(k): str(v) for k, v in data.get("model-aliases", {}).items()})
    return AgentSettings(
        model=model,
        model_source=source,
        base_url=str(base_url) if base_url else None,
        api_key_env=data.get("api-key-env"),
        max_retries=int(data.get("max-retries", DEFAULT_MAX_RETRIES)),
        max_output_tokens=data.get("max-output-tokens"),
        prices=PriceTable(prices),
        aliases=aliases,
        config_path=path if data else None,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read: {err.strerror or err}", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"not valid TOML: {err}", path) from None
    unknown = sorted(set(data) - set(_KEYS) - set(_TABLES))
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(unknown)}; known: {', '.join((*_KEYS, *_TABLES))}", path
        )
    for key in ("model", "base-url", "api-key-env"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"`{key}` must be a string", path)
    for key in ("max-retries", "max-output-tokens"):
        value = data.get(key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ConfigError(f"`{key}` must be a whole number of 0 or more", path)
    for table in _TABLES:
        if table in data and not isinstance(data[table], dict):
            raise ConfigError(f"`{table}` must be a table", path)
    return data


def _price(path: Path, name: str, value: Any) -> Price:
    if not isinstance(value, dict):
        raise ConfigError(f"[prices.{name!r}] must be a table with input and output", path)
    try:
        return Price(float(value["input"]), float(value["output"]))
    except (KeyError, TypeError, ValueError):
        raise ConfigError(
            f"[prices.{name!r}] needs `input` and `output`, USD per million tokens", path
        ) from None
