"""What the two official SDKs share: a lazy import, and their errors turned into one line.

Both SDKs are imported only when a model of theirs is asked for, so `rustpro audit` never
pays for them. Their clients retry connection errors, 408, 409, 429 and 5xx answers
themselves (`max_retries`, honouring `retry-after`); what still fails reaches `explain_error`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from rustpro.agent.adapters.base import short
from rustpro.errors import ModelError

# HTTP statuses that no retry or later run fixes without the user: the key, the model name.
_CONFIGURATION_STATUSES = (400, 401, 403, 404, 422)


def import_sdk(name: str) -> ModuleType:
    """The SDK module `name` (`openai`, `anthropic`); raises `ModelError` when missing."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        raise ModelError(
            f"the `{name}` package is needed for {name}: models ({err}); "
            f"install it with `pip install {name}`",
            configuration=True,
        ) from None


def explain_error(sdk: ModuleType, err: Exception, service: str) -> ModelError:
    """One line for what went wrong asking `service`, as a `ModelError`."""
    status_error = getattr(sdk, "APIStatusError", ())
    connection_error = getattr(sdk, "APIConnectionError", ())
    timeout_error = getattr(sdk, "APITimeoutError", ())
    validation_error = getattr(sdk, "APIResponseValidationError", ())
    if isinstance(err, timeout_error):
        return ModelError(f"{service} did not answer in time (after the client's retries)")
    if isinstance(err, connection_error):
        cause = err.__cause__ or err.__context__
        detail = f": {short(str(cause), 160)}" if cause is not None else ""
        return ModelError(f"cannot reach {service} (after the client's retries){detail}")
    if isinstance(err, validation_error):
        return ModelError(f"{service} sent a malformed response: {short(str(err), 200)}")
    if isinstance(err, status_error):
        status = int(getattr(err, "status_code", 0) or 0)
        message = _body_message(getattr(err, "body", None)) or str(err)
        return ModelError(
            f"{service} answered HTTP {status}: {short(message, 240)}",
            configuration=status in _CONFIGURATION_STATUSES,
        )
    return ModelError(f"{service} failed: {type(err).__name__}: {short(str(err), 240)}")


def _body_message(body: Any) -> str:
    """The human part of an error body (`{"error": {"message": ...}}` and variants)."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            message = inner.get("message")
            if isinstance(message, str):
                return message
        elif isinstance(inner, str):
            return inner
    if isinstance(body, str):
        return body
    return ""


def as_dict(value: Any) -> dict[str, Any]:
    """An SDK response object (a pydantic model) or a plain dict, as a dict; raises
    `ValueError` when it is neither (a server that answered something that is not JSON)."""
    if isinstance(value, dict):
        return value
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        # A malformed answer makes pydantic warn on stderr; the caller reports it instead.
        data = dump(warnings=False)
        if isinstance(data, dict):
            return data
    raise ValueError(f"not a JSON object: {short(repr(value), 200)}")
