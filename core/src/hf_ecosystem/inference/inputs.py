"""Read one task input (a bare value or a dict of fields) and shape raw outputs as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from hf_ecosystem.inference.errors import BadInputError


def as_dict(value: Any) -> dict[str, Any] | None:
    """`value` when it is a dict (typed for the checker: inputs are untyped JSON), else None."""
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def as_mapping(value: Any) -> Mapping[str, Any] | None:
    """`value` when it is a Mapping, else None."""
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else None


def as_list(value: Any) -> list[Any] | None:
    """`value` when it is a list, else None."""
    return cast("list[Any]", value) if isinstance(value, list) else None


def _as_sequence(value: Any) -> Sequence[Any] | None:
    return cast("Sequence[Any]", value) if isinstance(value, tuple | list) else None


def text_of(item: Any, field: str = "text") -> str:
    """The text of an input: a string, or a mapping's `field`."""
    mapping = as_mapping(item)
    value = mapping.get(field) if mapping is not None else item
    if not isinstance(value, str) or not value.strip():
        raise BadInputError(
            f"Expected non-empty text, got {type(value).__name__}",
            f'Pass a string or a dict with a "{field}" string.',
        )
    return value


def fields_of(item: Any, names: tuple[str, ...], *, aliases: Mapping[str, str] = {}) -> list[Any]:
    """The named fields of a dict input, in order (`aliases` maps other accepted names)."""
    sequence = _as_sequence(item)
    if sequence is not None and len(sequence) == len(names):
        return list(sequence)
    mapping = as_mapping(item)
    if mapping is None:
        raise BadInputError(
            f"Expected a dict with {', '.join(names)}", f"Got {type(item).__name__}."
        )
    found = {aliases.get(k, k): v for k, v in mapping.items()}
    missing = [n for n in names if found.get(n) is None]
    if missing:
        raise BadInputError(
            f"Input is missing {', '.join(repr(m) for m in missing)}",
            f"Pass a dict with {', '.join(names)}.",
        )
    return [found[n] for n in names]


def labels_of(value: Any) -> list[str]:
    """Candidate labels: a list of strings or one comma-separated string."""
    labels = [s.strip() for s in value.split(",")] if isinstance(value, str) else list(value)
    labels = [s for s in labels if isinstance(s, str) and s.strip()]
    if not labels:
        raise BadInputError("No candidate labels", 'Pass "labels": ["sport", "politics", …].')
    return labels


def label_scores(pairs: Iterable[tuple[Any, Any]], **extra: list[Any]) -> list[dict[str, Any]]:
    """[{"label", "score", …extra}] from (label, score) pairs, highest score first."""
    rows = [
        {"label": str(label), "score": float(score)} | {k: v[i] for k, v in extra.items()}
        for i, (label, score) in enumerate(pairs)
    ]
    return sorted(rows, key=lambda row: row["score"], reverse=True)


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    """Consecutive slices of at most `size` items."""
    size = max(1, int(size))
    for start in range(0, len(items), size):
        yield items[start : start + size]
