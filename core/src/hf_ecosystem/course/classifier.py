"""The course's classifier: MiniLM fine-tuned on BBC News headlines, shared by the course 2 lessons.

Lesson 2.3 trains it with the Trainer, 3.2 evaluates it, 3.7 publishes it; each lesson runs on
its own and in any order, so `ensure_course_classifier()` returns the saved one and trains it
(through `create_trainer`, ~20-40 s on two CPU cores) only when it is missing or was made by
another recipe. A lesson that has just trained it by hand hands its Trainer over instead
(`trainer=`), after a check that it followed the recipe. It lives in
`$HFTUI_HOME/course/classifier`, next to the lessons' work folders, and outlives them.
Torch, transformers and datasets are imported inside the functions.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs import results as read

MARKER = "course-classifier.json"  # written last: a folder without it is incomplete
FOLDER = "classifier"  # under $HFTUI_HOME/course/
VERSION = 1


class ClassifierError(HfEcoError):
    """The course classifier cannot be trained, saved or read."""

    default_title = "Cannot prepare the course classifier"
    default_hint = "Run the lesson's setup cell first (it seeds the demo hub), then try again."


@dataclass(frozen=True, slots=True)
class ClassifierRecipe:
    """How the course classifier is trained: base model, data and the Trainer's settings."""

    base_model: str = "sentence-transformers/all-MiniLM-L6-v2"
    dataset: str = "hf-tui-demo/bbc-news"
    text_column: str = "headline"
    label_column: str = "label"
    train_split: str = "train"
    eval_split: str = "test"
    train_rows: int = 320  # a seeded shuffle of the 1,780 training headlines, for speed
    max_length: int = 24  # tokens; BBC headlines are shorter
    epochs: float = 1.0
    batch_size: int = 16
    learning_rate: float = 2e-4
    seed: int = 42

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)

    def train_spec(self, output_dir: Path) -> Any:
        """The same recipe as a TrainSpec for `create_trainer` (no checkpoints, no tracker)."""
        from hf_ecosystem.training.spec import TrainSpec

        return TrainSpec.parse(
            {
                "model": self.base_model,
                "dataset": self.dataset,
                "task": "text-classification",
                "text_column": self.text_column,
                "label_column": self.label_column,
                "train_split": self.train_split,
                "eval_split": self.eval_split,
                "max_train_samples": self.train_rows,
                "max_length": self.max_length,
                "epochs": self.epochs,
                "batch_size": self.batch_size,
                "learning_rate": self.learning_rate,
                "seed": self.seed,
                "precision": "fp32",
                "eval_strategy": "no",
                "save_strategy": "no",
                "metrics": [],
                "report_to": ["none"],
                "output_dir": str(output_dir),
            }
        )


RECIPE = ClassifierRecipe()


@dataclass(frozen=True, slots=True)
class CourseClassifier:
    """The saved classifier: where it is, its classes, and how it did on the evaluation split."""

    path: Path
    labels: tuple[str, ...]
    accuracy: float  # on the recipe's eval split
    baseline_accuracy: float  # always answering the most frequent training class
    majority_label: str
    predictions: tuple[int, ...]  # class index per eval row, in the split's order
    train_rows: int
    train_seconds: float
    made_by: str  # "ensure_course_classifier" or the lesson that trained it
    recipe: dict[str, Any] = field(default_factory=dict[str, Any])
    trained_now: bool = False  # not stored: True when this call trained or saved it

    def to_dict(self) -> dict[str, Any]:
        """What the marker file stores (the path as a string)."""
        data = asdict(self)
        data.update(path=str(self.path), labels=list(self.labels))
        data["predictions"] = list(self.predictions)
        del data["trained_now"]
        return {"version": VERSION, **data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: Path) -> CourseClassifier:
        """Read a marker; ClassifierError when a field is missing or of the wrong type."""
        try:
            predictions = data["predictions"]
            recipe = data["recipe"]
            if not isinstance(predictions, list) or not isinstance(recipe, dict):
                raise TypeError("predictions and recipe must be a list and a mapping")
            return cls(
                path=path,
                labels=read.texts(data, "labels"),
                accuracy=float(data["accuracy"]),
                baseline_accuracy=float(data["baseline_accuracy"]),
                majority_label=str(data["majority_label"]),
                predictions=tuple(int(p) for p in predictions),  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
                train_rows=int(data["train_rows"]),
                train_seconds=float(data["train_seconds"]),
                made_by=str(data["made_by"]),
                recipe=dict(recipe),  # pyright: ignore[reportUnknownArgumentType]
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ClassifierError(
                f"The course classifier's record in {path} is damaged ({exc})",
                "Delete that folder; the next lesson trains the classifier again.",
            ) from None

    def summary(self) -> str:
        """One line for a lesson to print."""
        how = "trained now" if self.trained_now else "ready"
        return (
            f"course classifier ({how}, by {self.made_by}): {len(self.labels)} classes, "
            f"accuracy {self.accuracy:.3f} vs {self.baseline_accuracy:.3f} for always "
            f"'{self.majority_label}', {self.train_rows} training rows in "
            f"{self.train_seconds:.0f} s — {self.path}"
        )


def classifier_dir(settings: Settings | None = None) -> Path:
    """Where the course classifier lives: `$HFTUI_HOME/course/classifier`."""
    return (settings or load_settings()).home / "course" / FOLDER


def load_course_classifier(
    folder: Path | None = None, recipe: ClassifierRecipe = RECIPE
) -> CourseClassifier | None:
    """The saved classifier when complete and made by `recipe`; None otherwise."""
    folder = folder or classifier_dir()
    try:
        data: Any = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    record = cast("dict[str, Any]", data)
    if record.get("version") != VERSION:
        return None
    found = CourseClassifier.from_dict(record, folder)
    if found.recipe != recipe.to_dict() or not (folder / "config.json").is_file():
        return None
    return found


def majority_baseline(train_labels: Sequence[int], eval_labels: Sequence[int]) -> tuple[int, float]:
    """(class, accuracy) of always predicting the most frequent training class (ties: lowest)."""
    if not train_labels or not eval_labels:
        raise ClassifierError("A baseline needs training and evaluation labels")
    counts = Counter(train_labels)
    top = max(sorted(counts), key=lambda label: counts[label])
    return top, sum(1 for label in eval_labels if label == top) / len(eval_labels)


def _check_recipe(trainer: Any, labels: Sequence[str], recipe: ClassifierRecipe) -> None:
    """ClassifierError when `trainer` did not follow the recipe (so it cannot stand in for it)."""
    args = trainer.args
    expected: dict[str, Any] = {
        "learning_rate": recipe.learning_rate,
        "num_train_epochs": recipe.epochs,
        "per_device_train_batch_size": recipe.batch_size,
        "gradient_accumulation_steps": 1,
        "seed": recipe.seed,
        "max_steps": -1,
    }
    found = {name: getattr(args, name) for name in expected}
    found["train rows"] = len(trainer.train_dataset)
    expected["train rows"] = recipe.train_rows
    id2label = getattr(trainer.model.config, "id2label", {})
    found["labels"] = [id2label.get(i) for i in range(len(id2label))]
    expected["labels"] = list(labels)
    wrong = [name for name, value in expected.items() if found[name] != value]
    if wrong:
        shown = ", ".join(f"{name}={found[name]!r} (recipe: {expected[name]!r})" for name in wrong)
        raise ClassifierError(
            f"This Trainer did not follow the course recipe: {shown}",
            "Train with the recipe's settings, or call ensure_course_classifier() without it.",
        )
    if trainer.state.global_step == 0:
        raise ClassifierError("This Trainer has not trained yet", "Call trainer.train() first.")


def save_course_classifier(
    trainer: Any,
    folder: Path,
    *,
    train_seconds: float,
    made_by: str,
    recipe: ClassifierRecipe = RECIPE,
) -> CourseClassifier:
    """Evaluate a trained Trainer on the recipe's eval split and save it as the classifier.

    The model and tokenizer are written to a staging folder with the marker last, then moved
    into place, so an interrupted save leaves no half classifier."""
    from hf_ecosystem.training.data import prepare

    tokenizer = trainer.processing_class
    if tokenizer is None:
        raise ClassifierError(
            "This Trainer has no tokenizer to save", "Give it processing_class=tokenizer."
        )
    data = prepare(recipe.train_spec(folder.parent / ".unused"), tokenizer)
    _check_recipe(trainer, data.labels, recipe)
    evaluation: Any = data.eval  # the recipe names an eval split, so there is one
    output = trainer.predict(evaluation)
    predictions = [int(p) for p in output.predictions.argmax(-1)]
    truth = [int(t) for t in evaluation["labels"]]
    top, baseline = majority_baseline(data.train_label_ids, truth)
    accuracy = sum(p == t for p, t in zip(predictions, truth, strict=True)) / len(truth)
    staging = folder.with_name(f".{folder.name}.saving")
    shutil.rmtree(staging, ignore_errors=True)
    trainer.model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    made = CourseClassifier(
        path=folder,
        labels=tuple(data.labels),
        accuracy=accuracy,
        baseline_accuracy=baseline,
        majority_label=data.labels[top],
        predictions=tuple(predictions),
        train_rows=len(trainer.train_dataset),
        train_seconds=round(train_seconds, 1),
        made_by=made_by,
        recipe=recipe.to_dict(),
        trained_now=True,
    )
    (staging / MARKER).write_text(json.dumps(made.to_dict(), indent=1), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)
    return made


def train_course_classifier(
    folder: Path, recipe: ClassifierRecipe = RECIPE, *, say: Callable[[str], None] = print
) -> CourseClassifier:
    """Fine-tune the base model by the recipe with `create_trainer`, then save it in `folder`."""
    from hf_ecosystem.training.trainer import create_trainer

    work = folder.with_name(f".{folder.name}.run")
    shutil.rmtree(work, ignore_errors=True)
    say(f"Training the course classifier ({recipe.train_rows} headlines, about half a minute) ...")
    try:
        bundle = create_trainer(recipe.train_spec(work))
        start = time.monotonic()
        bundle.trainer.train()
        seconds = time.monotonic() - start
        return save_course_classifier(
            bundle.trainer, folder, train_seconds=seconds, made_by="ensure_course_classifier",
            recipe=recipe,
        )  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_course_classifier(
    settings: Settings | None = None,
    *,
    trainer: Any = None,
    made_by: str = "a lesson",
    train_seconds: float = 0.0,
    recipe: ClassifierRecipe = RECIPE,
    say: Callable[[str], None] = print,
) -> CourseClassifier:
    """The saved course classifier; when missing, `trainer` (checked against the recipe) is
    saved as it, else one is trained. Lessons running at once take turns on a lock file."""
    folder = classifier_dir(settings)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{FOLDER}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        found = load_course_classifier(folder, recipe)
        if found is not None:
            return found
        if trainer is not None:
            return save_course_classifier(
                trainer, folder, train_seconds=train_seconds, made_by=made_by, recipe=recipe
            )
        return train_course_classifier(folder, recipe, say=say)
