"""The Evaluate view: an evaluate job's progress, then metrics, confusion heat-map, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, ProgressBar, RichLog, Static

from hf_ecosystem.evaluation.analysis import ErrorExample
from hf_ecosystem.evaluation.results import EvaluationResult
from hf_ecosystem.jobs.results import result_as
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.format import STATUS_STYLES, progress_count
from hf_tui.messages import JobUpdated
from hf_tui.screens.base import HfScreen
from hf_tui.widgets.confusion_matrix import ConfusionMatrix
from hf_tui.widgets.data_table import DataTable
from hf_tui.widgets.job_follower import JobFollower, show_events

POLL_SECONDS = 0.5
ERROR_COLUMNS = ("index", "true", "predicted", "confidence", "text")


def show_value(value: Any) -> str:
    """A metric value for a table cell."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class EvaluationViewScreen(HfScreen):
    """Watches an evaluate job; once done, its results (click a heat-map cell to filter errors)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "toggle_sort", "Sort by confidence"),
        Binding("a", "show_all", "All errors"),
        Binding("c", "focus_confusion", "Heat-map"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("p", "publish", "Publish"),
        Binding("h", "review", "Human review"),
    ]

    def __init__(self, job_id: str, *, interval: float = POLL_SECONDS) -> None:
        super().__init__()
        self.job_id = job_id
        self.interval = interval
        self.record: JobRecord | None = None
        self.result = EvaluationResult()  # keeps the first errors; all are in errors.csv
        self.pair: tuple[str, str | None] | None = None  # the heat-map cell filtering errors
        self.shown: list[ErrorExample] = []  # the errors listed, in table order
        self.descending = True
        self._rows: dict[str, Any] = {}  # the last progress event's data

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Evaluation {self.job_id}", style="bold"), id="eval-title")
        with Horizontal(id="eval-head"):
            yield Static("Loading…", id="eval-status")
            yield ProgressBar(id="eval-progress", show_eta=False)
            yield Static("", id="eval-rows")
        with Horizontal(id="eval-body"):
            with Vertical(id="eval-left"):
                yield DataTable(id="eval-metrics", show_cursor=False, zebra_stripes=True)
                yield ConfusionMatrix(id="confusion")
                yield RichLog(id="eval-log", wrap=True, markup=False, max_lines=500)
            with Vertical(id="eval-right"):
                yield Static("", id="errors-status")
                yield DataTable(id="eval-errors", cursor_type="row", zebra_stripes=True)
                with VerticalScroll(id="error-detail-pane"):
                    yield Static("", id="error-detail")
        yield JobFollower(interval=self.interval)
        yield Footer()

    def on_mount(self) -> None:
        metrics = self.query_one("#eval-metrics", DataTable)
        metrics.add_column("metric", key="metric")
        metrics.add_column("value", key="value")
        metrics.border_title = "Metrics"
        self.query_one(ConfusionMatrix).border_title = "Confusion (true × predicted)"
        self.query_one(ConfusionMatrix).display = False
        self.query_one("#eval-log", RichLog).border_title = "Log"
        errors = self.query_one("#eval-errors", DataTable)
        for column in ERROR_COLUMNS:
            errors.add_column(column, key=column)
        errors.border_title = "Errors"
        self.query_one("#error-detail-pane").border_title = "Selected error (enter: scroll)"
        self.query_one(JobFollower).follow(self.job_id)

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        self.record = message.record
        log = self.query_one("#eval-log", RichLog)
        bar = self.query_one("#eval-progress", ProgressBar)
        show_events(message.events, log, bar)
        self._show_rows(message)
        self._show_status(message.record)
        if message.record.status == "succeeded":
            bar.update(total=bar.total or 1, progress=bar.total or 1)
            self._show_result(result_as(message.record, EvaluationResult) or EvaluationResult())

    def _show_rows(self, message: JobUpdated) -> None:
        """Rows done / total beside the bar ("120 / 500 examples"); all of them once it ended."""
        progress = [event.data for event in message.events if event.type == "progress"]
        rows = self.query_one("#eval-rows", Static)
        if progress:
            self._rows.update(progress[-1])  # a later event may leave the unit out
        if message.record.status == "succeeded" and self._rows.get("total"):
            self._rows["done"] = self._rows["total"]
        if self._rows:
            rows.update(progress_count(self._rows))

    def _show_status(self, record: JobRecord) -> None:
        params = record.spec.params
        text = Text(f"{record.status}", style=STATUS_STYLES.get(record.status, ""))
        text.append(
            f"  ·  {params.get('task', '?')} · {Path(str(params.get('model', '?'))).name}"
            f" on {params.get('dataset', '?')}"
            + (f" (run {params['run']})" if "run" in params else "")
        )
        if record.error:
            text.append(
                f"\n{record.error.get('title', '')}: {record.error.get('hint', '')}", style="red"
            )
        elif (result := result_as(record, EvaluationResult)) is not None and result.output_dir:
            text.append(f"\nresults in {result.output_dir}", style="dim")
        self.query_one("#eval-status", Static).update(text)

    def _show_result(self, result: EvaluationResult) -> None:
        self.result = result
        metrics = self.query_one("#eval-metrics", DataTable)
        metrics.clear()
        for name, value in sorted(result.metrics.items()):
            metrics.add_row(name, show_value(value), key=name)
        matrix = self.query_one(ConfusionMatrix)
        if result.confusion is not None and result.confusion.labels:
            matrix.show(result.confusion.labels, result.confusion.counts)
            matrix.display = True
        self._fill_errors()

    def visible_errors(self) -> list[ErrorExample]:
        """The errors of the selected heat-map cell (all without one), sorted by confidence."""
        true, predicted = self.pair or (None, None)
        return self.result.find_errors(true=true, predicted=predicted, descending=self.descending)

    def _fill_errors(self) -> None:
        table = self.query_one("#eval-errors", DataTable)
        table.clear()
        rows = self.shown = self.visible_errors()
        self._show_detail(0)
        for i, error in enumerate(rows):
            table.add_row(
                str(error.index),
                error.true,
                error.predicted,
                show_value(error.confidence) if error.confidence >= 0 else "—",
                " ".join(error.text.split())[:200],
                key=f"e{i}",
            )
        order = "highest" if self.descending else "lowest"
        where = ""
        if self.pair is not None:
            true, predicted = self.pair
            where = f" · true {true}" + (f", predicted {predicted}" if predicted else "")
            where += " (a: all)"
        kept = len(self.result.errors or ())
        status = f"{len(rows)} of {kept} errors{where} · {order} confidence first (s)"
        if self.result.errors_in_all > kept:
            status += f"\n{self.result.errors_in_all} errors in all: every one is in errors.csv"
        self.query_one("#errors-status", Static).update(status)

    def _show_detail(self, row: int) -> None:
        """The whole of the error at `row` of the list, wrapped (the list cuts long text)."""
        detail = self.query_one("#error-detail", Static)
        if not 0 <= row < len(self.shown):
            detail.update(Text("Move onto an error to read it whole.", style="dim"))
            return
        error = self.shown[row]
        text = Text()
        text.append(f"#{error.index} · true {error.true} → predicted {error.predicted}", "bold")
        if error.confidence >= 0:  # -1: the task gives no confidence
            text.append(f" · confidence {show_value(error.confidence)}", "bold")
        text.append(f"\n{error.text}")
        detail.update(text)
        self.query_one("#error-detail-pane", VerticalScroll).scroll_home(animate=False)

    @on(DataTable.RowHighlighted, "#eval-errors")
    def _error_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.cursor_row)

    @on(DataTable.RowSelected, "#eval-errors")
    def _error_selected(self) -> None:
        self.query_one("#error-detail-pane", VerticalScroll).focus()

    @on(ConfusionMatrix.PairSelected)
    def _pair_selected(self, message: ConfusionMatrix.PairSelected) -> None:
        self.pair = (message.true, message.predicted)
        self._fill_errors()
        if message.chosen and self.shown:
            self.query_one("#eval-errors", DataTable).focus()

    def action_focus_confusion(self) -> None:
        """Move the keyboard onto the heat-map (arrows pick a cell, enter lists its errors)."""
        matrix = self.query_one(ConfusionMatrix)
        if matrix.display:
            matrix.focus()
        else:
            self.notify("This evaluation has no confusion matrix.", severity="warning")

    @on(DataTable.HeaderSelected, "#eval-errors")
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value == "confidence":
            self.action_toggle_sort()

    def action_toggle_sort(self) -> None:
        """Highest confidence first, or lowest."""
        self.descending = not self.descending
        self._fill_errors()

    def action_show_all(self) -> None:
        """Drop the heat-map filter."""
        self.pair = None
        self._fill_errors()

    def action_publish(self) -> None:
        """Open the Publish screen of the evaluated model (its run's, when it has one)."""
        if self.record is None:
            self.notify("Still loading the evaluation.", severity="warning")
            return
        params = self.record.spec.params
        self.hf_app.open_publish(str(params.get("run") or params["model"]))

    def action_review(self) -> None:
        """Rate the evaluation's outputs by hand (generation) or judge its errors (classifier)."""
        if not self.result.output_dir:
            self.notify("The evaluation has not finished yet.", severity="warning")
            return
        from hf_ecosystem.evaluation.human import default_reviewer
        from hf_tui.screens.runs.review import ReviewScreen

        self.app.push_screen(ReviewScreen([Path(self.result.output_dir)], default_reviewer()))

    def action_reload(self) -> None:
        """Read the job again."""
        self.query_one("#eval-log", RichLog).clear()
        self.query_one(JobFollower).follow(self.job_id)

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == JobFollower.GROUP:
            self.query_one("#eval-status", Static).update(Text(f"{title}\n{hint}", style="red"))
