"""The Jobs screen: every background job, live, with its events; cancel and remove."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, RichLog, Static

from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.slurm import where
from hf_ecosystem.jobs.store import JobRecord
from hf_tui.format import STATUS_STYLES, describe_event, duration
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.screens.polled_table import PolledTableScreen
from hf_tui.widgets.data_table import DataTable

POLL_SECONDS = 1.0
COLUMNS = ("id", "status", "what", "progress", "eta", "age")


def _progress_text(event: JobEvent | None) -> tuple[str, str]:
    if event is None:
        return "—", "—"
    d = event.data
    total = d.get("total")
    pct = f"{100 * d['done'] / total:.0f}%" if total else f"{d['done']:g}"
    eta = duration(d.get("eta"))
    return pct, eta


class JobsScreen(PolledTableScreen):
    """Live jobs table; the selected job's events stream on the right."""

    BINDINGS = [
        Binding("c", "cancel_job", "Cancel job"),
        Binding("delete", "remove_job", "Remove"),
        Binding("ctrl+r", "poll_now", "Refresh"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class Polled(Message):
        """A fresh look at the jobs and at the selected job's new events."""

        records: list[JobRecord]
        progress: dict[str, JobEvent]
        selected: str | None
        events: list[JobEvent] = field(default_factory=list)
        offset: int = 0
        waiting: dict[str, str] = field(default_factory=dict[str, str])  # why queued jobs wait

    AUTO_FOCUS = "#jobs-table"
    TABLE_ID = "jobs-table"
    POLL_GROUP = "jobs"

    def __init__(self, *, interval: float = POLL_SECONDS) -> None:
        super().__init__(interval=interval)
        self.selected: str | None = None
        self._offset = 0
        self._progress_offsets: dict[str, int] = {}
        self._last_progress: dict[str, JobEvent] = {}
        self.records: list[JobRecord] = []
        self._waiting: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="jobs-left"):
                yield Static("Loading jobs…", id="jobs-status")
                yield DataTable(id="jobs-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="jobs-right"):
                yield Static("Select a job to see its events.", id="job-summary")
                yield RichLog(id="job-events", wrap=True, markup=False, max_lines=5000)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#jobs-table", DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        self.poll()

    # -- polling (re-armed after each poll, so polls never pile up) ---------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="jobs")
    def poll(self) -> None:
        """Read the store (marking lost jobs) and the new events, off the event loop."""
        from hf_ecosystem.jobs.manager import JobManager

        manager = JobManager(self.app_settings())
        records = manager.list()
        progress: dict[str, JobEvent] = {}
        for record in records:
            if not record.is_active and record.id in self._last_progress:
                continue
            offset = self._progress_offsets.get(record.id, 0)
            events, offset = manager.new_events(record.id, offset)
            self._progress_offsets[record.id] = offset
            for event in events:
                if event.type == "progress":
                    progress[record.id] = event
        selected, events, offset = self.selected, [], self._offset
        if selected is not None:
            events, offset = manager.new_events(selected, self._offset)
        waiting = {r.id: why for r in records if (why := manager.waiting_for(r))}
        self.post_message(self.Polled(records, progress, selected, events, offset, waiting))

    def app_settings(self) -> Any:
        """The app's settings when it has them (tests and the CLI pass them in)."""
        return getattr(self.app, "settings", None)

    @on(Polled)
    def _polled(self, message: Polled) -> None:
        self._last_progress.update(message.progress)
        self.records = message.records
        self._waiting = message.waiting
        self._fill_table(message.records)
        if message.selected == self.selected and message.selected is not None:
            self._offset = message.offset
            log = self.query_one("#job-events", RichLog)
            for event in message.events:
                if event.type != "heartbeat":
                    log.write(self._event_text(event))
            self._show_summary()
        self.rearm_poll()

    def _fill_table(self, records: list[JobRecord]) -> None:
        table = self.query_one("#jobs-table", DataTable)
        now = time.time()
        rows = [(record.id, self._cells(record, now)) for record in records]
        if [k.value for k in table.rows] == [job_id for job_id, _ in rows]:
            for job_id, cells in rows:
                for key, value in zip(COLUMNS[1:], cells[1:], strict=True):
                    table.update_cell(job_id, key, value, update_width=True)
        else:  # a job came or went: rebuild, newest first, keeping the cursor on its job
            cursor = self.selected
            table.clear()
            for job_id, cells in rows:
                table.add_row(*cells, key=job_id)
            if cursor is not None and cursor in table.rows:
                table.move_cursor(row=table.get_row_index(cursor))
        active = sum(r.is_active for r in records)
        text = (
            f"{len(records)} jobs · {active} active"
            if records
            else ("No jobs yet. Start one with `hf-tui download REPO` or from a model's page.")
        )
        self.query_one("#jobs-status", Static).update(text)

    def _cells(self, record: JobRecord, now: float) -> tuple[object, ...]:
        pct, eta = _progress_text(self._last_progress.get(record.id))
        if not record.is_active:
            eta = "—"
            pct = "100%" if record.status == "succeeded" else pct
        return (
            record.id,
            Text(record.status, style=STATUS_STYLES.get(record.status, "")),
            " · ".join(filter(None, (record.describe(), where(record)))),
            pct,
            eta,
            duration(now - record.created_at),
        )

    def _event_text(self, event: JobEvent) -> Text:
        style = {"error": "bold red", "result": "green", "status": "cyan"}.get(event.type, "")
        return Text(describe_event(event), style=style)

    def _show_summary(self) -> None:
        record = next((r for r in self.records if r.id == self.selected), None)
        summary = self.query_one("#job-summary", Static)
        if record is None:
            summary.update("Select a job to see its events.")
            return
        text = Text()
        text.append(f"{record.id}  ", style="bold")
        text.append(record.status, style=STATUS_STYLES.get(record.status, ""))
        text.append(f"\n{record.spec.describe()}")
        if waiting := self._waiting.get(record.id):
            text.append(f"\nwaiting: {waiting}", style="yellow")
        if place := where(record):
            text.append(f"\non {place}")
        if record.result:
            text.append(f"\nresult: {record.result}", style="green")
        if record.error:
            text.append(
                f"\n{record.error.get('title', '')}\n{record.error.get('hint', '')}", style="red"
            )
        summary.update(text)

    @on(DataTable.RowHighlighted, "#jobs-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        job_id = event.row_key.value
        if job_id == self.selected:
            return
        self.selected = job_id
        self._offset = 0
        self.query_one("#job-events", RichLog).clear()
        self._show_summary()
        self.poll()

    # -- actions ----------------------------------------------------------------------------

    def _current(self) -> JobRecord | None:
        return next((r for r in self.records if r.id == self.selected), None)

    def action_cancel_job(self) -> None:
        """Cancel the selected job after confirmation."""
        record = self._current()
        if record is None or not record.is_active:
            self.notify("Select a queued or running job to cancel.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.cancel_job(record.id)

        self.app.push_screen(
            ConfirmModal(f"Cancel job {record.id}?\n{record.spec.describe()}", "Cancel job"),
            answered,
        )

    @work(thread=True, exclusive=False, exit_on_error=False, group="jobs-action")
    def cancel_job(self, job_id: str) -> None:
        """SIGTERM, then SIGKILL after the grace period (blocks: runs in a thread)."""
        from hf_ecosystem.jobs.manager import JobManager

        JobManager(self.app_settings()).cancel(job_id)
        self.app.call_from_thread(self.notify, f"Job {job_id} cancelled.")

    def action_remove_job(self) -> None:
        """Delete the selected finished job and its files."""
        record = self._current()
        if record is None or record.is_active:
            self.notify("Select a finished job to remove.", severity="warning")
            return
        from hf_ecosystem.jobs.manager import JobManager

        JobManager(self.app_settings()).remove(record.id)
        self.selected = None
        self.poll()
