"""JobFollower: tails one job and posts `JobUpdated`, the one way a screen follows a job."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ProgressBar, RichLog

from hf_tui.format import describe_event
from hf_tui.messages import JobUpdated

if TYPE_CHECKING:
    from hf_ecosystem.jobs.events import JobEvent
    from hf_ecosystem.jobs.store import JobRecord
    from hf_tui.app import HfTuiApp

POLL_SECONDS = 1.0
LOGGED = frozenset({"log", "error", "artifact"})  # the events a job's log pane shows by default


def show_events(
    events: list[JobEvent],
    log: RichLog,
    bar: ProgressBar | None = None,
    logged: Collection[str] = LOGGED,
) -> None:
    """A followed job's new events on screen: progress moves `bar`, `logged` kinds become lines
    of `log` (errors in red)."""
    for event in events:
        if bar is not None and event.type == "progress" and event.data.get("total"):
            bar.update(total=event.data["total"], progress=event.data.get("done", 0))
            bar.display = True
        elif event.type in logged:
            log.write(Text(describe_event(event), style="red" if event.type == "error" else ""))


def settle_bar(bar: ProgressBar, record: JobRecord) -> None:
    """An ended job's bar never animates: full when it succeeded, else stopped where it got to,
    or hidden when it never knew its total (an indeterminate bar would animate forever)."""
    if record.is_active:
        return
    if record.status == "succeeded":
        bar.update(total=bar.total or 1, progress=bar.total or 1)
    elif bar.total is None:
        bar.display = False


class JobFollower(Widget):
    """Reads a job's record and new events off the event loop, then posts `JobUpdated`.

    The next read is armed only after an update arrived (never `set_interval`, so reads never
    pile up) and only while the job is active. Once the job has ended, every progress bar of
    the screen is settled (`settle_bar`): no view of an ended job shows an animated bar. The
    read runs as a worker of the screen, in group `job-follow`, so a failed read reaches the
    screen's worker-failure handling; the follower's timer and that worker go with the screen.
    """

    DEFAULT_CSS = "JobFollower { display: none; }"
    GROUP = "job-follow"

    def __init__(
        self,
        *,
        interval: float = POLL_SECONDS,
        when_finished: Callable[[JobRecord], None] | None = None,
        prelude: Callable[[JobRecord], list[JobEvent]] | None = None,
        id: str | None = None,
    ) -> None:
        """`when_finished` runs in the read's thread once the job has ended, before the last
        update is posted (so what it prepares is ready when the screen shows the outcome).
        `prelude` runs in the read's thread on the first read: the events it returns come
        before the job's own (a continued run's earlier history)."""
        super().__init__(id=id)
        self.interval = interval
        self.when_finished = when_finished
        self.prelude = prelude
        self.job_id: str | None = None
        self._offset = 0
        self._round = 0  # bumped by follow(): updates from an older round are dropped
        self._timer: Timer | None = None

    def follow(self, job_id: str) -> None:
        """Follow `job_id` from its first event (again, for a reload)."""
        self.stop()
        self.job_id, self._offset = job_id, 0
        self._read()

    def stop(self) -> None:
        """Stop following: no further reads, and answers already on their way are dropped."""
        self._round += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _read(self) -> None:
        if self.job_id is None:
            return
        read = partial(self._read_in_thread, self.job_id, self._offset, self._round)
        self.screen.run_worker(
            read, thread=True, exclusive=True, exit_on_error=False, group=self.GROUP
        )

    def _read_in_thread(self, job_id: str, offset: int, round_: int) -> None:
        manager = cast("HfTuiApp", self.app).job_manager()
        first = offset == 0
        record, events, offset = manager.read_new(job_id, offset)
        if first and self.prelude is not None:
            events = [*self.prelude(record), *events]
        if not record.is_active and self.when_finished is not None:
            self.when_finished(record)
        self.post_message(JobUpdated(record, events, offset, round_))

    @on(JobUpdated)
    def _updated(self, message: JobUpdated) -> None:
        if message.round != self._round:
            message.stop()  # for an older follow() or after stop(): the screen never sees it
            return
        self._offset = message.offset
        if message.record.is_active:
            self._timer = self.set_timer(self.interval, self._read)
        else:
            for bar in self.screen.query(ProgressBar):
                settle_bar(bar, message.record)

    def on_unmount(self) -> None:
        self.stop()
