"""The Evaluate view as users asked for it: a rare confusion never looks like none, the heat-map
works from the keyboard (a visible cursor, the cell named, enter lists its errors), and an
error's whole text can be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.color import Color
from runs_fixtures import job_store, make_evaluation
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

from helpers import cpu_only_snapshot, table_ids, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.evaluation_view import EvaluationViewScreen
from hf_tui.widgets.confusion_matrix import ConfusionMatrix, cell_style

LONG = "It started well and then went on. " * 15 + "Final words: never again."
LABELS = ["neg", "pos", "neu"]
COUNTS = [[9997, 2, 1], [0, 5000, 0], [3, 0, 400]]  # 1 of 10,000 neg predicted neu
RESULT: dict[str, Any] = {
    "metrics": {"accuracy": 0.9996},
    "confusion": {"labels": LABELS, "counts": COUNTS},
    "errors": [
        {"index": 7, "text": LONG, "true": "neg", "predicted": "pos", "confidence": 0.51},
        {"index": 9, "text": "short one", "true": "neg", "predicted": "pos", "confidence": 0.4},
        {"index": 11, "text": "meh", "true": "neg", "predicted": "neu", "confidence": -1.0},
        {"index": 30, "text": "so-so", "true": "neu", "predicted": "neg", "confidence": 0.7},
    ],
}


def gap(a: Color | None, b: Color | None) -> int:
    """The largest channel difference of two colours (how far apart they look)."""
    assert a is not None and b is not None
    return max(abs(x - y) for x, y in zip(a.get_truecolor(), b.get_truecolor(), strict=True))


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


async def open_view(pilot, job_id: str) -> EvaluationViewScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: pilot.app.backend_choice is not None)
    pilot.app.open_evaluation(job_id)
    await wait_until(pilot, lambda: table_ids(pilot, "#eval-errors") != [])
    screen = pilot.app.screen
    assert isinstance(screen, EvaluationViewScreen)
    return screen


def detail(screen: EvaluationViewScreen) -> str:
    return str(screen.query_one("#error-detail", Static).render())


def test_a_rare_confusion_is_shaded_apart_from_none() -> None:
    zero, once = cell_style(0, 10_000), cell_style(1, 10_000)
    assert gap(zero.bgcolor, once.bgcolor) >= 40  # 1 in 10,000 is still clearly not empty
    assert cell_style(0, 0) == zero  # an empty row
    assert gap(cell_style(1, 2).bgcolor, once.bgcolor) > 0  # shares above the floor still scale


async def test_heatmap_by_keyboard_and_the_whole_error_text(
    isolated_env: Path, tmp_path: Path
) -> None:
    job = make_evaluation(job_store(), tmp_path, [("progress", {"done": 5, "total": 5})],
                          result=RESULT)  # fmt: skip
    async with make_app().run_test(size=(130, 45)) as pilot:
        screen = await open_view(pilot, job)
        matrix = screen.query_one(ConfusionMatrix)
        await wait_until(pilot, lambda: matrix.row_count == 3)
        # 1 of 10,000 (neg→neu) is shaded apart from an empty cell (pos→neg)
        rare = matrix.get_cell_at(Coordinate(0, 3))
        empty = matrix.get_cell_at(Coordinate(1, 1))
        assert str(rare).strip() == "1" and str(empty).strip() == "0"
        assert gap(rare.style.bgcolor, empty.style.bgcolor) >= 40  # type: ignore[union-attr]

        # c puts the keyboard on the heat-map; arrows move a cursor the user can see
        await pilot.press("c", "right", "right")
        assert matrix.has_focus and matrix.cursor_coordinate == Coordinate(0, 2)
        assert matrix.border_subtitle is not None
        assert "true neg → pred pos: 2 (<1%)" in matrix.border_subtitle
        cursor_bg = matrix.get_component_rich_style("datatable--cursor").bgcolor
        line = matrix.render_line(1)  # the header, then the "neg" row
        drawn = [seg for seg in line if seg.text.strip() == "2"]
        assert drawn and drawn[0].style is not None and drawn[0].style.bgcolor == cursor_bg
        shade_bg = matrix.get_cell_at(Coordinate(0, 2)).style.bgcolor  # type: ignore[union-attr]
        assert gap(cursor_bg, shade_bg) >= 40  # the cursor does not vanish into the shade
        assert sorted(table_ids(pilot, "#eval-errors")) == ["e0", "e1"]  # moving filters

        # enter on a cell lists its errors and goes to them; the first is shown whole
        await pilot.press("right", "enter")
        assert screen.pair == ("neg", "neu")
        errors = screen.query_one("#eval-errors", DataTable)
        assert errors.has_focus and errors.row_count == 1
        assert "#11 · true neg → predicted neu" in detail(screen)
        assert "confidence" not in detail(screen)  # none recorded for this one
        await pilot.press("c", "left", "enter")
        assert screen.pair == ("neg", "pos") and errors.has_focus
        # the list cuts long text; the detail pane holds all of it, wrapped to the pane
        assert len(str(errors.get_row_at(0)[4])) == 200 < len(LONG)
        assert "Final words: never again." in detail(screen)
        assert "#7 · true neg → predicted pos · confidence 0.51" in detail(screen)
        pane = screen.query_one("#error-detail-pane")
        assert pane.size.width < len(LONG) and pane.virtual_size.height > 3  # wrapped lines
        await pilot.press("down")
        assert "short one" in detail(screen) and "never again" not in detail(screen)
        await pilot.press("enter")  # enter on an error: read it in the pane (scrollable)
        assert pane.has_focus

        # the cell description, for an empty true label and outside the matrix
        matrix.show(["a", "b"], [[0, 0], [1, 0]])
        assert matrix.describe(0, 0) == "true a: 0 rows, 0 wrong"
        assert matrix.describe(0, 2) == "true a → pred b: 0"
        assert matrix.describe(1, 1) == "true b → pred a: 1 (100%)"
        assert matrix.describe(2, 0) == "" and matrix.describe(0, 3) == ""


async def test_heatmap_key_without_a_confusion_matrix(isolated_env: Path, tmp_path: Path) -> None:
    result = {"metrics": {"rougeL": 0.4}, "errors": [
        {"index": 0, "text": "a summary", "true": "ref", "predicted": "hyp", "confidence": -1.0}
    ]}  # fmt: skip
    job = make_evaluation(job_store(), tmp_path, result=result)
    async with make_app().run_test(size=(130, 45)) as pilot:
        screen = await open_view(pilot, job)
        await pilot.press("c")
        notes = [str(n.message) for n in pilot.app._notifications]  # type: ignore[attr-defined]
        assert "This evaluation has no confusion matrix." in notes
        assert "a summary" in detail(screen)
