"""A job handler that fails with a token in its message, for the worker's redaction test."""

from __future__ import annotations

from typing import NoReturn

from hf_ecosystem.jobs.context import JobContext

LEAKED = "hf_LeakedTokenInAnError0123456789"


def explode(ctx: JobContext) -> NoReturn:
    """Raise an unexpected error whose text (and so traceback) holds a token."""
    raise RuntimeError(f"request failed with Authorization: Bearer {LEAKED} for {ctx.job_id}")
