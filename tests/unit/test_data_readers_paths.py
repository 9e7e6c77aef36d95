"""Format variants and failure paths of the batch readers, on real files in tmp_path."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data import parse_errors, readers
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.layout import DataFile
from hf_ecosystem.data.preview import preview
from hf_ecosystem.data.types import DataFormat


def _file(tmp_path: Path, name: str, content: str | bytes) -> DataFile:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return DataFile(path=str(path), name=str(path), size=path.stat().st_size, where="local")


def _batches(file: DataFile, fmt: DataFormat, **kwargs: Any) -> list[pa.RecordBatch]:
    return list(readers.read_batches(file, fmt, **kwargs))


def _rows(file: DataFile, fmt: DataFormat, **kwargs: Any) -> list[dict[str, Any]]:
    return [row for batch in _batches(file, fmt, **kwargs) for row in batch.to_pylist()]


def _error(file: DataFile, fmt: DataFormat) -> DataError:
    with pytest.raises(DataError) as err:
        _batches(file, fmt)
    assert err.value.file == file.name
    return err.value


# --- Parquet -----------------------------------------------------------------------------------


def test_damaged_parquet_pages_are_refused_after_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "ok.parquet"
    table = pa.table({"a": list(range(100)), "s": [f"v{i}" for i in range(100)]})
    pq.write_table(table, path, compression="none", use_dictionary=False)
    raw = bytearray(path.read_bytes())
    raw[4:68] = b"\xff" * 64  # the first page header; the footer stays readable
    file = _file(tmp_path, "damaged.parquet", bytes(raw))
    batches = readers.read_batches(file, "parquet")
    assert next(batches).schema.names == ["a", "s"]  # the footer's schema still comes first
    with pytest.raises(DataError, match="damaged Parquet data") as err:
        next(batches)
    assert err.value.file == file.name


def test_only_dictionary_encoded_text_is_read_as_dictionaries(tmp_path: Path) -> None:
    path = tmp_path / "mixed.parquet"
    labels = ["pos", "neg"] * 50
    texts = [f"sentence number {i}" for i in range(100)]
    table = pa.table({"label": labels, "text": texts, "n": list(range(100))})
    # pyarrow takes a list of columns here; its stubs say bool only.
    pq.write_table(table, path, use_dictionary=["label"])  # pyright: ignore[reportArgumentType]
    metadata = pq.read_metadata(path)
    assert readers.dictionary_text_columns(metadata, table.schema) == ["label"]
    file = DataFile(path=str(path), name=str(path), size=path.stat().st_size, where="local")
    batches = _batches(file, "parquet", dictionaries=True)
    schema = batches[0].schema
    assert pa.types.is_dictionary(schema.field("label").type)
    assert not pa.types.is_dictionary(schema.field("text").type)
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert [r["label"] for r in rows] == labels and [r["text"] for r in rows] == texts
    plain = tmp_path / "plain.parquet"
    pq.write_table(table, plain, use_dictionary=False)
    assert readers.dictionary_text_columns(pq.read_metadata(plain), table.schema) == []


# --- CSV and JSON Lines: a re-read with a bigger block resumes where the first read stopped -----


def test_csv_cell_bigger_than_the_block_is_reread_without_repeating_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "BLOCK", 1024)  # so a 4 kB cell straddles blocks
    head = "".join(f"{i},row{i}\n" for i in range(3000))
    tail = "".join(f"{i},row{i}\n" for i in range(3001, 3010))
    file = _file(tmp_path, "retry.csv", f"id,text\n{head}3000,{'x' * 4000}\n{tail}")
    batches = _batches(file, "csv")
    assert [b.num_rows for b in batches].count(0) == 1  # one schema batch, not one per read
    rows = [row for batch in batches for row in batch.to_pylist()]
    assert [r["id"] for r in rows] == list(range(3010))
    assert rows[3000]["text"] == "x" * 4000 and rows[3001]["text"] == "row3001"


def test_json_lines_value_bigger_than_the_block_is_reread_without_repeating_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "BLOCK", 1024)
    head = "".join(f'{{"id": {i}, "t": "s"}}\n' for i in range(3000))
    tail = "".join(f'{{"id": {i}, "t": "s"}}\n' for i in range(3001, 3010))
    file = _file(tmp_path, "retry.jsonl", f'{head}{{"id": 3000, "t": "{"x" * 4000}"}}\n{tail}')
    batches = _batches(file, "json", columns=["id"])
    assert [b.num_rows for b in batches].count(0) == 1
    assert batches[0].schema.names == ["id"]
    assert [r["id"] for b in batches for r in b.to_pylist()] == list(range(3010))


def test_json_value_over_the_block_limit_is_refused_by_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_BLOCK", 1 << 20)
    monkeypatch.setattr(parse_errors, "MAX_BLOCK", 1 << 20)
    file = _file(tmp_path, "huge.jsonl", '{"t": "ok"}\n{"t": "' + "x" * 3_000_000 + '"}\n')
    err = _error(file, "json")
    assert "larger than 1 MiB" in str(err) and err.line is not None and err.line >= 1
    assert "Parquet" in err.hint


def test_json_lines_field_missing_from_the_first_block_is_not_called_invalid_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bug: valid JSON Lines whose later rows add a key read as "invalid JSON: unexpected field".
    monkeypatch.setattr(readers, "BLOCK", 1024)
    rows = "".join(f'{{"id": {i}}}\n' for i in range(500))
    err = _error(_file(tmp_path, "late.jsonl", rows + '{"id": 500, "extra": 1}\n'), "json")
    assert "has a field that the first rows lack" in str(err)
    assert "invalid JSON" not in str(err) and "same fields" in err.hint


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = _error(_file(tmp_path, "e.csv.gz", gzip.compress(b"")), "csv")
    assert "the file is empty" in str(empty)
    blank = _error(_file(tmp_path, "blank.csv", "\n\n"), "csv")
    assert "Empty CSV file" in str(blank) and "CSV syntax" in blank.hint
    for name, content in (("blank.jsonl", "\n\n"), ("e.jsonl.gz", gzip.compress(b""))):
        assert "holds no JSON rows" in str(_error(_file(tmp_path, name, content), "json"))


def test_csv_text_that_is_not_utf8_past_the_first_block_names_line_and_column(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "BLOCK", 64)  # types come from the first block: all text
    rows = "".join(f"{i},word{i}\n" for i in range(100)).encode()
    err = _error(_file(tmp_path, "late.csv", b"n,name\n" + rows + b"100,caf\xe9\n"), "csv")
    assert "not UTF-8 text" in str(err) and (err.line, err.column) == (102, "name")


def test_csv_header_that_is_not_utf8_is_a_data_error(tmp_path: Path) -> None:
    # Bug: pyarrow decodes the header's names in Python, and its UnicodeDecodeError escaped.
    file = _file(tmp_path, "header.csv", b"caf\xe9,b\n1,2\n")
    err = _error(file, "csv")
    assert "not UTF-8 text" in str(err) and err.line == 1
    with pytest.raises(DataError, match="not UTF-8"):
        preview(file.path)


def test_tsv_and_gzipped_json_lines(tmp_path: Path) -> None:
    assert _rows(_file(tmp_path, "t.tsv", "a\tb\n1\tx,y\n"), "tsv") == [{"a": 1, "b": "x,y"}]
    file = _file(tmp_path, "t.jsonl.gz", gzip.compress(b'{"a": 1}\n{"a": 2}\n'))
    assert _rows(file, "json") == [{"a": 1}, {"a": 2}]


# --- JSON arrays --------------------------------------------------------------------------------


def test_json_array_reads_every_row_and_selects_columns(tmp_path: Path) -> None:
    file = _file(tmp_path, "rows.json", '\n  [{"a": 1, "b": "x"}, {"a": 2, "b": null}]')
    batches = _batches(file, "json", columns=["b"])
    assert batches[0].num_rows == 0 and batches[0].schema.names == ["b"]
    assert [r for b in batches for r in b.to_pylist()] == [{"b": "x"}, {"b": None}]


def test_gzipped_json_array_is_read_like_a_plain_one(tmp_path: Path) -> None:
    # Bug: a .json.gz array went to the JSON Lines reader and failed as "invalid JSON".
    content = b'[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]'
    expected = [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    assert _rows(_file(tmp_path, "rows.json.gz", gzip.compress(content)), "json") == expected
    assert _rows(_file(tmp_path, "rows.json", content), "json") == expected


def test_json_array_over_the_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_JSON_ARRAY_BYTES", 16)
    err = _error(_file(tmp_path, "big.json", '[{"a": 1}, {"a": 2}, {"a": 3}]'), "json")
    assert "cannot be streamed" in str(err) and "JSON Lines" in err.hint


def test_invalid_json_arrays(tmp_path: Path) -> None:
    err = _error(_file(tmp_path, "bad.json", '[{"a": 1},\n {"a": ]'), "json")
    assert "invalid JSON" in str(err) and err.line == 2
    err = _error(_file(tmp_path, "latin.json", b'[{"a": "caf\xe9"}]'), "json")
    assert "invalid JSON" in str(err) and "utf-8" in str(err) and err.line is None
    err = _error(_file(tmp_path, "scalars.json", '[{"a": 1}, 2, {"a": 3}]'), "json")
    assert "an array item is not an object" in str(err) and err.row == 2


def test_json_array_type_conflicts_name_row_and_column(tmp_path: Path) -> None:
    err = _error(_file(tmp_path, "bools.json", '[{"a": true}, {"a": 1}]'), "json")
    assert "boolean in earlier rows, then number" in str(err)
    assert (err.row, err.column) == (2, "a")
    err = _error(_file(tmp_path, "nulls.json", '[{"a": null}, {"a": 1}, {"a": "x"}]'), "json")
    assert "number in earlier rows, then string" in str(err)
    assert (err.row, err.column) == (3, "a")
    # Nested values of different types are the same kind at the top: no row to name.
    err = _error(_file(tmp_path, "nested.json", '[{"a": [1]}, {"a": ["x"]}]'), "json")
    assert "mixed types" in str(err) and (err.row, err.column) == (None, None)


def test_json_array_number_beyond_int64_is_a_data_error(tmp_path: Path) -> None:
    # Bug: pyarrow's OverflowError escaped from the reader (and from preview and stats).
    file = _file(tmp_path, "big.json", '[{"a": 1, "b": 2}, {"a": 1, "b": 9223372036854775808}]')
    err = _error(file, "json")
    assert "beyond 64-bit integers" in str(err) and (err.row, err.column) == (2, "b")
    assert _rows(_file(tmp_path, "edge.json", '[{"a": -9223372036854775808}]'), "json") == [
        {"a": -(1 << 63)}
    ]
    with pytest.raises(DataError, match="beyond 64-bit"):
        preview(file.path)
    nested = _error(_file(tmp_path, "nested.json", '[{"a": {"b": 10000000000000000000}}]'), "json")
    assert "beyond 64-bit integers" in str(nested) and (nested.row, nested.column) == (None, None)


# --- Arrow --------------------------------------------------------------------------------------


def test_a_file_that_is_neither_arrow_stream_nor_arrow_file_is_refused(tmp_path: Path) -> None:
    err = _error(_file(tmp_path, "x.arrow", b"definitely not arrow data"), "arrow")
    assert "not an Arrow IPC file" in str(err)
