"""Which way a metric is better, what is bookkeeping, and the compare table built on both."""

from __future__ import annotations

import math
from typing import Any

import pytest

from hf_ecosystem.config import load_settings
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.metrics.direction import base_name, best_indices, better_direction, is_bookkeeping
from hf_ecosystem.training.runs import compare_rows, compare_table, eval_curves, get_run
from hf_ecosystem.training.spec import TrainSpec


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("eval_loss", "lower"),
        ("train_loss", "lower"),
        ("loss", "lower"),
        ("eval_perplexity", "lower"),
        ("hamming_loss", "lower"),  # "loss" wins over any score word
        ("mean_nll", "lower"),
        ("eval_wer", "lower"),
        ("eval_accuracy", "higher"),
        ("subset_accuracy", "higher"),
        ("eval_f1_macro", "higher"),
        ("precision_weighted", "higher"),
        ("recall_macro", "higher"),
        ("rougeL", "higher"),
        ("eval_bleu", "higher"),
        ("chrf", "higher"),
        ("exact_match", "higher"),
        ("samples", None),  # a count: neither
        ("tokens", None),
        ("embedding_norm", None),  # "em" matches a whole word only
        ("eval_runtime", None),  # bookkeeping has no direction
        ("epoch", None),
    ],
)
def test_better_direction(name: str, direction: str | None) -> None:
    assert better_direction(name) == direction


def test_bookkeeping_and_base_names() -> None:
    noise = ["train_runtime", "eval_runtime", "train_samples_per_second", "eval_steps_per_second",
             "total_flos", "epoch", "learning_rate", "grad_norm"]  # fmt: skip
    assert all(is_bookkeeping(n) for n in noise)
    assert not any(is_bookkeeping(n) for n in ["eval_loss", "train_loss", "eval_accuracy"])
    assert base_name("eval_accuracy") == "accuracy" and base_name("test_f1") == "f1"
    assert base_name("eval_") == "eval_" and base_name("rougeL") == "rougeL"


def test_best_indices() -> None:
    assert best_indices("eval_loss", [0.5, 0.3, None, 0.9]) == (1,)
    assert best_indices("eval_accuracy", [0.5, 0.9, None, 0.9]) == (1, 3)  # ties: both
    assert best_indices("eval_accuracy", [0.8, 0.8]) == ()  # all equal: no best
    assert best_indices("eval_accuracy", [0.8, None]) == ()  # one value: nothing to beat
    assert best_indices("samples", [10, 20]) == ()  # no direction
    assert best_indices("eval_loss", [math.nan, 0.4, 0.6]) == (1,)  # NaN is not a value


def _run(
    store: JobStore, metrics: dict[str, float], events: list[dict[str, Any]], **cfg: Any
) -> str:
    config = TrainSpec.parse(
        {"model": "acme/tiny-bert", "dataset": "acme/reviews", "max_steps": 40, **cfg}
    ).to_dict()
    record = store.create(JobSpec.create("train", config=config))
    writer = EventWriter(store.events_path(record.id))
    for data in events:
        writer.emit("metric", **data)
    store.finish(record.id, "succeeded", result={"metrics": metrics, "global_step": 40})
    return record.id


def test_compare_table_marks_best_and_drops_bookkeeping() -> None:
    store = JobStore(load_settings().home)
    noise = {"epoch": 1.0, "eval_runtime": 1.2, "eval_samples_per_second": 90.0,
             "eval_steps_per_second": 3.0, "total_flos": 1e12, "train_runtime": 30.0}  # fmt: skip
    events = [{"step": 10, "eval_loss": 0.6, "eval_runtime": 1.0, "loss": 0.9},
              {"step": 20, "eval_loss": 0.4, "eval_accuracy": 0.8}]  # fmt: skip
    a = _run(store, {"eval_loss": 0.4, "eval_accuracy": 0.8, **noise}, events, learning_rate=1e-4)
    b = _run(store, {"eval_loss": 0.3, "eval_accuracy": 0.7, **noise},
             [{"step": 10, "eval_loss": 0.3}])  # fmt: skip
    manager = JobManager()
    runs = [get_run(manager, a), get_run(manager, b)]
    rows = {row.name: row for row in compare_table(runs)}
    assert not set(noise) & set(rows)  # runtime, throughput, FLOPs and epoch are gone
    assert rows["eval_loss"].best == (1,) and rows["eval_accuracy"].best == (0,)
    assert rows["eval_loss"].kind == "metric" and rows["status"].kind == "status"
    assert rows["learning_rate"].differs and rows["learning_rate"].best == ()
    assert not rows["model"].differs and not rows["status"].differs
    header, plain = compare_rows(runs)
    assert header == ["", a, b]
    assert ["eval_loss", "0.4", "0.3"] in plain and not any(r[0] == "epoch" for r in plain)

    curves = eval_curves(runs)
    assert list(curves) == ["eval_loss", "eval_accuracy"]  # eval_loss first, no eval_runtime
    assert curves["eval_loss"] == {a: [(10, 0.6), (20, 0.4)], b: [(10, 0.3)]}
    assert curves["eval_accuracy"] == {a: [(20, 0.8)]}
