"""Learn mode's core: a lesson's "do it here" step (checked on reading) and the course outline."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hf_ecosystem.course import (
    DO_SCREENS,
    MODULES,
    DoHere,
    LessonError,
    default_lessons_root,
    group_lessons,
    jupyter_command,
    lab_path,
    read_lesson,
    read_outline,
)
from hf_ecosystem.course.do_here import do_here_from_metadata
from hf_ecosystem.hub.types import SearchFilters, Sort

ROOT = Path(__file__).resolve().parents[2]
WHERE = Path("1.3-x.ipynb")
META: dict[str, Any] = {
    "id": "course1/1.3-exploring-hub",
    "course": 1,
    "week": 1,
    "number": "1.3",
    "module": "1.1",
    "title": "Exploring the Hub",
    "objective": "Find models.",
    "duration_minutes": 45,
    "outcomes": ["Search models"],
    "in_hf_tui": {"screen": "Models (key 1)", "keys": [], "cli": []},
}
# One example per screen: the shapes lessons.py's docstring documents.
EXAMPLES: dict[str, dict[str, Any]] = {
    "models": {"task": "text-classification", "library": "transformers", "tags": ["en", "x"],
               "sort": "likes", "query": "bert", "language": "en", "license": "mit",
               "author": "acme"},
    "datasets": {"task": "text-classification", "sort": "name"},
    "model": {"model": "acme/m"},
    "memory": {"model": "acme/m"},
    "dataset": {"dataset": "acme/d", "config": "default", "split": "test", "tab": "preview"},
    "try": {"model": "acme/m", "task": "question-answering",
            "input": {"question": "Who?", "context": "Ann did."}},
    "train": {"preset": "text-classification-quick", "model": "acme/m", "dataset": "acme/d"},
    "evaluate": {"model": "acme/m", "dataset": "acme/d", "task": "summarization",
                 "dataset_config": "3.0.0", "split": "test"},
    "publish": {"target": "231114-221300-abc000"},
    "runs": {},
    "jobs": {},
    "device": {},
}  # fmt: skip


def parse(screen: Any, inputs: Any = None) -> DoHere:
    data: dict[str, Any] = {"screen": screen}
    if inputs is not None:
        data["inputs"] = inputs
    return do_here_from_metadata(data, WHERE)


def write(root: Path, meta: dict[str, Any], name: str | None = None) -> Path:
    folder = root / f"course{meta['course']}" / f"week{meta['week']}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{meta['id'].split('/')[1]}.ipynb")
    notebook = {"cells": [], "metadata": {"lesson": meta}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def lesson_meta(number: str, module: str, course: int = 1, **changes: Any) -> dict[str, Any]:
    meta = copy.deepcopy(META)
    week = int(number.split(".")[0])
    meta.update(id=f"course{course}/{number}-l", course=course, week=week, number=number,
                module=module, title=f"Lesson {number}")  # fmt: skip
    meta.update(changes)
    return meta


# -- the "do it here" step ---------------------------------------------------------------------


def test_every_screen_has_an_example_and_each_example_reads() -> None:
    assert set(EXAMPLES) == set(DO_SCREENS)
    for screen, inputs in EXAMPLES.items():
        do = parse(screen, inputs)
        assert do.screen == screen and do.inputs == inputs
        assert do.to_dict() == {"screen": screen, "inputs": inputs}


def test_a_lesson_carries_its_step_typed(tmp_path: Path) -> None:
    meta = copy.deepcopy(META)
    meta["in_hf_tui"]["do"] = {"screen": "dataset", "inputs": {"dataset": "acme/d"}}
    lesson = read_lesson(write(tmp_path, meta))
    assert lesson.in_hf_tui.do == DoHere("dataset", {"dataset": "acme/d"})
    assert lesson.to_dict()["in_hf_tui"]["do"] == meta["in_hf_tui"]["do"]
    del meta["in_hf_tui"]["do"]  # the step is optional
    lesson = read_lesson(write(tmp_path, meta))
    assert lesson.in_hf_tui.do is None and "do" not in lesson.to_dict()["in_hf_tui"]


@pytest.mark.parametrize(
    ("screen", "inputs", "message"),
    [
        ("search", {}, r"unknown screen 'search'.*"),
        ("models", {"filter": "x"}, r"models has no input 'filter'"),
        ("models", {"sort": "best"}, r"'sort' must be one of downloads, likes"),
        ("models", {"task": ""}, r"'task' must be a non-empty text"),
        ("models", {"task": 3}, r"'task' must be a non-empty text"),
        ("models", {"tags": "en"}, r"'tags' must be a list of texts"),
        ("models", {"tags": ["en", ""]}, r"'tags' must be a list of texts"),
        ("dataset", {"split": "test"}, r"dataset needs the input\(s\) dataset"),
        ("dataset", {"dataset": "a/b", "tab": "files"}, r"'tab' must be one of card, preview"),
        ("try", {"model": "a/b"}, r"try needs the input\(s\) task"),
        ("try", {"model": "a/b", "task": "dance"}, r"try: Unknown task 'dance'"),
        ("try", {"model": "a/b", "task": "fill-mask", "input": {"txt": "x"}}, r"takes the texts"),
        ("try", {"model": "a/b", "task": "fill-mask", "input": {"text": 1}}, r"takes the texts"),
        ("try", {"model": "a/b", "task": "fill-mask", "input": 5}, r"'input' must be a text, or"),
        ("runs", {"model": "a/b"}, r"runs has no input 'model'"),
        ("publish", [], r"inputs must be a mapping"),
    ],
)
def test_a_bad_step_names_what_is_wrong(screen: str, inputs: Any, message: str) -> None:
    with pytest.raises(LessonError, match=message) as caught:
        parse(screen, inputs)
    assert caught.value.title.startswith("1.3-x.ipynb: in_hf_tui.do ")
    assert caught.value.hint


def test_a_step_that_is_not_a_mapping_or_has_extra_keys_is_refused() -> None:
    with pytest.raises(LessonError, match="must be a mapping"):
        do_here_from_metadata("models", WHERE)
    with pytest.raises(LessonError, match=r"unknown keys \['keys'\]"):
        do_here_from_metadata({"screen": "models", "keys": []}, WHERE)
    with pytest.raises(LessonError) as caught:
        parse("search")
    assert "models, datasets, model" in caught.value.hint


def test_a_bad_step_makes_the_lesson_unreadable(tmp_path: Path) -> None:
    meta = copy.deepcopy(META)
    meta["in_hf_tui"]["do"] = {"screen": "models", "inputs": {"sort": "best"}}
    with pytest.raises(LessonError, match="'sort' must be one of"):
        read_lesson(write(tmp_path, meta))


def test_search_step_gives_core_filters() -> None:
    filters, sort = parse("models", EXAMPLES["models"]).search()
    assert filters == SearchFilters(query="bert", task="text-classification",
                                    library="transformers", language="en", license="mit",
                                    author="acme", tags=("en", "x"))  # fmt: skip
    assert sort is Sort.LIKES
    assert parse("datasets").search() == (SearchFilters(), Sort.DOWNLOADS)


def test_try_fields_a_bare_text_is_the_tasks_first_field() -> None:
    assert parse("try", EXAMPLES["try"]).try_fields() == {"question": "Who?", "context": "Ann did."}
    bare = parse("try", {"model": "a/b", "task": "sentiment-analysis", "input": "Great!"})
    assert bare.try_fields() == {"text": "Great!"}
    assert parse("try", {"model": "a/b", "task": "fill-mask"}).try_fields() == {}


def test_describe_says_the_screen_and_its_inputs() -> None:
    assert parse("device").describe() == "the Device screen"
    text = parse("models", {"task": "fill-mask", "tags": ["a", "b"]}).describe()
    assert text == "the Models search: task=fill-mask, tags=a,b"
    assert "input=question: Who?; context: Ann did." in parse("try", EXAMPLES["try"]).describe()


# -- the outline --------------------------------------------------------------------------------


def test_modules_follow_the_outline() -> None:
    outline = (ROOT.parent / "shared" / "course" / "OUTLINE.md").resolve()
    ids = [m.id for m in MODULES]
    assert ids == ["1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"]
    if outline.is_file():  # the course's text, next to the checkout where it is shared
        titles = re.findall(r"^### Module (\d\.\d): (.+)$", outline.read_text(), re.M)
        assert [(m.id, m.title) for m in MODULES] == titles


def test_lessons_group_by_course_then_module_in_order(tmp_path: Path) -> None:
    for number, module, course in [("2.5", "1.3", 1), ("1.3", "1.1", 1), ("2.2", "1.3", 1),
                                   ("1.2", "2.1", 2)]:  # fmt: skip
        write(tmp_path, lesson_meta(number, module, course))
    outline = read_outline(tmp_path)
    assert [(c.course, c.title) for c in outline] == [
        (1, "Hub and Ecosystem Fundamentals"),
        (2, "Fine-Tuning Transformers"),
    ]
    course1 = outline[0]
    assert [g.module.id for g in course1.modules] == ["1.1", "1.2", "1.3", "1.4", "1.5"]
    assert [[lesson.number for lesson in g.lessons] for g in course1.modules] == [
        ["1.3"], [], ["2.2", "2.5"], [], []
    ]  # fmt: skip
    assert [lesson.number for lesson in outline[1].lessons] == ["1.2"]
    assert not any(c.problems for c in outline)


def test_unreadable_and_misplaced_lessons_become_problems_of_their_course(tmp_path: Path) -> None:
    write(tmp_path, lesson_meta("1.3", "1.1"))
    write(tmp_path, lesson_meta("1.4", "2.2"))  # course 2's module in course 1
    write(tmp_path, lesson_meta("1.3", "1.1", id="course1/1.3-l"), name="1.3-copy.ipynb")
    broken = tmp_path / "course2" / "week1" / "1.1-broken.ipynb"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json", encoding="utf-8")
    stray = write(tmp_path, lesson_meta("1.1", "1.1", course=9))
    outline = read_outline(tmp_path)
    course1, course2, other = outline
    assert [lesson.path.name for lesson in course1.lessons] == ["1.3-copy.ipynb"]
    titles = sorted(p.title for p in course1.problems)
    assert titles == [
        "1.3-l.ipynb: the id 'course1/1.3-l' is also "
        f"{tmp_path / 'course1/week1/1.3-copy.ipynb'}'s",
        "1.4-l.ipynb: course 1 has no module '2.2'",
    ]
    assert "1.1, 1.2, 1.3, 1.4, 1.5" in course1.problems[0].hint + course1.problems[1].hint
    assert [p.path for p in course2.problems] == [broken]
    assert "invalid JSON" in course2.problems[0].title
    assert (other.course, other.title, [p.path for p in other.problems]) == (
        0, "Other notebooks", [stray]
    )  # fmt: skip
    assert "none (unknown course)" in other.problems[0].hint
    odd = tmp_path / "course-extra" / "week1" / "x.ipynb"  # no course number in its folders
    odd.parent.mkdir(parents=True)
    odd.write_text("[]", encoding="utf-8")
    assert (None, odd) in [(p.course, p.path) for p in read_outline(tmp_path)[-1].problems]


def test_group_lessons_alone_and_a_missing_folder(tmp_path: Path) -> None:
    assert [c.lessons for c in group_lessons([])] == [(), ()]
    with pytest.raises(LessonError, match="No lessons folder"):
        read_outline(tmp_path / "nowhere")


def test_jupyter_command_and_lab_path(tmp_path: Path) -> None:
    root = tmp_path / "notebooks"
    lesson = read_lesson(write(root, META))
    assert jupyter_command(lesson, root) == (
        "uv run jupyter lab notebooks/course1/week1/1.3-exploring-hub.ipynb"
    )
    assert lab_path(lesson, root) == "course1/week1/1.3-exploring-hub.ipynb"
    elsewhere = tmp_path / "other" / "notebooks"
    elsewhere.mkdir(parents=True)
    assert jupyter_command(lesson, elsewhere).endswith(f"lab {lesson.path.resolve()}")
    assert lab_path(lesson, elsewhere) == str(lesson.path.resolve())
    spaced = read_lesson(write(tmp_path / "my notes" / "notebooks", META))
    command = jupyter_command(spaced, elsewhere)  # an absolute path with a space: quoted
    assert command == f"uv run jupyter lab '{spaced.path.resolve()}'"


def test_the_repository_lessons_outline_without_problems() -> None:
    root = default_lessons_root()
    assert root == ROOT / "notebooks"
    outline = read_outline(root)
    assert not [p for c in outline for p in c.problems]
    lessons = [lesson for course in outline for lesson in course.lessons]
    assert {lesson.course for lesson in lessons} == {1, 2}
    # the lessons written so far each name their "do it here" step
    assert all(lesson.in_hf_tui.do is not None for lesson in lessons)
