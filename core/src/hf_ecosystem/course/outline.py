"""The course outline: courses -> the outline's eleven modules -> the lessons that teach each.

Learn mode shows it; the lessons come from the notebooks' metadata (lessons.py). A notebook whose
metadata cannot be read is kept as a LessonProblem under its course, so one broken lesson shows
its error instead of hiding the others.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from hf_ecosystem.course.lessons import Lesson, LessonError, read_lesson


@dataclass(frozen=True, slots=True)
class Module:
    """One module of the course outline."""

    id: str  # "1.1"
    course: int
    title: str
    hours: int


COURSES: dict[int, str] = {1: "Hub and Ecosystem Fundamentals", 2: "Fine-Tuning Transformers"}
MODULES: tuple[Module, ...] = (
    Module("1.1", 1, "Introduction to the Hugging Face Ecosystem", 2),
    Module("1.2", 1, "Working with Datasets", 2),
    Module("1.3", 1, "Transformers Fundamentals", 3),
    Module("1.4", 1, "Device Management and Optimization", 2),
    Module("1.5", 1, "Multi-Modal Models", 3),
    Module("2.1", 2, "Data Preparation for Fine-Tuning", 3),
    Module("2.2", 2, "The Trainer API", 4),
    Module("2.3", 2, "Custom Metrics and Loss Functions", 2),
    Module("2.4", 2, "Experiment Tracking", 2),
    Module("2.5", 2, "Model Evaluation", 3),
    Module("2.6", 2, "Publishing Models", 2),
)
_COURSE_FOLDER = re.compile(r"^course(\d+)$")


@dataclass(frozen=True, slots=True)
class LessonProblem:
    """A notebook under the lessons folder whose lesson cannot be read, and why."""

    path: Path
    course: int | None  # from its courseN folder
    title: str
    hint: str


@dataclass(frozen=True, slots=True)
class ModuleLessons:
    """A module and its lessons, in course order (none yet: an empty tuple)."""

    module: Module
    lessons: tuple[Lesson, ...]


@dataclass(frozen=True, slots=True)
class CourseOutline:
    """One course: its modules with their lessons, and the notebooks that could not be read."""

    course: int
    title: str
    modules: tuple[ModuleLessons, ...]
    problems: tuple[LessonProblem, ...] = ()

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """Every lesson of the course, module by module."""
        return tuple(lesson for group in self.modules for lesson in group.lessons)


def _course_of(path: Path) -> int | None:
    for part in reversed(path.parts):
        match = _COURSE_FOLDER.match(part)
        if match:
            return int(match.group(1))
    return None


def _problem(path: Path, error: LessonError) -> LessonProblem:
    return LessonProblem(path, _course_of(path), error.title, error.hint)


def _misplaced(lesson: Lesson, seen: dict[str, Path]) -> LessonError | None:
    """Why a readable lesson still cannot go in the outline (None when it can)."""
    module = next((m for m in MODULES if m.id == lesson.module), None)
    if module is None or module.course != lesson.course:
        known = ", ".join(m.id for m in MODULES if m.course == lesson.course)
        return LessonError(
            f"{lesson.path.name}: course {lesson.course} has no module {lesson.module!r}",
            f"Use one of the outline's modules: {known or 'none (unknown course)'}.",
        )
    if lesson.id in seen:
        return LessonError(
            f"{lesson.path.name}: the id {lesson.id!r} is also {seen[lesson.id]}'s",
            "Give each lesson its own id.",
        )
    seen[lesson.id] = lesson.path
    return None


def group_lessons(
    lessons: list[Lesson], problems: list[LessonProblem] | None = None
) -> tuple[CourseOutline, ...]:
    """The outline: each course of COURSES, each of its modules with its lessons in course order;
    a lesson naming a module the outline lacks (or a taken id) becomes a problem of its course."""
    found = list(problems or [])
    placed: list[Lesson] = []
    seen: dict[str, Path] = {}
    for lesson in sorted(lessons, key=lambda one: one.sort_key):
        error = _misplaced(lesson, seen)
        if error is None:
            placed.append(lesson)
        else:
            found.append(_problem(lesson.path, error))
    outline: list[CourseOutline] = []
    for course, title in COURSES.items():
        modules = tuple(
            ModuleLessons(m, tuple(lesson for lesson in placed if lesson.module == m.id))
            for m in MODULES
            if m.course == course
        )
        mine = tuple(p for p in found if p.course == course)
        outline.append(CourseOutline(course, title, modules, mine))
    strays = tuple(p for p in found if p.course not in COURSES)
    if strays:  # notebooks outside any known course folder
        outline.append(CourseOutline(0, "Other notebooks", (), strays))
    return tuple(outline)


def read_outline(root: str | Path) -> tuple[CourseOutline, ...]:
    """The outline of the lessons under `root` (`courseN/weekN/*.ipynb`); unreadable notebooks
    are problems in it, not errors. LessonError only when `root` is not a folder."""
    root = Path(root)
    if not root.is_dir():
        raise LessonError(f"No lessons folder at {root}", "Point to the repository's notebooks/.")
    lessons: list[Lesson] = []
    problems: list[LessonProblem] = []
    for path in sorted(root.glob("course*/week*/*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        try:
            lessons.append(read_lesson(path))
        except LessonError as exc:
            problems.append(_problem(path, exc))
    return group_lessons(lessons, problems)


def default_lessons_root() -> Path:
    """The repository's notebooks/ folder: the one this checkout holds, else ./notebooks."""
    checkout = Path(__file__).resolve().parents[4] / "notebooks"  # core/src/hf_ecosystem/course
    return checkout if checkout.is_dir() else Path.cwd() / "notebooks"


def jupyter_command(lesson: Lesson, root: Path) -> str:
    """The command that opens the lesson in Jupyter Lab, run from the repository (root's
    parent); `make lab` serves root itself, where the lesson is at `lab_path`."""
    try:
        where = lesson.path.resolve().relative_to(root.resolve().parent)
    except ValueError:
        where = lesson.path.resolve()
    return f"uv run jupyter lab {shlex.quote(str(where))}"


def lab_path(lesson: Lesson, root: Path) -> str:
    """Where `make lab` (whose root is the lessons folder) shows the lesson."""
    try:
        return str(lesson.path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(lesson.path.resolve())
