"""Classification metrics through the offline evaluate modules, checked against scikit-learn."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    hamming_loss,
    matthews_corrcoef,
    precision_score,
    recall_score,
)

from hf_ecosystem.metrics import compute as m
from hf_ecosystem.metrics.compute import (
    MetricError,
    build_compute_metrics,
    compute_metrics,
    default_metrics,
    known_metric_names,
)
from hf_ecosystem.metrics.modules import available_metrics

# sklearn's inferred annotation of zero_division is str ("warn"); 0 is documented too.
ZERO: Any = 0
OURS = ["accuracy", "f1", "multilabel", "precision", "recall"]


@pytest.fixture(scope="module", autouse=True)
def evaluate_imported() -> None:
    """Import evaluate (~9 s) once for the whole module."""
    import evaluate  # noqa: F401


def sklearn_single_label(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    scores: dict[str, float] = {"accuracy": accuracy_score(y_true, y_pred)}
    for prefix, fn in (("f1", f1_score), ("precision", precision_score), ("recall", recall_score)):
        for average in ("macro", "weighted"):
            scores[f"{prefix}_{average}"] = fn(y_true, y_pred, average=average, zero_division=ZERO)
    return scores


def sklearn_multi_label(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    return {
        "subset_accuracy": accuracy_score(y_true, y_pred),
        "f1_micro": f1_score(y_true, y_pred, average="micro", zero_division=ZERO),
        "f1_macro": f1_score(y_true, y_pred, average="macro", zero_division=ZERO),
        "f1_samples": f1_score(y_true, y_pred, average="samples", zero_division=ZERO),
        "hamming_loss": hamming_loss(y_true, y_pred),
        "precision_micro": precision_score(y_true, y_pred, average="micro", zero_division=ZERO),
        "recall_micro": recall_score(y_true, y_pred, average="micro", zero_division=ZERO),
    }


def test_importing_metrics_pulls_in_neither_evaluate_nor_torch() -> None:
    code = (
        "import sys, hf_ecosystem.metrics.compute\n"
        "print(sorted(n for n in ('evaluate', 'torch', 'transformers', 'datasets', 'sklearn')"
        " if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_module_loads_offline(network_violations: list[str]) -> None:
    assert set(OURS) <= set(available_metrics())
    m._load_module.cache_clear()
    for name in OURS:
        module = m._load_module(name)
        assert module.name == name
    assert m._load_module.cache_info().misses == len(OURS)
    assert network_violations == []


def test_text_classification_matches_sklearn() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 5, size=300)
    # Logits that favour the right class most of the time, so scores are far from trivial.
    logits = rng.normal(size=(300, 5)).astype(np.float32)
    logits[np.arange(300), labels] += rng.normal(0.8, 1.0, size=300).astype(np.float32)
    result = compute_metrics((logits, labels), metrics=known_metric_names("text-classification"))
    expected = sklearn_single_label(labels, logits.argmax(axis=-1))
    assert result == pytest.approx(expected, abs=1e-12)
    assert 0.3 < result["accuracy"] < 0.95
    assert all(type(v) is float for v in result.values())


def test_defaults_are_reported_when_no_metrics_are_named() -> None:
    rng = np.random.default_rng(1)
    logits, labels = rng.normal(size=(40, 3)), rng.integers(0, 3, size=40)
    result = compute_metrics((logits, labels))
    assert list(result) == default_metrics("text-classification")
    assert default_metrics("text-classification") == [
        "accuracy",
        "f1_macro",
        "f1_weighted",
        "precision_macro",
        "recall_macro",
    ]


def test_token_classification_ignores_minus_100_positions() -> None:
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 4, size=(16, 12))
    labels[rng.random(size=labels.shape) < 0.3] = -100
    labels[:, 0] = -100  # e.g. [CLS]
    logits = rng.normal(size=(16, 12, 4))
    result = compute_metrics(
        (logits, labels),
        task="token-classification",
        metrics=known_metric_names("token-classification"),
    )
    keep = labels != -100
    expected = sklearn_single_label(labels[keep], logits.argmax(-1)[keep])
    assert result == pytest.approx(expected, abs=1e-12)
    # Counting the ignored positions would change the score: the mask matters.
    assert result["accuracy"] != pytest.approx(
        accuracy_score(labels.ravel(), logits.argmax(-1).ravel())
    )


def test_multi_label_matches_sklearn() -> None:
    rng = np.random.default_rng(3)
    labels = (rng.random(size=(120, 6)) < 0.35).astype(np.float32)
    logits = rng.normal(size=(120, 6)) + 2.0 * (labels - 0.5)
    result = compute_metrics(
        (logits, labels),
        task="multi-label-classification",
        metrics=known_metric_names("multi-label-classification"),
    )
    expected = sklearn_multi_label(labels.astype(int), (logits >= 0).astype(int))
    assert result == pytest.approx(expected, abs=1e-12)
    assert list(compute_metrics((logits, labels), task="multi-label-classification")) == [
        "subset_accuracy",
        "f1_micro",
        "f1_macro",
        "hamming_loss",
    ]


def test_multi_label_threshold_applies_to_probabilities() -> None:
    rng = np.random.default_rng(4)
    labels = (rng.random(size=(80, 5)) < 0.5).astype(np.float32)
    logits = rng.normal(size=(80, 5)) + 1.5 * (labels - 0.5)
    probabilities = 1 / (1 + np.exp(-logits))
    for threshold in (0.3, 0.7):
        result = compute_metrics(
            (logits, labels),
            task="multi-label-classification",
            metrics=known_metric_names("multi-label-classification"),
            threshold=threshold,
        )
        predicted = (probabilities >= threshold).astype(int)
        assert result == pytest.approx(sklearn_multi_label(labels.astype(int), predicted))
    # sigmoid(0.405) ~ 0.6: a positive at 0.5, a negative at 0.7.
    one = (np.array([[0.405, -3.0]]), np.array([[1.0, 0.0]]))
    task = "multi-label-classification"
    assert compute_metrics(one, task=task, threshold=0.5)["subset_accuracy"] == 1.0
    assert compute_metrics(one, task=task, threshold=0.7)["subset_accuracy"] == 0.0


def test_multi_label_accepts_already_thresholded_predictions() -> None:
    predictions = np.array([[1, 0, 1], [0, 1, 0]])
    labels = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    result = compute_metrics(
        (predictions, labels), task="multi-label-classification", metrics=["hamming_loss"]
    )
    assert result == {"hamming_loss": pytest.approx(1 / 6)}


def test_eval_prediction_tuple_and_logits_tuple_agree() -> None:
    from transformers import EvalPrediction

    rng = np.random.default_rng(5)
    logits, labels = rng.normal(size=(50, 4)), rng.integers(0, 4, size=50)
    hidden = rng.normal(size=(50, 8))
    from_tuple = compute_metrics((logits, labels))
    from_eval_pred = compute_metrics(EvalPrediction(predictions=logits, label_ids=labels))
    # Trainer passes every model output: the logits first, then e.g. hidden states.
    outputs: Any = (logits, hidden)
    from_nested = compute_metrics(EvalPrediction(predictions=outputs, label_ids=labels))
    from_ids = compute_metrics((logits.argmax(-1), labels))
    assert from_tuple == from_eval_pred == from_nested == from_ids
    assert from_tuple["accuracy"] == pytest.approx(accuracy_score(labels, logits.argmax(-1)))


def test_custom_metrics_are_merged() -> None:
    rng = np.random.default_rng(6)
    logits, labels = rng.normal(size=(60, 3)), rng.integers(0, 3, size=60)
    seen: list[tuple[np.ndarray, np.ndarray]] = []

    def mcc(predictions: np.ndarray, references: np.ndarray) -> dict[str, float]:
        seen.append((predictions, references))
        return {"mcc": matthews_corrcoef(references, predictions)}

    result = compute_metrics((logits, labels), metrics=["accuracy"], custom=[mcc])
    assert set(result) == {"accuracy", "mcc"}
    assert result["mcc"] == pytest.approx(matthews_corrcoef(labels, logits.argmax(-1)))
    assert type(result["mcc"]) is float
    np.testing.assert_array_equal(seen[0][0], logits.argmax(-1))
    np.testing.assert_array_equal(seen[0][1], labels)


def test_custom_metric_name_clash_is_refused() -> None:
    logits, labels = np.eye(3), np.arange(3)
    with pytest.raises(MetricError, match="'accuracy'"):
        compute_metrics((logits, labels), custom=[lambda p, r: {"accuracy": 1.0}])


def test_unknown_metric_names_the_metric_and_the_known_ones() -> None:
    with pytest.raises(MetricError) as info:
        build_compute_metrics("text-classification", ["accuracy", "bleu"])
    assert "'bleu'" in info.value.title
    assert "f1_weighted" in info.value.hint
    with pytest.raises(MetricError, match="hamming_loss"):
        compute_metrics((np.eye(2), np.arange(2)), metrics=["hamming_loss"])
    with pytest.raises(MetricError, match="Unknown task"):
        known_metric_names("image-segmentation")
    with pytest.raises(MetricError, match="Unknown task"):
        default_metrics("image-segmentation")


def test_build_compute_metrics_reuses_loaded_modules() -> None:
    rng = np.random.default_rng(7)
    fn = build_compute_metrics("text-classification", ["accuracy", "f1_macro", "f1_weighted"])
    fn((rng.normal(size=(20, 3)), rng.integers(0, 3, size=20)))
    before = m._load_module.cache_info()
    for _ in range(3):
        logits, labels = rng.normal(size=(20, 3)), rng.integers(0, 3, size=20)
        result = fn((logits, labels))
        assert result["f1_weighted"] == pytest.approx(
            f1_score(labels, logits.argmax(-1), average="weighted", zero_division=ZERO)
        )
    after = m._load_module.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_generative_tasks_report_nothing_but_custom_metrics() -> None:
    assert known_metric_names("causal-lm") == default_metrics("seq2seq") == []
    predictions, labels = np.zeros((2, 4, 10)), np.full((2, 4), -100)
    assert compute_metrics((predictions, labels), task="causal-lm") == {}
    assert build_compute_metrics("seq2seq")((predictions, None)) == {}
    shape = compute_metrics(
        (predictions, labels), task="seq2seq", custom=[lambda p, r: {"rank": p.ndim}]
    )
    assert shape == {"rank": 3.0}
    with pytest.raises(MetricError, match="eval loss"):
        build_compute_metrics("causal-lm", ["accuracy"])


@pytest.mark.parametrize(
    ("eval_pred", "task", "match"),
    [
        ((np.zeros((4, 3)), np.zeros(5, dtype=int)), "text-classification", "shape"),
        ((np.zeros((4, 6, 3)), np.zeros((4, 5), dtype=int)), "token-classification", "shape"),
        ((np.zeros((4, 3)), np.zeros((4, 2))), "multi-label-classification", "shape"),
        (
            (np.zeros((2, 2)), np.array([[0.0, 2.0], [1.0, 0.0]])),
            "multi-label-classification",
            "0/1",
        ),
        ((np.zeros((4, 3)), None), "text-classification", "no labels"),
        ((np.zeros((2, 3, 4)), np.full((2, 3), -100)), "token-classification", "Nothing to score"),
        (object(), "text-classification", "Unexpected evaluation output"),
    ],
)
def test_unusable_eval_outputs_raise_metric_error(eval_pred: object, task: str, match: str) -> None:
    with pytest.raises(MetricError, match=match):
        compute_metrics(eval_pred, task=task)


def test_threshold_must_be_a_probability() -> None:
    with pytest.raises(MetricError, match="threshold"):
        build_compute_metrics("multi-label-classification", threshold=1.5)


def test_trainer_evaluate_reports_prefixed_metrics(tiny_bert_dir: Path, tmp_path: Path) -> None:
    """A real Trainer evaluation hands its EvalPrediction to the built callable."""
    from datasets import Dataset
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
    )

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert_dir)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_bert_dir)
    texts = [f"headline number {i} about {w}" for i, w in enumerate(["sport", "tech"] * 12)]
    labels = [i % 3 for i in range(len(texts))]
    data = Dataset.from_dict({"text": texts, "label": labels}).map(
        lambda b: tokenizer(b["text"], truncation=True, padding="max_length", max_length=16),
        batched=True,
    )
    args = TrainingArguments(
        output_dir=str(tmp_path), per_device_eval_batch_size=7, report_to=[], use_cpu=True
    )
    trainer = Trainer(
        model=model,
        args=args,
        eval_dataset=data,
        compute_metrics=build_compute_metrics("text-classification"),
    )
    result = trainer.evaluate()
    for name in default_metrics("text-classification"):
        assert isinstance(result[f"eval_{name}"], float)
    predicted = trainer.predict(data).predictions.argmax(-1)  # type: ignore[union-attr]
    assert result["eval_accuracy"] == pytest.approx(accuracy_score(labels, predicted))
