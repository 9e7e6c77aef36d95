"""The course classifier shared by lessons 2.3, 3.2 and 3.7: its recipe, its saved record, the
ensure-once logic, and (slow) a real training run with a tiny model, adopted and reused."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hf_ecosystem.config import load_settings
from hf_ecosystem.course.classifier import (
    MARKER,
    RECIPE,
    ClassifierError,
    ClassifierRecipe,
    CourseClassifier,
    classifier_dir,
    ensure_course_classifier,
    load_course_classifier,
    majority_baseline,
    save_course_classifier,
)
from hf_ecosystem.training.spec import TrainSpec


def _record(folder: Path, recipe: ClassifierRecipe = RECIPE, **changes: Any) -> CourseClassifier:
    made = CourseClassifier(
        path=folder,
        labels=("business", "sport"),
        accuracy=0.75,
        baseline_accuracy=0.5,
        majority_label="sport",
        predictions=(0, 1, 1, 0),
        train_rows=8,
        train_seconds=1.5,
        made_by="a test",
        recipe=recipe.to_dict(),
    )
    return dataclasses.replace(made, **changes)


def _save_record(folder: Path, made: CourseClassifier, *, config: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(json.dumps(made.to_dict()), encoding="utf-8")
    if config:
        (folder / "config.json").write_text("{}", encoding="utf-8")


def test_the_recipe_is_a_valid_training_config(tmp_path: Path) -> None:
    spec = RECIPE.train_spec(tmp_path / "run")
    assert isinstance(spec, TrainSpec)
    assert (spec.model, spec.dataset, spec.text_column) == (
        RECIPE.base_model, RECIPE.dataset, "headline"
    )  # fmt: skip
    assert spec.max_train_samples == RECIPE.train_rows and spec.eval_split == "test"
    assert spec.report_to == ["none"] and spec.save_strategy == "no"
    # the YAML a lesson shows for `hf-tui run train --config` reads back as the same spec
    assert TrainSpec.parse(yaml.safe_load(spec.to_yaml())) == spec


def test_the_record_round_trips_and_a_damaged_one_says_so(tmp_path: Path) -> None:
    made = _record(tmp_path, trained_now=True)
    data = json.loads(json.dumps(made.to_dict()))
    assert data["version"] == 1 and "trained_now" not in data
    again = CourseClassifier.from_dict(data, tmp_path)
    assert again == dataclasses.replace(made, trained_now=False)
    assert "accuracy 0.750 vs 0.500 for always 'sport'" in again.summary()
    assert "ready, by a test" in again.summary() and "trained now" in made.summary()
    for broken in ({**data, "accuracy": "high"}, {**data, "predictions": "0,1"},
                   {k: v for k, v in data.items() if k != "made_by"}):  # fmt: skip
        with pytest.raises(ClassifierError, match="damaged") as caught:
            CourseClassifier.from_dict(broken, tmp_path)
        assert "Delete that folder" in caught.value.hint


def test_only_a_complete_record_of_this_recipe_is_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "classifier"
    assert load_course_classifier(folder) is None  # nothing there
    _save_record(folder, _record(folder), config=False)
    assert load_course_classifier(folder) is None  # no model files
    (folder / "config.json").write_text("{}")
    found = load_course_classifier(folder)
    assert found is not None and found.path == folder and found.labels == ("business", "sport")
    assert load_course_classifier(folder, dataclasses.replace(RECIPE, learning_rate=1e-3)) is None
    (folder / MARKER).write_text(json.dumps({**_record(folder).to_dict(), "version": 0}))
    assert load_course_classifier(folder) is None  # an older record format
    (folder / MARKER).write_text("not json")
    assert load_course_classifier(folder) is None


def test_the_majority_baseline_answers_the_most_frequent_training_class() -> None:
    assert majority_baseline([0, 1, 1, 2], [1, 1, 0, 2]) == (1, 0.5)
    assert majority_baseline([2, 0, 2, 0], [0, 0, 0, 2]) == (0, 0.75)  # a tie: the lowest
    with pytest.raises(ClassifierError, match="needs training and evaluation labels"):
        majority_baseline([], [1])


def test_ensure_returns_the_saved_classifier_without_training() -> None:
    folder = classifier_dir()
    assert folder == load_settings().home / "course" / "classifier"
    _save_record(folder, _record(folder))
    said: list[str] = []
    found = ensure_course_classifier(say=said.append)
    assert found.path == folder and not found.trained_now and found.made_by == "a test"
    assert said == []  # nothing trained


# --- a real run, with a tiny model ------------------------------------------------------------


@pytest.fixture
def tiny_recipe(tmp_path: Path, tiny_bert_dir: Path) -> ClassifierRecipe:
    """The recipe's data (the BBC News demo repo, built here) with a tiny BERT and 32 rows."""
    from hf_ecosystem.demo.datasets import build_bbc_news

    data = tmp_path / "bbc-news"
    data.mkdir()
    build_bbc_news(data)
    return dataclasses.replace(
        RECIPE, base_model=str(tiny_bert_dir), dataset=str(data), train_rows=32, max_length=16,
        learning_rate=1e-3,
    )  # fmt: skip


@pytest.mark.slow
def test_ensure_trains_once_and_a_lesson_trainer_is_checked_then_adopted(
    tiny_recipe: ClassifierRecipe,
) -> None:
    from hf_ecosystem.training.trainer import create_trainer

    said: list[str] = []
    first = ensure_course_classifier(recipe=tiny_recipe, say=said.append)
    assert first.trained_now and first.made_by == "ensure_course_classifier"
    assert said and "Training the course classifier (32 headlines" in said[0]
    assert first.labels == ("business", "entertainment", "politics", "sports", "tech")
    assert len(first.predictions) == 448 and first.train_rows == 32
    assert {"config.json", "model.safetensors", "tokenizer.json", MARKER} <= {
        p.name for p in first.path.iterdir()
    }
    assert not any(p.name.startswith(".") for p in first.path.parent.iterdir() if p.is_dir())
    again = ensure_course_classifier(recipe=tiny_recipe, say=said.append)
    assert not again.trained_now and again.predictions == first.predictions and len(said) == 1

    # A lesson's Trainer stands in for the recipe only when it followed it, after training.
    folder = first.path
    off_recipe = dataclasses.replace(tiny_recipe, learning_rate=5e-4)
    wrong = create_trainer(off_recipe.train_spec(folder.parent / "wrong")).trainer
    with pytest.raises(ClassifierError, match=r"learning_rate=0\.0005 \(recipe: 0\.001\)"):
        save_course_classifier(wrong, folder, train_seconds=0, made_by="x", recipe=tiny_recipe)
    lesson = create_trainer(tiny_recipe.train_spec(folder.parent / "lesson")).trainer
    with pytest.raises(ClassifierError, match="has not trained yet"):
        save_course_classifier(lesson, folder, train_seconds=0, made_by="x", recipe=tiny_recipe)
    lesson.train()
    import shutil

    shutil.rmtree(folder)
    adopted = ensure_course_classifier(
        trainer=lesson, made_by="lesson 2.3", train_seconds=2.0, recipe=tiny_recipe
    )
    assert adopted.trained_now and adopted.made_by == "lesson 2.3" and adopted.train_seconds == 2.0
    # the same recipe trained twice gives the same model: the same predictions
    assert adopted.predictions == first.predictions and adopted.accuracy == first.accuracy
    assert load_course_classifier(folder, tiny_recipe) is not None
