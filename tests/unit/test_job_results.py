"""Typed job results: each kind's type reads its stored dict back and writes it unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from hf_ecosystem.evaluation.analysis import ErrorExample
from hf_ecosystem.evaluation.results import EvaluationResult
from hf_ecosystem.jobs.kinds import KINDS
from hf_ecosystem.jobs.results import job_result, result_as, result_type
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.publishing.results import PublishJobResult
from hf_ecosystem.training.results import TrainResult

# One stored result per kind, keys in the order the handlers write them.
STORED: dict[str, dict[str, Any]] = {
    "warm-model": {"reason": "idle for 600 s", "served": 3, "models": ["fill-mask · /m"]},
    "train": {
        "output_dir": "/runs/a", "metrics": {"eval_loss": 0.6, "eval_accuracy": 0.75},
        "train_metrics": {"train_loss": 0.7}, "global_step": 40, "best_checkpoint": None,
        "labels": ["neg", "pos"], "precision": "bf16", "model_dir": "/runs/a/model",
        "tensorboard": "/runs/a/tensorboard",
    },
    "evaluate": {
        "task": "text-classification", "model": "/m", "dataset": "acme/r", "split": "test",
        "samples": 4, "run": None, "metrics": {"accuracy": 0.5}, "output_dir": "/e",
        "files": {"evaluation": "/e/evaluation.json"},
        "confusion": {"labels": ["neg", "pos"], "counts": [[1, 1], [1, 1]]},
        "errors": [
            {"index": 1, "text": "a", "true": "neg", "predicted": "pos", "confidence": 0.6},
            {"index": 3, "text": "b", "true": "pos", "predicted": "neg", "confidence": 0.9},
        ],
        "errors_total": 2,
    },
    "publish": {
        "repo_id": "me/m", "local": False, "files": ["README.md"], "total_bytes": 10,
        "commit": "abc", "url": "https://hub/me/m", "tags": ["v1"], "private": True,
        "skipped": ["optimizer.pt"], "warnings": ["w"], "card": "generated", "license": "mit",
    },
    "download": {"path": "/cache/snap", "repo_id": "acme/bert"},
    "inference": {"task": "fill-mask", "model": "/m", "output": [{"token_str": "x"}],
                  "device": "cpu", "dtype": "float32"},
    "batch-inference": {"output": "/o.jsonl", "rows": 3, "computed": 2, "resumed": 1,
                        "batches": 1},
    "demo-seed": {"root": "/hub", "created": ["a/b"], "skipped": []},
}  # fmt: skip
SEQ2SEQ = {
    "task": "seq2seq", "model": "/m", "dataset": "d", "split": "test", "samples": 1, "run": "r-1",
    "metrics": {"bleu": 1.0}, "output_dir": "/e", "files": {},
    "signatures": {"bleu": "nrefs:1"},
    "examples": [{"index": 0, "source": "s", "reference": "r", "prediction": "p"}],
}  # fmt: skip


def _record(kind: str, result: dict[str, Any] | None) -> JobRecord:
    return JobRecord("j-1", kind, JobSpec(kind, {}), "succeeded", 0.0, result=result)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_round_trips_its_stored_result(kind: str) -> None:
    typed = job_result(_record(kind, STORED[kind]))
    assert typed is not None and isinstance(typed, result_type(kind))  # type: ignore[arg-type]
    assert json.dumps(typed.to_dict()) == json.dumps(STORED[kind])  # same keys, same order


def test_task_parts_and_old_partial_results() -> None:
    assert json.dumps(EvaluationResult.from_dict(SEQ2SEQ).to_dict()) == json.dumps(SEQ2SEQ)
    old = EvaluationResult.from_dict({"metrics": {"rougeL": 0.4}, "errors": []})
    assert old.metrics == {"rougeL": 0.4} and old.errors == () and old.confusion is None
    assert old.to_dict()["errors"] == [] and "confusion" not in old.to_dict()
    train = TrainResult.from_dict({"metrics": {"eval_accuracy": 0.9}})
    assert train.model_dir is None and "model_dir" not in train.to_dict()


def test_typed_accessor_checks_the_type() -> None:
    record = _record("train", STORED["train"])
    train = result_as(record, TrainResult)
    assert (
        train is not None and train.model_dir == "/runs/a/model" and train.labels == ("neg", "pos")
    )
    assert result_as(record, PublishJobResult) is None
    assert job_result(_record("train", None)) is None
    assert job_result(_record("fly", {"x": 1})) is None  # a kind this version does not know
    publish = result_as(_record("publish", STORED["publish"]), PublishJobResult)
    assert publish is not None and publish.published.location == "https://hub/me/m"
    assert publish.versions == ("v1",) and publish.published.private is True


def test_errors_are_filtered_and_sorted_by_core() -> None:
    result = EvaluationResult.from_dict(STORED["evaluate"])
    assert [e.index for e in result.find_errors()] == [3, 1]
    assert [e.index for e in result.find_errors(descending=False)] == [1, 3]
    assert result.find_errors(true="neg") == [ErrorExample(1, "a", "neg", "pos", 0.6)]
    assert result.find_errors(true="neg", predicted="neg") == []
    assert result.errors_in_all == 2


def test_result_types_are_light_to_import() -> None:
    paths = sorted({kind.result for kind in KINDS.values()})
    code = (
        "import importlib, sys\n"
        f"for path in {paths!r}:\n"
        "    module, _, name = path.partition(':')\n"
        "    getattr(importlib.import_module(module), name)\n"
        "heavy = {'torch', 'transformers', 'datasets', 'evaluate', 'accelerate'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
