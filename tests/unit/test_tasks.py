"""One task vocabulary: the course's aliases mean the same task everywhere."""

from __future__ import annotations

import pytest

from hf_ecosystem.evaluation.analysis import EvaluationError, normalize_task
from hf_ecosystem.inference.registry import get_task
from hf_ecosystem.tasks import evaluation_task, inference_task_name, training_task
from hf_ecosystem.training.spec import TrainSpec


@pytest.mark.parametrize(
    ("alias", "task"),
    [
        ("sentiment-analysis", "text-classification"),
        ("ner", "token-classification"),
        ("translation_en_to_fr", "translation"),
        ("image-captioning", "image-to-text"),
    ],
)
def test_inference_aliases_resolve_to_registry_tasks(alias: str, task: str) -> None:
    assert inference_task_name(alias) == task
    assert get_task(alias).name == task


@pytest.mark.parametrize(
    ("alias", "task"),
    [
        ("sentiment-analysis", "text-classification"),
        ("ner", "token-classification"),
        ("translation_en_to_de", "seq2seq"),
        ("text-generation", "causal-lm"),
        ("causal-lm", "causal-lm"),
    ],
)
def test_training_aliases(alias: str, task: str) -> None:
    assert training_task(alias) == task
    fields = {"model": "m", "dataset": "d", "task": alias, "max_steps": 1, "target_column": "t"}
    spec = TrainSpec.parse(fields)
    assert spec.task == task


def test_evaluation_aliases_and_refusal() -> None:
    assert evaluation_task("translation_en_to_fr") == "seq2seq"
    assert normalize_task("perplexity") == "causal-lm"
    assert evaluation_task("token-classification") is None
    assert training_task("image-classification") is None
    with pytest.raises(EvaluationError):
        normalize_task("image-classification")
