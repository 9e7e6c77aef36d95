"""The Evaluate view over stored evaluate jobs: progress, metrics, heat-map, errors by cell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from runs_fixtures import job_store, make_evaluation, write_events
from textual.coordinate import Coordinate
from textual.widgets import DataTable, ProgressBar

from helpers import cpu_only_snapshot, table_ids, text_of, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.widgets.confusion_matrix import ConfusionMatrix, shade

LABELS = ["neg", "pos", "neu"]
COUNTS = [[5, 1, 0], [2, 6, 0], [0, 1, 3]]
ERRORS = [
    {"index": 3, "text": "not bad at all", "true": "pos", "predicted": "neg", "confidence": 0.61},
    {"index": 8, "text": "fine,\n  I guess", "true": "neu", "predicted": "pos", "confidence": 0.55},
    {"index": 12, "text": "loved it. not.", "true": "neg", "predicted": "pos", "confidence": 0.97},
    {"index": 20, "text": "meh but good", "true": "pos", "predicted": "neg", "confidence": 0.88},
]
RESULT: dict[str, Any] = {
    "metrics": {"accuracy": 0.7778, "f1_macro": 0.75, "samples": 18},
    "output_dir": "/runs/eval-1",
    "confusion": {"labels": LABELS, "counts": COUNTS},
    "errors": ERRORS,
}


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    return folder


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def open_view(pilot, job_id: str) -> EvaluationViewScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: pilot.app.backend_choice is not None)
    pilot.app.open_evaluation(job_id)
    await wait_until(pilot, lambda: bool(pilot.app.screen.query("#eval-errors")))
    screen = pilot.app.screen
    assert isinstance(screen, EvaluationViewScreen)
    return screen


def error_indices(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one("#eval-errors", DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def test_shade_scales_with_the_share() -> None:
    low, high = shade(0.0), shade(1.0)
    assert low.bgcolor != high.bgcolor != shade(0.5).bgcolor
    assert shade(2.0) == high and shade(-1.0) == low  # clamped


async def test_results_heatmap_and_errors_by_cell(isolated_env: Path, model_dir: Path) -> None:
    job = make_evaluation(
        job_store(), model_dir, [("progress", {"done": 18, "total": 18, "unit": "rows"})],
        result=RESULT, run="231114-221320-abc123",
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_view(pilot, job)
        await wait_until(pilot, lambda: table_ids(pilot, "#eval-metrics") != [])
        assert table_ids(pilot, "#eval-metrics") == ["accuracy", "f1_macro", "samples"]
        metrics = screen.query_one("#eval-metrics", DataTable)
        assert str(metrics.get_cell("accuracy", "value")) == "0.7778"
        status = text_of(pilot, "#eval-status")
        assert "succeeded" in status and "run 231114-221320-abc123" in status
        assert "results in /runs/eval-1" in status
        assert screen.query_one("#eval-progress", ProgressBar).percentage == 1.0

        matrix = screen.query_one(ConfusionMatrix)
        assert matrix.display and matrix.row_count == 3
        cells = {
            (r, c): matrix.get_cell_at(Coordinate(r, c)) for r in range(3) for c in range(1, 4)
        }
        assert all(isinstance(v, Text) for v in cells.values())
        assert str(cells[(1, 2)]).strip() == "6" and str(cells[(0, 3)]).strip() == "0"
        # shaded by the share of the true label's row: 6/8 of "pos" is darker than 5/6 of "neg"
        assert cells[(1, 2)].style == shade(6 / 8) and cells[(0, 1)].style == shade(5 / 6)
        assert cells[(0, 1)].style != cells[(0, 3)].style

        # every error, highest confidence first; s flips the order
        assert error_indices(pilot) == ["12", "20", "3", "8"]
        assert "4 of 4 errors" in text_of(pilot, "#errors-status")
        table = screen.query_one("#eval-errors", DataTable)
        assert str(table.get_row_at(1)[4]) == "meh but good"
        await pilot.press("s")
        assert error_indices(pilot) == ["8", "3", "20", "12"]
        await pilot.click("#eval-errors", offset=(3, 1))  # the confidence header sorts too
        await pilot.pause()

        # a click on the (true pos, predicted neg) cell lists those errors only
        region = matrix.content_region
        true_pos_row = 2  # header line, then neg, pos
        predicted_neg_x = matrix.ordered_columns[0].width + 2  # past the true-label column
        await pilot.click(ConfusionMatrix, offset=(
            region.x - matrix.region.x + predicted_neg_x, region.y - matrix.region.y + true_pos_row
        ))  # fmt: skip
        await wait_until(pilot, lambda: screen.pair == ("pos", "neg"))
        assert sorted(error_indices(pilot)) == ["20", "3"]
        assert "2 of 4 errors · true pos, predicted neg" in text_of(pilot, "#errors-status")
        # moving onto the label column lists every error of that true label
        await pilot.press("left")
        assert screen.pair == ("pos", None)
        await pilot.press("up")
        assert screen.pair == ("neg", None) and error_indices(pilot) == ["12"]
        await pilot.press("right", "right", "right")
        assert screen.pair == ("neg", "neu") and error_indices(pilot) == []
        await pilot.press("a")
        assert screen.pair is None and len(error_indices(pilot)) == 4


async def test_running_evaluation_shows_progress_then_results(
    isolated_env: Path, model_dir: Path
) -> None:
    store = job_store()
    job = make_evaluation(
        store, model_dir, [("progress", {"done": 5, "total": 20, "unit": "examples"})]
    )
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        screen = await open_view(pilot, job)
        bar = screen.query_one("#eval-progress", ProgressBar)
        await wait_until(pilot, lambda: bar.percentage == 0.25)
        assert text_of(pilot, "#eval-rows") == "5 / 20 examples"  # real progress, in words
        assert "queued" in text_of(pilot, "#eval-status")
        assert not screen.query_one(ConfusionMatrix).display
        done = [("progress", {"done": 20, "total": 20}), ("log", {"message": "scored 20 rows"})]
        write_events(store, job, done)
        store.finish(job, "succeeded", result={"metrics": {"rougeL": 0.41}, "errors": [],
                                               "errors_total": 250})  # fmt: skip
        await wait_until(pilot, lambda: table_ids(pilot, "#eval-metrics") == ["rougeL"])
        assert bar.percentage == 1.0
        assert text_of(pilot, "#eval-rows") == "20 / 20 examples"
        assert not screen.query_one(ConfusionMatrix).display  # no confusion for this task
        assert "0 of 0 errors" in text_of(pilot, "#errors-status")
        assert "250 errors in all" in text_of(pilot, "#errors-status")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "succeeded" in text_of(pilot, "#eval-status"))


async def test_failed_or_missing_evaluation_is_shown_not_a_crash(
    isolated_env: Path, model_dir: Path
) -> None:
    job = make_evaluation(
        job_store(), model_dir, [("error", {"title": "Unknown column", "hint": "Rename it."})],
        error={"title": "Unknown column 'text'", "hint": "Use --text-column."},
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(150, 45)) as pilot:
        await open_view(pilot, job)
        await wait_until(pilot, lambda: "Unknown column 'text'" in text_of(pilot, "#eval-status"))
        assert "failed" in text_of(pilot, "#eval-status")
        await pilot.press("escape")
        await open_view(pilot, "nothere")
        await wait_until(pilot, lambda: "No job" in text_of(pilot, "#eval-status"))
        assert app.is_running
