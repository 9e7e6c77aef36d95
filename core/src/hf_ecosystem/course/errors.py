"""The course's error: a lesson that cannot be read (lessons.py re-exports it)."""

from __future__ import annotations

from hf_ecosystem.errors import HfEcoError


class LessonError(HfEcoError):
    """A lesson notebook cannot be read, or its `lesson` metadata is missing or malformed."""

    default_title = "Cannot read the lesson"
    default_hint = "Open the notebook's metadata and check its `lesson` entry."
