"""The Evaluate view: an evaluate job's progress, then metrics, confusion heat-map, errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, ProgressBar, RichLog, Static
from textual.worker import Worker, WorkerState

from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.commands.jobs import describe_event
from hf_tui.errors import describe_error
from hf_tui.screens.jobs import STATUS_STYLES
from hf_tui.widgets.confusion_matrix import ConfusionMatrix

if TYPE_CHECKING:
    from hf_tui.app import HfTuiApp

POLL_SECONDS = 0.5
ERROR_COLUMNS = ("index", "true", "predicted", "confidence", "text")


def show_value(value: Any) -> str:
    """A metric value for a table cell."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def confidence_of(error: dict[str, Any]) -> float:
    """An error's confidence for sorting (missing ones sort last)."""
    value = error.get("confidence")
    return float(value) if isinstance(value, int | float) else -1.0


class EvaluationViewScreen(Screen[None]):
    """Watches an evaluate job; once done, its results (click a heat-map cell to filter errors)."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("s", "toggle_sort", "Sort by confidence"),
        Binding("a", "show_all", "All errors"),
        Binding("ctrl+r", "reload", "Reload"),
        Binding("p", "publish", "Publish"),
    ]

    @dataclass
    class Polled(Message):
        """The job's record and the events after the previous offset."""

        generation: int
        record: JobRecord
        events: list[JobEvent]
        offset: int

    def __init__(self, job_id: str, *, interval: float = POLL_SECONDS) -> None:
        super().__init__()
        self.job_id = job_id
        self.interval = interval
        self.record: JobRecord | None = None
        self.errors: list[dict[str, Any]] = []
        self.errors_total = 0  # the job keeps the first errors in its result, all in errors.csv
        self.pair: tuple[str, str | None] | None = None  # the heat-map cell filtering errors
        self.descending = True
        self._offset = 0
        self._generation = 0  # bumped by a reload: older polls are then ignored
        self._timer: Timer | None = None

    @property
    def hf_app(self) -> HfTuiApp:
        """The app, typed."""
        return cast("HfTuiApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"Evaluation {self.job_id}", style="bold"), id="eval-title")
        with Horizontal(id="eval-head"):
            yield Static("Loading…", id="eval-status")
            yield ProgressBar(id="eval-progress", show_eta=False)
        with Horizontal(id="eval-body"):
            with Vertical(id="eval-left"):
                yield DataTable(id="eval-metrics", show_cursor=False, zebra_stripes=True)
                yield ConfusionMatrix(id="confusion")
                yield RichLog(id="eval-log", wrap=True, markup=False, max_lines=500)
            with Vertical(id="eval-right"):
                yield Static("", id="errors-status")
                yield DataTable(id="eval-errors", cursor_type="row", zebra_stripes=True)
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
        self.poll(self._generation, 0)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    @work(thread=True, exclusive=True, exit_on_error=False, group="eval-poll")
    def poll(self, generation: int, offset: int) -> None:
        """The record and new events, off the event loop."""
        record, events, offset = self.hf_app.job_manager().read_new(self.job_id, offset)
        self.post_message(self.Polled(generation, record, events, offset))

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        if message.generation != self._generation:
            return
        self.record, self._offset = message.record, message.offset
        log = self.query_one("#eval-log", RichLog)
        bar = self.query_one("#eval-progress", ProgressBar)
        for event in message.events:
            if event.type == "progress" and event.data.get("total"):
                bar.update(total=event.data["total"], progress=event.data.get("done", 0))
            elif event.type in ("log", "error", "artifact"):
                log.write(Text(describe_event(event), style="red" if event.type == "error" else ""))
        self._show_status(message.record)
        if message.record.is_active:
            generation = self._generation
            self._timer = self.set_timer(self.interval, lambda: self.poll(generation, self._offset))
        elif message.record.status == "succeeded":
            bar.update(total=bar.total or 1, progress=bar.total or 1)
            self._show_result(message.record.result or {})

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
        elif record.result and record.result.get("output_dir"):
            text.append(f"\nresults in {record.result['output_dir']}", style="dim")
        self.query_one("#eval-status", Static).update(text)

    def _show_result(self, result: dict[str, Any]) -> None:
        metrics = self.query_one("#eval-metrics", DataTable)
        metrics.clear()
        for name, value in sorted((result.get("metrics") or {}).items()):
            metrics.add_row(name, show_value(value), key=name)
        confusion = result.get("confusion")
        matrix = self.query_one(ConfusionMatrix)
        if isinstance(confusion, dict) and confusion.get("labels"):
            matrix.show(confusion["labels"], confusion.get("counts") or [])
            matrix.display = True
        errors = result.get("errors")
        self.errors = [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
        total = result.get("errors_total")
        self.errors_total = total if isinstance(total, int) else len(self.errors)
        self._fill_errors()

    def visible_errors(self) -> list[dict[str, Any]]:
        """The errors of the selected heat-map cell (all without one), sorted by confidence."""
        rows = self.errors
        if self.pair is not None:
            true, predicted = self.pair
            rows = [
                e
                for e in rows
                if str(e.get("true")) == true
                and (predicted is None or str(e.get("predicted")) == predicted)
            ]
        return sorted(rows, key=confidence_of, reverse=self.descending)

    def _fill_errors(self) -> None:
        table = self.query_one("#eval-errors", DataTable)
        table.clear()
        rows = self.visible_errors()
        for i, error in enumerate(rows):
            confidence = error.get("confidence")
            table.add_row(
                str(error.get("index", i)),
                str(error.get("true", "")),
                str(error.get("predicted", "")),
                show_value(confidence) if confidence is not None else "—",
                " ".join(str(error.get("text", "")).split())[:200],
                key=f"e{i}",
            )
        order = "highest" if self.descending else "lowest"
        where = ""
        if self.pair is not None:
            true, predicted = self.pair
            where = f" · true {true}" + (f", predicted {predicted}" if predicted else "")
            where += " (a: all)"
        status = f"{len(rows)} of {len(self.errors)} errors{where} · {order} confidence first (s)"
        if self.errors_total > len(self.errors):
            status += f"\n{self.errors_total} errors in all: every one is in errors.csv"
        self.query_one("#errors-status", Static).update(status)

    @on(ConfusionMatrix.PairSelected)
    def _pair_selected(self, message: ConfusionMatrix.PairSelected) -> None:
        self.pair = (message.true, message.predicted)
        self._fill_errors()

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

    def action_reload(self) -> None:
        """Read the job again."""
        if self._timer is not None:
            self._timer.stop()
        self._generation += 1
        self.query_one("#eval-log", RichLog).clear()
        self.poll(self._generation, 0)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR or event.worker.group != "eval-poll":
            return
        title, hint = describe_error(event.worker.error)
        self.query_one("#eval-status", Static).update(Text(f"{title}\n{hint}", style="red"))
        self.notify(hint or title, title=title, severity="error")
