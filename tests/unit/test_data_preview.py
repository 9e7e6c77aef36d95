"""Previews of every local format as plain values, without importing `datasets` or pandas."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data.preview import plain_value, preview

ROWS = [{"text": f"line {i}", "label": i % 3} for i in range(50)]


def _write_all(folder: Path) -> dict[str, Path]:
    table = pa.Table.from_pylist(ROWS)
    paths = {
        "parquet": folder / "d.parquet",
        "csv": folder / "d.csv",
        "tsv": folder / "d.tsv",
        "jsonl": folder / "d.jsonl",
        "json": folder / "d.json",
        "gz": folder / "d.csv.gz",
        "arrow": folder / "d.arrow",
    }
    pq.write_table(table, paths["parquet"], row_group_size=10)
    csv = "text,label\n" + "".join(f"{r['text']},{r['label']}\n" for r in ROWS)
    paths["csv"].write_text(csv, encoding="utf-8")
    paths["tsv"].write_text(csv.replace(",", "\t"), encoding="utf-8")
    paths["jsonl"].write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    paths["json"].write_text(json.dumps(ROWS), encoding="utf-8")
    paths["gz"].write_bytes(gzip.compress(csv.encode()))
    with pa.ipc.new_stream(paths["arrow"], table.schema) as writer:
        writer.write_table(table)
    return paths


@pytest.mark.parametrize("kind", ["parquet", "csv", "tsv", "jsonl", "json", "gz", "arrow"])
def test_every_format_previews_the_same_rows(tmp_path: Path, kind: str) -> None:
    path = _write_all(tmp_path)[kind]
    page = preview(str(path), rows=7)
    assert page.column_names == ("text", "label")
    assert page.records() == ROWS[:7]
    assert (page.config, page.split) == ("default", "train")
    assert page.total_rows == (50 if kind == "parquet" else None)
    json.dumps(page.to_dict())


def test_text_files_are_one_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("first\r\nsecond\n\nlast", encoding="utf-8")
    page = preview(str(path), rows=10)
    assert page.records() == [{"text": t} for t in ("first", "second", "", "last")]


def test_rows_columns_and_limits(tmp_path: Path) -> None:
    path = _write_all(tmp_path)["parquet"]
    page = preview(str(path), rows=3, columns=["label"])
    assert page.column_names == ("label",) and page.rows == ((0,), (1,), (2,))
    assert len(preview(str(path), rows=500).rows) == 50
    from hf_ecosystem.data.errors import DataError

    with pytest.raises(DataError, match="cannot preview 0 rows"):
        preview(str(path), rows=0)


def test_folder_preview_runs_across_files(tmp_path: Path) -> None:
    for k in range(3):
        rows = [{"n": k * 4 + i} for i in range(4)]
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / f"train-{k}.parquet")
    page = preview(str(tmp_path), rows=10)
    assert [r[0] for r in page.rows] == list(range(10))
    assert page.total_rows == 12


def test_class_label_names_from_a_datasets_parquet(tmp_path: Path) -> None:
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])})
    ds = Dataset.from_dict({"text": ["bad", "good"], "label": [0, 1]}, features=features)
    ds.to_parquet(str(tmp_path / "cl.parquet"))
    page = preview(str(tmp_path / "cl.parquet"))
    assert page.columns[1].labels == ("neg", "pos") and page.rows[1] == ("good", 1)


def test_plain_values_for_every_arrow_type() -> None:
    assert plain_value(b"\x00\x01") == ("<2 bytes>", False)
    assert plain_value(dt.datetime(2024, 1, 2, 3, 4)) == ("2024-01-02T03:04:00", False)
    assert plain_value(Decimal("1.50")) == ("1.50", False)
    assert plain_value({"a": [1, "x" * 10]}, max_chars=4) == ({"a": [1, "xxxx…"]}, True)
    values, cut = plain_value(list(range(60)))
    assert cut and values[-1] == "… 10 more" and len(values) == 51
    assert plain_value(float("nan"))[0] != plain_value(float("nan"))[0]  # NaN stays NaN


def test_preview_and_stats_never_import_heavy_libraries(tmp_path: Path) -> None:
    paths = _write_all(tmp_path)
    (tmp_path / "t.txt").write_text("one\ntwo\n", encoding="utf-8")
    files = [str(paths["parquet"]), str(paths["csv"]), str(paths["jsonl"]), str(tmp_path / "t.txt")]
    script = f"""
import sys
from hf_ecosystem.data.preview import preview
from hf_ecosystem.data.stats import compute_stats
from hf_ecosystem.data.sources import inspect_dataset
for path in {files!r}:
    preview(path); compute_stats(path)
inspect_dataset({str(paths["parquet"])!r})
import hf_ecosystem
hf_ecosystem.preprocess_text("x")
# pandas too: pa.array() and to_numpy() would pull it in (~1 s) for nothing.
heavy = ("datasets", "transformers", "torch", "sklearn", "pandas")
print([m for m in sys.modules if m.split(".")[0] in heavy])
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"
