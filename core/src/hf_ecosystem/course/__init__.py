"""The course: lesson metadata for Learn mode, and the setup each lesson notebook runs first."""

from __future__ import annotations

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
from hf_ecosystem.course.setup import Cleanup, LessonEnv, setup_lesson

__all__ = [
    "PLAN",
    "Cleanup",
    "HfTuiPointer",
    "Lesson",
    "LessonEnv",
    "LessonError",
    "WeekPlan",
    "list_lessons",
    "read_lesson",
    "setup_lesson",
    "week_plan",
]
