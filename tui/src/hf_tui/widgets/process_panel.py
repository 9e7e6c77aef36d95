"""The Device screen's process list: sorting, and stopping a process (or cancelling its job)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.markup import escape
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from hf_ecosystem.device.processes import (
    SORT_KEYS,
    SortKey,
    kill_refusal,
    send_signal,
    wait_gone,
)
from hf_ecosystem.device.types import ProcessInfo
from hf_tui.errors import describe_error
from hf_tui.modals.confirm import ConfirmModal
from hf_tui.widgets.process_table import COLUMNS, ProcessTable, short_command

if TYPE_CHECKING:
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.jobs.store import JobRecord

SORT_NAMES: dict[SortKey, str] = {key: header for _, header, key in COLUMNS if key is not None}
SORT_NAMES["gpu_memory"] = "GPU memory"


def job_label(record: JobRecord) -> str:
    """'261204-120000-abc123 train', with its status when it no longer runs."""
    label = f"{record.id} {record.kind}"
    return label if record.is_active else f"{label} ({record.status})"


class ProcessPanel(Vertical):
    """The process table under a title saying what is listed and how it is sorted; stops the
    selected process with a confirmation (SIGTERM, then SIGKILL offered) or, for a process of
    an active hf-tui job, cancels the job through the job manager so its record stays true."""

    @dataclass
    class StillRunning(Message):
        """A process outlived SIGTERM's grace period: SIGKILL is offered."""

        process: ProcessInfo

    @dataclass
    class Stopped(Message):
        """A process ended after a signal, or its job was cancelled."""

        what: str

    def __init__(
        self,
        job_manager: Callable[[], JobManager],
        *,
        term_grace: float = 3.0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.job_manager = job_manager
        self.term_grace = term_grace  # seconds after SIGTERM before SIGKILL is offered
        self.jobs: Mapping[str, JobRecord] = {}
        self.has_gpus = False
        self._sort_chosen = False

    def compose(self) -> ComposeResult:
        yield ProcessTable(id="process-table")

    @property
    def table(self) -> ProcessTable:
        """The table of processes."""
        return self.query_one(ProcessTable)

    def show(
        self,
        processes: Sequence[ProcessInfo],
        jobs: Mapping[str, JobRecord],
        *,
        has_gpus: bool,
    ) -> None:
        """List these processes (GPU boxes sort by GPU memory until the user picks a sort)."""
        self.jobs, self.has_gpus = jobs, has_gpus
        table = self.table
        if not self._sort_chosen:
            wanted: SortKey = "gpu_memory" if has_gpus else "cpu"
            if table.sort_key != wanted:
                table.sort_by(wanted)
        table.show(processes, {job_id: job_label(r) for job_id, r in jobs.items()})
        # As tall as its rows (header, borders, a scrollbar's row), capped by max-height in CSS.
        self.styles.height = len(processes) + 4
        self._title()

    def _title(self) -> None:
        table = self.table
        what = "GPU processes and hf-tui jobs" if self.has_gpus else "Your busiest processes"
        order = "▼" if table.sorted_descending else "▲"
        name = SORT_NAMES[table.sort_key]
        self.border_title = f"{what} · {len(table.processes)} · sorted by {name} {order}"

    # -- sorting ---------------------------------------------------------------------------------

    def next_sort(self) -> None:
        """Sort by the next column."""
        key = self.table.sort_key
        self.sort(SORT_KEYS[(SORT_KEYS.index(key) + 1) % len(SORT_KEYS)])

    def reverse_sort(self) -> None:
        """Reverse the order."""
        self.sort(self.table.sort_key, not self.table.sorted_descending)

    def sort(self, key: SortKey, descending: bool | None = None) -> None:
        """Sort by `key` (its natural order unless `descending` is given); kept from then on."""
        self._sort_chosen = True
        self.table.sort_by(key, descending)
        self._title()

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        sorts: dict[str, SortKey | None] = {column: sort for column, _, sort in COLUMNS}
        key = sorts.get(str(event.column_key.value))
        if key is None:
            return
        if key == self.table.sort_key:
            self.reverse_sort()
        else:
            self.sort(key)

    # -- stopping --------------------------------------------------------------------------------

    def kill_selected(self) -> None:
        """Stop the selected process after a confirmation (its job, if it is an hf-tui job's)."""
        info = self.table.selected
        if info is None:
            self.notify("Select a process first.", severity="warning")
            return
        refusal = kill_refusal(info)
        if refusal is not None:
            self.notify(refusal.hint, title=refusal.title, severity="error", markup=False)
            return
        record = self.jobs.get(info.job_id) if info.job_id else None
        if record is not None and record.is_active:
            job_id = record.id
            question = (
                f"Cancel job {job_id} ({record.kind})?\n"
                f"pid {info.pid} is one of its processes: the whole job is cancelled through "
                "the job manager, so its record says so."
            )

            def cancel(yes: bool | None) -> None:
                if yes:
                    self._cancel_job(job_id)

            self.app.push_screen(ConfirmModal(question, "Cancel job"), cancel)
            return
        question = (
            f"Stop pid {info.pid}?\n{escape(short_command(info, 52))}\n\n"
            f"Sends SIGTERM; if it still runs after {self.term_grace:g} s, SIGKILL is offered."
        )

        def terminate(yes: bool | None) -> None:
            if yes:
                self._terminate(info)

        self.app.push_screen(ConfirmModal(question, "SIGTERM"), terminate)

    @work(thread=True, exclusive=False, exit_on_error=False, group="device-kill")
    def _terminate(self, info: ProcessInfo) -> None:
        """SIGTERM, then wait the grace period (blocks: runs in a thread)."""
        send_signal(info, signal.SIGTERM)
        if wait_gone(info, self.term_grace):
            self.post_message(self.Stopped(f"pid {info.pid} stopped (SIGTERM)."))
        else:
            self.post_message(self.StillRunning(info))

    @on(StillRunning)
    def _still_running(self, message: StillRunning) -> None:
        info = message.process
        question = (
            f"pid {info.pid} still runs {self.term_grace:g} s after SIGTERM.\n"
            "Send SIGKILL? It ends at once, with no chance to clean up."
        )

        def kill(yes: bool | None) -> None:
            if yes:
                self._kill(info)

        self.app.push_screen(ConfirmModal(question, "SIGKILL"), kill)

    @work(thread=True, exclusive=False, exit_on_error=False, group="device-kill")
    def _kill(self, info: ProcessInfo) -> None:
        send_signal(info, signal.SIGKILL)
        wait_gone(info, 5.0)
        self.post_message(self.Stopped(f"pid {info.pid} killed (SIGKILL)."))

    @work(thread=True, exclusive=False, exit_on_error=False, group="device-kill")
    def _cancel_job(self, job_id: str) -> None:
        """Cancel through the job manager: SIGTERM to the job, SIGKILL after its grace period."""
        record = self.job_manager().cancel(job_id)
        self.post_message(self.Stopped(f"Job {record.id} {record.status}."))

    @on(Stopped)
    def _stopped(self, message: Stopped) -> None:
        self.notify(message.what, markup=False)  # and it bubbles: the screen reads again

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # A worker's state does not bubble to the screen (HfScreen reports its own workers):
        # say a refusal or a failure here, as plain text.
        if event.state == WorkerState.ERROR:
            title, hint = describe_error(event.worker.error)
            self.notify(hint or title, title=title, severity="error", markup=False)
