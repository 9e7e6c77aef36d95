"""Learn mode: the outline from the lessons' metadata, the lesson pane, "do it here" opening the
right screen with the lesson's inputs, and lessons whose metadata is broken."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, cast

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, TabbedContent, TextArea, Tree

from helpers import add_local_repo, cpu_only_snapshot, table_ids, text_of, wait_until
from hf_ecosystem.course import (
    DoHere,
    Lesson,
    LessonError,
    default_lessons_root,
    jupyter_command,
    read_lesson,
    read_outline,
)
from hf_tui.app import HfTuiApp
from hf_tui.screens.do_here import MODES, check_do_here, screen_for
from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen
from hf_tui.screens.hub.model_detail import ModelDetailScreen
from hf_tui.screens.hub.models import ModelsScreen
from hf_tui.screens.hub.try_model import TryScreen
from hf_tui.screens.learn import LearnScreen
from hf_tui.screens.runs.evaluate_form import EvaluateFormScreen
from hf_tui.screens.runs.new_training import NewTrainingScreen
from hf_tui.screens.runs.publish import PublishScreen

NOTEBOOKS = default_lessons_root()
SIZE = (150, 45)
DATASET_CARD = (
    "---\nlicense: cc-by-4.0\nconfigs:\n- config_name: default\n  data_files:\n"
    "  - split: train\n    path: train.csv\n  - split: test\n    path: test.csv\n---\n# News\n"
)
META: dict[str, Any] = {
    "id": "course2/2.3-first-finetuning", "course": 2, "week": 2, "number": "2.3",
    "module": "2.2", "title": "First fine-tuning", "objective": "Fine-tune a model.",
    "duration_minutes": 60, "outcomes": ["Train a classifier"],
    "in_hf_tui": {"screen": "Runs (key 5)", "keys": [], "cli": [],
                  "do": {"screen": "train", "inputs": {"preset": "token-classification-quick",
                                                         "model": "acme/bert",
                                                         "dataset": "acme/ner"}}},
}  # fmt: skip


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def lesson_of(lesson_id: str) -> Lesson:
    course, name = lesson_id.split("/")
    return read_lesson(next(NOTEBOOKS.glob(f"{course}/week*/{name}.ipynb")))


def step_of(lesson: Lesson) -> DoHere:
    assert lesson.in_hf_tui.do is not None, f"{lesson.id} names no step"
    return lesson.in_hf_tui.do


def write_lesson(root: Path, meta: dict[str, Any], name: str | None = None) -> Path:
    folder = root / f"course{meta['course']}" / f"week{meta['week']}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"{meta['id'].split('/')[1]}.ipynb")
    notebook = {"cells": [], "metadata": {"lesson": meta}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


async def open_learn(pilot: Pilot[Any], root: Path | None = None) -> LearnScreen:
    """Key 6 (the repository's lessons), or a Learn screen over `root`; once the tree is read."""
    app = pilot.app
    if root is None:
        await pilot.press("6")
    else:
        await app.push_screen(LearnScreen(root))
    await wait_until(pilot, lambda: isinstance(app.screen, LearnScreen))
    screen = app.screen
    assert isinstance(screen, LearnScreen)
    await wait_until(pilot, lambda: screen.entry is not None)
    return screen


async def highlight(pilot: Pilot[Any], screen: LearnScreen, lesson_id: str) -> Lesson:
    """Walk the tree with the arrow keys down to the lesson."""
    screen.query_one(Tree).focus()
    await pilot.press("home")
    for _ in range(80):
        if screen.lesson is not None and screen.lesson.id == lesson_id:
            return screen.lesson
        await pilot.press("down")
    raise AssertionError(f"{lesson_id} is not in the tree")


async def test_key_6_shows_the_outline_and_a_lessons_pane() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot)
        tree: Tree[Any] = screen.query_one(Tree)
        courses = [str(node.label) for node in tree.root.children]
        assert courses[:2] == [
            "Course 1: Hub and Ecosystem Fundamentals",
            "Course 2: Fine-Tuning Transformers",
        ]
        modules = [str(node.label) for node in tree.root.children[0].children]
        assert modules[0] == "1.1  Introduction to the Hugging Face Ecosystem"
        assert len(modules) == 5 and len(tree.root.children[1].children) == 6
        lesson = await highlight(pilot, screen, "course1/1.7-dataset-exploration")
        pane = text_of(pilot, "#lesson-text")
        assert lesson.title in pane and lesson.objective in pane
        assert all(outcome in pane for outcome in lesson.outcomes)
        assert f"about {lesson.duration_minutes} minutes" in pane
        command = jupyter_command(lesson, NOTEBOOKS)
        assert command == f"uv run jupyter lab notebooks/{lab(lesson)}"
        jupyter = text_of(pilot, "#lesson-jupyter")
        assert command in jupyter and f"make lab  then open {lab(lesson)}" in jupyter
        assert step_of(lesson).describe() in text_of(pilot, "#lesson-do")
        await pilot.press("c")
        assert app.clipboard == command
        await pilot.press("up")  # the module: no lesson pane, no buttons
        assert screen.lesson is None and "Module 1.2: Working with Datasets" in text_of(
            pilot, "#lesson-text"
        )
        assert not screen.query_one("#learn-actions").display
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Go to Learn", "Learn", "Do it here", "Copy command"} <= set(titles)


def lab(lesson: Lesson) -> str:
    return str(lesson.path.relative_to(NOTEBOOKS))


async def test_course1_lesson_does_its_search_here(isolated_env: Path) -> None:
    """Course 1, lesson 1.3: the Models search with the lesson's filters, and their results."""
    hub = isolated_env / "hftui_home" / "hub"
    for repo, task, library in [
        ("acme/tc", "text-classification", "transformers"),
        ("acme/gen", "text-generation", "transformers"),
        ("acme/tc-st", "text-classification", "sentence-transformers"),
    ]:
        card = f"---\npipeline_tag: {task}\nlibrary_name: {library}\n---\n# {repo}\n"
        add_local_repo(hub, repo, card)
    lesson = lesson_of("course1/1.3-exploring-hub")
    step = step_of(lesson)
    assert step.screen == "models"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 3)
        screen = await open_learn(pilot)
        await highlight(pilot, screen, lesson.id)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        models = app.screen
        assert isinstance(models, ModelsScreen)
        filters, sort = step.search()
        assert models.current_filters() == (filters, sort)
        for name in ("task", "library", "author", "license"):
            value = models.query_one(f"#filter-{name}", Input).value
            assert value == (getattr(filters, name) or "")
        assert models.query_one("#filters").display  # the filters are shown
        assert models.query_one("#search", Input).value == filters.query
        await wait_until(pilot, lambda: table_ids(pilot) == ["acme/tc"])
        await pilot.press("6")  # back where the learner was
        assert app.screen is screen and screen.lesson is not None
        assert screen.lesson.id == lesson.id


async def test_course2_lesson_opens_the_dataset_with_its_split(isolated_env: Path) -> None:
    """Course 2, lesson 1.2: the dataset's page, on its Preview tab, the lesson's split picked."""
    lesson = lesson_of("course2/1.2-loading-datasets")
    step = step_of(lesson)
    assert step.screen == "dataset"
    rows = "text,label\n" + "".join(f"news {i},{i % 2}\n" for i in range(6))
    add_local_repo(isolated_env / "hftui_home" / "hub", step.text("dataset"), DATASET_CARD,
                   {"train.csv": rows.encode(), "test.csv": rows[:40].encode()},
                   kind="datasets")  # fmt: skip
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot)
        await highlight(pilot, screen, lesson.id)
        await pilot.click("#do-here")  # the mouse works too
        await wait_until(pilot, lambda: isinstance(app.screen, DatasetDetailScreen))
        page = app.screen
        assert isinstance(page, DatasetDetailScreen)
        assert page.repo_id == step.text("dataset")
        tabs = page.query_one(TabbedContent)
        await wait_until(pilot, lambda: tabs.active == f"tab-{step.text('tab')}")
        split = page.query_one("#split-select", Select)
        await wait_until(pilot, lambda: split.value == step.text("split"))
        await wait_until(pilot, lambda: f"/{step.text('split')}: first" in text_of(
            pilot, "#preview-status"))  # fmt: skip
        await pilot.press("escape")
        assert app.screen is screen


async def test_course1_try_lesson_fills_the_try_form() -> None:
    lesson = lesson_of("course1/2.2-text-pipelines")
    step = step_of(lesson)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot)
        await highlight(pilot, screen, lesson.id)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, TryScreen))
        page = app.screen
        assert isinstance(page, TryScreen)
        assert (page.repo_id, page.spec.name) == (step.text("model"), step.text("task"))
        (field, value), *_ = step.try_fields().items()
        assert page.query_one(f"#field-{field}", TextArea).text == value


async def test_training_and_evaluate_steps_fill_their_forms(tmp_path: Path) -> None:
    write_lesson(tmp_path, META)
    evaluate = copy.deepcopy(META)
    evaluate.update(id="course2/3.2-eval", week=3, number="3.2", module="2.5")
    evaluate["in_hf_tui"]["do"] = {
        "screen": "evaluate",
        "inputs": {
            "model": "acme/bart",
            "dataset": "acme/news",
            "task": "summarization",
            "split": "test",
        },
    }
    write_lesson(tmp_path, evaluate)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot, tmp_path)
        await highlight(pilot, screen, "course2/2.3-first-finetuning")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, NewTrainingScreen))
        form = app.screen
        assert form.query_one("#preset", Select).value == "token-classification-quick"
        assert form.query_one("#field-task", Select).value == "token-classification"
        assert form.query_one("#field-label_column", Input).value == "ner_tags"
        assert form.query_one("#field-model", Input).value == "acme/bert"
        assert form.query_one("#field-dataset", Input).value == "acme/ner"
        await pilot.press("escape")
        await highlight(pilot, screen, "course2/3.2-eval")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluateFormScreen))
        form = app.screen
        assert form.query_one("#field-task", Select).value == "summarization"
        values = {n: form.query_one(f"#field-{n}", Input).value for n in ("model", "dataset",
                                                                           "split")}  # fmt: skip
        assert values == {"model": "acme/bart", "dataset": "acme/news", "split": "test"}


async def test_broken_lessons_show_their_error_in_the_pane(tmp_path: Path) -> None:
    write_lesson(tmp_path, META)
    bad_step = copy.deepcopy(META)
    bad_step.update(id="course2/2.5-metrics", number="2.5", module="2.3")
    bad_step["in_hf_tui"]["do"] = {"screen": "train", "inputs": {"preset": "huge"}}
    write_lesson(tmp_path, bad_step)
    broken = copy.deepcopy(META)
    broken["in_hf_tui"]["do"] = {"screen": "trainer"}
    write_lesson(tmp_path, broken, name="2.7-tracking.ipynb")
    no_step = copy.deepcopy(META)
    no_step.update(id="course2/1.7-custom", week=1, number="1.7", module="2.1")
    del no_step["in_hf_tui"]["do"]
    write_lesson(tmp_path, no_step)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot, tmp_path)
        tree: Tree[Any] = screen.query_one(Tree)
        course2 = tree.root.children[1]
        problem = course2.children[-1]
        assert str(problem.label) == "⚠ 2.7-tracking.ipynb: cannot be read"
        tree.move_cursor(problem)
        await pilot.pause()
        pane = text_of(pilot, "#lesson-text")
        assert "unknown screen 'trainer'" in pane and "Use one of: models" in pane
        await highlight(pilot, screen, "course2/1.7-custom")
        assert screen.query_one("#do-here", Button).disabled
        assert "no step to open here" in text_of(pilot, "#lesson-do")
        await pilot.press("d")  # nothing opens, nothing breaks
        assert app.screen is screen
        await highlight(pilot, screen, "course2/2.5-metrics")
        await pilot.press("d")
        await pilot.pause()
        assert app.screen is screen
        assert "The training form has no preset 'huge'" in text_of(pilot, "#lesson-do")


async def test_a_missing_lessons_folder_is_said_in_the_pane(tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot, tmp_path)  # an empty folder: the outline alone
        assert "Course 1: Hub and Ecosystem Fundamentals" in text_of(pilot, "#lesson-text")
        assert "0 lessons written so far" in text_of(pilot, "#lesson-text")
        await pilot.press("c", "d")  # no lesson: nothing to copy or open
        assert app.clipboard == "" and app.screen is screen
        await app.push_screen(LearnScreen(tmp_path / "nowhere"))
        await wait_until(pilot, lambda: "No lessons folder" in text_of(pilot, "#lesson-text"))


async def test_reload_reads_an_edited_lesson_and_keeps_it_highlighted(tmp_path: Path) -> None:
    path = write_lesson(tmp_path, META)
    other = copy.deepcopy(META)
    other.update(id="course2/2.5-metrics", number="2.5", module="2.3", title="Metrics")
    write_lesson(tmp_path, other)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot, tmp_path)
        await highlight(pilot, screen, "course2/2.5-metrics")
        edited = copy.deepcopy(other)
        edited["title"] = "Metrics, edited"
        write_lesson(tmp_path, edited)
        path.unlink()
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "Metrics, edited" in text_of(pilot, "#lesson-text"))
        assert screen.lesson is not None and screen.lesson.id == "course2/2.5-metrics"


async def test_page_and_mode_steps_open_their_screens(tmp_path: Path) -> None:
    steps = {
        "2.3": {"screen": "memory", "inputs": {"model": "acme/m"}},
        "2.5": {"screen": "publish", "inputs": {"target": str(tmp_path / "model")}},
        "2.7": {"screen": "device"},
    }
    for number, step in steps.items():
        meta = copy.deepcopy(META)
        meta.update(id=f"course2/{number}-x", number=number, module="2.2")
        meta["in_hf_tui"]["do"] = step
        write_lesson(tmp_path, meta)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_learn(pilot, tmp_path)
        await highlight(pilot, screen, "course2/2.3-x")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelDetailScreen))
        assert cast(ModelDetailScreen, app.screen).repo_id == "acme/m"
        await pilot.press("escape")
        await highlight(pilot, screen, "course2/2.5-x")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, PublishScreen))
        assert cast(PublishScreen, app.screen).target == str(tmp_path / "model")
        await pilot.press("escape")
        await highlight(pilot, screen, "course2/2.7-x")
        await pilot.press("d")
        await wait_until(pilot, lambda: app.current_mode == "device")


def test_every_repository_lesson_opens_here() -> None:
    """The lessons' steps name presets, tasks and forms this app has (core checks the rest)."""
    for course in read_outline(NOTEBOOKS):
        for lesson in course.lessons:
            step = step_of(lesson)
            check_do_here(step)
            if step.screen not in MODES:
                assert screen_for(step) is not None
    with pytest.raises(LessonError, match="The Evaluate form has no task 'ner'"):
        check_do_here(DoHere("evaluate", {"task": "ner"}))
    with pytest.raises(LessonError, match="No screen for 'runs'"):
        screen_for(DoHere("runs"))


def test_snapshot_learn(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "notebooks"
    hub = copy.deepcopy(META)
    hub.update(
        id="course1/1.3-exploring-hub",
        course=1,
        week=1,
        number="1.3",
        module="1.1",
        title="Exploring the Hub",
        duration_minutes=45,
        objective="Find models and datasets on the Hub with filters and read their cards.",
        outcomes=["Search models by task, library and license", "Read a model card"],
    )
    hub["in_hf_tui"]["do"] = {
        "screen": "models",
        "inputs": {"task": "text-classification", "library": "transformers"},
    }
    write_lesson(root, hub)
    write_lesson(root, META)
    write_lesson(root, {"id": "course2/2.7-tracking", "course": 2, "week": 2}, name="2.7-x.ipynb")

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await wait_until(pilot, lambda: "logged in · CPU" in pilot.app.sub_title)
        screen = await open_learn(pilot, root)
        await highlight(pilot, screen, "course1/1.3-exploring-hub")
        pilot.app.clear_notifications()  # the empty local hub's advice
        await pilot.pause()

    assert snap_compare(make_app(), run_before=ready, terminal_size=(130, 36))
