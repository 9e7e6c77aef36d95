"""How the UI words an exception from a worker: a title and a hint, never a traceback."""

from __future__ import annotations

from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.redact import redact


def describe_error(error: BaseException | None) -> tuple[str, str]:
    """(title, hint) for a notification: ours carry both; others give their class and text."""
    if isinstance(error, HfEcoError):
        return error.title, error.hint
    if error is None:
        return "Unknown error", ""
    return type(error).__name__, redact(str(error))[:300]
