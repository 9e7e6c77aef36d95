"""Plain, typed results of the data layer: what crosses from core to UI (no Arrow, no datasets)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

SourceKind = Literal["file", "folder", "hub", "local-hub", "url"]
DataFormat = Literal["parquet", "csv", "tsv", "json", "text", "arrow"]


def _json_number(value: float | int | None) -> float | int | str | None:
    """NaN and infinities as strings, since JSON has no spelling for them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


@dataclass(frozen=True, slots=True)
class SplitSummary:
    """One split of one config: its data files, their format and size, and rows when known."""

    name: str
    format: DataFormat
    files: tuple[str, ...]
    num_bytes: int | None = None
    num_rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "format": self.format,
            "files": list(self.files),
            "num_bytes": self.num_bytes,
            "num_rows": self.num_rows,
        }


@dataclass(frozen=True, slots=True)
class ConfigSummary:
    """One config (subset) of a dataset and its splits."""

    name: str
    splits: tuple[SplitSummary, ...]
    default: bool = False

    @property
    def split_names(self) -> tuple[str, ...]:
        """The split names, in the dataset's order."""
        return tuple(s.name for s in self.splits)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "default": self.default,
            "splits": [s.to_dict() for s in self.splits],
        }


@dataclass(frozen=True, slots=True)
class DatasetInfoSummary:
    """What a DATASET_OR_PATH holds: where it lives, its configs and their splits."""

    spec: str
    kind: SourceKind
    location: str
    configs: tuple[ConfigSummary, ...]

    @property
    def config_names(self) -> tuple[str, ...]:
        """The config names, default first."""
        return tuple(c.name for c in self.configs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "spec": self.spec,
            "kind": self.kind,
            "location": self.location,
            "configs": [c.to_dict() for c in self.configs],
        }


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    """A column's name and Arrow type, with class names when it is a ClassLabel."""

    name: str
    type: str
    labels: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"name": self.name, "type": self.type, "labels": list(self.labels)}


@dataclass(frozen=True, slots=True)
class PreviewPage:
    """The first rows of a split as plain Python values (long cells cut, bytes summarised)."""

    spec: str
    config: str
    split: str
    columns: tuple[ColumnInfo, ...]
    rows: tuple[tuple[Any, ...], ...]
    total_rows: int | None = None
    truncated_cells: int = 0
    seconds: float = 0.0

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(c.name for c in self.columns)

    def records(self) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        names = self.column_names
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "spec": self.spec,
            "config": self.config,
            "split": self.split,
            "columns": [c.to_dict() for c in self.columns],
            "rows": self.records(),
            "total_rows": self.total_rows,
            "truncated_cells": self.truncated_cells,
        }


@dataclass(frozen=True, slots=True)
class Distribution:
    """Summary of a set of numbers: exact count/min/max/mean/std, quantiles exact or sampled."""

    count: int
    min: float | int | None = None
    max: float | int | None = None
    mean: float | None = None
    std: float | None = None
    quantiles: tuple[tuple[float, float], ...] = ()
    exact_quantiles: bool = True

    def quantile(self, q: float) -> float | None:
        """The value at quantile `q` when it was computed."""
        return next((v for p, v in self.quantiles if p == q), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "count": self.count,
            "min": _json_number(self.min),
            "max": _json_number(self.max),
            "mean": _json_number(self.mean),
            "std": _json_number(self.std),
            "quantiles": {f"{p:g}": _json_number(v) for p, v in self.quantiles},
            "exact_quantiles": self.exact_quantiles,
        }


@dataclass(frozen=True, slots=True)
class ColumnStats:
    """Statistics of one column, by what its type allows."""

    name: str
    type: str
    count: int
    missing: int
    nan: int = 0
    empty: int = 0
    numeric: Distribution | None = None
    char_lengths: Distribution | None = None
    token_lengths: Distribution | None = None
    list_lengths: Distribution | None = None
    top_values: tuple[tuple[Any, int], ...] = ()
    distinct: int | None = None
    distinct_capped: bool = False

    @property
    def missing_fraction(self) -> float:
        """Missing values over all values (0 for an empty column)."""
        total = self.count + self.missing
        return self.missing / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        optional = {
            "numeric": self.numeric,
            "char_lengths": self.char_lengths,
            "token_lengths": self.token_lengths,
            "list_lengths": self.list_lengths,
        }
        return {
            "name": self.name,
            "type": self.type,
            "count": self.count,
            "missing": self.missing,
            "missing_fraction": self.missing_fraction,
            "nan": self.nan,
            "empty": self.empty,
            **{k: v.to_dict() if v else None for k, v in optional.items()},
            "top_values": [[_json_number(v), c] for v, c in self.top_values],
            "distinct": self.distinct,
            "distinct_capped": self.distinct_capped,
        }


@dataclass(frozen=True, slots=True)
class LabelStats:
    """Class counts of the label column, most frequent first, and max/min count."""

    column: str
    counts: tuple[tuple[Any, int], ...]
    complete: bool = True

    @property
    def num_classes(self) -> int:
        """How many classes were seen."""
        return len(self.counts)

    @property
    def imbalance_ratio(self) -> float | None:
        """Largest class count over smallest (1.0 when balanced; None without classes)."""
        if not self.counts:
            return None
        counts = [c for _, c in self.counts]
        return max(counts) / min(counts)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "column": self.column,
            "counts": [[v, c] for v, c in self.counts],
            "num_classes": self.num_classes,
            "imbalance_ratio": self.imbalance_ratio,
            "complete": self.complete,
        }


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """Statistics of one split, computed in one streaming pass."""

    spec: str
    config: str
    split: str
    rows: int
    columns: tuple[ColumnStats, ...]
    label: LabelStats | None = None
    complete: bool = True
    seconds: float = 0.0
    warnings: tuple[str, ...] = field(default=())

    def column(self, name: str) -> ColumnStats:
        """One column's statistics (KeyError when it was not computed)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "spec": self.spec,
            "config": self.config,
            "split": self.split,
            "rows": self.rows,
            "complete": self.complete,
            "seconds": self.seconds,
            "columns": [c.to_dict() for c in self.columns],
            "label": self.label.to_dict() if self.label else None,
            "warnings": list(self.warnings),
        }
