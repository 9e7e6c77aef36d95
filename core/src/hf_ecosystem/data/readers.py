"""Stream Arrow record batches out of data files (local, Hub, URL) without reading them whole."""

# pyright: basic
# Arrow kernels over pyarrow, which ships no type information: strict would report every
# pyarrow call as Unknown. Callers see typed results; the typed edge is this module's API.

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Generator, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from hf_ecosystem.data.errors import DataError, check_json_depth
from hf_ecosystem.data.files import BLOCK, MAX_BLOCK, open_source
from hf_ecosystem.data.layout import DataFile, SplitFiles
from hf_ecosystem.data.parse_errors import (
    csv_error,
    first_huge_int,
    first_type_conflict,
    json_error,
)
from hf_ecosystem.data.types import DataFormat

MAX_JSON_ARRAY_BYTES = 512 << 20


def check_columns(names: Sequence[str], wanted: Sequence[str] | None, file: str) -> None:
    """DataError naming a column that appears twice (rows would lose one of its values) or the
    first wanted column the data lacks."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(
                f"column {name!r} appears twice",
                file=file,
                line=1,
                hint="Give each column its own name in the header.",
            )
        seen.add(name)
    for name in wanted or ():
        if name not in names:
            raise DataError(
                f"no column {name!r}",
                file=file,
                hint=f"Columns: {', '.join(names) or '(none)'}.",
            )


def _check_text_columns(schema: pa.Schema, file: DataFile) -> None:
    """CSV type inference reads invalid UTF-8 as bytes: say so rather than show bytes."""
    for field in schema:
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            raise DataError(
                "not UTF-8 text", file=file.name, column=field.name,
                hint="Re-encode the file as UTF-8.",
            )  # fmt: skip


def empty_batch(schema: pa.Schema) -> pa.RecordBatch:
    """A zero-row batch of `schema` (built without `from_pylist`, which imports pandas)."""
    return pa.RecordBatch.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)


def _select(batch: pa.RecordBatch, columns: Sequence[str] | None) -> pa.RecordBatch:
    return batch.select(list(columns)) if columns else batch


def read_batches(
    file: DataFile,
    fmt: DataFormat,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 65_536,
    block_size: int = 8 << 20,
    dictionaries: bool = False,
) -> Generator[Any, None, None]:  # pyarrow RecordBatches: Any, pyarrow has no types
    """Record batches of one file; the first (maybe empty) batch always comes, with the schema.

    `dictionaries=True` reads Parquet text columns stored dictionary-encoded as Arrow
    dictionary arrays (one string per distinct value rather than one per row).
    """
    if file.size == 0:
        raise DataError("the file is empty", file=file.name, hint="Check that it was written.")
    if fmt == "parquet":
        yield from _parquet_batches(file, columns, batch_rows, block_size, dictionaries)
    elif fmt in ("csv", "tsv"):
        yield from _csv_batches(file, fmt, columns, block_size)
    elif fmt == "json":
        yield from _json_batches(file, columns, block_size)
    elif fmt == "text":
        yield from _text_batches(file, columns, block_size)
    else:
        yield from _arrow_batches(file, columns, block_size)


def iter_split(
    split: SplitFiles,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 65_536,
    cancel: threading.Event | None = None,
    dictionaries: bool = False,
) -> Iterator[tuple[DataFile, pa.RecordBatch]]:
    """(file, batch) over every file of a split, stopping early when `cancel` is set."""
    for file in split.files:
        batches = read_batches(
            file, split.format, columns=columns, batch_rows=batch_rows, dictionaries=dictionaries
        )
        for batch in batches:
            yield file, batch
            if cancel is not None and cancel.is_set():
                return


def _parquet_batches(
    file: DataFile,
    columns: Sequence[str] | None,
    batch_rows: int,
    block_size: int,
    dictionaries: bool = False,
) -> Iterator[pa.RecordBatch]:
    import pyarrow.parquet as pq

    with open_source(file, block_size=block_size) as src:
        try:
            # A buffered stream reads page by page: the first rows of a 1 GB file cost one page.
            pf = pq.ParquetFile(src, buffer_size=1 << 20, pre_buffer=False)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataError(
                "not a Parquet file, or a damaged one",
                file=file.name,
                hint=f"pyarrow says: {str(exc).splitlines()[0]}",
            ) from exc
        if dictionaries and (encoded := dictionary_text_columns(pf.metadata, pf.schema_arrow)):
            pf = pq.ParquetFile(
                src, metadata=pf.metadata, read_dictionary=encoded,
                buffer_size=1 << 20, pre_buffer=False,
            )  # fmt: skip
        schema = pf.schema_arrow
        check_columns(schema.names, columns, file.name)
        yield empty_batch(_select_schema(schema, columns))
        # A remote file is read through one Python file object, one read at a time: threads
        # would only shuffle the column reads, and a backward seek misses fsspec's read-ahead
        # block, fetching the same bytes twice.
        threads = isinstance(src, str)
        try:
            yield from pf.iter_batches(batch_size=batch_rows, columns=columns, use_threads=threads)
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataError(f"damaged Parquet data: {exc}", file=file.name) from exc


def dictionary_text_columns(metadata: Any, schema: pa.Schema) -> list[str]:
    """Top-level text columns whose every row group holds a dictionary page and data pages no
    bigger than dictionary indices would be (~4 bytes a value at most), i.e. that never fell back
    to plain encoding. Reading those as dictionaries skips building a string per row; reading a
    plain-encoded one that way would hash every string instead, so those are left out."""
    text = {
        f.name
        for f in schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        or pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)
    }  # fmt: skip
    if not text or metadata.num_row_groups == 0:
        return []
    for i in range(metadata.num_row_groups):
        group = metadata.row_group(i)
        for j in range(group.num_columns):
            chunk = group.column(j)
            name = chunk.path_in_schema
            if name in text and not _indices_only(chunk):
                text.discard(name)
    return [f.name for f in schema if f.name in text]


def _indices_only(chunk: Any) -> bool:
    start, data = chunk.dictionary_page_offset, chunk.data_page_offset
    if not chunk.has_dictionary_page or not start or data is None or start >= data:
        return False
    return chunk.total_compressed_size - (data - start) <= 4 * max(chunk.num_values, 1)


def _select_schema(schema: pa.Schema, columns: Sequence[str] | None) -> pa.Schema:
    if not columns:
        return schema
    return pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)


def _csv_batches(
    file: DataFile, fmt: DataFormat, columns: Sequence[str] | None, block_size: int
) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    block = BLOCK
    done = 0  # rows already handed out, skipped after a re-read with a bigger block
    names: list[str] = []
    while True:
        try:
            with open_source(file, block_size=block_size) as src:
                reader = pacsv.open_csv(
                    src,
                    # One thread keeps the row numbers in pyarrow's error messages.
                    read_options=pacsv.ReadOptions(use_threads=False, block_size=block),
                    parse_options=pacsv.ParseOptions(
                        delimiter="\t" if fmt == "tsv" else ",", newlines_in_values=True
                    ),
                )
                names = reader.schema.names
                check_columns(names, columns, file.name)
                _check_text_columns(reader.schema, file)
                if done == 0:
                    yield _select(empty_batch(reader.schema), columns)
                for batch in _after(reader, done):
                    done += batch.num_rows
                    yield _select(batch, columns)
            return
        except pa.ArrowInvalid as exc:
            if "straddl" in str(exc) and block < MAX_BLOCK:
                block *= 16
                continue
            raise csv_error(exc, file, names, done) from exc
        except UnicodeDecodeError as exc:  # pyarrow decodes the header's names with Python
            raise DataError(
                "not UTF-8 text", file=file.name, line=1, hint="Re-encode the file as UTF-8."
            ) from exc


def _after(reader: Iterable[pa.RecordBatch], done: int) -> Iterator[pa.RecordBatch]:
    """The batches of `reader` past its first `done` rows: a retried read resumes there."""
    seen = 0
    for batch in reader:
        seen += batch.num_rows
        if seen <= done:
            continue
        if seen - batch.num_rows < done:
            batch = batch.slice(done - (seen - batch.num_rows))
        yield batch


def _json_batches(
    file: DataFile, columns: Sequence[str] | None, block_size: int
) -> Iterator[pa.RecordBatch]:
    import pyarrow.json as pajson

    if file.where == "local":
        check_json_depth(file.path, file.name)
    if _starts_with_array(file):
        yield from _json_array_batches(file, columns)
        return
    block = BLOCK
    done = 0
    while True:
        try:
            with open_source(file, block_size=block_size) as src:
                reader = pajson.open_json(src, read_options=pajson.ReadOptions(block_size=block))
                check_columns(reader.schema.names, columns, file.name)
                if done == 0:
                    yield _select(empty_batch(reader.schema), columns)
                for batch in _after(reader, done):
                    _check_utf8(batch, file, done)
                    done += batch.num_rows
                    yield _select(batch, columns)
            return
        except pa.ArrowInvalid as exc:
            if "straddl" in str(exc) and block < MAX_BLOCK:
                block *= 16
                continue
            raise json_error(exc, file, done) from exc


def _check_utf8(batch: pa.RecordBatch, file: DataFile, done: int) -> None:
    """Arrow's JSON reader passes bytes that are not UTF-8 (a Latin-1 file) into string columns;
    they fail only when a value is read. Refuse the file here, naming it."""
    try:
        batch.validate(full=True)
    except pa.ArrowInvalid as exc:
        raise DataError(
            "not UTF-8 text",
            file=file.name,
            row=done,
            hint=f"Save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`). ({str(exc)[:80]})",
        ) from exc


def _starts_with_array(file: DataFile) -> bool:
    with open_source(file, block_size=1 << 16) as src:
        if isinstance(src, str):
            with open(src, "rb") as handle:  # noqa: PTH123 - a path string from the source
                head = handle.read(4096)
        else:
            head = src.read(4096)
    return head.lstrip()[:1] == b"["


def _json_array_batches(file: DataFile, columns: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    if file.size is not None and file.size > MAX_JSON_ARRAY_BYTES:
        raise DataError(
            f"a JSON array file over {MAX_JSON_ARRAY_BYTES >> 20} MiB cannot be streamed",
            file=file.name,
            hint="Convert it to JSON Lines (one object per line) or Parquet.",
        )
    with open_source(file) as src:
        try:
            if isinstance(src, str):
                with open(src, "rb") as handle:  # noqa: PTH123 - a path string from the source
                    rows = json.load(handle)
            else:
                rows = json.loads(src.read())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise DataError(f"invalid JSON: {exc}", file=file.name, line=line) from exc
    if not all(isinstance(r, dict) for r in rows):
        bad = next(i for i, r in enumerate(rows) if not isinstance(r, dict))
        raise DataError("an array item is not an object", file=file.name, row=bad + 1)
    try:
        table = pa.Table.from_pylist(rows)
    except OverflowError as exc:
        row, column = first_huge_int(rows)
        raise DataError(
            "a whole number beyond 64-bit integers",
            file=file.name,
            row=row,
            column=column,
            hint="Store such numbers as strings (quoted) or as floats.",
        ) from exc
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        row, column, first, bad_type = first_type_conflict(rows)
        raise DataError(
            f"mixed types: {first} in earlier rows, then {bad_type}",
            file=file.name,
            row=row,
            column=column,
            hint="Give every row the same type in this column.",
        ) from exc
    check_columns(table.column_names, columns, file.name)
    table = table.select(list(columns)) if columns else table
    yield empty_batch(table.schema)
    yield from table.to_batches(max_chunksize=65_536)


def _text_batches(
    file: DataFile, columns: Sequence[str] | None, block_size: int
) -> Iterator[pa.RecordBatch]:
    check_columns(["text"], columns, file.name)
    schema = pa.schema([("text", pa.large_string())])
    yield empty_batch(schema)
    with open_source(file, block_size=block_size) as src:
        stream = pa.OSFile(src, "rb") if isinstance(src, str) else src
        with contextlib.closing(stream):
            done = 0
            pending = b""
            while True:
                chunk = stream.read(BLOCK)
                data = pending + chunk
                cut = data.rfind(b"\n") + 1 if chunk else len(data)
                if not chunk and data and not data.endswith(b"\n"):
                    data += b"\n"  # the last line has no newline of its own
                    cut = len(data)
                lines, pending = data[:cut], data[cut:]
                if lines:
                    array = _lines_array(lines, done, file)
                    done += len(array)
                    yield pa.RecordBatch.from_arrays([array], schema=schema)
                if not chunk:
                    return


def _lines_array(data: bytes, done: int, file: DataFile) -> pa.Array:
    """A string array of the newline-ended lines in `data`, built from buffers (no per-line
    Python objects, and no pandas import as `pa.array` would do)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    carriage = (ends > starts) & (raw[np.maximum(ends - 1, 0)] == 13)
    keep = np.ones(raw.size, dtype=bool)
    keep[ends] = False
    keep[ends[carriage] - 1] = False
    offsets = np.zeros(ends.size + 1, dtype=np.int64)
    np.cumsum(ends - carriage - starts, out=offsets[1:])
    body = raw[keep].tobytes()
    array = pa.Array.from_buffers(
        pa.large_string(), ends.size, [None, pa.py_buffer(offsets), pa.py_buffer(body)]
    )
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        for number, line in enumerate(data.split(b"\n"), start=done + 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataError(
                    "not UTF-8 text", file=file.name, line=number,
                    hint="Re-encode the file as UTF-8.",
                ) from exc  # fmt: skip
        raise
    return array


def _arrow_batches(
    file: DataFile, columns: Sequence[str] | None, block_size: int
) -> Iterator[pa.RecordBatch]:
    import pyarrow.ipc as ipc

    with open_source(file, block_size=block_size) as src:
        stream = pa.memory_map(src) if isinstance(src, str) else src
        try:
            reader: Any = ipc.open_stream(stream)
            batches: Iterator[pa.RecordBatch] = iter(reader)
        except pa.ArrowInvalid:
            try:
                stream.seek(0)
                reader = ipc.open_file(stream)
                batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            except (pa.ArrowInvalid, OSError) as exc:
                raise DataError("not an Arrow IPC file", file=file.name) from exc
        check_columns(reader.schema.names, columns, file.name)
        yield _select(empty_batch(reader.schema), columns)
        for batch in batches:
            yield _select(batch, columns)
