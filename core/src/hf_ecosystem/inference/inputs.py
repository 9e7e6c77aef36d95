"""Read one task input (a bare value or a dict of fields) and shape raw outputs as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hf_ecosystem.inference.errors import BadInputError


def text_of(item: Any, field: str = "text") -> str:
    """The text of an input: a string, or a mapping's `field`."""
    value = item.get(field) if isinstance(item, Mapping) else item
    if not isinstance(value, str) or not value.strip():
        raise BadInputError(
            f"Expected non-empty text, got {type(value).__name__}",
            f'Pass a string or a dict with a "{field}" string.',
        )
    return value


def fields_of(item: Any, names: tuple[str, ...], *, aliases: Mapping[str, str] = {}) -> list[Any]:
    """The named fields of a dict input, in order (`aliases` maps other accepted names)."""
    if isinstance(item, tuple | list) and len(item) == len(names):
        return list(item)
    if not isinstance(item, Mapping):
        raise BadInputError(
            f"Expected a dict with {', '.join(names)}", f"Got {type(item).__name__}."
        )
    found = {aliases.get(k, k): v for k, v in item.items()}
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
