"""The Compare view as users asked for it: differing values and the best run stand out, eval
metrics of every run overlay on one plot, runtime noise is not in the table."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from runs_fixtures import curve_events, job_store, make_run, train_config
from textual.widgets import DataTable

from helpers import cpu_only_snapshot, table_ids, wait_until
from hf_tui.app import HfTuiApp
from hf_tui.screens.runs.run_compare import RunCompareScreen
from hf_tui.widgets.metric_curves import MetricCurves

NOISE = {"epoch": 1.0, "eval_runtime": 1.5, "eval_samples_per_second": 80.0,
         "eval_steps_per_second": 2.5, "total_flos": 2e12, "train_runtime": 31.0,
         "train_samples_per_second": 40.0, "train_steps_per_second": 1.3}  # fmt: skip


def make_app() -> HfTuiApp:
    return HfTuiApp(offline=True, sampler=cpu_only_snapshot, max_running_jobs=0)


def cells(table: DataTable[Text], row: str) -> list[Text]:
    return list(table.get_row(row))


async def open_compare(pilot, ids: list[str]) -> RunCompareScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: pilot.app.backend_choice is not None)
    pilot.app.push_screen(RunCompareScreen(ids))
    await wait_until(pilot, lambda: table_ids(pilot, "#compare-table") != [])
    screen = pilot.app.screen
    assert isinstance(screen, RunCompareScreen)
    return screen


async def test_compare_marks_best_and_differences_and_drops_noise(isolated_env: Path) -> None:
    store = job_store()
    low_loss = make_run(
        store, train_config(learning_rate=1e-4), curve_events([10, 20, 30]), status="succeeded",
        result={"metrics": {"eval_loss": 0.21, "eval_accuracy": 0.88, **NOISE}},
    )  # fmt: skip
    high_acc = make_run(
        store, train_config(), curve_events([10, 20], start_loss=2.0), status="succeeded",
        result={"metrics": {"eval_loss": 0.35, "eval_accuracy": 0.93, **NOISE}},
    )  # fmt: skip
    async with make_app().run_test(size=(150, 45)) as pilot:
        screen = await open_compare(pilot, [low_loss, high_acc])
        rows = table_ids(pilot, "#compare-table")
        assert not set(NOISE) & set(rows), rows  # runtime, throughput, FLOPs, epoch: gone
        assert {"eval_loss", "eval_accuracy", "learning_rate", "status"} <= set(rows)
        table = screen.query_one("#compare-table", DataTable)

        # lower loss wins, higher accuracy wins: starred and green, the other plain
        loss = cells(table, "eval_loss")
        assert [str(c) for c in loss[1:]] == ["0.21 ★", "0.35"]
        assert "green" in str(loss[1].style) and "green" not in str(loss[2].style)
        accuracy = cells(table, "eval_accuracy")
        assert [str(c) for c in accuracy[1:]] == ["0.88", "0.93 ★"]

        # a value that differs between runs is highlighted, a shared one is not
        rate, model = cells(table, "learning_rate"), cells(table, "model")
        assert "yellow" in str(rate[0].style) and "yellow" in str(rate[1].style)
        assert "yellow" not in str(model[0].style) and "dim" in str(model[1].style)
        assert [str(c) for c in model] == ["model", "acme/tiny-bert", "acme/tiny-bert"]

        # eval metrics of both runs overlaid on one plot; m moves to the next eval metric
        plot = screen.query_one("#compare-eval-curves", MetricCurves)
        await wait_until(pilot, lambda: set(plot.series) == {low_loss, high_acc})
        assert plot.title.startswith("eval_loss per run")
        assert plot.series[low_loss] == [(10, 1.1), (20, 0.6), (30, 0.4333)]
        await pilot.press("m")
        assert plot.title.startswith("eval_accuracy per run")
        assert plot.series[high_acc] == [(10, 0.5), (20, 0.6)]
        await pilot.press("ctrl+r")  # a reload keeps the metric picked
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert plot.title.startswith("eval_accuracy per run")
        await pilot.press("m")
        assert plot.title.startswith("eval_loss")  # eval_runtime is not a metric to plot
        train = screen.query_one("#compare-curves", MetricCurves)
        assert set(train.series) == {low_loss, high_acc}


async def test_compare_without_evaluations_says_so(isolated_env: Path) -> None:
    store = job_store()
    ids = [make_run(store, train_config(), [("metric", {"step": 5, "loss": 0.9})]) for _ in (1, 2)]
    async with make_app().run_test(size=(150, 45)) as pilot:
        screen = await open_compare(pilot, ids)
        plot = screen.query_one("#compare-eval-curves", MetricCurves)
        assert plot.series == {} and screen.eval_metric is None
        await pilot.press("m")
        assert "No run logged an evaluation metric" in "\n".join(
            str(n.message)
            for n in pilot.app._notifications  # type: ignore[attr-defined]
        )
        # no metric in both: nothing to mark best
        assert all("★" not in str(c) for r in table_ids(pilot, "#compare-table")
                   for c in screen.query_one("#compare-table", DataTable).get_row(r))  # fmt: skip
