"""Text normalisation and tokenisation with the real MiniLM WordPiece tokenizer."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

import hf_ecosystem
from hf_ecosystem.data.errors import DataError
from hf_ecosystem.data.load import dataset_from_dict
from hf_ecosystem.data.preprocess import preprocess_dataset, tokenize_dataset

LONG = " ".join(f"word{i}" for i in range(40))


@pytest.fixture(scope="module")
def tokenizer(minilm_path: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path))


def test_preprocess_text_normalises_unicode_and_whitespace() -> None:
    messy = "\ufeff  \uff26\uff55\uff4c\uff4c\u00a0width\u200b\tand\n\n\ufb01 ligature\x07  "
    assert hf_ecosystem.preprocess_text(messy) == "Full width and fi ligature"
    assert hf_ecosystem.preprocess_text(messy, lowercase=True) == "full width and fi ligature"
    assert hf_ecosystem.preprocess_text("Crème Brûlée", strip_accents=True) == "Creme Brulee"
    # NFC keeps compatibility characters that NFKC folds.
    assert hf_ecosystem.preprocess_text("\ufb01", unicode_form="NFC") == "\ufb01"
    assert hf_ecosystem.preprocess_text(["  a  b ", "C"], lowercase=True) == ["a b", "c"]
    with pytest.raises(DataError, match="not text") as err:
        hf_ecosystem.preprocess_text(["ok", None])  # type: ignore[list-item]
    assert err.value.row == 1


def test_dynamic_and_fixed_padding(tokenizer: Any) -> None:
    texts = ["short one", "a somewhat longer sentence here"]
    dynamic = hf_ecosystem.tokenize_batch(tokenizer, texts, max_length=32)
    longest = max(len(tokenizer(t)["input_ids"]) for t in texts)
    assert {len(ids) for ids in dynamic["input_ids"]} == {longest}
    fixed = hf_ecosystem.tokenize_batch(tokenizer, texts, max_length=16, padding="max_length")
    assert {len(ids) for ids in fixed["input_ids"]} == {16}
    assert sum(fixed["attention_mask"][0]) == len(tokenizer(texts[0])["input_ids"])
    ragged = hf_ecosystem.tokenize_batch(tokenizer, texts, padding=False, max_length=32)
    assert [len(i) for i in ragged["input_ids"]] == [len(tokenizer(t)["input_ids"]) for t in texts]


def test_truncation_and_long_texts_split_with_stride(tokenizer: Any) -> None:
    cut = hf_ecosystem.tokenize_batch(tokenizer, [LONG], max_length=12)
    assert len(cut["input_ids"]) == 1 and len(cut["input_ids"][0]) == 12
    parts = hf_ecosystem.tokenize_batch(
        tokenizer, [LONG, "tiny"], max_length=12, split_long=True, stride=3, padding=False
    )
    mapping = parts["overflow_to_sample_mapping"]
    assert mapping[-1] == 1 and mapping.count(0) > 1
    full = tokenizer(LONG, add_special_tokens=False)["input_ids"]
    pieces = [ids[1:-1] for ids, m in zip(parts["input_ids"], mapping, strict=True) if m == 0]
    for before, after in itertools.pairwise(pieces):
        assert before[-3:] == after[:3]  # consecutive pieces overlap by `stride` tokens
    rebuilt = pieces[0] + [t for p in pieces[1:] for t in p[3:]]
    assert rebuilt == full


def test_tokenize_batch_refuses_bad_options(tokenizer: Any) -> None:
    with pytest.raises(DataError, match="stride 20 must be below"):
        hf_ecosystem.tokenize_batch(tokenizer, [LONG], max_length=12, split_long=True, stride=20)
    with pytest.raises(DataError, match="stride only applies"):
        hf_ecosystem.tokenize_batch(tokenizer, [LONG], max_length=12, stride=2)
    with pytest.raises(DataError, match="unknown padding"):
        hf_ecosystem.tokenize_batch(tokenizer, ["x"], padding="sideways")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="not text") as err:
        hf_ecosystem.tokenize_batch(tokenizer, ["x", 3])  # type: ignore[list-item]
    assert err.value.row == 1


def test_map_pipelines_keep_labels_with_their_pieces(tokenizer: Any) -> None:
    ds = dataset_from_dict({"text": [LONG, "Hello\u00a0 THERE", "ok"], "label": [2, 0, 1]})
    cleaned = preprocess_dataset(ds, lowercase=True, num_proc=2, batch_size=1)
    assert cleaned["text"][1] == "hello there" and cleaned["label"] == [2, 0, 1]
    pieces = tokenize_dataset(cleaned, tokenizer, max_length=12, split_long=True, stride=2)
    assert len(pieces) > 3
    assert pieces["label"] == [2] * (len(pieces) - 2) + [0, 1]
    plain = tokenize_dataset(cleaned, tokenizer, max_length=12, keep_columns=False)
    assert "label" not in plain.column_names and len(plain) == 3
    with pytest.raises(DataError, match="no column 'body'"):
        tokenize_dataset(ds, tokenizer, "body")
    bad = dataset_from_dict({"text": ["fine", None, "x"]})
    with pytest.raises(DataError, match="not text") as err:
        tokenize_dataset(bad, tokenizer, batch_size=2)
    assert err.value.row == 1
