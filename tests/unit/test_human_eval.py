"""Human evaluation in core: items from evaluate and batch files, answers stored as they come
(resumable), hidden order for pairs, Cohen's kappa, and the comparison with the metric."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hf_ecosystem.evaluation.human import ReviewError, open_review, read_ratings
from hf_ecosystem.evaluation.human_stats import HumanSummary, cohen_kappa, spearman, summarize


def _csv(path: Path, rows: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _jsonl(path: Path, outputs: list[object], inputs: list[str] | None = None) -> Path:
    texts = inputs or [f"input {i}" for i in range(len(outputs))]
    lines = [
        json.dumps({"index": i, "input": texts[i], "output": o}) for i, o in enumerate(outputs)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def generation(tmp_path: Path) -> Path:
    folder = tmp_path / "run" / "evaluation" / "job-1"
    refs = ["the cat sat on the mat", "a dog ran in the park", "rain fell all day long",
            "the sun rose over the hills"]  # fmt: skip
    preds = ["the cat sat on the mat", "a dog in a park", "snow", "the sun rose over hills"]
    rows = [{"index": i, "source": f"text {i}", "reference": r, "prediction": p}
            for i, (r, p) in enumerate(zip(refs, preds, strict=True))]  # fmt: skip
    _csv(folder / "predictions.csv", rows)
    return folder


@pytest.fixture
def classifier(tmp_path: Path) -> Path:
    folder = tmp_path / "run" / "evaluation" / "job-2"
    rows = [{"index": i, "text": f"headline {i}", "true": "sport", "predicted": "business",
             "confidence": 0.6} for i in (3, 7, 9)]  # fmt: skip
    _csv(folder / "errors.csv", rows)
    evaluation = {"samples": 20, "metrics": {"accuracy": 0.85}}
    (folder / "evaluation.json").write_text(json.dumps(evaluation), encoding="utf-8")
    return folder


def test_answers_are_stored_at_once_and_a_review_resumes(generation: Path) -> None:
    review = open_review([generation], "ada")
    assert review.kind == "rating" and len(review.items) == 4
    first = review.remaining()[0]
    assert first.reference == "the cat sat on the mat" and first.outputs == (first.reference,)
    review.answer(first, "5")
    review.answer(review.remaining()[0], "2")
    stored = list(read_ratings(review.path))
    assert [r.answer for r in stored] == ["5", "2"]
    assert review.path == generation / "human" / "job-1" / "ada.jsonl"
    # A kill mid-write leaves a torn last line: it is skipped, the rest resumes.
    with review.path.open("a", encoding="utf-8") as handle:
        handle.write('{"item_id": "2", "revi')
    again = open_review([generation], "ada")
    assert [item.item_id for item in again.remaining()] == ["2", "3"]
    with pytest.raises(ReviewError, match="not an answer here"):
        again.answer(again.remaining()[0], "y")


def test_the_latest_answer_to_an_item_wins(generation: Path) -> None:
    review = open_review([generation], "ada")
    item = review.items[0]
    review.answer(item, "1")
    review.answer(item, "4")
    assert open_review([generation], "ada").ratings[item.item_id].answer == "4"


def test_pairs_hide_their_order_and_answers_map_back_to_models(tmp_path: Path) -> None:
    inputs = [f"question {i}" for i in range(12)]
    small = _jsonl(tmp_path / "small.jsonl", [f"small answer {i}" for i in range(12)], inputs)
    generated: list[object] = [[{"generated_text": f"large {i}"}] for i in range(12)]
    large = _jsonl(tmp_path / "large.jsonl", generated, inputs)
    review = open_review([small, large], "ada")
    assert review.kind == "pairwise" and review.name == "small-vs-large"
    first_shown = {item.models[0] for item in review.items}
    assert first_shown == {"small", "large"}  # shuffled per item, not always the same side
    for item in review.items:  # the outputs shown follow the hidden models
        for text, model in zip(item.outputs, item.models, strict=True):
            assert text.startswith(model)
    item = review.items[0]
    assert review.answer(item, "b").chosen == item.models[1]
    assert review.answer(review.items[1], "=").chosen == "tie"
    # The order is fixed per review: reopening shows the same sides.
    assert open_review([small, large], "ada").items[0].models == item.models


def test_bad_sources_get_clear_errors(tmp_path: Path, generation: Path) -> None:
    a = _jsonl(tmp_path / "a.jsonl", ["x", "y"])
    b = _jsonl(tmp_path / "b.jsonl", ["x", "y"], ["other 0", "other 1"])
    with pytest.raises(ReviewError, match="same inputs"):
        open_review([a, b], "ada")
    with pytest.raises(ReviewError, match="No such file"):
        open_review([tmp_path / "missing.jsonl"], "ada")
    with pytest.raises(ReviewError, match="Invalid reviewer name"):
        open_review([generation], "../etc")
    with pytest.raises(ReviewError, match="Nothing to review"):
        open_review([tmp_path], "ada")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"index": 0, "input": "x"}\n', encoding="utf-8")
    with pytest.raises(ReviewError, match="line 1 has no 'output'"):
        open_review([broken], "ada")
    with pytest.raises(ReviewError, match="one results file, or two"):
        open_review([a, a, a], "ada")


def test_cohen_kappa_matches_sklearn_and_spearman_its_definition() -> None:
    from sklearn.metrics import cohen_kappa_score

    first = ["y", "y", "n", "n", "y", "n", "y", "y"]
    second = ["y", "n", "n", "n", "y", "y", "y", "y"]
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))
    assert cohen_kappa(["y"] * 3, ["y"] * 3) == 1.0
    with pytest.raises(ValueError):
        cohen_kappa(["y"], [])
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 2, 3], [3, 2, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_two_reviewers_agreement_and_the_label_review_adjusts_accuracy(classifier: Path) -> None:
    ada, bob = open_review([classifier], "ada"), open_review([classifier], "bob")
    assert ada.kind == "label" and ada.items[0].metric_label == "sport"
    for item, (a, b) in zip(ada.items, [("y", "y"), ("n", "n"), ("y", "n")], strict=True):
        ada.answer(item, a)
        bob.answer(item, b)
    summary = summarize(ada)
    assert summary.counts == {"n": 1, "y": 2}
    (agreement,) = summary.agreements
    assert (agreement.first, agreement.second, agreement.items) == ("ada", "bob", 3)
    assert agreement.kappa == pytest.approx(0.4)
    assert summary.comparison[0] == "2 of 3 reviewed errors are acceptable answers"
    assert summary.comparison[1] == "accuracy 0.850 by the labels, 0.950 by the reviewers"
    assert HumanSummary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary


def test_ratings_are_compared_with_sentence_chrf(generation: Path) -> None:
    review = open_review([generation], "ada")
    for item, answer in zip(review.items, ["5", "3", "1", "4"], strict=True):
        review.answer(item, answer)
    summary = summarize(review)
    assert summary.mean_rating == pytest.approx(3.25)
    assert summary.comparison[0].startswith("Spearman +1.00 between ratings and sentence chrF")


def test_cli_prints_the_summary(classifier: Path) -> None:
    review = open_review([classifier], "ada")
    review.answer(review.items[0], "y")
    command = [sys.executable, "-m", "hf_tui", "review", str(classifier), "--reviewer", "ada",
               "--summary"]  # fmt: skip
    human = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert "1/3 answered by ada" in human and "1 of 1 reviewed errors" in human
    data = json.loads(
        subprocess.run([*command, "--json"], capture_output=True, text=True, check=True).stdout
    )
    assert data["ok"] and data["counts"] == {"y": 1}
    bad = subprocess.run([*command[:-3], "--reviewer", "a b/c", "--summary"], capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert bad.returncode == 1 and "Invalid reviewer name" in bad.stderr
