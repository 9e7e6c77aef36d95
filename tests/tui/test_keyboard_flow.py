"""Keyboard flow on every screen, driven by keys only: where focus lands, what esc and the digit
keys do, what typing into an input does, and that the command palette offers every action the
footer or the help names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runs_fixtures import curve_events, job_store, make_run
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Input

from helpers import add_local_repo, cpu_only_snapshot, table_ids, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.detail import DetailScreen
from hf_tui.screens.hub.models import ModelsScreen
from hf_tui.widgets.filter_sidebar import FilterSidebar

CARD = "---\nlicense: apache-2.0\npipeline_tag: {task}\nlibrary_name: transformers\n---\n# {name}\n"


@pytest.fixture
def local_hub(isolated_env: Path) -> Path:
    root = isolated_env / "hftui_home" / "hub"
    config = json.dumps({"model_type": "bert", "hidden_size": 32, "num_hidden_layers": 2,
                         "num_attention_heads": 2, "intermediate_size": 64,
                         "vocab_size": 1000}).encode()  # fmt: skip
    for name, task in (("reviews-bert", "text-classification"), ("notes-t5", "summarization")):
        card = CARD.format(task=task, name=name)
        add_local_repo(root, f"team/{name}", card, {"config.json": config})
    add_local_repo(root, "team/reviews", "---\nlicense: cc-by-4.0\n---\n# data\n", kind="datasets")
    return root


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def focused_id(app: HfTuiApp) -> str | None:
    return app.focused.id if app.focused is not None else None


async def models_ready(pilot) -> None:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: len(table_ids(pilot)) == 2)


async def test_each_screen_opens_on_its_list_or_first_field(local_hub: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        assert focused_id(app) == "results"
        await pilot.press("2")
        await wait_until(pilot, lambda: len(table_ids(pilot)) == 1)
        assert focused_id(app) == "results"
        await pilot.press("4")
        await wait_until(pilot, lambda: focused_id(app) == "jobs-table")
        await pilot.press("5")
        await wait_until(pilot, lambda: focused_id(app) == "runs-table")
        await pilot.press("n")  # New training: the first field to fill
        await wait_until(pilot, lambda: focused_id(app) == "field-model")
        await pilot.press("escape")
        await wait_until(pilot, lambda: focused_id(app) == "runs-table")
        await pilot.press("ctrl+p", *"evaluate a model", "enter")
        await wait_until(pilot, lambda: focused_id(app) == "field-model")


async def test_keys_typed_right_after_tab_go_to_the_next_field(local_hub: Path) -> None:
    """Found in tmux: "hf-tui-demo/bbc-news", tab ×5 and "6" typed as a burst all landed in the
    dataset field: tab moved focus only after the field had worked through its queue of typed
    keys, and the keys after it had already been handed to the field being left."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        app.open_new_training("team/reviews-bert")
        await wait_until(pilot, lambda: focused_id(app) == "field-dataset")
        for key, char in [("a", "a"), ("b", "b"), ("tab", "\t"), ("x", "x"), ("y", "y")]:
            app.post_message(events.Key(key, char))  # as the terminal driver delivers a burst
        await wait_until(pilot, lambda: focused_id(app) == "field-text_column")
        await pilot.pause()
        assert app.screen.query_one("#field-dataset", Input).value == "ab"
        assert app.screen.query_one("#field-text_column", Input).value == "xy"


async def test_digits_land_on_the_list_not_on_a_page_left_open(local_hub: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        await pilot.press("enter")  # the first model's Detail page
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("2", "1")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        assert focused_id(app) == "results"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("1")  # the same mode's key also goes back to its list
        await wait_until(pilot, lambda: isinstance(app.screen, ModelsScreen))
        assert focused_id(app) == "results"
        assert len(app.screen_stack) == 1


async def test_escape_leaves_an_input_for_the_list(local_hub: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        await pilot.press("slash")
        assert focused_id(app) == "search"
        await pilot.press("escape")
        assert focused_id(app) == "results"
        await pilot.press("f")  # the filters: shown and focused, esc back to the list
        assert app.focused is not None and app.focused.parent is app.screen.query_one(FilterSidebar)
        await pilot.press("escape")
        assert focused_id(app) == "results"


async def test_keys_typed_into_an_input_stay_text(local_hub: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        await pilot.press("slash", *"1f/q?5")
        assert app.screen.query_one("#search", Input).value == "1f/q?5"
        assert isinstance(app.screen, ModelsScreen) and app.is_running
        assert app.screen.query_one(FilterSidebar).display
        await pilot.press("escape", "f")  # now a binding again: focus the filters
        assert app.focused is not None and app.focused.parent is app.screen.query_one(FilterSidebar)
        await pilot.press("escape", "4")
        await wait_until(pilot, lambda: focused_id(app) == "jobs-table")
        await pilot.press("5", "n")
        await wait_until(pilot, lambda: focused_id(app) == "field-model")
        await pilot.press(*"org/m1q")
        assert app.screen.query_one("#field-model", Input).value == "org/m1q"


async def test_a_shown_completion_is_the_value_searched(local_hub: Path) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        await pilot.press("f", *"text-cl")  # f: the first filter field, the task
        field = app.screen.query_one("#filter-task", Input)
        await wait_until(pilot, lambda: field._suggestion == "text-classification")
        # what the search used is what the field shows
        await wait_until(pilot, lambda: table_ids(pilot) == ["team/reviews-bert"])
        await pilot.press("escape")  # leaving the field keeps the completion it showed
        assert field.value == "text-classification"
        assert focused_id(app) == "results"
        await pilot.pause(0.4)
        assert table_ids(pilot) == ["team/reviews-bert"]


def footer_and_help_actions(app: HfTuiApp) -> set[str]:
    """What the footer shows and the help lists on the current screen."""
    shown = {
        b.binding.description
        for b in app.screen.active_bindings.values()
        if b.binding.show and b.binding.description
    }
    helped = {
        b.description for b in app.screen.BINDINGS if isinstance(b, Binding) and b.description
    }
    return shown | helped


def missing_from_palette(app: HfTuiApp) -> list[str]:
    titles = [c.title.lower() for c in app.get_system_commands(app.screen)]
    return sorted(
        name for name in footer_and_help_actions(app) if not any(name.lower() in t for t in titles)
    )


async def test_palette_lists_every_action_the_footer_or_help_names(local_hub: Path) -> None:
    store = job_store()
    run = make_run(store, events=curve_events([10, 20]), status="cancelled")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        seen: list[str] = []
        for keys in (["1"], ["2"], ["3"], ["4"], ["5"], ["1", "enter"], ["5", "n"]):
            await pilot.press(*keys)
            await pilot.pause()
            if keys == ["5"]:
                await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run])
            seen.append(type(app.screen).__name__)
            assert missing_from_palette(app) == [], type(app.screen).__name__
            await pilot.press("escape")
        assert len(set(seen)) == 7


async def test_palette_runs_a_screen_action(local_hub: Path) -> None:
    store = job_store()
    run = make_run(store, events=curve_events([10, 20]), status="cancelled")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await models_ready(pilot)
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run])
        await pilot.press("ctrl+p", *"mark")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("enter")
        await wait_until(pilot, lambda: run in getattr(app.screen, "marked", set()))
