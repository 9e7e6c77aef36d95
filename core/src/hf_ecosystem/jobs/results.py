"""Typed job results: each kind's result type has `to_dict`/`from_dict`; readers get the type.

The worker stores `to_dict()` in the job record; `job_result(record)` turns it back into the
kind's type, found by import path (imported then, so the types must stay light). `from_dict`
accepts what older versions stored: every field has a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self, TypeVar

from hf_ecosystem.jobs.kinds import KINDS
from hf_ecosystem.jobs.params import resolve
from hf_ecosystem.jobs.store import JobRecord


class JobResult(Protocol):
    """What every kind's result type provides."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as the job record stores it."""
        ...

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Read a stored result back."""
        ...


R = TypeVar("R")


def result_type(kind: str) -> type[JobResult] | None:
    """The result type of a kind (None for a kind this version does not know)."""
    found = KINDS.get(kind)
    if found is None:
        return None
    cls: type[JobResult] = resolve(found.result)
    return cls


def job_result(record: JobRecord) -> JobResult | None:
    """The record's result as its kind's type; None while it has none."""
    cls = result_type(record.kind)
    if record.result is None or cls is None:
        return None
    return cls.from_dict(record.result)


def result_as(record: JobRecord, cls: type[R]) -> R | None:
    """The record's result when it is a `cls` (a job of the kind that returns one), else None."""
    found = job_result(record)
    return found if isinstance(found, cls) else None


# -- reading plain data defensively (results are JSON written by any version) -----------------


def text(data: Mapping[str, Any], key: str, default: str = "") -> str:
    """A string field."""
    value = data.get(key)
    return value if isinstance(value, str) else default


def optional_text(data: Mapping[str, Any], key: str) -> str | None:
    """A string field that may be absent."""
    value = data.get(key)
    return value if isinstance(value, str) else None


def integer(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    """An integer field."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def optional_integer(data: Mapping[str, Any], key: str) -> int | None:
    """An integer field that may be absent."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def flag(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    """A boolean field."""
    value = data.get(key)
    return value if isinstance(value, bool) else default


def texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list-of-strings field."""
    value = data.get(key)
    items: list[object] = list(value) if isinstance(value, list | tuple) else []  # pyright: ignore[reportUnknownArgumentType]
    return tuple(str(v) for v in items)


def numbers(data: Mapping[str, Any], key: str) -> dict[str, float]:
    """A name → number field (metrics)."""
    value = data.get(key)
    if not isinstance(value, Mapping):
        return {}
    return {
        str(k): float(v)  # pyright: ignore[reportUnknownArgumentType]
        for k, v in value.items()  # pyright: ignore[reportUnknownVariableType]
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def mapping(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    """A nested object field."""
    value = data.get(key)
    return dict(value) if isinstance(value, Mapping) else {}  # pyright: ignore[reportUnknownArgumentType]
