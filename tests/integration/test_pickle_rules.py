"""Pickle weights are refused on every loading path that reads a model's weights, including the
batch job's direct path and training (run inference, pipelines and evaluate already were)."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from hf_ecosystem.inference.batch import _DirectTextModel  # pyright: ignore[reportPrivateUsage]
from hf_ecosystem.inference.errors import PickleWeightsError
from hf_ecosystem.training.spec import TrainSpec
from hf_ecosystem.training.trainer import load_model


@pytest.fixture(scope="module")
def pickle_only_model(tiny_bert_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny BERT saved as pytorch_model.bin only: what an untrusted repo can ship."""
    import torch
    from transformers import AutoModelForSequenceClassification

    out = tmp_path_factory.mktemp("pickle-bert")
    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (tiny_bert_dir / name).exists():
            shutil.copy(tiny_bert_dir / name, out / name)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert_dir)
    model.config.save_pretrained(out)
    torch.save(model.state_dict(), out / "pytorch_model.bin")  # transformers 5 saves safetensors
    assert (out / "pytorch_model.bin").exists() and not (out / "model.safetensors").exists()
    return out


def test_batch_direct_path_refuses_pickle_weights(pickle_only_model: Path) -> None:
    for task in ("text-classification", "feature-extraction"):
        with pytest.raises(PickleWeightsError, match="only pickle weights"):
            _DirectTextModel(task, str(pickle_only_model), "cpu")


def test_training_refuses_pickle_weights(pickle_only_model: Path, tiny_bert_dir: Path) -> None:
    spec = TrainSpec.parse({"model": str(pickle_only_model), "dataset": "unused"})
    data: Any = SimpleNamespace(labels=["negative", "positive"], num_labels=2)
    with pytest.raises(PickleWeightsError, match="only pickle weights"):
        load_model(spec, str(pickle_only_model), data, tokenizer=None)
    model = load_model(spec, str(tiny_bert_dir), data, tokenizer=None)  # safetensors: loads
    assert model.config.num_labels == 2
