"""TrainSpec: YAML configs, defaults, and refusals that name the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hf_ecosystem.jobs.spec import JobSpec, JobSpecError
from hf_ecosystem.training.spec import TrainSpec, TrainSpecError

ISSUE_CONFIG = """\
model: sentence-transformers/all-MiniLM-L6-v2   # repo id (Hub or local hub) or a folder
dataset: ./reviews.csv                          # repo id, folder or file(s)
task: text-classification
text_column: text
label_column: label
validation_split: 0.2        # used when the dataset has no validation split
max_steps: 200               # or epochs: 3
batch_size: 16
learning_rate: 5.0e-5
seed: 42
output_dir: ./runs/reviews   # default: under $HFTUI_HOME
"""


def test_the_issue_config_loads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    config = tmp_path / "train.yaml"
    config.write_text(ISSUE_CONFIG, encoding="utf-8")
    spec = TrainSpec.from_yaml(config)
    assert spec.model == "sentence-transformers/all-MiniLM-L6-v2"
    assert spec.dataset == str(tmp_path / "reviews.csv")
    assert spec.output_dir == str(tmp_path / "runs" / "reviews")
    assert (spec.max_steps, spec.batch_size, spec.learning_rate) == (200, 16, 5e-5)
    assert spec.epochs is None and spec.total_epochs == 3.0
    # Round trip: the YAML shown to the user parses back to the same spec.
    again = tmp_path / "again.yaml"
    again.write_text(spec.to_yaml(), encoding="utf-8")
    assert TrainSpec.from_yaml(again) == spec


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"model": "m", "dataset": "d", "learning_rte": 1e-4}, "learning_rte"),
        ({"model": "m", "dataset": "d", "batch_size": 0}, "batch_size"),
        ({"model": "m", "dataset": "d", "task": "image-segmentation"}, "task"),
        ({"model": "m", "dataset": "d", "validation_split": 1.5}, "validation_split"),
        ({"model": "m", "dataset": "d", "lora": {"r": 0}}, "lora.r"),
        ({"model": "m", "dataset": "d", "lora": {"rank": 4}}, "lora.rank"),
        ({"dataset": "d"}, "model"),
    ],
)
def test_invalid_fields_are_named(data: dict[str, object], field: str) -> None:
    with pytest.raises(TrainSpecError) as info:
        TrainSpec.parse(data)
    assert repr(field) in info.value.title


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"epochs": 1, "max_steps": 5}, "not both"),
        ({"eval_strategy": "steps"}, "eval_steps"),
        ({"save_strategy": "steps"}, "save_steps"),
        ({"eval_strategy": "no", "early_stopping_patience": 2}, "eval_strategy"),
        ({"task": "seq2seq"}, "target_column"),
        ({"task": "causal-lm", "loss": "focal"}, "single-label"),
    ],
)
def test_inconsistent_fields_are_refused(data: dict[str, object], words: str) -> None:
    with pytest.raises(TrainSpecError, match=words):
        TrainSpec.parse({"model": "m", "dataset": "d", **data})


def test_task_aliases_and_defaults() -> None:
    spec = TrainSpec.parse(
        {"model": "m", "dataset": "d", "task": "summarization", "target_column": "s"}
    )
    assert spec.task == "seq2seq"
    assert (
        TrainSpec.parse({"model": "m", "dataset": "d", "task": "text-generation"}).task
        == "causal-lm"
    )
    plain = TrainSpec.parse({"model": "m", "dataset": "d"})
    assert plain.report_to == ["tensorboard"] and plain.seed == 42 and plain.precision == "auto"


def test_yaml_problems_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: m\ndataset: [unclosed\n", encoding="utf-8")
    with pytest.raises(TrainSpecError, match=r"bad.yaml line \d"):
        TrainSpec.from_yaml(bad)
    listing = tmp_path / "list.yaml"
    listing.write_text("- model\n", encoding="utf-8")
    with pytest.raises(TrainSpecError, match="key: value"):
        TrainSpec.from_yaml(listing)
    with pytest.raises(TrainSpecError, match="Cannot read"):
        TrainSpec.from_yaml(tmp_path / "missing.yaml")


def test_train_job_spec_validates_the_config() -> None:
    spec = JobSpec.create("train", config={"model": "m", "dataset": "d", "max_steps": 3})
    assert spec.params["config"]["max_steps"] == 3
    assert spec.params["config"]["batch_size"] == 16  # every hyperparameter is recorded
    assert spec.describe() == "train text-classification · m"
    with pytest.raises(TrainSpecError, match="'max_steps'"):
        JobSpec.create("train", config={"model": "m", "dataset": "d", "max_steps": -1})
    with pytest.raises(JobSpecError, match="mapping"):
        JobSpec.create("train", config="model: m")
    with pytest.raises(JobSpecError, match="resume_from"):
        JobSpec.create("train", config={"model": "m", "dataset": "d"}, resume_from="../x")
