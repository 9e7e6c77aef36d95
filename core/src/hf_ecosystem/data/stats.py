"""Statistics of a dataset split in one streaming pass over pyarrow record batches."""

# pyright: basic
# Arrow kernels over pyarrow, which ships no type information: strict would report every
# pyarrow call as Unknown. Callers see typed results; the typed edge is this module's API.

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hf_ecosystem.data.accumulators import DISTINCT_CAP, NumberAccumulator, ValueCounter
from hf_ecosystem.data.arrays import as_numpy, numbers_of, text_lengths
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.prefetch import prefetch
from hf_ecosystem.data.preview import class_labels_from_schema
from hf_ecosystem.data.readers import check_columns, iter_split
from hf_ecosystem.data.sources import DataSource, resolve
from hf_ecosystem.data.tokenizer_source import fast_tokenizer as fast_tokenizer  # re-exported
from hf_ecosystem.data.types import ColumnStats, DatasetStats, LabelStats

LABEL_NAMES = ("label", "labels", "class", "category", "topic", "target", "intent", "sentiment")
TokenCounter = Callable[[list[str]], np.ndarray]
BATCH_ROWS = 65_536


def _is_numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _is_text(t: pa.DataType) -> bool:
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def _is_categorical(t: pa.DataType) -> bool:
    return _is_text(t) or pa.types.is_integer(t) or pa.types.is_boolean(t)


def token_counter(tokenizer: Any) -> TokenCounter:
    """Token counts (no special tokens) per text, from a transformers or `tokenizers` tokenizer."""
    # Columns run in threads, and a fast tokenizer used from two threads at once fails
    # ("Already borrowed"): one call at a time.
    lock = threading.Lock()

    def count(texts: list[str]) -> np.ndarray:
        with lock:
            if hasattr(tokenizer, "encode_batch"):  # tokenizers.Tokenizer
                encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
                lengths = (len(e.ids) for e in encoded)
            else:
                ids = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
                lengths = (len(i) for i in ids)
            return np.fromiter(lengths, dtype=np.int64, count=len(texts))

    return count


class _Column:
    """Every accumulator one column needs, chosen by its Arrow type."""

    def __init__(self, name: str, dtype: pa.DataType, tokens: TokenCounter | None) -> None:
        self.name = name
        self.dtype = dtype
        value_type = dtype.value_type if pa.types.is_dictionary(dtype) else dtype
        self.value_type = value_type
        self.missing = 0
        self.nan = 0
        self.empty = 0
        self.count = 0
        self.numbers = NumberAccumulator() if _is_numeric(value_type) else None
        self.chars = NumberAccumulator(seed=1) if _is_text(value_type) else None
        self.tokens = NumberAccumulator(seed=2) if tokens and self.chars else None
        self.lists = NumberAccumulator(seed=3) if _is_list(value_type) else None
        self.values = ValueCounter() if _is_categorical(value_type) else None
        self._count_tokens = tokens

    def add(self, array: pa.Array) -> None:
        """Count one batch of this column: whole-array kernels, no Python per row."""
        if pa.types.is_dictionary(array.type):
            if self._add_dictionary(array):
                return
            array = array.dictionary_decode()
        if pa.types.is_string_view(array.type):  # few kernels take views (value_counts errs)
            array = array.cast(pa.large_string())
        nulls = array.null_count
        self.missing += nulls
        if self.numbers is not None:
            values, nan = numbers_of(array)
            self.nan += nan
            self.missing += nan
            self.count += values.size
            self.numbers.add(values)
        else:
            self.count += len(array) - nulls
        if self.chars is not None:
            lengths = text_lengths(array)
            self.empty += int(np.count_nonzero(lengths == 0))
            self.chars.add(lengths)
            if self.tokens is not None and self._count_tokens is not None and len(lengths):
                # Each distinct text is tokenised once per batch; repeats cost a lookup.
                encoded = pc.call_function("dictionary_encode", [array.drop_null()])
                per_text = self._count_tokens(encoded.dictionary.to_pylist())
                self.tokens.add(per_text[as_numpy(encoded.indices)])
        if self.lists is not None:
            lengths = pc.call_function("list_value_length", [array])
            self.lists.add(as_numpy(lengths.drop_null() if nulls else lengths))
        if self.values is not None:
            histogram = self.numbers.batch_histogram if self.numbers is not None else None
            if histogram is not None:  # class ids, scores: counts without hashing each value
                self.values.add_histogram(array, *histogram)
            else:
                self.values.add(array)

    def _add_dictionary(self, array: pa.DictionaryArray) -> bool:
        """Count a dictionary-encoded text or category batch from its indices; False to decode."""
        dictionary = array.dictionary
        if self.numbers is not None or self.lists is not None or dictionary.null_count:
            return False
        nulls = array.null_count
        self.missing += nulls
        self.count += len(array) - nulls
        indices = as_numpy(array.indices.drop_null() if nulls else array.indices)
        counts = np.bincount(indices, minlength=len(dictionary))
        if self.chars is not None:
            # Each entry's length (and tokens) once, weighted by how often the batch uses it.
            lengths = text_lengths(dictionary)
            self.empty += int(counts[lengths == 0].sum())
            self.chars.add_counts(lengths, counts)
            if self.tokens is not None and self._count_tokens is not None and len(indices):
                used = np.flatnonzero(counts)  # only the entries this batch uses are tokenised
                texts = dictionary.take(pa.array(used)).to_pylist()
                self.tokens.add_counts(self._count_tokens(texts), counts[used])
        if self.values is not None:
            self.values.add_dictionary(dictionary, counts)
        return True

    def result(self, top_k: int) -> ColumnStats:
        values = self.values
        return ColumnStats(
            name=self.name,
            type=str(self.value_type),
            count=self.count,
            missing=self.missing,
            nan=self.nan,
            empty=self.empty,
            numeric=self.numbers.result() if self.numbers else None,
            char_lengths=self.chars.result() if self.chars else None,
            token_lengths=self.tokens.result() if self.tokens else None,
            list_lengths=self.lists.result() if self.lists else None,
            top_values=tuple((_short(v), c) for v, c in values.top(top_k)) if values else (),
            distinct=values.distinct if values else None,
            distinct_capped=values.capped if values else False,
        )


def _short(value: Any, limit: int = 200) -> Any:
    """A long text value cut for display; its count stays exact."""
    return value[:limit] + "…" if isinstance(value, str) and len(value) > limit else value


def _pick_label(
    schema: pa.Schema, wanted: str | None, labels: dict[str, tuple[str, ...]]
) -> str | None:
    if wanted is not None:
        return wanted or None
    for field in schema:
        if field.name in labels:
            return field.name
    for field in schema:
        dtype = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if field.name.lower() in LABEL_NAMES and _is_categorical(dtype):
            return field.name
    return None


def compute_stats(  # over 60 lines: one streaming pass, its loop state in one frame
    spec: str | DataSource,
    *,
    split: str | None = None,
    config: str | None = None,
    columns: Sequence[str] | None = None,
    label_column: str | None = None,
    tokenizer: Any = None,
    max_rows: int | None = None,
    top_k: int = 10,
    offline: bool | None = None,
    cancel: threading.Event | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> DatasetStats:
    """Statistics of one split in one streaming pass.

    A thread reads the next batch while the columns of this one are summed in parallel.
    `label_column=None` picks a ClassLabel or a column named like a label; "" turns labels off.
    `tokenizer` (transformers or `tokenizers`) adds token lengths of text columns. `max_rows`
    stops early, as does `cancel`; the result then says `complete=False`. `workers` threads sum
    the columns (default: one per core, at most 4; 1 sums them in this thread).
    """
    start = time.perf_counter()
    source = spec if isinstance(spec, DataSource) else resolve(spec, offline=offline)
    chosen, split_files = source.split(split, config)
    read_columns = list(columns) if columns else None
    if read_columns and label_column and label_column not in read_columns:
        read_columns.append(label_column)
    counter = token_counter(tokenizer) if tokenizer is not None else None
    accs: dict[str, _Column] = {}
    label: str | None = None
    class_names: tuple[str, ...] = ()
    rows = 0
    complete = True
    warnings: list[str] = []
    reading = iter_split(
        split_files, columns=read_columns, batch_rows=BATCH_ROWS, cancel=cancel, dictionaries=True
    )
    batches = prefetch(reading)
    # Columns are summed in parallel: pyarrow and numpy release the GIL in their kernels.
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        for file, batch in batches:
            if not accs:
                labels = {**chosen.class_labels, **class_labels_from_schema(batch.schema)}
                if label_column:
                    check_columns(batch.schema.names, [label_column], file.name)
                label = _pick_label(batch.schema, label_column, labels)
                class_names = labels.get(label or "", ())
                for field in batch.schema:
                    tokens = counter if field.name != label else None
                    accs[field.name] = _Column(field.name, field.type, tokens)
            if max_rows is not None and rows + batch.num_rows > max_rows:
                batch = batch.slice(0, max_rows - rows)
                complete = False
            pairs = zip(batch.schema.names, batch.columns, strict=True)
            work = [(_checked(accs, name, array, file.name), array) for name, array in pairs]
            if pool is None:
                for acc, array in work:
                    acc.add(array)
            else:
                for _ in pool.map(lambda job: job[0].add(job[1]), work):
                    pass
            rows += batch.num_rows
            if progress is not None and batch.num_rows:
                progress(rows)
            if max_rows is not None and rows >= max_rows:
                complete = False
                break
    finally:
        batches.close()
        if pool is not None:
            pool.shutdown()
    if cancel is not None and cancel.is_set():
        complete = False
    results = tuple(acc.result(top_k) for acc in accs.values())
    for col in results:
        if col.distinct_capped:
            warnings.append(
                f"column {col.name!r}: over {DISTINCT_CAP} distinct values; top values count "
                f"only the first {DISTINCT_CAP} seen"
            )
    shown = tuple(c for c in results if not columns or c.name in columns)
    label_stats = _label_stats(accs[label], class_names) if label else None
    return DatasetStats(
        spec=source.spec,
        config=chosen.name,
        split=split_files.name,
        rows=rows,
        columns=shown,
        label=label_stats,
        complete=complete,
        seconds=time.perf_counter() - start,
        warnings=tuple(warnings),
    )


def _checked(accs: dict[str, _Column], name: str, array: pa.Array, file: str) -> _Column:
    """The column's accumulator; DataError when a later file adds a column or changes a type."""
    acc = accs.get(name)
    if acc is None:
        raise DataError(
            "this file has a column the first file of the split lacks",
            file=file,
            column=name,
            hint="Give every file of a split the same columns.",
        )
    kind = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    if not kind.equals(acc.value_type) and not _is_compatible(kind, acc.value_type):
        raise DataError(
            f"type {kind} here, {acc.value_type} in the first file of the split",
            file=file,
            column=name,
            hint="Give every file of a split the same column types.",
        )
    return acc


def _is_compatible(a: pa.DataType, b: pa.DataType) -> bool:
    """Types the accumulators treat alike (int widths, string flavours, floats)."""
    for check in (pa.types.is_integer, pa.types.is_floating, _is_text, pa.types.is_boolean):
        if check(a) and check(b):
            return True
    return False


def _label_stats(acc: _Column, class_names: tuple[str, ...]) -> LabelStats:
    counter = acc.values
    if counter is None:
        raise DataError(
            f"a {acc.dtype} column cannot be a label",
            column=acc.name,
            hint="Pick a column of class names or class ids.",
        )

    def name_of(value: Any) -> Any:
        if class_names and isinstance(value, int) and 0 <= value < len(class_names):
            return class_names[value]
        return value

    counts = tuple((name_of(v), c) for v, c in counter.most_common())
    return LabelStats(column=acc.name, counts=counts, complete=not counter.capped)
