"""Bad input gives a DataError naming the file, line, row or column; nothing else escapes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data import readers
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.preview import preview
from hf_ecosystem.data.stats import compute_stats


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def _fails(path: str, **kwargs: object) -> DataError:
    """Both the preview and the stats pass refuse the file with the same DataError."""
    errors = []
    for read in (preview, compute_stats):
        with pytest.raises(DataError) as err:
            read(path, **kwargs)  # type: ignore[operator]
        errors.append(err.value)
    assert str(errors[0]) == str(errors[1])
    first = errors[0]
    assert isinstance(first, DataError) and first.hint
    return first


def test_malformed_csv_row_names_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "bad.csv", "a,b\n1,2\n3,4,5\n6,7\n")
    err = _fails(path)
    assert (err.file, err.line) == (path, 3)
    assert "malformed row: expected 2 fields, got 3 (3,4,5)" in str(err)


def test_mixed_types_in_a_csv_column_name_the_line_and_column(tmp_path: Path) -> None:
    # The bad value sits beyond pyarrow's first 1 MiB block, where types are inferred.
    rows = "".join(f"{i},x\n" for i in range(150_000))
    path = _write(tmp_path, "mixed.csv", f"n,s\n{rows}oops,y\n")
    with pytest.raises(DataError) as err:
        compute_stats(path)
    assert (err.value.line, err.value.column) == (150_002, "n")
    assert "mixed types: 'oops'" in str(err.value) and "int64" in str(err.value)
    assert len(preview(path, rows=5).rows) == 5  # the first rows are still viewable


def test_mixed_types_in_json_lines_and_json_arrays(tmp_path: Path) -> None:
    lines = "".join(f'{{"a": {i}, "b": "t"}}\n' for i in range(60_000))
    path = _write(tmp_path, "mixed.jsonl", lines + '{"a": "x", "b": "t"}\n')
    with pytest.raises(DataError) as err:
        compute_stats(path)
    assert (err.value.line, err.value.column) == (60_001, "a")
    assert "number in earlier rows, then string" in str(err.value)
    array = _write(tmp_path, "mixed.json", '[{"a": 1}, {"a": 2}, {"a": [3]}]')
    err2 = _fails(array)
    assert (err2.row, err2.column) == (3, "a") and "then array" in str(err2)


def test_invalid_json_line(tmp_path: Path) -> None:
    err = _fails(_write(tmp_path, "bad.jsonl", '{"a": 1}\n{"a": 2\n{"a": 3}\n'))
    assert err.line == 2 and "invalid JSON" in str(err)


@pytest.mark.parametrize("name", ["e.csv", "e.tsv", "e.jsonl", "e.parquet", "e.txt", "e.arrow"])
def test_empty_files(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path, name, b"")
    err = _fails(path)
    assert err.file == path and "the file is empty" in str(err)


def test_header_only_csv_is_an_empty_table_not_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", "a,b\n")
    page = preview(path)
    assert page.column_names == ("a", "b") and page.rows == ()
    assert compute_stats(path).rows == 0


def test_huge_cells_are_read_then_cut_for_display(tmp_path: Path) -> None:
    big = "x" * 3_000_000
    path = _write(tmp_path, "huge.csv", f"id,text\n1,{big}\n2,small\n")
    page = preview(path, max_cell_chars=100)
    assert page.rows[0][1] == "x" * 100 + "…" and page.truncated_cells == 1
    stats = compute_stats(path)
    assert stats.rows == 2
    lengths = stats.column("text").char_lengths
    assert lengths is not None
    assert lengths.max == 3_000_000
    jsonl = _write(tmp_path, "huge.jsonl", f'{{"t": "{big}"}}\n{{"t": "y"}}\n')
    assert compute_stats(jsonl).rows == 2


def test_a_cell_over_the_block_limit_is_refused_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hf_ecosystem.data import parse_errors

    monkeypatch.setattr(readers, "MAX_BLOCK", 1 << 20)
    monkeypatch.setattr(parse_errors, "MAX_BLOCK", 1 << 20)
    path = _write(tmp_path, "huge.csv", "id,text\n1,ok\n2," + "x" * 3_000_000 + "\n")
    err = _fails(path)
    assert "larger than 1 MiB" in str(err) and err.file == path


def test_not_parquet_not_utf8_and_unknown_columns(tmp_path: Path) -> None:
    err = _fails(_write(tmp_path, "fake.parquet", b"PAR1 not really"))
    assert "not a Parquet file" in str(err)
    err = _fails(_write(tmp_path, "latin.txt", b"fine\ncaf\xe9\n"))
    assert err.line == 2 and "not UTF-8" in str(err)
    err = _fails(_write(tmp_path, "latin.csv", b"name\ncaf\xe9\n"))
    assert err.column == "name" and "not UTF-8" in str(err)
    path = tmp_path / "ok.parquet"
    pq.write_table(pa.table({"a": [1], "b": ["x"]}), path)
    err = _fails(str(path), columns=["c"])
    assert "no column 'c'" in str(err) and "Columns: a, b" in err.hint
    err = _fails(str(path), split="validation")
    assert "no split 'validation'" in str(err)


def test_files_of_one_split_must_agree(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "train-1.parquet")
    pq.write_table(pa.table({"a": ["x"]}), tmp_path / "train-2.parquet")
    with pytest.raises(DataError) as err:
        compute_stats(str(tmp_path))
    assert err.value.column == "a" and err.value.file is not None
    assert err.value.file.endswith("train-2.parquet")


def test_error_to_dict_carries_the_location() -> None:
    err = DataError("mixed types", file="f.csv", line=3, column="a", hint="Fix it.")
    assert str(err) == "f.csv, line 3, column 'a': mixed types — Fix it."
    assert err.to_dict() == {
        "error": "DataError",
        "title": "f.csv, line 3, column 'a': mixed types",
        "hint": "Fix it.",
        "problem": "mixed types",
        "file": "f.csv",
        "line": "3",
        "column": "a",
    }
