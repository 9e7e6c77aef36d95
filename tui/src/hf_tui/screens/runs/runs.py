"""The Runs screen: every training run, live; open, compare, resume, cancel, evaluate."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import Footer, Header, Static

from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord
from hf_ecosystem.training.runs import RunHistory, RunSummary, earlier_events
from hf_tui.format import STATUS_STYLES, duration
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.polled_table import PolledTableScreen
from hf_tui.widgets.data_table import DataTable

POLL_SECONDS = 2.0
# The metric a list shows for a run: the first of these it has, else its first eval_* value.
HEADLINE_METRICS = (
    "eval_accuracy",
    "eval_f1_macro",
    "eval_f1",
    "eval_rougeL",
    "eval_perplexity",
    "eval_loss",
)
COLUMNS = ("mark", "id", "status", "model", "dataset", "task", "progress", "metric")


def headline(metrics: dict[str, float]) -> str:
    """`eval_accuracy 0.912` or `—`."""
    name = next((m for m in HEADLINE_METRICS if m in metrics), None)
    name = name or next((m for m in metrics if m.startswith("eval_")), None)
    return f"{name.removeprefix('eval_')} {metrics[name]:.4g}" if name else "—"


def progress_line(record: JobRecord, history: RunHistory) -> str:
    """`45% · eta 1m05s` while running, the step reached once finished."""
    if history.progress is None:
        return "—" if record.is_active else record.status
    done, total = history.progress
    share = f"{100 * done / total:.0f}%" if total else f"step {done:g}"
    if record.is_active:
        return f"{share} · eta {duration(history.eta)}"
    return f"{share} ({done:g} steps)"


@dataclass(frozen=True)
class RunRow:
    """One run as the table shows it, plus what its actions need."""

    id: str
    status: str
    active: bool
    model: str
    dataset: str
    task: str
    progress: str
    metric: str
    config: dict[str, Any] = field(default_factory=dict)
    model_dir: str | None = None

    @classmethod
    def of(cls, run: RunSummary) -> RunRow:
        """From a run summary (in the poll worker)."""
        config = run.config
        return cls(
            id=run.record.id,
            status=run.record.status,
            active=run.record.is_active,
            model=Path(str(config.get("model", "?"))).name,
            dataset=Path(str(config.get("dataset", "?"))).name,
            task=str(config.get("task", "?")),
            progress=progress_line(run.record, run.history),
            metric=headline(run.metrics),
            config=config,
            model_dir=str(run.model_dir) if run.model_dir else None,
        )


class RunsScreen(PolledTableScreen):
    """Training runs, newest first; refreshed by a re-armed timer."""

    BINDINGS = [
        Binding("enter", "open_run", "Open", show=False),
        Binding("n", "new_training", "New training"),
        Binding("l", "clone", "Clone"),
        Binding("space", "toggle_mark", "Mark"),
        Binding("c", "compare", "Compare"),
        Binding("r", "resume", "Resume"),
        Binding("x", "cancel_run", "Cancel"),
        Binding("e", "evaluate", "Evaluate"),
        Binding("p", "publish", "Publish"),
        Binding("ctrl+r", "poll_now", "Refresh"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class Polled(Message):
        """A fresh look at the runs."""

        rows: list[RunRow]

    AUTO_FOCUS = "#runs-table"
    TABLE_ID = "runs-table"
    POLL_GROUP = "runs"

    def __init__(self, *, interval: float = POLL_SECONDS) -> None:
        super().__init__(interval=interval)
        self.rows: list[RunRow] = []
        self.marked: set[str] = set()
        self._histories: dict[str, tuple[RunHistory, int]] = {}  # folded by poll workers
        self._histories_lock = threading.Lock()  # a refresh may overlap a timer's poll

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading runs…", id="runs-status")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#runs-table", DataTable)
        for label in COLUMNS:
            table.add_column("" if label == "mark" else label, key=label)
        self.poll()

    # -- polling (re-armed after each poll, so polls never pile up) ---------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs")
    def poll(self) -> None:
        """Read the store and each run's new events (incrementally), off the event loop."""
        manager = self.hf_app.job_manager()
        rows: list[RunRow] = []
        records = [r for r in manager.list() if r.kind == "train"]
        with self._histories_lock:
            for record in records:
                if record.id not in self._histories:  # a continuation starts with its run's
                    self._histories[record.id] = (RunHistory(), 0)
                    self._histories[record.id][0].extend(earlier_events(manager, record))
                history, offset = self._histories[record.id]
                events, offset = manager.new_events(record.id, offset)
                history.extend(events)
                self._histories[record.id] = (history, offset)
                config = dict(record.spec.params.get("config", {}))
                rows.append(RunRow.of(RunSummary(record, config, history)))
        self.post_message(self.Polled(rows))

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        self.rows = message.rows
        self.marked &= {r.id for r in message.rows}
        self._fill_table()
        self.rearm_poll()

    def _fill_table(self) -> None:
        table = self.query_one("#runs-table", DataTable)
        order = [r.id for r in self.rows]
        if [k.value for k in table.rows] == order:
            for row in self.rows:
                for key, value in zip(COLUMNS, self._cells(row), strict=True):
                    # update_width: the mark column starts empty, zero wide; a mark must show
                    table.update_cell(row.id, key, value, update_width=True)
        else:  # a run came or went: rebuild, newest first, keeping the cursor on its run
            current = self.current()
            table.clear()
            for row in self.rows:
                table.add_row(*self._cells(row), key=row.id)
            if current is not None and current.id in order:
                table.move_cursor(row=order.index(current.id))
        active = sum(r.active for r in self.rows)
        text = (
            f"{len(self.rows)} runs · {active} active · {len(self.marked)} marked "
            "(space marks, c compares)"
            if self.rows
            else "No training runs yet. Press n to start one."
        )
        self.query_one("#runs-status", Static).update(text)

    def _cells(self, row: RunRow) -> tuple[object, ...]:
        return (
            Text("●", style="bold cyan") if row.id in self.marked else "",
            row.id,
            Text(row.status, style=STATUS_STYLES.get(row.status, "")),
            row.model,
            row.dataset,
            row.task,
            row.progress,
            row.metric,
        )

    # -- actions ------------------------------------------------------------------------------

    def current(self) -> RunRow | None:
        """The run under the cursor."""
        table = self.query_one("#runs-table", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value
        return next((r for r in self.rows if r.id == key), None)

    def _need_run(self) -> RunRow | None:
        row = self.current()
        if row is None:
            self.notify("Select a run first.", severity="warning")
        return row

    @on(DataTable.RowSelected, "#runs-table")
    def action_open_run(self) -> None:
        """Open the Run view of the selected run."""
        if (row := self._need_run()) is not None:
            self.hf_app.open_run(row.id)

    def action_new_training(self) -> None:
        """Open the New-training form."""
        self.hf_app.open_new_training()

    def action_clone(self) -> None:
        """Open the New-training form filled with the selected run's spec."""
        if (row := self._need_run()) is not None:
            self.hf_app.open_new_training(clone=(row.id, row.config))

    def action_toggle_mark(self) -> None:
        """Mark or unmark the selected run for comparison."""
        if (row := self._need_run()) is None:
            return
        self.marked ^= {row.id}
        self._fill_table()

    def action_compare(self) -> None:
        """Compare the marked runs (or the selected one)."""
        from hf_tui.screens.runs.run_compare import RunCompareScreen

        ids = [r.id for r in self.rows if r.id in self.marked]
        if not ids and (row := self._need_run()) is not None:
            ids = [row.id]
        if ids:
            self.app.push_screen(RunCompareScreen(ids))

    def action_resume(self) -> None:
        """Continue the selected run from its last checkpoint, as a new job, once confirmed."""
        if (row := self._need_run()) is not None:
            self.check_resume(row.id)

    @dataclass
    class ResumeChecked(Message):
        """Core found the run resumable: the job that would continue it."""

        job_id: str
        spec: JobSpec

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-resume")
    def check_resume(self, job_id: str) -> None:
        """Build the resume spec: core refuses (RunError, notified) a run that cannot resume."""
        from hf_ecosystem.training.runs import resume_spec

        spec = resume_spec(self.hf_app.job_manager(), job_id)
        self.post_message(self.ResumeChecked(job_id, spec))

    @on(ResumeChecked)
    def _resume_checked(self, message: ResumeChecked) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.resume(message.job_id, message.spec)

        question = (
            f"Resume run {message.job_id} from its last checkpoint?\nIt continues as a new job "
            "in the same folder and saves its own model folder."
        )
        self.app.push_screen(ConfirmModal(question, "Resume"), answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-resume")
    def resume(self, job_id: str, spec: JobSpec) -> None:
        """Launch the continuation."""
        record = self.hf_app.job_manager().launch(spec)
        self.app.call_from_thread(
            self.notify, f"Run {job_id} continues as {record.id}.", title="Resumed"
        )
        self.app.call_from_thread(self.poll)

    def action_cancel_run(self) -> None:
        """Cancel the selected run after confirmation."""
        if (row := self._need_run()) is None:
            return
        if not row.active:
            self.notify(f"Run {row.id} is already {row.status}.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.cancel_run(row.id)

        question = f"Cancel run {row.id}?\n{row.task} · {row.model} · {row.dataset}"
        self.app.push_screen(ConfirmModal(question, "Cancel run"), answered)

    @work(thread=True, exclusive=False, exit_on_error=False, group="runs-cancel")
    def cancel_run(self, job_id: str) -> None:
        """SIGTERM, then SIGKILL after the grace period (blocks: runs in a thread)."""
        self.hf_app.job_manager().cancel(job_id)
        self.app.call_from_thread(self.notify, f"Run {job_id} cancelled.")
        self.app.call_from_thread(self.poll)

    def action_evaluate(self) -> None:
        """Evaluate the selected run's saved model as a job, and watch it."""
        if (row := self._need_run()) is None:
            return
        if row.model_dir is None:
            self.notify(
                f"Run {row.id} has saved no model yet: evaluate it once it has finished.",
                severity="warning",
            )
            return
        self.evaluate(row)

    @work(thread=True, exclusive=True, exit_on_error=False, group="runs-evaluate")
    def evaluate(self, row: RunRow) -> None:
        """Launch the evaluate job off the event loop, then open its view."""
        from hf_ecosystem.evaluation.from_run import evaluate_params
        from hf_ecosystem.jobs.spec import JobSpec
        from hf_ecosystem.training.runs import get_run

        manager = self.hf_app.job_manager()
        params = evaluate_params({}, get_run(manager, row.id))  # as `run evaluate --run`
        record = manager.launch(JobSpec.create("evaluate", **params))
        self.app.call_from_thread(self.hf_app.open_evaluation, record.id)

    def action_publish(self) -> None:
        """Open the Publish screen of the selected run's saved model."""
        if (row := self._need_run()) is None:
            return
        if row.model_dir is None:
            self.notify(
                f"Run {row.id} has saved no model yet: publish it once it has finished.",
                severity="warning",
            )
            return
        self.hf_app.open_publish(row.id)
