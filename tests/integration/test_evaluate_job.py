"""`evaluate` jobs through the real job engine (detached workers) on tiny models, and
`hf-tui run evaluate`."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from models import fixtures

from hf_ecosystem.jobs.events import EventWriter, JobEvent, read_events
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.cli import main

tiny_model = fixtures.tiny_model

REVIEWS = [
    ("great film, loved every minute", "positive"),
    ("terrible plot and worse acting", "negative"),
    ("it was fine, nothing special", "neutral"),
    ("an absolute masterpiece", "positive"),
    ("boring from start to end", "negative"),
    ("average at best", "neutral"),
    ("I would watch it again", "positive"),
    ("a waste of two hours", "negative"),
    ("some good scenes, some bad", "neutral"),
    ("brilliant cast and music", "positive"),
]
ARTICLES = [
    ("The council approved a new park near the river on Monday.", "council approves new park"),
    ("Heavy rain flooded several streets in the old town overnight.", "rain floods old town"),
    ("The local team won the final after extra time.", "local team wins final"),
    ("A new bakery opened on the main square this week.", "bakery opens on square"),
]


def _csv(path: Path, header: tuple[str, str], rows: list[tuple[Any, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _events(manager: JobManager, job_id: str) -> list[JobEvent]:
    return read_events(manager.events_path(job_id))[0]


def _expected_predictions(folder: Path, texts: list[str]) -> list[str]:
    """The tiny classifier's predictions, computed here with a plain forward pass."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    with torch.no_grad():
        logits = model(**tokenizer(texts, padding=True, return_tensors="pt")).logits
    return [model.config.id2label[int(i)] for i in logits.argmax(-1)]


@pytest.mark.slow
def test_classification_seq2seq_and_perplexity_jobs(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    classifier = tiny_model("text-classification")
    reviews = _csv(tmp_path / "reviews.csv", ("text", "label"), REVIEWS)
    articles = _csv(tmp_path / "news.csv", ("article", "summary"), ARTICLES)
    manager = JobManager(max_running=2)
    common: dict[str, Any] = {"device": "cpu"}
    specs = {
        "classify": {"model": str(classifier), "dataset": str(reviews), "batch_size": 4,
                     "task": "text-classification"},
        "seq2seq": {"model": str(tiny_model("summarization")), "dataset": str(articles),
                    "task": "summarization", "text_column": "article", "max_samples": 3},
        "perplexity": {"model": str(tiny_model("text-generation")), "dataset": str(reviews),
                       "task": "causal-lm", "max_length": 8, "stride": 4},
        "translate": {"model": str(tiny_model("translation")), "dataset": str(articles),
                      "task": "translation", "text_column": "article", "max_samples": 2,
                      "src_lang": "en", "tgt_lang": "de"},
    }  # fmt: skip
    jobs = {
        n: manager.launch(JobSpec.create("evaluate", **p, **common)).id for n, p in specs.items()
    }
    records = {name: manager.wait(job_id, timeout=240) for name, job_id in jobs.items()}
    outcome = {n: (r.status, r.error) for n, r in records.items()}
    assert outcome == dict.fromkeys(jobs, ("succeeded", None))

    # Classification: the job's numbers follow from the model's own predictions.
    result = records["classify"].result or {}
    texts = [t for t, _ in REVIEWS]
    truth = [label for _, label in REVIEWS]
    predicted = _expected_predictions(classifier, texts)
    labels = result["confusion"]["labels"]
    assert labels == ["negative", "neutral", "positive"]
    want = [[0] * 3 for _ in labels]
    for t, p in zip(truth, predicted, strict=True):
        want[labels.index(t)][labels.index(p)] += 1
    assert result["confusion"]["counts"] == want
    hits = sum(t == p for t, p in zip(truth, predicted, strict=True))
    assert result["metrics"]["accuracy"] == pytest.approx(hits / len(texts))
    assert result["samples"] == 10 and result["split"] == "train"
    assert result["errors_total"] == len(result["errors"]) == len(texts) - hits
    assert {e["index"] for e in result["errors"]} == {
        i for i, (t, p) in enumerate(zip(truth, predicted, strict=True)) if t != p
    }
    confidences = [e["confidence"] for e in result["errors"]]
    assert confidences == sorted(confidences, reverse=True)
    out = Path(result["output_dir"])
    assert out == manager.store.job_dir(jobs["classify"]) / "evaluation"
    for name in ("evaluation.json", "metrics.csv", "errors.csv", "confusion.png", "report.csv"):
        assert (out / name).stat().st_size > 0 or name == "errors.csv"
    saved = json.loads((out / "evaluation.json").read_text())
    assert saved["metrics"] == result["metrics"] and saved["confusion"]["counts"] == want
    events = _events(manager, jobs["classify"])
    progress = [e.data for e in events if e.type == "progress"]
    assert [p["done"] for p in progress] == [0, 4, 8, 10]  # 0 of 10 as soon as the rows are known
    assert {p["unit"] for p in progress} == {"examples"}
    (metric,) = [e.data for e in events if e.type == "metric"]
    assert metric["accuracy"] == result["metrics"]["accuracy"] and metric["samples"] == 10
    kinds = {e.data["kind"] for e in events if e.type == "artifact"}
    assert kinds == {"evaluation", "metrics", "report", "errors", "confusion-matrix"}

    # seq2seq: the stored predictions rescored with sacrebleu give the job's BLEU and chrF.
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    result = records["seq2seq"].result or {}
    with (Path(result["output_dir"]) / "predictions.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["reference"] for r in rows] == [s for _, s in ARTICLES[:3]]
    hypotheses = [r["prediction"] for r in rows]
    references = [[r["reference"] for r in rows]]
    assert result["metrics"]["bleu"] == pytest.approx(
        BLEU().corpus_score(hypotheses, references).score
    )
    assert result["metrics"]["chrf"] == pytest.approx(
        CHRF().corpus_score(hypotheses, references).score
    )
    assert result["signatures"]["bleu"].startswith("nrefs:1|")
    logs = [e.data.get("message") for e in _events(manager, jobs["translate"])]
    assert "translation en → de" in logs  # evaluated as translation, with the language pair
    for name in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert result["metrics"][f"{name}_low"] <= result["metrics"][name]
    assert len(result["examples"]) == 3 and "confusion" not in result

    # Perplexity: token-weighted over every review.
    result = records["perplexity"].result or {}
    metrics = result["metrics"]
    assert metrics["perplexity"] == pytest.approx(2.718281828 ** metrics["mean_nll"], rel=1e-6)
    assert metrics["tokens"] > len(REVIEWS)
    saved = json.loads((Path(result["output_dir"]) / "evaluation.json").read_text())
    assert saved["perplexity"]["max_length"] == 8 and saved["perplexity"]["stride"] == 4


@pytest.mark.parametrize(
    ("params", "title"),
    [
        ({"label_column": "sentiment"}, "column 'sentiment': the label column is not in"),
        ({"task": "seq2seq"}, "seq2seq evaluation needs a target column"),
        ({"model": "{empty}"}, "Could not load"),
        ({"task": "token-tagging"}, "Unknown evaluation task 'token-tagging'"),
        ({"split": "test"}, "no split 'test'"),
    ],
)
@pytest.mark.slow
def test_bad_inputs_fail_with_a_clear_error(
    tiny_model, tmp_path: Path, params: dict[str, str], title: str
) -> None:  # type: ignore[no-untyped-def]
    reviews = _csv(tmp_path / "reviews.csv", ("text", "label"), REVIEWS[:3])
    manager = JobManager(max_running=2)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    spec: dict[str, Any] = {
        "model": str(tiny_model("text-classification")),
        "dataset": str(reviews),
        "task": "text-classification",
        "device": "cpu",
        **params,
    }
    spec["model"] = spec["model"].format(empty=empty)
    record = manager.wait(manager.launch(JobSpec.create("evaluate", **spec)).id, timeout=120)
    assert record.status == "failed"
    assert title in (record.error or {})["title"]
    (error,) = [e.data for e in _events(manager, record.id) if e.type == "error"]
    assert title in error["title"] and error["hint"]


@pytest.mark.slow
def test_unknown_label_value_is_named(tiny_model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _csv(tmp_path / "d.csv", ("text", "label"), [("good", "positive"), ("meh", "so-so")])
    manager = JobManager()
    spec = JobSpec.create(
        "evaluate", model=str(tiny_model("text-classification")), dataset=str(data),
        task="text-classification", device="cpu",
    )  # fmt: skip
    record = manager.wait(manager.launch(spec).id, timeout=120)
    assert record.status == "failed"
    error = record.error or {}
    assert "row 1: label 'so-so' is not one of the model's labels" in error["title"]
    assert "negative, neutral, positive" in error["hint"]


# -- the CLI -------------------------------------------------------------------------------------


def _finished_run(
    manager: JobManager, config: dict[str, Any], events: list[tuple[str, Any]]
) -> JobRecord:
    """A finished training run as the store and its event file hold it."""
    record = manager.store.create(JobSpec.create("train", config=config))
    writer = EventWriter(manager.store.events_path(record.id))
    for kind, path in events:
        writer.emit("artifact", path=str(path), kind=kind)
    manager.store.finish(record.id, "succeeded", exit_code=0, result={})
    return manager.store.get(record.id)


@pytest.mark.slow
def test_cli_evaluates_a_model_and_a_run(
    tiny_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    model = tiny_model("text-classification")
    reviews = _csv(tmp_path / "reviews.csv", ("review", "label"), REVIEWS)

    code = main([
        "run", "evaluate", "--model", str(model), "--dataset", str(reviews),
        "--task", "sequence-classification", "--text-column", "review", "--max-samples", "4",
        "--device", "cpu", "--wait", "--json",
    ])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ok"] is True and data["status"] == "succeeded"
    assert data["spec"]["task"] == "text-classification"
    assert data["metrics"] == data["result"]["metrics"]
    assert set(data["metrics"]) >= {"accuracy", "f1_macro", "precision_weighted"}
    assert data["result"]["samples"] == 4

    # --run: the run's model, data and columns; results under the run's folder.
    manager = JobManager()
    run_dir = tmp_path / "run"
    config = {"model": str(model), "dataset": str(reviews), "text_column": "review"}
    run = _finished_run(manager, config, [("run-dir", run_dir), ("model", model)])
    code = main(
        ["run", "evaluate", "--run", run.id, "--max-samples", "3", "--device", "cpu", "--wait"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "succeeded · 3 examples of train" in captured.out
    assert "accuracy" in captured.out and "f1_macro" in captured.out
    (evaluation,) = (run_dir / "evaluation").iterdir()
    assert f"files: {evaluation}" in captured.out
    assert (evaluation / "confusion.png").is_file()
    job = manager.get(evaluation.name)
    assert job.spec.params["run"] == run.id and job.spec.params["text_column"] == "review"
    assert (job.result or {})["run"] == run.id

    # Without --wait: the job id, and the job carries the run's settings.
    code = main(["run", "evaluate", "--run", run.id[:-3], "--task", "text-classification"])
    job_id = capsys.readouterr().out.strip()
    assert code == 0 and manager.get(job_id).spec.params["model"] == str(model)
    manager.cancel(job_id, grace=5)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--task", "text-classification", "--dataset", "x.csv"], "--model is required"),
        (["--model", "{model}", "--task", "text-classification"], "--dataset is required"),
        (["--model", "{model}", "--dataset", "x.csv", "--task", "qa"], "Unknown evaluation task"),
        (["--run", "{unfinished}"], "has no final model"),
        (["--run", "{nothing}"], "No job '000000-000000-abcdef'"),
    ],
)
def test_cli_refuses_bad_arguments(
    tiny_model, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    model = tiny_model("text-classification")
    manager = JobManager()
    unfinished = _finished_run(manager, {"model": str(model), "dataset": "x.csv"}, [])
    values = {"model": str(model), "unfinished": unfinished.id, "nothing": "000000-000000-abcdef"}
    code = main(["run", "evaluate", *[a.format(**values) for a in argv]])
    assert code == 1
    assert message in capsys.readouterr().err
    assert [r.kind for r in manager.list()] == ["train"]  # nothing was launched


@pytest.mark.slow
def test_cli_wait_reports_a_failed_evaluation(
    tiny_model, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    reviews = _csv(tmp_path / "reviews.csv", ("text", "label"), REVIEWS[:2])
    code = main([
        "run", "evaluate", "--model", str(tiny_model("text-classification")), "--dataset",
        str(reviews), "--task", "text-classification", "--label-column", "stars", "--wait",
    ])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "failed: column 'stars': the label column is not in the dataset" in err
    assert "Columns: text, label" in err
