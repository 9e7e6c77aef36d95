"""What Learn mode's tree and pane say about a course, a module, a lesson or a broken notebook."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from hf_ecosystem.course.lessons import Lesson
from hf_ecosystem.course.outline import (
    CourseOutline,
    LessonProblem,
    ModuleLessons,
    jupyter_command,
    lab_path,
)

Entry = CourseOutline | ModuleLessons | Lesson | LessonProblem


def tree_label(entry: Entry) -> Text:
    """The entry's line in the outline tree."""
    if isinstance(entry, CourseOutline):
        return Text(f"Course {entry.course}: {entry.title}", style="bold")
    if isinstance(entry, ModuleLessons):
        label = Text(f"{entry.module.id}  {entry.module.title}")
        if not entry.lessons:
            label.append("  (no lesson yet)", style="dim")
        return label
    if isinstance(entry, Lesson):
        label = Text(f"{entry.number}  {entry.title}")
        label.append(f"  {entry.duration_minutes} min", style="dim")
        return label
    return Text(f"⚠ {entry.path.name}: cannot be read", style="bold red")


def _course_text(course: CourseOutline) -> Text:
    minutes = sum(lesson.duration_minutes for lesson in course.lessons)
    text = Text(f"Course {course.course}: {course.title}\n\n", style="bold")
    hours = sum(group.module.hours for group in course.modules)
    text.append(f"{len(course.modules)} modules · about {hours} hours in the outline\n")
    text.append(f"{len(course.lessons)} lessons written so far · {minutes} minutes\n")
    if course.problems:
        text.append(f"{len(course.problems)} notebooks cannot be read\n", style="red")
    return text


def _module_text(group: ModuleLessons) -> Text:
    module = group.module
    text = Text(f"Module {module.id}: {module.title}\n\n", style="bold")
    text.append(f"Course {module.course} · about {module.hours} hours\n\n")
    if not group.lessons:
        text.append("No lesson of this module is written yet.", style="dim")
    for lesson in group.lessons:
        text.append(f"{lesson.number}  {lesson.title}\n")
    return text


def _lesson_text(lesson: Lesson) -> Text:
    text = Text(f"{lesson.title}\n", style="bold")
    gpu = " · uses a GPU when there is one" if lesson.uses_gpu else ""
    text.append(
        f"Course {lesson.course} · week {lesson.week} · lesson {lesson.number} · "
        f"module {lesson.module} · about {lesson.duration_minutes} minutes{gpu}\n\n",
        style="dim",
    )
    text.append("Objective\n", style="bold")
    text.append(f"{lesson.objective}\n\n")
    text.append("You will be able to\n", style="bold")
    for outcome in lesson.outcomes:
        text.append(f"• {outcome}\n")
    return text


def entry_text(entry: Entry) -> Text:
    """The pane's main text for the highlighted entry."""
    if isinstance(entry, CourseOutline):
        return _course_text(entry)
    if isinstance(entry, ModuleLessons):
        return _module_text(entry)
    if isinstance(entry, Lesson):
        return _lesson_text(entry)
    text = Text(f"{entry.title}\n", style="bold red")
    text.append(f"{entry.hint}\n\n")
    text.append(f"{entry.path}", style="dim")
    return text


def jupyter_text(lesson: Lesson, root: Path) -> Text:
    """How to open the lesson in Jupyter: `make lab` and where, or the one command (copyable)."""
    text = Text("make lab", style="bold")
    text.append(f"  then open {lab_path(lesson, root)}\n", style="dim")
    text.append("or: ", style="dim")
    text.append(jupyter_command(lesson, root), style="bold")
    return text


def do_text(lesson: Lesson) -> Text:
    """What "do it here" opens for the lesson (or that it has no such step)."""
    do = lesson.in_hf_tui.do
    if do is None:
        text = Text("This lesson has no step to open here. ", style="dim")
        text.append(f"In hf-tui: {lesson.in_hf_tui.screen}", style="dim")
        return text
    return Text(f"Opens {do.describe()}")
