"""`load_data` and `dataset_from_dict` on real local files: formats, configs and errors."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.layout import ConfigFiles, DataFile, SplitFiles
from hf_ecosystem.data.load import check_columns_data, dataset_from_dict, load_data
from hf_ecosystem.data.sources import DataSource, resolve

_CARD = """---
configs:
- config_name: tables
  data_files:
  - split: train
    path: tables/*.csv
- config_name: records
  data_files:
  - split: train
    path: records/*.jsonl
---
# Two configs, two formats
"""


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_tsv_file_is_split_on_tabs(tmp_path: Path) -> None:
    path = _write(tmp_path / "data.tsv", "id\ttext\n1\thello, world\n2\tbye\n")
    loaded: Any = load_data(str(path), split="train")
    assert loaded.column_names == ["id", "text"]
    assert loaded["text"] == ["hello, world", "bye"] and loaded["id"] == [1, 2]


def test_download_counter_is_switched_off_when_not_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datasets import config as datasets_config

    monkeypatch.delenv("HF_UPDATE_DOWNLOAD_COUNTS", raising=False)
    monkeypatch.setattr(datasets_config, "HF_UPDATE_DOWNLOAD_COUNTS", True)
    path = _write(tmp_path / "data.csv", "a\n1\n")
    loaded: Any = load_data(str(path), split="train")
    assert loaded["a"] == [1]
    assert datasets_config.HF_UPDATE_DOWNLOAD_COUNTS is False


def test_configs_of_different_formats_load_with_their_own_builder(tmp_path: Path) -> None:
    _write(tmp_path / "README.md", _CARD)
    _write(tmp_path / "tables" / "part.csv", "a,b\n1,x\n2,y\n")
    _write(tmp_path / "records" / "part.jsonl", '{"k": "v1"}\n{"k": "v2"}\n{"k": "v3"}\n')
    tables: Any = load_data(str(tmp_path), config="tables", split="train")
    assert tables["b"] == ["x", "y"]
    records: Any = load_data(str(tmp_path), config="records")
    assert list(records) == ["train"] and records["train"]["k"] == ["v1", "v2", "v3"]


def test_folder_of_one_format_loads_through_datasets(tmp_path: Path) -> None:
    _write(tmp_path / "train.csv", "text,label\ngood,1\nbad,0\n")
    _write(tmp_path / "test.csv", "text,label\nfine,1\n")
    loaded: Any = load_data(str(tmp_path))
    assert sorted(loaded) == ["test", "train"]
    assert loaded["train"]["text"] == ["good", "bad"] and loaded["test"]["label"] == [1]


def test_malformed_csv_is_explained_by_line_not_by_datasets(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.csv", "a,b\n1,2\n3,4,5\n6,7\n")
    with pytest.raises(DataError) as err:
        load_data(str(path), split="train")
    assert (err.value.file, err.value.line) == (str(path), 3)
    assert "malformed row: expected 2 fields, got 3" in str(err.value)


def test_an_option_datasets_refuses_keeps_its_message(tmp_path: Path) -> None:
    path = _write(tmp_path / "ok.csv", "a\n1\n")
    with pytest.raises(DataError, match=r"cannot build the dataset: .*not_an_option") as err:
        load_data(str(path), split="train", not_an_option=True)
    assert err.value.file == str(path)  # the file itself reads fine: datasets' words are kept


def test_files_removed_after_resolving_give_a_data_error(tmp_path: Path) -> None:
    folder = tmp_path / "gone"
    _write(folder / "train.csv", "a\n1\n")
    source = resolve(str(folder))
    shutil.rmtree(folder)
    with pytest.raises(DataError, match="cannot build the dataset") as err:
        load_data(source)
    assert err.value.file == str(folder / "train.csv")


def test_hub_dataset_not_cached_while_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as hub_constants
    from datasets import config as datasets_config

    monkeypatch.setattr(datasets_config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)
    file = DataFile(
        path="datasets/nobody/missing@main/data.csv",
        name="nobody/missing/data.csv",
        size=10,
        where="hub",
    )
    split = SplitFiles("train", "csv", (file,))
    source = DataSource(
        "nobody/missing",
        "hub",
        "https://hub.invalid/datasets/nobody/missing",
        (ConfigFiles("default", (split,), default=True),),
        repo_id="nobody/missing",
    )
    with pytest.raises(DataError, match="Couldn't reach 'nobody/missing'") as err:
        load_data(source, split="train")
    assert err.value.file == "nobody/missing/data.csv"


# --- columns given as plain Python values -------------------------------------------------------


def test_column_data_checks_name_the_column_and_row() -> None:
    assert check_columns_data({"a": [1, None, 2.5], "b": ["x", "y", None]}) == 3
    assert check_columns_data({"nested": [{"k": 1}, None], "lists": [[1], (2, 3)]}) == 2
    with pytest.raises(DataError, match="no columns given") as err:
        check_columns_data({})
    assert "dict of column name" in err.value.hint
    with pytest.raises(DataError, match="must be a list of values, not str") as err:
        check_columns_data({"a": "abc"})
    assert err.value.column == "a"
    with pytest.raises(DataError, match="1 values, but column 'a' has 2") as err:
        check_columns_data({"a": [1, 2], "b": [3]})
    assert err.value.column == "b"


@pytest.mark.parametrize(
    ("values", "seen", "then"),
    [
        ([True, 1], "bool", "number"),
        ([1, "1"], "number", "string"),
        ([None, {"k": 1}, [1]], "mapping", "list"),
        (["x", b"x"], "string", "bytes"),
    ],
)
def test_mixed_value_types_in_a_column_are_refused(values: list[Any], seen: str, then: str) -> None:
    with pytest.raises(DataError, match=f"mixed types: {seen} in earlier rows, then {then}") as err:
        check_columns_data({"col": values})
    assert (err.value.column, err.value.row) == ("col", len(values) - 1)
    assert "same type" in err.value.hint


def test_dataset_from_dict_wraps_a_features_mismatch() -> None:
    from datasets import Features, Value

    built = dataset_from_dict({"a": [1, 2]}, features=Features({"a": Value("int64")}))
    assert built["a"] == [1, 2]
    with pytest.raises(DataError, match="cannot build the dataset"):
        dataset_from_dict({"a": ["x"]}, features=Features({"a": Value("int64")}))
