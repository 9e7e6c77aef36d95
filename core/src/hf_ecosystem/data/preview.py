"""The first rows of a dataset split, read with pyarrow: never the whole file, never `datasets`."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping, Sequence, Sized
from decimal import Decimal
from typing import Any, cast

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.readers import read_batches
from hf_ecosystem.data.sources import DataSource, resolve
from hf_ecosystem.data.types import ColumnInfo, PreviewPage

MAX_PREVIEW_ROWS = 10_000
_MAX_LIST_ITEMS = 50


def preview(
    spec: str | DataSource,
    *,
    split: str | None = None,
    config: str | None = None,
    rows: int = 20,
    columns: Sequence[str] | None = None,
    offline: bool | None = None,
    max_cell_chars: int = 500,
) -> PreviewPage:
    """The first `rows` rows of a split as plain values; long text and lists are cut."""
    start = time.perf_counter()
    if not 1 <= rows <= MAX_PREVIEW_ROWS:
        raise DataError(f"cannot preview {rows} rows", hint=f"Ask for 1 to {MAX_PREVIEW_ROWS}.")
    source = spec if isinstance(spec, DataSource) else resolve(spec, offline=offline)
    chosen, split_files = source.split(split, config)
    schema: Any = None  # a pyarrow Schema (pyarrow ships no type information)
    out: list[tuple[Any, ...]] = []
    cut = 0
    for file in split_files.files:
        batches = read_batches(
            file, split_files.format, columns=columns, batch_rows=rows, block_size=1 << 20
        )
        try:
            for batch in batches:
                schema = schema or batch.schema
                take = batch.slice(0, rows - len(out)).to_pylist()
                for record in take:
                    row: list[Any] = []
                    for value in record.values():
                        plain, was_cut = plain_value(value, max_cell_chars)
                        row.append(plain)
                        cut += was_cut
                    out.append(tuple(row))
                if len(out) >= rows:
                    break
        finally:
            batches.close()  # stop reading (and close the file) as soon as the page is full
        if len(out) >= rows:
            break
    assert schema is not None  # read_batches always yields a first batch carrying the schema
    labels = {**chosen.class_labels, **class_labels_from_schema(schema)}
    return PreviewPage(
        spec=source.spec,
        config=chosen.name,
        split=split_files.name,
        columns=tuple(
            ColumnInfo(f.name, str(f.type), tuple(labels.get(f.name, ()))) for f in schema
        ),
        rows=tuple(out),
        total_rows=_total_rows(source, split_files),
        truncated_cells=cut,
        seconds=time.perf_counter() - start,
    )


def _total_rows(source: DataSource, split: Any) -> int | None:
    if split.num_rows is not None:
        return split.num_rows
    if source.kind in ("file", "folder", "local-hub") and split.format == "parquet":
        return split.summary(count_rows=True).num_rows
    return None


def class_labels_from_schema(schema: Any) -> dict[str, tuple[str, ...]]:
    """ClassLabel names that `datasets` keeps in a Parquet/Arrow schema's metadata."""
    metadata: dict[bytes, bytes] = schema.metadata or {}
    raw = metadata.get(b"huggingface")
    if not raw:
        return {}
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {}
    info = _mapping(meta).get("info", {})
    features = _mapping(_mapping(info).get("features", {}))
    out: dict[str, tuple[str, ...]] = {}
    for name, feature in features.items():
        if isinstance(feature, Mapping):
            typed = _mapping(feature)
            if typed.get("_type") == "ClassLabel":
                out[str(name)] = tuple(str(n) for n in typed.get("names") or ())
    return out


def _mapping(value: Any) -> Mapping[Any, Any]:
    """Parsed JSON as a mapping: the value itself when it is one, else an empty one."""
    return cast("Mapping[Any, Any]", value) if isinstance(value, Mapping) else {}


def plain_value(value: Any, max_chars: int = 500) -> tuple[Any, bool]:
    """A JSON-friendly copy of one cell, and whether something was cut."""
    if value is None or isinstance(value, bool | int | float):
        return value, False
    if isinstance(value, str):
        if len(value) > max_chars:
            return value[:max_chars] + "…", True
        return value, False
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(cast('Sized', value))} bytes>", False
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(), False
    if isinstance(value, Decimal | dt.timedelta):
        return str(value), False
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        cut = False
        for key, item in _mapping(value).items():
            out[str(key)], was_cut = plain_value(item, max_chars)
            cut = cut or was_cut
        return out, cut
    if isinstance(value, list | tuple):
        value = cast("list[Any] | tuple[Any, ...]", value)
        items = [plain_value(v, max_chars) for v in value[:_MAX_LIST_ITEMS]]
        cut = len(value) > _MAX_LIST_ITEMS or any(c for _, c in items)
        values = [v for v, _ in items]
        if len(value) > _MAX_LIST_ITEMS:
            values.append(f"… {len(value) - _MAX_LIST_ITEMS} more")
        return values, cut
    text = str(value)
    return (text[:max_chars] + "…", True) if len(text) > max_chars else (text, False)
