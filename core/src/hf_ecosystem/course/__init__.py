"""The course: lesson metadata for Learn mode, and the setup each lesson notebook runs first."""

from __future__ import annotations

from hf_ecosystem.course.do_here import DO_SCREENS, DoHere
from hf_ecosystem.course.lessons import (
    PLAN,
    HfTuiPointer,
    Lesson,
    LessonError,
    WeekPlan,
    list_lessons,
    read_lesson,
    week_plan,
)
from hf_ecosystem.course.outline import (
    MODULES,
    CourseOutline,
    LessonProblem,
    Module,
    ModuleLessons,
    default_lessons_root,
    group_lessons,
    jupyter_command,
    lab_path,
    read_outline,
)
from hf_ecosystem.course.setup import Cleanup, LessonEnv, setup_lesson

__all__ = [
    "DO_SCREENS",
    "MODULES",
    "PLAN",
    "Cleanup",
    "CourseOutline",
    "DoHere",
    "HfTuiPointer",
    "Lesson",
    "LessonEnv",
    "LessonError",
    "LessonProblem",
    "Module",
    "ModuleLessons",
    "WeekPlan",
    "default_lessons_root",
    "group_lessons",
    "jupyter_command",
    "lab_path",
    "list_lessons",
    "read_lesson",
    "read_outline",
    "setup_lesson",
    "week_plan",
]
