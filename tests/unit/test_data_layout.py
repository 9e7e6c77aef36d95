"""Configs and splits from file listings and cards, as the Hub infers them; local sources."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.layout import DataFile, build_configs, data_format, glob_regex, infer_splits
from hf_ecosystem.data.sources import inspect_dataset, list_configs, list_splits, resolve


def _make(rel: str, size: int | None) -> DataFile:
    return DataFile(path=rel, name=rel, size=size, where="local")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.parquet", "parquet"),
        ("a.CSV", "csv"),
        ("x/y.tsv", "tsv"),
        ("a.jsonl", "json"),
        ("a.json", "json"),
        ("a.jsonl.gz", "json"),
        ("a.txt", "text"),
        ("a.arrow", "arrow"),
        ("README.md", None),
        ("noext", None),
    ],
)
def test_data_format_by_extension(name: str, fmt: str | None) -> None:
    assert data_format(name) == fmt


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("data/train-*.parquet", "data/train-00000-of-00002.parquet", True),
        ("data/train-*.parquet", "data/sub/train-0.parquet", False),
        ("**/*.csv", "train.csv", True),
        ("**/*.csv", "a/b/train.csv", True),
        ("data/**", "data/a/b.csv", True),
        ("data/[ab].csv", "data/a.csv", True),
        ("data/[!ab].csv", "data/a.csv", False),
        ("data/?.csv", "data/xy.csv", False),
    ],
)
def test_glob_regex_follows_hub_patterns(pattern: str, path: str, hit: bool) -> None:
    assert bool(glob_regex(pattern).match(path)) is hit


def test_infer_splits_sharded_dir_and_file_names() -> None:
    sharded = ["data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet",
               "data/test-00000-of-00001.parquet"]  # fmt: skip
    assert infer_splits(sharded) == {"train": sharded[:2], "test": sharded[2:]}
    by_dir = ["train/a.csv", "train/b.csv", "dev/c.csv", "notes/test_plan.csv"]
    # A split folder wins over file names, and a file outside split folders is not data.
    assert infer_splits(by_dir) == {
        "train": ["train/a.csv", "train/b.csv"],
        "validation": ["dev/c.csv"],
    }
    by_name = ["my_train.csv", "valid.csv", "test-2.csv", "trainer.csv"]
    assert infer_splits(by_name) == {
        "train": ["my_train.csv"],
        "validation": ["valid.csv"],
        "test": ["test-2.csv"],
    }
    assert infer_splits(["a.csv", "b.csv"]) == {"train": ["a.csv", "b.csv"]}


def test_build_configs_from_card_with_sizes_rows_and_class_labels() -> None:
    listing = [("README.md", 10), ("data/train-0.parquet", 100), ("data/train-1.parquet", 50),
               ("data/test.parquet", 20), ("extra/x.csv", 5)]  # fmt: skip
    card = {
        "configs": [
            {"config_name": "main", "data_files": [
                {"split": "train", "path": "data/train-*.parquet"},
                {"split": "test", "path": ["data/test.parquet"]}]},
            {"config_name": "extra", "data_files": "extra/*.csv", "default": True},
        ],
        "dataset_info": [{"config_name": "main", "features": [
            {"name": "label", "dtype": {"class_label": {"names": {"0": "neg", "1": "pos"}}}}],
            "splits": [{"name": "train", "num_examples": 7}]}],
    }  # fmt: skip
    configs = build_configs(listing, card, _make, where="me/ds")
    assert [c.name for c in configs] == ["extra", "main"]  # the default comes first
    extra, main = configs
    assert extra.default and not main.default
    assert extra.splits[0].name == "train" and extra.splits[0].format == "csv"
    train = main.splits[0].summary(count_rows=False)
    assert (train.name, train.num_bytes, train.num_rows) == ("train", 150, 7)
    assert main.class_labels == {"label": ("neg", "pos")}


def test_card_pattern_matching_nothing_names_the_card() -> None:
    card = {"configs": [{"config_name": "default", "data_files": "nope/*.csv"}]}
    with pytest.raises(DataError, match=r"me/ds/README\.md: config 'default', split 'train'"):
        build_configs([("a.csv", 1)], card, _make, where="me/ds")


def test_folder_without_data_files_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(DataError, match="no data files in"):
        resolve(str(tmp_path))


def test_local_folder_splits_and_parquet_row_counts(tmp_path: Path) -> None:
    for split, n in (("train", 30), ("test", 7)):
        pq.write_table(pa.table({"x": list(range(n))}), tmp_path / f"{split}.parquet")
    (tmp_path / "notes.txt").write_text("not data, but a lone .txt\n", encoding="utf-8")
    info = inspect_dataset(str(tmp_path))
    assert info.kind == "folder"
    (config,) = info.configs
    assert config.split_names == ("train", "test")
    assert [s.num_rows for s in config.splits] == [30, 7]
    assert list_splits(str(tmp_path)) == ["train", "test"]
    assert list_configs(str(tmp_path)) == ["default"]


def test_local_hub_repo_resolves_offline_with_its_card(tmp_path: Path) -> None:
    repo = Path(str(tmp_path)) / "hub" / "datasets" / "me" / "tiny"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "all.csv").write_text("text,label\na,1\n", encoding="utf-8")
    (repo / "README.md").write_text(
        "---\nconfigs:\n- config_name: full\n  data_files:\n  - split: everything\n"
        "    path: data/*.csv\n---\n# tiny\n",
        encoding="utf-8",
    )
    from hf_ecosystem.config import load_settings

    settings = load_settings(local_hub=str(tmp_path / "hub"))
    source = resolve("me/tiny", offline=True, settings=settings)
    assert source.kind == "local-hub" and source.repo_id == "me/tiny"
    assert source.config().name == "full"
    assert source.split()[1].name == "everything"


def test_unknown_config_split_and_missing_paths(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    source = resolve(str(path))
    with pytest.raises(DataError, match="no split 'test'") as err:
        source.split("test")
    assert "Splits of this config: train" in err.value.hint
    with pytest.raises(DataError, match="no config 'x'"):
        source.config("x")
    with pytest.raises(DataError, match="no such file or folder"):
        resolve(str(tmp_path / "missing.csv"))
    with pytest.raises(DataError, match="unknown data format"):
        (tmp_path / "d.xlsx").write_bytes(b"PK")
        resolve(str(tmp_path / "d.xlsx"))
    with pytest.raises(DataError, match="no dataset given"):
        resolve("  ")
