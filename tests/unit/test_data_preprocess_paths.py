"""Option and error paths of text clean-up, tokenisation, splits and augmentation."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.data.errors import DataError, DataWarning
from hf_ecosystem.data.load import dataset_from_dict
from hf_ecosystem.data.preprocess import (
    preprocess_dataset,
    preprocess_text,
    tokenize_batch,
    tokenize_dataset,
)
from hf_ecosystem.data.splits import augment_dataset, augment_texts, stratified_indices


@pytest.fixture(scope="module")
def tokenizer(minilm_path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path))


# --- preprocess_text / preprocess_dataset -------------------------------------------------------


def test_no_unicode_form_keeps_compatibility_characters_but_still_cleans() -> None:
    messy = " \uff21\u200b  \ufb01\tend "
    assert preprocess_text(messy, unicode_form=None) == "\uff21 \ufb01 end"
    assert preprocess_text(messy) == "A fi end"  # NFKC, the default, folds them


def test_preprocess_dataset_cleans_one_column_and_names_a_bad_row() -> None:
    ds = dataset_from_dict({"text": ["  Caf\u00e9\u00a0AU  lait ", "x\u200by"], "id": [7, 8]})
    cleaned = preprocess_dataset(ds, lowercase=True, strip_accents=True, batch_size=1)
    assert cleaned["text"] == ["cafe au lait", "xy"] and cleaned["id"] == [7, 8]
    with pytest.raises(DataError, match="no column 'body'"):
        preprocess_dataset(ds, "body")
    bad = dataset_from_dict({"text": ["ok", "fine", None]})
    with pytest.raises(DataError, match="not text: NoneType") as err:
        preprocess_dataset(bad, batch_size=2)
    assert (err.value.row, err.value.column) == (2, "text")


# --- tokenize_batch -----------------------------------------------------------------------------


def test_a_single_string_is_a_batch_of_one(tokenizer: Any) -> None:
    one = tokenize_batch(tokenizer, "hello there", max_length=16)
    assert one["input_ids"] == [tokenizer("hello there")["input_ids"]]


def test_max_length_defaults_to_the_tokenizers_limit(tokenizer: Any, minilm_path: Path) -> None:
    from transformers import AutoTokenizer

    long_text = " ".join(["word"] * 700)
    cut = tokenize_batch(tokenizer, [long_text])
    assert len(cut["input_ids"][0]) == tokenizer.model_max_length == 512
    unlimited = AutoTokenizer.from_pretrained(str(minilm_path), model_max_length=int(1e30))
    with pytest.raises(DataError, match="sets no maximum length") as err:
        tokenize_batch(unlimited, ["text"])
    assert "max_length" in err.value.hint
    # Without truncation or fixed padding no limit is needed.
    free = tokenize_batch(unlimited, [long_text], truncation=False)
    assert len(free["input_ids"][0]) == 702
    with pytest.raises(DataError, match="max_length must be positive, not 0"):
        tokenize_batch(tokenizer, ["text"], max_length=0)


def test_padding_true_means_longest_and_an_empty_batch_is_empty(tokenizer: Any) -> None:
    texts = ["short", "a rather longer sentence"]
    as_true = tokenize_batch(tokenizer, texts, max_length=32, padding=True)
    assert as_true == tokenize_batch(tokenizer, texts, max_length=32, padding="longest")
    assert len(set(map(len, as_true["input_ids"]))) == 1
    assert tokenize_batch(tokenizer, [], max_length=8) == {"input_ids": [], "attention_mask": []}


def test_pairs_must_match_the_texts(tokenizer: Any) -> None:
    with pytest.raises(DataError, match="2 texts but 1 pairs"):
        tokenize_batch(tokenizer, ["a", "b"], ["c"], max_length=8)
    paired = tokenize_batch(tokenizer, ["a question"], ["an answer"], max_length=16)
    assert paired["token_type_ids"][0].count(1) == len(tokenizer("an answer")["input_ids"]) - 1


def test_tokenize_dataset_with_a_pair_column(tokenizer: Any) -> None:
    ds = dataset_from_dict({"q": ["who?", "what?"], "a": ["me", "that thing"], "y": [0, 1]})
    with pytest.raises(DataError, match="no column 'answer'") as err:
        tokenize_dataset(ds, tokenizer, "q", pair_column="answer")
    assert "Columns: q, a, y" in err.value.hint
    encoded = tokenize_dataset(ds, tokenizer, "q", pair_column="a", max_length=16)
    expected = tokenizer(["who?", "what?"], ["me", "that thing"])["input_ids"]
    assert encoded["input_ids"] == expected and encoded["y"] == [0, 1]


# --- splits and augmentation --------------------------------------------------------------------


def test_labels_of_mixed_types_are_refused_but_ints_and_bools_mix() -> None:
    with pytest.raises(DataError, match=r"mixed label types \(int, str\)") as err:
        stratified_indices(["a", 1, "a", 1], column="target")
    assert err.value.column == "target"
    parts = stratified_indices([True, 1, False, 0] * 5, validation_size=0.0, test_size=0.2)
    assert len(parts.test) == 4


def test_no_held_out_rows_keeps_every_row_in_train() -> None:
    labels = ["a", "b"] * 5
    parts = stratified_indices(labels, validation_size=0.0, test_size=0.0)
    assert parts.train == tuple(range(10)) and parts.validation == parts.test == ()
    tiny = stratified_indices(labels, validation_size=0.01, test_size=0.01)  # rounds to 0 rows
    assert tiny.train == tuple(range(10)) and tiny.validation == tiny.test == ()


def test_augmentation_option_and_input_errors() -> None:
    with pytest.raises(DataError, match="swaps must be 0 or more, not -1"):
        augment_texts(["one two"], method="swap", swaps=-1)
    with pytest.raises(DataError, match="not text: int") as err:
        augment_texts(["one two", 3])  # type: ignore[list-item]
    assert err.value.row == 1
    ds = dataset_from_dict({"text": ["one two three", "solo"]})
    with pytest.raises(DataError, match="no column 'body'") as err:
        augment_dataset(ds, "body")
    assert "Columns: text" in err.value.hint


def test_augment_dataset_with_no_copies_is_the_dataset_without_a_warning() -> None:
    ds = dataset_from_dict({"text": ["one two three", "solo"], "label": [1, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        same = augment_dataset(ds, copies=0)
    assert same["text"] == ds["text"] and same["label"] == [1, 0]
