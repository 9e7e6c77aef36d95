"""The Compare view: runs side by side (hyperparameters, final metrics) and their curves."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Header, Static

from hf_ecosystem.training.runs import CompareRow
from hf_tui.screens.base import HfScreen
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.metric_curves import MetricCurves

Curves = dict[str, list[tuple[int, float]]]  # run id -> (step, value) points
BEST_MARK = " ★"


def styled_row(row: CompareRow) -> list[Text]:
    """A compare row's cells: its name bold (yellow when the runs differ), the best run's value
    green and starred, values the runs share dimmed."""
    cells = [Text(row.name, style="bold yellow" if row.differs else "bold")]
    for i, value in enumerate(row.cells):
        if i in row.best:
            cells.append(Text(value + BEST_MARK, style="bold green"))
        else:
            cells.append(Text(value, style="yellow" if row.differs else "dim"))
    return cells


class RunCompareScreen(HfScreen):
    """compare_table as a table, then each run's train loss and an overlay of one eval metric
    (m picks which) on two plots."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("m", "next_metric", "Next eval metric"),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The table, each run's train loss and every eval metric's curves."""

        run_ids: list[str]
        rows: list[CompareRow]
        curves: Curves
        eval_curves: dict[str, Curves]

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__()
        self.job_ids = job_ids
        self.eval_curves: dict[str, Curves] = {}
        self.eval_metric: str | None = None  # the metric the eval plot overlays

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), id="compare-title")
        yield DataTable(id="compare-table", zebra_stripes=True, cursor_type="row")
        with Horizontal(id="compare-plots"):
            yield MetricCurves("train loss per run", placeholder="No loss logged.",
                               id="compare-curves")  # fmt: skip
            yield MetricCurves("eval metrics per run", placeholder="No evaluation logged.",
                               id="compare-eval-curves")  # fmt: skip
        yield Footer()

    def _title(self) -> Text:
        title = Text(f"Comparing {len(self.job_ids)} runs: {', '.join(self.job_ids)}", "bold")
        legend = Text.assemble(
            "\n", ("differs between runs", "yellow"), " · ", ("★ best", "bold green"),
            " (lower loss and perplexity, higher accuracy, F1, BLEU…) · ", ("same", "dim"),
        )  # fmt: skip
        return title + legend

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def load(self) -> None:
        """Read every run (config, events) off the event loop."""
        from hf_ecosystem.training.runs import compare_table, eval_curves, get_run

        manager = self.hf_app.job_manager()
        runs = [get_run(manager, job_id) for job_id in self.job_ids]
        curves = {
            run.record.id: run.history.steps.get("loss") or run.history.steps.get("eval_loss", [])
            for run in runs
        }
        ids = [run.record.id for run in runs]
        self.post_message(self.Loaded(ids, compare_table(runs), curves, eval_curves(runs)))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        for i, label in enumerate(["field", *message.run_ids]):
            table.add_column(label, key=f"c{i}")
        for row in message.rows:
            table.add_row(*styled_row(row), key=row.name)
        self.query_one("#compare-curves", MetricCurves).show(message.curves)
        self.eval_curves = message.eval_curves
        if self.eval_metric not in self.eval_curves:
            self.eval_metric = next(iter(self.eval_curves), None)
        self._show_eval_metric()

    def _show_eval_metric(self) -> None:
        plot = self.query_one("#compare-eval-curves", MetricCurves)
        metric = self.eval_metric
        if metric is None:
            plot.show({})
            return
        more = " (m: next metric)" if len(self.eval_curves) > 1 else ""
        plot.title = f"{metric} per run{more}"
        plot.show(self.eval_curves[metric])

    def action_next_metric(self) -> None:
        """Overlay the next eval metric (eval_loss, eval_accuracy, …) of every run."""
        names = list(self.eval_curves)
        if not names:
            self.notify("No run logged an evaluation metric.", severity="warning")
            return
        at = names.index(self.eval_metric) if self.eval_metric in names else -1
        self.eval_metric = names[(at + 1) % len(names)]
        self._show_eval_metric()

    def action_reload(self) -> None:
        """Read the runs again."""
        self.load()

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "compare":
            self.query_one("#compare-title", Static).update(Text(f"{title}\n{hint}", style="red"))
