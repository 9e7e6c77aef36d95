"""The memory estimate follows the model's head: a base model has no logits, a classifier a few,
an LM one per vocabulary entry; training counts the head the task trains. Checked against what
PyTorch keeps on the CPU (saved-tensor hooks and a live-tensor tracker)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hf_ecosystem.device.activations import activation_bytes
from hf_ecosystem.device.heads import (
    ModelHead,
    UnknownTrainingTaskError,
    head_for_task,
    head_from_config,
)
from hf_ecosystem.device.memory import estimate_memory
from hf_ecosystem.device.model_shape import ModelShape, shape_from_config

ROOT = Path(__file__).resolve().parents[2]
BERT = {"model_type": "bert", "hidden_size": 256, "intermediate_size": 1024,
        "num_hidden_layers": 4, "num_attention_heads": 4, "vocab_size": 8000}  # fmt: skip
# On the CPU, SDPA with attention dropout falls back to the math kernel (seq^2 matrices).
BUILD = {
    **{k: v for k, v in BERT.items() if k != "model_type"},
    "attention_probs_dropout_prob": 0.0,
}
LLAMA = {"model_type": "llama", "hidden_size": 256, "intermediate_size": 704,
         "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2,
         "vocab_size": 8000}  # fmt: skip


def _shape(config: dict[str, Any]) -> ModelShape:
    shape = shape_from_config(config)
    assert shape is not None
    return shape


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "memory_calibration_heads", ROOT / "benchmarks" / "memory_calibration.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("architecture", "extra", "expected"),
    [
        ("BertModel", {}, ModelHead("none", 0)),
        ("BertForMaskedLM", {}, ModelHead("lm", 8000)),
        ("BertForSequenceClassification", {"id2label": {"0": "a", "1": "b", "2": "c"}},
         ModelHead("sequence", 3)),
        ("BertForTokenClassification", {"num_labels": 9}, ModelHead("token", 9)),
        ("BertForQuestionAnswering", {}, ModelHead("sequence", 2)),
        (None, {}, ModelHead("lm", 8000)),  # no architectures: count the widest head
        ("BertSomethingNew", {}, ModelHead("lm", 8000)),
    ],
)  # fmt: skip
def test_the_head_follows_config_architectures(
    architecture: str | None, extra: dict[str, Any], expected: ModelHead
) -> None:
    config = {**BERT, **extra}
    if architecture:
        config["architectures"] = [architecture]
    assert head_from_config(_shape(config)) == expected


def test_training_counts_the_head_its_task_trains() -> None:
    bert = _shape({**BERT, "architectures": ["BertModel"], "id2label": {"0": "x", "1": "y"}})
    llama = _shape({**LLAMA, "architectures": ["LlamaForCausalLM"]})
    assert head_for_task(bert, None) == ModelHead("sequence", 2)  # the form's first task
    assert head_for_task(bert, "ner") == ModelHead("token", 2)  # the course's alias
    assert head_for_task(bert, "sentiment-analysis").kind == "sequence"
    assert head_for_task(llama, None) == ModelHead("lm", 8000)
    with pytest.raises(UnknownTrainingTaskError, match="Unknown training task 'poetry'"):
        head_for_task(llama, "poetry")
    assert "no logits" in ModelHead("none", 0).describe()


def test_a_base_encoder_at_long_sequences_has_no_vocabulary_logits() -> None:
    """The bug: BertModel at 8 x 512 was estimated with masked-LM logits it never produces."""
    base = _shape({**BERT, "architectures": ["BertModel"]})
    mlm = _shape({**BERT, "architectures": ["BertForMaskedLM"]})
    base_estimate = estimate_memory(base, batch=8, seq=512)
    mlm_estimate = estimate_memory(mlm, batch=8, seq=512)
    assert base_estimate.breakdown["logits"] == 0
    assert mlm_estimate.breakdown["logits"] == 8 * 512 * 8000 * 2
    assert base_estimate.inference_bytes < mlm_estimate.inference_bytes / 1.5
    assert any("no head" in note for note in base_estimate.assumptions)


@pytest.mark.parametrize("head", ["sequence", "token"])
def test_saved_activations_of_classifier_heads_match_hooks(
    calibration: ModuleType, head: str
) -> None:
    model = calibration.build("bert", BUILD, head=head)
    measured = calibration.saved_activation_bytes(model, 2, 48, 8000)
    shape = _shape(model.config.to_dict())
    estimated = activation_bytes(shape, 2, 48, mode="full", target="cpu", head=head)  # type: ignore[arg-type]
    assert estimated == pytest.approx(measured["activations"], rel=0.01)
    assert measured["logits"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("head", "train"),
    [("base", None), ("sequence", None), ("sequence", "full"), ("token", "full"),
     ("sequence", "lora")],
)  # fmt: skip
def test_whole_peak_of_encoder_heads_matches_a_live_tracker(
    calibration: ModuleType, head: str, train: str | None
) -> None:
    """Before: a BertModel's inference and a classifier's fine-tuning were sized as masked LMs."""
    import torch

    model = calibration.build("bert", BUILD, head=head)
    if train is None:
        model.to(torch.bfloat16)
    elif train == "lora":
        model = calibration.add_lora(model, "bert")
    batch, seq = (4, 256) if train is None else (4, 128)
    _, steady = calibration.measure(model, batch, seq, train, "cpu")
    estimate = calibration.estimate(model, batch, seq, train, "cpu")
    expected = estimate.training_bytes if train else estimate.inference_bytes
    assert expected == pytest.approx(steady, rel=0.02)


def test_cli_takes_the_task_whose_head_training_counts(tmp_path: Path) -> None:
    folder = tmp_path / "bert"
    folder.mkdir()
    config = {**BERT, "architectures": ["BertModel"], "max_position_embeddings": 512}
    (folder / "config.json").write_text(json.dumps(config))

    def run(*extra: str) -> dict[str, Any]:
        args = ["memory", str(folder), "--train", "full", "--seq", "512", "--json", *extra]
        done = subprocess.run(
            [sys.executable, "-m", "hf_tui", *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    classifier, lm = run(), run("--task", "causal-lm")
    assert classifier["breakdown"]["logits"] < lm["breakdown"]["logits"] / 1000
    assert classifier["training_bytes"] < lm["training_bytes"]
    bad = subprocess.run(
        [sys.executable, "-m", "hf_tui", "memory", str(folder), "--train", "full",
         "--task", "poetry"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "Unknown training task 'poetry'" in bad.stderr
    assert "Traceback" not in bad.stderr
