"""Learn mode's "do it here": open the screen a lesson's step names, with its inputs filled in.

Core reads and checks the step (hf_ecosystem.course.do_here); this module knows the screens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hf_ecosystem.course.do_here import DoHere
from hf_ecosystem.course.lessons import LessonError

if TYPE_CHECKING:
    from textual.screen import Screen

    from hf_tui.app import HfTuiApp

MODES = ("models", "datasets", "runs", "jobs", "device")  # the app's own screens, by mode


def check_do_here(do: DoHere) -> None:
    """What only the app knows: a training preset and an evaluate task must be the forms' own."""
    from hf_tui.screens.runs.evaluate_form import TASKS
    from hf_tui.screens.runs.training_presets import PRESETS

    preset = do.text("preset")
    if do.screen == "train" and preset and preset not in PRESETS:
        raise LessonError(
            f"The training form has no preset {preset!r}",
            f"Use one of: {', '.join(PRESETS)}.",
        )
    task = do.text("task")
    if do.screen == "evaluate" and task and task not in {value for value, _ in TASKS}:
        raise LessonError(
            f"The Evaluate form has no task {task!r}",
            f"Use one of: {', '.join(value for value, _ in TASKS)}.",
        )


def screen_for(do: DoHere) -> Screen[None]:
    """The screen to push for a step that is not one of the app's modes, filled in."""
    from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen
    from hf_tui.screens.hub.model_detail import ModelDetailScreen
    from hf_tui.screens.hub.try_model import TryScreen
    from hf_tui.screens.runs.evaluate_form import DEFAULT_TASK, EvaluateFormScreen
    from hf_tui.screens.runs.new_training import NewTrainingScreen
    from hf_tui.screens.runs.publish import PublishScreen
    from hf_tui.screens.runs.training_presets import DEFAULT_PRESET

    text = do.text
    if do.screen in ("model", "memory"):
        return ModelDetailScreen(text("model"))
    if do.screen == "dataset":
        tab = text("tab") or "card"
        return DatasetDetailScreen(text("dataset"), config=text("config"), split=text("split"),
                                   tab=tab)  # fmt: skip
    if do.screen == "try":
        return TryScreen(text("model"), text("task"), do.try_fields())
    if do.screen == "train":
        preset = text("preset") or DEFAULT_PRESET
        return NewTrainingScreen(text("model"), preset=preset, dataset=text("dataset"))
    if do.screen == "evaluate":
        fields = {n: text(n) for n in ("dataset", "dataset_config", "split") if text(n)}
        return EvaluateFormScreen(text("model"), task=text("task") or DEFAULT_TASK, fields=fields)
    if do.screen == "publish":
        return PublishScreen(text("target"))
    raise LessonError(f"No screen for {do.screen!r}")  # a mode: open_do_here switches to it


async def open_do_here(app: HfTuiApp, do: DoHere) -> None:
    """Open the step's screen with its inputs: a search or a list switches to that mode, a page
    or a form is pushed over Learn (escape comes back). LessonError when the app cannot."""
    from hf_tui.screens.hub.repo_search import RepoSearchScreen

    check_do_here(do)
    if do.screen not in MODES:
        await app.push_screen(screen_for(do))
        return
    await app.action_go(do.screen)
    screen = app.screen
    if isinstance(screen, RepoSearchScreen):
        filters, sort = do.search()
        screen.show_search(filters, sort)
