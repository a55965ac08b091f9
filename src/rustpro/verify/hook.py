"""`rustpro verify --hook claude`: verify as a Claude Code Stop hook.

Claude Code runs the hook when the agent is about to stop and passes a JSON payload on stdin
(`session_id`, `cwd`, `stop_hook_active`, `transcript_path`, ...). The answer is the hook
protocol's: exit 0 lets the agent stop; exit 2 blocks the stop and Claude reads stderr as
the reason to continue. So:

- verification passes: exit 0 (the session's block count is reset);
- a check fails: exit 2 with the text report on stderr, and the session's count of
  consecutive blocks goes up;
- verify cannot run (no start, a tool missing, a bug in rustpro): fail closed, exit 2 with
  a one-paragraph reason, counted the same way;
- after `cap` consecutive blocks (default 3) the next stop is let through with a message
  for the user, so a model that cannot fix the problem does not loop forever; the count
  starts again.

Counts live in rustpro's cache dir (`verify/hook/`), one small file per session.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rustpro.cachedir import cache_root, put_json
from rustpro.errors import AuditPathError, RustproError
from rustpro.verify.render import render_text
from rustpro.verify.result import VerifyReport
from rustpro.verify.run import VerifyOptions, verify, verify_root

DEFAULT_RETRY_CAP = 3
EXIT_ALLOW = 0
EXIT_BLOCK = 2

Verifier = Callable[[Path, VerifyOptions], VerifyReport]


@dataclass(frozen=True, slots=True)
class HookAnswer:
    """What the hook process prints and how it exits."""

    exit_code: int
    stdout: str = ""
    stderr: str = ""


class BlockCount:
    """Consecutive blocked stops of one session, kept in the cache dir."""

    def __init__(self, session_id: str, root: Path | None = None) -> None:
        digest = hashlib.sha256(session_id.encode("utf-8", "replace")).hexdigest()[:32]
        self.path = (root or cache_root()) / "verify" / "hook" / f"{digest}.json"

    def read(self) -> int:
        """The count so far (0 when none was kept or it cannot be read)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            count = data.get("blocks", 0) if isinstance(data, dict) else 0
            return count if isinstance(count, int) and count >= 0 else 0
        except (OSError, ValueError):
            return 0

    def write(self, count: int) -> None:
        """Keep `count` (atomically; a cache that cannot be written only loses the cap)."""
        put_json(self.path, {"blocks": count})


def claude_stop_hook(
    stdin_text: str,
    path: Path | None,
    options: VerifyOptions,
    *,
    cap: int = DEFAULT_RETRY_CAP,
    run: Verifier = verify,
) -> HookAnswer:
    """The hook's answer to one Stop payload. Never raises for anything verify does."""
    payload = _payload(stdin_text)
    if payload is None:
        counter = BlockCount("(no session)")
        reason = (
            "rustpro verify --hook claude: the Stop hook payload on stdin is not a JSON object, "
            "so the change could not be verified"
        )
        return _block(counter, reason, cap)
    counter = BlockCount(str(payload.get("session_id") or "(no session)"))
    blocked = counter.read()
    if blocked >= cap:
        counter.write(0)
        message = (
            f"rustpro verify blocked this stop {blocked} times in a row and the checks still "
            "fail; letting the session stop. Run `rustpro verify` to see what is left."
        )
        return HookAnswer(EXIT_ALLOW, stdout=json.dumps({"systemMessage": message}) + "\n")
    where = path if path is not None else Path(str(payload.get("cwd") or "."))
    try:
        verify_root(where)
    except AuditPathError:
        # Not a Rust project: nothing for this hook to verify, so nothing to hold up.
        return HookAnswer(EXIT_ALLOW)
    except RustproError as err:
        return _block(counter, f"rustpro verify could not run: {err}", cap)
    try:
        report = run(where, options)
    except RustproError as err:
        return _block(
            counter, f"rustpro verify could not run, so the change is not verified: {err}", cap
        )
    except RecursionError:
        return _block(
            counter, "rustpro verify failed: internal error: input nested too deeply", cap
        )
    except Exception as err:  # fail closed: a bug in rustpro must not let the stop through
        reason = f"rustpro verify failed: internal error: {type(err).__name__}: {err}"
        return _block(counter, reason, cap)
    if report.verdict == "pass":
        counter.write(0)
        return HookAnswer(EXIT_ALLOW)
    return _block(counter, render_text(report), cap)


def _payload(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _block(counter: BlockCount, reason: str, cap: int) -> HookAnswer:
    count = counter.read() + 1
    counter.write(count)
    tail = (
        f"\n(rustpro verify blocked this stop: {count} of {cap} consecutive blocks before it "
        "lets the session stop. Fix the problems above, then stop again.)\n"
    )
    return HookAnswer(EXIT_BLOCK, stderr=reason.rstrip("\n") + "\n" + tail)
