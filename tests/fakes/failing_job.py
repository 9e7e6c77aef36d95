"""A job handler that fails with a token in its message, for the worker's redaction test."""

from __future__ import annotations

from typing import NoReturn

from hf_ecosystem.jobs.context import JobContext

LEAKED = "hf_LeakedTokenInAnError0123456789"


def explode(ctx: JobContext) -> NoReturn:
    """Raise an unexpected error whose text (and so traceback) holds a token."""
    raise RuntimeError(f"request failed with Authorization: Bearer {LEAKED} for {ctx.job_id}")


def swallow_cancel(ctx: JobContext) -> NoReturn:
    """A handler whose library code turns the cancel (SIGTERM) into its own error, as a
    download's `except Exception` wrapper can: the worker must still record a cancel."""
    import os
    import signal

    from hf_ecosystem.errors import HfEcoError

    try:
        os.kill(os.getpid(), signal.SIGTERM)  # the manager's cancel, delivered here
        raise AssertionError("the SIGTERM handler did not run")
    except Exception as exc:
        raise HfEcoError("Download failed: connection reset", str(exc)) from exc
