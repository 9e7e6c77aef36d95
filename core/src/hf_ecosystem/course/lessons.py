"""The course's lessons as typed data, read from each notebook's `lesson` metadata (no library
beyond the stdlib and hf_ecosystem's own plain types).

A lesson notebook carries `metadata.lesson`: id, course, week, number, module, title, objective,
duration in minutes, learning outcomes and where hf-tui does the same thing. The app's Learn mode
and the tests read it here; nothing imports nbformat or Jupyter.

The shape (`in_hf_tui.do` is optional; Learn mode's "do it here" opens that screen, filled in)::

    "lesson": {
      "id": "course1/1.3-exploring-hub", "course": 1, "week": 1, "number": "1.3",
      "module": "1.1", "title": "...", "objective": "...", "duration_minutes": 45,
      "outcomes": ["...", "..."], "uses_gpu": false,
      "in_hf_tui": {
        "screen": "Models (key 1)", "keys": ["`/` ..."], "cli": ["hf-tui models search ..."],
        "do": {"screen": "models", "inputs": {"task": "text-classification"}}
      }
    }

`do.screen` is one of a closed set (`do_here.DO_SCREENS`); every input is optional unless marked
(required), texts are non-empty strings:

- `models` / `datasets`: the search, with `query`, `task`, `library`, `language`, `license`,
  `author` (texts), `tags` (a list of texts), `sort` (downloads, likes, trending, updated, name):
  `{"screen": "models", "inputs": {"task": "text-classification", "library": "transformers"}}`
- `model`: a model's page, `model` (required): `{"screen": "model", "inputs": {"model": "org/m"}}`
- `memory`: a model's page with its memory estimate, `model` (required)
- `dataset`: a dataset's page, `dataset` (required: a repo id or a local file/folder), `config`,
  `split`, `tab` (card, preview, stats):
  `{"screen": "dataset", "inputs": {"dataset": "org/d", "split": "test", "tab": "preview"}}`
- `try`: Try a model, `model` and `task` (required; an inference task), `input`: a text for the
  task's first field, or a mapping of the task's fields (`{"question": "...", "context": "..."}`)
- `train`: the New-training form, `preset` (a preset of the form, e.g.
  text-classification-quick), `model`, `dataset`
- `evaluate`: the Evaluate form, `model`, `dataset`, `task` (text-classification, summarization,
  translation, causal-lm), `dataset_config`, `split`
- `publish`: the Publish screen, `target` (required: a training job id or a model folder)
- `runs`, `jobs`, `device`: those screens (no inputs)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from hf_ecosystem.course.do_here import DoHere, do_here_from_metadata
from hf_ecosystem.course.errors import LessonError

_NUMBER = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True, slots=True)
class WeekPlan:
    """One week of the learning path: which course, what it is about, how many hours."""

    week: int  # 1-6 over both courses
    course: int
    course_week: int  # 1-3 within the course (the notebooks' weekN folder)
    focus: str
    hours: int


# The course outline's learning path (weeks 1-3 are course 1, weeks 4-6 course 2).
PLAN: tuple[WeekPlan, ...] = (
    WeekPlan(1, 1, 1, "Hub navigation, datasets", 4),
    WeekPlan(2, 1, 2, "Transformers, pipelines", 5),
    WeekPlan(3, 1, 3, "Multi-modal models", 3),
    WeekPlan(4, 2, 1, "Data preparation", 3),
    WeekPlan(5, 2, 2, "Trainer API, metrics", 6),
    WeekPlan(6, 2, 3, "Evaluation, publishing", 5),
)


def week_plan(course: int, course_week: int) -> WeekPlan | None:
    """The learning-path week of a course's week folder (None when the outline has none)."""
    for plan in PLAN:
        if (plan.course, plan.course_week) == (course, course_week):
            return plan
    return None


@dataclass(frozen=True, slots=True)
class HfTuiPointer:
    """Where hf-tui does what the lesson teaches: the screen, its keys, the CLI commands, and the
    screen Learn mode's "do it here" opens (None when the lesson names none)."""

    screen: str
    keys: tuple[str, ...] = ()
    cli: tuple[str, ...] = ()
    do: DoHere | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        data: dict[str, Any] = {
            "screen": self.screen,
            "keys": list(self.keys),
            "cli": list(self.cli),
        }
        if self.do is not None:
            data["do"] = self.do.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class Lesson:
    """One lesson notebook's metadata."""

    id: str  # "course1/1.3-exploring-hub": unique over the course
    course: int
    week: int  # the course's week folder (1-3)
    number: str  # "1.3", as in the file name
    module: str  # the outline's module, e.g. "1.1"
    title: str
    objective: str
    duration_minutes: int
    outcomes: tuple[str, ...]
    path: Path
    in_hf_tui: HfTuiPointer
    uses_gpu: bool = False  # uses a GPU when there is one (runs on the CPU otherwise)

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Course, week, then the lesson number read as numbers (1.10 after 1.9)."""
        major, minor = (int(part) for part in self.number.split("."))
        return (self.course, self.week, major, minor)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the path as a string)."""
        return {
            "id": self.id,
            "course": self.course,
            "week": self.week,
            "number": self.number,
            "module": self.module,
            "title": self.title,
            "objective": self.objective,
            "duration_minutes": self.duration_minutes,
            "outcomes": list(self.outcomes),
            "path": str(self.path),
            "in_hf_tui": self.in_hf_tui.to_dict(),
            "uses_gpu": self.uses_gpu,
        }


def _field(data: Mapping[str, Any], name: str, kind: type, where: Path) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise LessonError(
            f"{where.name}: lesson field {name!r} must be {kind.__name__}, not {value!r:.60}",
            f"Set metadata.lesson.{name} in {where}.",
        )
    if isinstance(value, str) and not value.strip():
        raise LessonError(f"{where.name}: lesson field {name!r} is empty", f"Fill it in {where}.")
    return value


def _texts(data: Mapping[str, Any], name: str, where: Path, *, required: bool) -> tuple[str, ...]:
    value = data.get(name, [] if not required else None)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):  # pyright: ignore[reportUnknownVariableType]
        raise LessonError(
            f"{where.name}: lesson field {name!r} must be a list of texts",
            f"Set metadata.lesson.{name} in {where}.",
        )
    texts = tuple(cast("list[str]", value))
    if required and not texts:
        raise LessonError(f"{where.name}: lesson field {name!r} is empty", f"Fill it in {where}.")
    return texts


def lesson_from_metadata(data: Mapping[str, Any], path: Path) -> Lesson:
    """A Lesson from a notebook's `metadata.lesson` mapping; LessonError naming a bad field."""
    number = _field(data, "number", str, path)
    if not _NUMBER.match(number):
        raise LessonError(
            f"{path.name}: lesson number {number!r} is not like '1.3'", "Use week.lesson."
        )
    duration = _field(data, "duration_minutes", int, path)
    if duration <= 0:
        raise LessonError(f"{path.name}: duration_minutes must be positive, not {duration}")
    uses_gpu = data.get("uses_gpu", False)
    if not isinstance(uses_gpu, bool):
        raise LessonError(f"{path.name}: lesson field 'uses_gpu' must be true or false")
    tui = data.get("in_hf_tui")
    if not isinstance(tui, Mapping):
        raise LessonError(
            f"{path.name}: lesson field 'in_hf_tui' must be a mapping",
            "Give the screen, keys and cli that do the same in hf-tui.",
        )
    tui_data = cast("Mapping[str, Any]", tui)
    do = tui_data.get("do")
    pointer = HfTuiPointer(
        screen=_field(tui_data, "screen", str, path),
        keys=_texts(tui_data, "keys", path, required=False),
        cli=_texts(tui_data, "cli", path, required=False),
        do=None if do is None else do_here_from_metadata(do, path),
    )
    return Lesson(
        id=_field(data, "id", str, path),
        course=_field(data, "course", int, path),
        week=_field(data, "week", int, path),
        number=number,
        module=_field(data, "module", str, path),
        title=_field(data, "title", str, path),
        objective=_field(data, "objective", str, path),
        duration_minutes=duration,
        outcomes=_texts(data, "outcomes", path, required=True),
        path=path,
        in_hf_tui=pointer,
        uses_gpu=uses_gpu,
    )


def read_notebook(path: Path) -> dict[str, Any]:
    """A notebook file as JSON (a mapping with `cells` and `metadata`); LessonError otherwise."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LessonError(f"Cannot read {path}", exc.strerror or str(exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path.name} is not a notebook (invalid JSON)", str(exc)) from exc
    notebook = cast("dict[str, Any]", data) if isinstance(data, dict) else {}
    if not isinstance(notebook.get("cells"), list):
        raise LessonError(f"{path.name} is not a notebook", "It has no list of cells.")
    return notebook


def read_lesson(path: str | Path) -> Lesson:
    """The lesson a notebook holds (from `metadata.lesson`)."""
    path = Path(path)
    metadata: Any = read_notebook(path).get("metadata")
    lesson: Any = None
    if isinstance(metadata, dict):
        lesson = cast("dict[str, Any]", metadata).get("lesson")
    if not isinstance(lesson, dict):
        raise LessonError(f"{path.name} has no lesson metadata", "Add metadata.lesson to it.")
    return lesson_from_metadata(cast("dict[str, Any]", lesson), path)


def list_lessons(root: str | Path) -> list[Lesson]:
    """Every lesson under `root` (`courseN/weekN/*.ipynb`), in course order; ids are unique."""
    root = Path(root)
    if not root.is_dir():
        raise LessonError(f"No lessons folder at {root}", "Point to the repository's notebooks/.")
    paths = sorted(
        p for p in root.glob("course*/week*/*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )
    lessons = [read_lesson(p) for p in paths]
    seen: dict[str, Path] = {}
    for lesson in lessons:
        if lesson.id in seen:
            raise LessonError(
                f"Two lessons have the id {lesson.id!r}: {seen[lesson.id]} and {lesson.path}",
                "Give each lesson its own id.",
            )
        seen[lesson.id] = lesson.path
    return sorted(lessons, key=lambda lesson: lesson.sort_key)
