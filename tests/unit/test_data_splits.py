"""Stratified splits, class weights and augmentation, checked against counts and sklearn."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from hf_ecosystem.data.errors import DataError, DataWarning
from hf_ecosystem.data.load import dataset_from_dict
from hf_ecosystem.data.splits import (
    augment_dataset,
    augment_text,
    augment_texts,
    class_weights,
    stratified_indices,
    stratified_split,
)

LABELS = ["a"] * 600 + ["b"] * 300 + ["c"] * 100


def test_stratified_indices_keep_class_shares_and_cover_every_row() -> None:
    parts = stratified_indices(LABELS, validation_size=0.1, test_size=0.2, seed=3)
    everything = parts.train + parts.validation + parts.test
    assert sorted(everything) == list(range(len(LABELS)))  # disjoint and complete
    assert (len(parts.train), len(parts.validation), len(parts.test)) == (700, 100, 200)
    for part, size in ((parts.train, 700), (parts.validation, 100), (parts.test, 200)):
        counts = Counter(LABELS[i] for i in part)
        for label, total in Counter(LABELS).items():
            assert abs(counts[label] - total * size / len(LABELS)) <= 1
    again = stratified_indices(LABELS, validation_size=0.1, test_size=0.2, seed=3)
    assert again == parts
    assert stratified_indices(LABELS, seed=4) != stratified_indices(LABELS, seed=3)


def test_stratified_split_of_a_dataset_and_its_errors() -> None:
    ds = dataset_from_dict({"text": [f"t{i}" for i in range(len(LABELS))], "label": LABELS})
    splits = stratified_split(ds, "label", validation_size=0.0, test_size=0.25)
    assert set(splits) == {"train", "test"}
    assert Counter(splits["test"]["label"]) == {"a": 150, "b": 75, "c": 25}
    with pytest.raises(DataError, match="no column 'y'"):
        stratified_split(ds, "y")
    with pytest.raises(DataError, match="class 'lonely' has 1 example") as err:
        stratified_indices(["x", "x", "x", "lonely"], test_size=0.5, validation_size=0.0)
    assert err.value.column == "label"
    with pytest.raises(DataError, match="missing label") as err:
        stratified_indices(["x", None, "x"])  # type: ignore[list-item]
    assert err.value.row == 1
    with pytest.raises(DataError, match="leave no training rows"):
        stratified_indices(LABELS, validation_size=0.5, test_size=0.5)
    with pytest.raises(DataError, match="cannot stratify"):
        stratified_indices(LABELS, validation_size=0.0, test_size=2 / 1000)


def test_class_weights_equal_sklearn_balanced_weights() -> None:
    from sklearn.utils.class_weight import compute_class_weight

    weights = class_weights(LABELS)
    classes = np.array(sorted(set(LABELS)))
    expected = compute_class_weight("balanced", classes=classes, y=np.array(LABELS))
    assert [weights[c] for c in classes] == pytest.approx(list(expected))
    assert weights["c"] > weights["b"] > weights["a"]
    with pytest.raises(DataError, match="no labels"):
        class_weights([])


def test_augmentation_is_seeded_and_keeps_words() -> None:
    text = "the quick brown fox jumps over the lazy dog"
    deleted = augment_text(text, method="delete", p=0.3, seed=1)
    assert deleted == augment_text(text, method="delete", p=0.3, seed=1)
    words = deleted.split()
    assert 0 < len(words) < 9 and Counter(words) <= Counter(text.split())
    swapped = augment_text(text, method="swap", swaps=2, seed=5)
    assert sorted(swapped.split()) == sorted(text.split()) and swapped != text
    assert augment_text("a b", method="delete", p=1.0).split()[0] in {"a", "b"}


def test_augmentation_backs_off_to_a_no_op_with_one_warning() -> None:
    with pytest.warns(DataWarning, match="2 of 3 texts are too short for 'swap'"):
        out = augment_texts(["solo", "two words", ""], method="swap")
    assert out[0] == "solo" and out[2] == "" and out[1] == "words two"
    with pytest.raises(DataError, match="unknown augmentation"):
        augment_texts(["x y"], method="shuffle")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="p must be between 0 and 1"):
        augment_texts(["x y"], p=2)


def test_augment_dataset_appends_copies_with_their_labels() -> None:
    ds = dataset_from_dict({"text": ["one two three four", "solo"], "label": [1, 0]})
    with pytest.warns(DataWarning, match="1 of 2 texts"):
        out = augment_dataset(ds, method="swap", copies=2, seed=9)
    assert len(out) == 6 and out["label"] == [1, 0] * 3
    assert out["text"][3] == "solo" and out["text"][5] == "solo"
    assert sorted(out["text"][2].split()) == ["four", "one", "three", "two"]
