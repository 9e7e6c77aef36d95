"""The dataset page as users asked for it: the card fits its tab, a long text column does not
push the label off the preview, no "Try it" key for a dataset, whole-number count axes."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from helpers import add_local_repo, cpu_only_snapshot, text_of, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.hub.dataset_detail import DatasetDetailScreen, preview_widths
from hf_tui.screens.hub.model_detail import ModelDetailScreen
from hf_tui.widgets.stats_panel import StatsPanel, count_ticks

TITLE = "Reviews of products, with a title long enough that it has to wrap in the card pane"
CARD = (
    "---\nlicense: cc-by-4.0\nconfigs:\n- config_name: default\n  data_files:\n"
    "  - split: train\n    path: train.csv\n---\n"
    f"# {TITLE}\n\n" + "Short product reviews written by people who bought things. " * 8 + "\n"
)
LONG = "this review goes on and on about the product " * 5  # 225 characters
ROWS = "".join(f'"{LONG}{i}","{LONG}",{i % 2}\n' for i in range(7))
FRACTION = re.compile(r"^\s*-?\d+\.\d+\s*[┤├│]", re.MULTILINE)  # a y tick like "0.50 ┤"


def test_preview_widths() -> None:
    assert preview_widths([10, 5], 80) == [None, None]  # all fit: as wide as their cells
    # one long text column, two short ones: the short ones keep their width, the long is capped
    widths = preview_widths([230, 8, 5], 80)
    assert widths[1:] == [None, None] and widths[0] == 80 - (8 + 2) - (5 + 2) - 2
    assert preview_widths([230, 230, 5], 80) == [34, 34, None]  # long columns share the rest
    assert preview_widths([230] * 6, 40) == [16] * 6  # never narrower than 16
    assert preview_widths([30, 500], 100) == [30, 48]  # a capped column never outgrows its cells


def test_count_ticks_are_whole_numbers() -> None:
    assert count_ticks(0) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(6.25) == [0, 2, 4, 6, 8]
    assert count_ticks(2999) == [0, 1000, 2000, 3000]
    for top in (0.3, 7, 12, 99, 101, 45_678):
        ticks = count_ticks(top)
        assert ticks[0] == 0 and ticks[-1] >= top and len(ticks) <= 6
        assert all(isinstance(t, int) for t in ticks)


async def _open(app: HfTuiApp, pilot, spec: str, kind: str = "dataset"):  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: app.backend_choice is not None)
    app.open_detail(spec, kind)  # type: ignore[arg-type]
    await wait_until(pilot, lambda: getattr(app.screen, "parsed", None) is not None)
    return app.screen


async def test_dataset_page_fits_its_panes(isolated_env: Path) -> None:
    hub = isolated_env / "hftui_home" / "hub"
    csv = ("text,summary,label\n" + ROWS).encode()
    add_local_repo(hub, "me/reviews", CARD, {"train.csv": csv}, kind="datasets")
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(130, 45)) as pilot:
        screen = await _open(app, pilot, "me/reviews")
        assert isinstance(screen, DatasetDetailScreen)
        await pilot.pause()
        # the card wraps inside its tab instead of running past it
        tabs, pane = screen.query_one("#dataset-tabs"), screen.query_one("#card-pane")
        assert pane.outer_size.width <= tabs.size.width
        assert screen.query_one("#card").outer_size.width <= tabs.size.width
        # a dataset has nothing to try: no t key in the footer, and t does nothing
        assert "t" not in screen.active_bindings and "p" in screen.active_bindings
        assert not screen.query_one("#action-try").display
        await pilot.press("t")
        assert app.screen is screen

        await pilot.press("p")
        await wait_until(pilot, lambda: "first 7 rows" in text_of(pilot, "#preview-status"))
        table = screen.query_one("#preview-table", DataTable)
        await pilot.pause()
        # the two long text columns are capped; the short label stays on screen
        right = sum(c.get_render_width(table) for c in table.ordered_columns)
        assert right <= table.size.width, [c.get_render_width(table) for c in table.ordered_columns]
        assert str(table.get_row_at(0)[2]) == "0"
        assert str(table.get_row_at(0)[0]).endswith("…")

        await pilot.press("s")
        panel = screen.query_one(StatsPanel)
        await wait_until(pilot, lambda: "7 rows" in str(panel.query_one("#stats-summary").render()))
        await pilot.pause()
        for plot_id in ("#stats-labels", "#stats-lengths"):
            drawn = str(panel.query_one(plot_id, PlotextPlot).render())
            assert "┤" in drawn or "│" in drawn
            assert not FRACTION.search(drawn), drawn  # counts: whole-number ticks only


async def test_model_page_keeps_try_it(isolated_env: Path) -> None:
    card = "---\nlicense: mit\npipeline_tag: text-classification\n---\n# tiny\n"
    add_local_repo(isolated_env / "hftui_home" / "hub", "me/tiny", card)
    app = HfTuiApp(offline=True, sampler=cpu_only_snapshot)
    async with app.run_test(size=(130, 45)) as pilot:
        screen = await _open(app, pilot, "me/tiny", "model")
        assert isinstance(screen, ModelDetailScreen)
        assert "t" in screen.active_bindings
