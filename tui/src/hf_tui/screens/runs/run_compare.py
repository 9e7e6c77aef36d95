"""The Compare view: runs side by side (hyperparameters, final metrics) and their loss curves."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Footer, Header, Static

from hf_tui.screens.base import HfScreen
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.metric_curves import MetricCurves


class RunCompareScreen(HfScreen):
    """compare_rows as a table, plus one loss curve per run on a shared plot."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    @dataclass
    class Loaded(Message):
        """The table and each run's loss curve."""

        header: list[str]
        rows: list[list[str]]
        curves: dict[str, list[tuple[int, float]]]

    def __init__(self, job_ids: list[str]) -> None:
        super().__init__()
        self.job_ids = job_ids

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            Text(f"Comparing {len(self.job_ids)} runs: {', '.join(self.job_ids)}", style="bold"),
            id="compare-title",
        )
        yield DataTable(id="compare-table", zebra_stripes=True, cursor_type="row")
        yield MetricCurves("train loss per run", placeholder="No loss logged.", id="compare-curves")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def load(self) -> None:
        """Read every run (config, events) off the event loop."""
        from hf_ecosystem.training.runs import compare_rows, get_run

        manager = self.hf_app.job_manager()
        runs = [get_run(manager, job_id) for job_id in self.job_ids]
        header, rows = compare_rows(runs)
        curves = {
            run.record.id: run.history.steps.get("loss") or run.history.steps.get("eval_loss", [])
            for run in runs
        }
        self.post_message(self.Loaded(header, rows, curves))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        for i, label in enumerate(message.header):
            table.add_column(label or "field", key=f"c{i}")
        for row in message.rows:
            table.add_row(Text(row[0], style="bold"), *row[1:], key=row[0])
        self.query_one("#compare-curves", MetricCurves).show(message.curves)

    def action_reload(self) -> None:
        """Read the runs again."""
        self.load()

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == "compare":
            self.query_one("#compare-title", Static).update(Text(f"{title}\n{hint}", style="red"))
