"""Evaluation numbers against the reference libraries (sklearn, rouge-score, sacrebleu) and a
token-by-token perplexity; exports read back."""

from __future__ import annotations

import csv
import json
import math
import threading
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.evaluation import analysis as ev
from hf_ecosystem.evaluation import perplexity as ppl
from hf_ecosystem.jobs.context import JobCancelled
from hf_ecosystem.metrics.modules import metric_path

tiny_model = fixtures.tiny_model

LABELS = ["neg", "neu", "pos", "other"]  # "other" never occurs: a zero row and a zero column
Y_TRUE = [0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 1, 2]
Y_PRED = [0, 1, 1, 1, 2, 2, 2, 0, 2, 0, 0, 2]


def test_confusion_matches_sklearn_with_indices_and_names() -> None:
    from sklearn.metrics import confusion_matrix

    expected = confusion_matrix(Y_TRUE, Y_PRED, labels=[0, 1, 2, 3]).tolist()
    by_index = ev.confusion(Y_TRUE, Y_PRED, LABELS)
    by_name = ev.confusion([LABELS[i] for i in Y_TRUE], [LABELS[i] for i in Y_PRED], LABELS)
    assert by_index.counts == expected == by_name.counts
    normalized = confusion_matrix(Y_TRUE, Y_PRED, labels=[0, 1, 2], normalize="true")
    for row, want in zip(by_index.normalized[:3], normalized.tolist(), strict=True):
        assert row[:3] == pytest.approx(want)
    assert by_index.normalized[3] == [0.0, 0.0, 0.0, 0.0]  # no true "other": the row stays 0
    assert by_index.to_dict()["labels"] == LABELS


def test_report_matches_sklearn() -> None:
    from sklearn import metrics

    report_of: Any = metrics.classification_report  # its stubs want zero_division as a str
    want = report_of(
        Y_TRUE, Y_PRED, labels=[0, 1, 2, 3], target_names=LABELS, output_dict=True,
        zero_division=0,
    )  # fmt: skip
    report = ev.classification_report(Y_TRUE, Y_PRED, LABELS)
    for scores in report.classes:
        expected = want[scores.name]
        assert (scores.precision, scores.recall, scores.f1) == pytest.approx(
            (expected["precision"], expected["recall"], expected["f1-score"])
        )
        assert scores.support == expected["support"]
    for mine, theirs in ((report.macro, "macro avg"), (report.weighted, "weighted avg")):
        expected = want[theirs]
        assert (mine.precision, mine.recall, mine.f1) == pytest.approx(
            (expected["precision"], expected["recall"], expected["f1-score"])
        )
    assert report.accuracy == pytest.approx(8 / 12)
    flat = report.flat()
    assert flat["f1_macro"] == pytest.approx(want["macro avg"]["f1-score"])
    assert flat["precision_weighted"] == pytest.approx(want["weighted avg"]["precision"])
    rows = ev.report_rows(report)
    assert [r["name"] for r in rows] == [*LABELS, "macro", "weighted"]


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        ([0, 1], [0], "2 true labels but 1 predictions"),
        (["neg", "maybe"], ["neg", "neg"], "'maybe', not one of the labels"),
        ([0, 7], [0, 0], "outside 0…3"),
    ],
)
def test_bad_labels_are_named(y_true: list, y_pred: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ev.EvaluationError, match=message):
        ev.confusion(y_true, y_pred, LABELS)


def test_error_analysis_filter_and_sort() -> None:
    texts = [f"text {i}" for i in range(len(Y_TRUE))]
    confidences = [0.5 + i / 40 for i in range(len(Y_TRUE))]
    errors = ev.error_analysis(texts, Y_TRUE, Y_PRED, confidences, LABELS)
    assert [e.index for e in errors] == [
        i for i, (t, p) in enumerate(zip(Y_TRUE, Y_PRED, strict=True)) if t != p
    ]
    first = errors[0]
    assert (first.text, first.true, first.predicted) == ("text 1", "neg", "neu")
    assert first.confidence == pytest.approx(0.525)
    assert [e.index for e in ev.filter_errors(errors, true="neu")] == [4, 10]
    assert [e.index for e in ev.filter_errors(errors, true="neu", predicted="neg")] == [10]
    assert [e.index for e in ev.filter_errors(errors, predicted="neu")] == [1]
    by_confidence = ev.sort_errors(errors)
    assert [e.index for e in by_confidence] == [10, 7, 4, 1]
    assert [e.index for e in ev.sort_errors(errors, descending=False)] == [1, 4, 7, 10]
    assert ev.sort_errors(errors, "true", descending=False)[0].true == "neg"
    with pytest.raises(ev.EvaluationError, match="Cannot sort errors by 'loss'"):
        ev.sort_errors(errors, "loss")
    with pytest.raises(ev.EvaluationError, match="differ in length"):
        ev.error_analysis(texts[:3], Y_TRUE, Y_PRED, confidences, LABELS)


def test_task_names_and_aliases() -> None:
    assert ev.normalize_task("summarization") == "seq2seq"
    assert ev.normalize_task(" text-generation ") == "causal-lm"
    assert ev.normalize_task("text-classification") == "text-classification"
    with pytest.raises(ev.EvaluationError, match="Unknown evaluation task 'ner'") as caught:
        ev.normalize_task("ner")
    assert "seq2seq" in caught.value.hint


def test_dataset_labels_become_model_classes(tmp_path: Path) -> None:
    from datasets import ClassLabel

    from hf_ecosystem.data.errors import DataError
    from hf_ecosystem.data.sources import resolve
    from hf_ecosystem.evaluation.job import label_indices, pick_split

    model_labels = ["neg", "neu", "pos"]
    assert label_indices(["pos", 0, 1.0, True], None, model_labels) == [2, 0, 1, 1]
    # A ClassLabel column stores indices of its own names: mapped by name when the model has them.
    reordered = ClassLabel(names=["pos", "neg", "neu"])
    assert label_indices([0, 1, 2], reordered, model_labels) == [2, 0, 1]
    generic = ClassLabel(names=["a", "b", "c"])  # names the model lacks: indices as they are
    assert label_indices([0, 2], generic, model_labels) == [0, 2]
    with pytest.raises(DataError, match="row 1: label 3 is not one of the model's labels"):
        label_indices([0, 3], None, model_labels)
    with pytest.raises(DataError, match="row 0: label nan is not one"):
        label_indices([float("nan")], None, model_labels)

    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("train.csv", "test.csv", "validation.csv"):
        (folder / name).write_text("text,label\na,neg\n")
    source = resolve(str(folder))
    assert pick_split(source, None, None) == "test"
    assert pick_split(source, "validation", None) == "validation"
    with pytest.raises(DataError, match="no split 'dev'"):
        pick_split(source, "dev", None)


# -- generation metrics ----------------------------------------------------------------------

PREDICTIONS = [
    "the cat sat on the mat",
    "a quick brown fox jumps over the dog",
    "hello world, this is a test",
    "rain is expected in the north tomorrow",
]
REFERENCES = [
    "the cat is on the mat",
    "the quick brown fox jumped over the lazy dog",
    "hello there, this is only a test",
    "tomorrow rain is expected in northern parts",
]


def test_rouge_matches_rouge_score() -> None:
    import numpy as np
    from rouge_score import rouge_scorer, scoring

    result = ev.rouge_scores(PREDICTIONS, REFERENCES, confidence=0.9, n_samples=200, seed=3)
    scorer = rouge_scorer.RougeScorer(list(ev.ROUGE_TYPES))
    aggregator = scoring.BootstrapAggregator(confidence_interval=0.9, n_samples=200)
    for p, r in zip(PREDICTIONS, REFERENCES, strict=True):
        aggregator.add_scores(scorer.score(r, p))
    np.random.seed(3)
    want = aggregator.aggregate()
    assert [s.name for s in result.scores] == list(ev.ROUGE_TYPES)
    for score in result.scores:
        got = (score.low, score.mid, score.high)
        expected = want[score.name]
        assert got == pytest.approx(
            (expected.low.fmeasure, expected.mid.fmeasure, expected.high.fmeasure)
        )
        assert score.low <= score.mid <= score.high
    flat = result.flat()
    assert flat["rouge1"] == result.scores[0].mid and "rougeLsum_high" in flat
    again = ev.rouge_scores(PREDICTIONS, REFERENCES, confidence=0.9, n_samples=200, seed=3)
    assert again == result  # the seed makes the bootstrap reproducible


def test_bleu_and_chrf_match_sacrebleu() -> None:
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    bleu, chrf = BLEU(), CHRF()
    want_bleu = bleu.corpus_score(PREDICTIONS, [REFERENCES])
    want_chrf = chrf.corpus_score(PREDICTIONS, [REFERENCES])
    got_bleu = ev.bleu_score(PREDICTIONS, REFERENCES)
    got_chrf = ev.chrf_score(PREDICTIONS, REFERENCES)
    assert got_bleu.score == pytest.approx(want_bleu.score) and got_bleu.score > 0
    assert got_bleu.signature == bleu.get_signature().format()
    assert got_chrf.score == pytest.approx(want_chrf.score)
    assert got_chrf.signature == chrf.get_signature().format()
    assert got_bleu.to_dict() == {
        "name": "bleu", "score": got_bleu.score, "signature": got_bleu.signature
    }  # fmt: skip

    # Two references per prediction: sacrebleu's reference streams.
    second = [r.upper() for r in REFERENCES]
    multi = ev.bleu_score(PREDICTIONS, [[a, b] for a, b in zip(REFERENCES, second, strict=True)])
    assert multi.score == pytest.approx(
        BLEU().corpus_score(PREDICTIONS, [REFERENCES, second]).score
    )
    assert multi.signature.startswith("nrefs:2|")


@pytest.mark.parametrize(
    ("predictions", "references", "message"),
    [(["a"], ["a", "b"], "1 predictions but 2 references"), ([], [], "no predictions")],
)
def test_corpus_scores_refuse_mismatched_inputs(
    predictions: list[str], references: list[str], message: str
) -> None:
    with pytest.raises(ev.EvaluationError, match=message):
        ev.bleu_score(predictions, references)


def test_confusion_matrix_module_through_evaluate() -> None:
    import evaluate

    module: Any = evaluate.load(metric_path("confusion_matrix"))
    out = module.compute(predictions=Y_PRED, references=Y_TRUE, labels=LABELS)
    assert out["confusion_matrix"] == ev.confusion(Y_TRUE, Y_PRED, LABELS).counts
    assert module.compute(predictions=[1, 0], references=[1, 1])["labels"] == ["0", "1"]


# -- perplexity --------------------------------------------------------------------------------

LONG_TEXT = (
    "The committee met on Tuesday to discuss the budget for the coming year. Members agreed that "
    "spending on roads and schools should rise, while the library would keep its current hours."
)


def _hand_nll(model, ids: list[int], window: int, stride: int) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Token by token: each token's log-probability from its own forward pass over exactly the
    context its window gives it."""
    import torch

    total, count = 0.0, 0
    previous_end = 0
    for begin in range(0, len(ids), stride):
        end = min(begin + window, len(ids))
        for j in range(max(previous_end, begin + 1), end):
            with torch.no_grad():
                logits = model(torch.tensor([ids[begin:j]])).logits[0, -1]
            total -= float(torch.log_softmax(logits.double(), -1)[ids[j]])
            count += 1
        previous_end = end
        if end == len(ids):
            break
    return total, count


def test_perplexity_sliding_window_matches_token_by_token(tiny_model) -> None:  # type: ignore[no-untyped-def]
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tiny_model("text-generation")
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    texts = [LONG_TEXT, "Short one.", "Roads and schools."]
    seen: list[tuple[int, int]] = []
    result = ppl.perplexity(
        model, tokenizer, texts, max_length=16, stride=6, batch_size=2,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    nll, count = 0.0, 0
    for text in texts:
        ids = [tokenizer.bos_token_id, *tokenizer(text)["input_ids"]]
        assert len(ids) > 16 or text != LONG_TEXT  # the long text needs several windows
        part, n = _hand_nll(model, ids, 16, 6)
        nll, count = nll + part, count + n
    assert result.tokens == count == sum(len(tokenizer(t)["input_ids"]) for t in texts)
    assert result.mean_nll == pytest.approx(nll / count, rel=1e-4)
    assert result.perplexity == pytest.approx(math.exp(nll / count), rel=1e-4)
    assert (result.max_length, result.stride, result.texts) == (16, 6, 3)
    assert seen == [(2, 3), (3, 3)]


def test_perplexity_in_one_window_is_the_models_own_loss(tiny_model) -> None:  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = tiny_model("text-generation")
    model = AutoModelForCausalLM.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    ids = torch.tensor([[tokenizer.bos_token_id, *tokenizer(LONG_TEXT)["input_ids"]]])
    with torch.no_grad():
        loss = float(model(ids, labels=ids).loss)
    # A stride longer than the window is cut to it (else tokens between windows would be skipped).
    result = ppl.perplexity(model, tokenizer, [LONG_TEXT], stride=10_000)
    assert result.max_length == 128 == result.stride  # the model's n_positions
    assert result.perplexity == pytest.approx(math.exp(loss), rel=1e-4)
    assert result.flat() == {
        "perplexity": result.perplexity, "mean_nll": result.mean_nll, "tokens": result.tokens
    }  # fmt: skip
    module = ev.load_metric("perplexity")
    out = module.compute(predictions=[LONG_TEXT], model_id=str(folder), device="cpu")
    assert out["perplexity"] == pytest.approx(result.perplexity, rel=1e-4)

    with pytest.raises(ev.EvaluationError, match="No tokens to score"):
        ppl.perplexity(model, tokenizer, ["", ""], add_start_token=False)
    with pytest.raises(ev.EvaluationError, match="cannot score"):
        ppl.perplexity(model, tokenizer, [LONG_TEXT], max_length=1)
    stop = threading.Event()
    stop.set()
    with pytest.raises(JobCancelled):
        ppl.perplexity(model, tokenizer, [LONG_TEXT], cancel=stop)


@pytest.mark.parametrize(("n", "window", "stride"), [(1, 4, 2), (10, 4, 2), (10, 4, 4), (9, 5, 3)])
def test_windows_score_each_token_once(n: int, window: int, stride: int) -> None:
    scored: list[int] = []
    for begin, end, new in ppl.windows(n, window, stride):
        assert end - begin <= window and new <= end - begin
        scored += range(end - new, end)
    assert scored == list(range(n))


# -- export --------------------------------------------------------------------------------------


def test_exports_read_back(tmp_path: Path) -> None:
    report = ev.classification_report(Y_TRUE, Y_PRED, LABELS)
    errors = ev.error_analysis(['a, "quoted"\nline'] * 12, Y_TRUE, Y_PRED, [0.9] * 12, LABELS)
    data = json.loads(
        ev.export_json({"report": report, "n": 1}, tmp_path / "a" / "r.json").read_text()
    )
    assert data["report"]["macro"]["f1"] == pytest.approx(report.macro.f1)
    assert data["n"] == 1

    metrics_csv = ev.export_csv(report.flat(), tmp_path / "metrics.csv")
    with metrics_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0] == {"metric": "accuracy", "value": str(report.accuracy)}

    errors_csv = ev.export_csv(errors, tmp_path / "errors.csv")
    with errors_csv.open(newline="") as handle:
        back = list(csv.DictReader(handle))
    assert len(back) == len(errors) and back[0]["text"] == 'a, "quoted"\nline'
    assert set(back[0]) == {"index", "text", "true", "predicted", "confidence"}
    assert ev.export_csv([], tmp_path / "empty.csv").read_text() == ""


def test_confusion_png_is_a_real_image(tmp_path: Path) -> None:
    matrix = ev.confusion(Y_TRUE, Y_PRED, LABELS)
    path = ev.confusion_png(matrix, tmp_path / "plots" / "confusion.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    counts = ev.confusion_png(matrix, tmp_path / "counts.png", normalized=False)
    assert counts.read_bytes() != data
