"""State you can trust: lists that update themselves, newest-first jobs, marks that show at once,
and no animated progress bar on the view of a job that has ended."""

from __future__ import annotations

from pathlib import Path

import pytest
from runs_fixtures import curve_events, job_store, make_evaluation, make_run
from textual.widgets import DataTable, ProgressBar

from helpers import add_local_repo, cpu_only_snapshot, table_ids, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.screens.runs.run_view import RunViewScreen

CARD = "---\nlicense: mit\npipeline_tag: text-classification\n---\n# {name}\n"


@pytest.fixture
def hub_root(isolated_env: Path) -> Path:
    root = isolated_env / "hftui_home" / "hub"
    add_local_repo(root, "team/first", CARD.format(name="first"))
    return root


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def test_a_finished_seed_updates_the_header_count_and_the_models_list(
    hub_root: Path,
) -> None:
    store = job_store()
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: table_ids(pilot) == ["team/first"])
        await wait_until(pilot, lambda: "1 repos" in app.sub_title)
        await pilot.press("ctrl+p", *"seed the demo", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        await pilot.press("y")
        await wait_until(pilot, lambda: any(r.kind == "demo-seed" for r in store.list()))
        (seed,) = store.list()
        # What the seed job's worker does: repos in the local hub, then the job succeeds.
        add_local_repo(hub_root, "demo/tiny-seeded", CARD.format(name="tiny"))
        store.finish(seed.id, "succeeded", result={})
        await wait_until(pilot, lambda: "2 repos" in app.sub_title)
        await wait_until(pilot, lambda: "demo/tiny-seeded" in table_ids(pilot))


async def test_jobs_stay_newest_first_as_jobs_arrive(isolated_env: Path) -> None:
    store = job_store()
    first = make_run(store)
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("4")
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table") == [first])
        second = make_run(store)
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table") == [second, first])
        third = make_run(store)
        await wait_until(pilot, lambda: table_ids(pilot, "#jobs-table") == [third, second, first])


async def test_a_mark_in_runs_shows_at_once(isolated_env: Path) -> None:
    store = job_store()
    run = make_run(store, events=curve_events([10, 20]), status="cancelled")
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run])
        table = app.screen.query_one("#runs-table", DataTable)
        row_line = table.header_height  # the first row, under the header
        assert "●" not in table.render_line(row_line).text
        await pilot.press("space")
        await pilot.pause()
        assert "●" in table.render_line(row_line).text
        await pilot.press("space")
        await pilot.pause()
        assert "●" not in table.render_line(row_line).text


def animated(bar: ProgressBar) -> bool:
    """An indeterminate bar on screen is the animated one."""
    return bar.display and bar.total is None


@pytest.mark.parametrize(
    ("status", "events"),
    [("cancelled", []), ("failed", []), ("cancelled", curve_events([10])), ("succeeded", [])],
)
async def test_an_ended_runs_view_never_shows_an_animated_bar(
    isolated_env: Path, status: str, events: list[tuple[str, dict[str, object]]]
) -> None:
    store = job_store()
    run = make_run(store, events=events, status=status)  # type: ignore[arg-type]
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: table_ids(pilot, "#runs-table") == [run])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, RunViewScreen))
        screen = app.screen
        assert isinstance(screen, RunViewScreen)
        await wait_until(pilot, lambda: screen.record is not None)
        await pilot.pause()
        bar = screen.query_one("#run-progress", ProgressBar)
        assert not animated(bar)
        if status == "succeeded":
            assert bar.percentage == 1.0
        elif events:
            assert bar.display and bar.percentage == 0.25  # stopped where it got to


async def test_a_failed_evaluation_never_shows_an_animated_bar(isolated_env: Path) -> None:
    store = job_store()
    job = make_evaluation(store, isolated_env, error={"title": "No such split", "hint": "x"})
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        app.open_evaluation(job)
        await wait_until(pilot, lambda: isinstance(app.screen, EvaluationViewScreen))
        screen = app.screen
        await wait_until(pilot, lambda: getattr(screen, "record", None) is not None)
        await pilot.pause()
        assert not animated(screen.query_one("#eval-progress", ProgressBar))
