"""The transcript: one JSON record per line, per event of the run (docs/agent-transcript.md).

Every record has `v` (the schema version), `seq` (1, 2, ...), `t` (seconds since the run
began), `type` and `agent` (`main`, or `main/1` for its first sub-agent, `main/1/1` for that
one's first ...). Each line is written and flushed as the event happens, so a run that ends
abruptly still leaves everything up to that point. Secrets (the API key, and the values of
variables named like one) are replaced by `[redacted]` in every string before it is written.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, Any

from rustpro.errors import UsageError

SCHEMA_VERSION = 1
REDACTED = "[redacted]"
# Environment variables whose values are treated as secrets wherever they appear.
_SECRET_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
_MIN_SECRET = 8


class Redactor:
    """Replaces known secret values in text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= _MIN_SECRET}, key=len, reverse=True)

    @classmethod
    def from_environment(cls, env: Mapping[str, str], extra: Iterable[str | None] = ()) -> Redactor:
        """Secrets: `extra` (the API key in use) and every variable named like a secret."""
        values = [value for name, value in env.items() if _SECRET_NAME.search(name)]
        return cls([*values, *(s for s in extra if s)])

    def text(self, value: str) -> str:
        """`value` with every secret replaced."""
        for secret in self._secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def split_safe(self, text: str) -> tuple[str, str]:
        """`(redacted, held)`: `text` redacted, except for its longest ending that could be
        the start of a secret (held back until more text shows whether it is one)."""
        held = ""
        for secret in self._secrets:
            for size in range(min(len(secret) - 1, len(text)), len(held), -1):
                if text.endswith(secret[:size]):
                    held = text[-size:]
                    break
        return self.text(text[: len(text) - len(held)]), held

    def clean(self, value: Any) -> Any:
        """A JSON-like value with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.clean(v) for v in value]
        return value


class Transcript:
    """Writes the run's records to a JSONL file."""

    def __init__(self, path: Path, redactor: Redactor, clock: Any = time.monotonic) -> None:
        self.path = path
        self._redactor = redactor
        self._clock = clock
        self._started = clock()
        self._seq = 0
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._stream: IO[str] = path.open("w", encoding="utf-8")
        except OSError as err:
            raise UsageError(f"cannot write the transcript {path}: {err.strerror or err}") from None

    def write(self, kind: str, agent: str, fields: Mapping[str, Any]) -> None:
        """Write one record (flushed at once)."""
        with self._lock:
            self._seq += 1
            record = {
                "v": SCHEMA_VERSION,
                "seq": self._seq,
                "t": round(self._clock() - self._started, 3),
                "type": kind,
                "agent": agent,
                **self._redactor.clean(dict(fields)),
            }
            self._stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self._stream.flush()

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._stream.close()


def default_path(directory: Path) -> Path:
    """A new transcript file's path in `directory`, named by the time and the process."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return directory / f"{stamp}-{os.getpid()}.jsonl"


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a transcript (for tests and tools that read one back)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
