"""HubJobWatch: follows the jobs that add repos (demo seed, publish, download) until they end;
when one succeeds, the local hub is re-read so the header's count and the lists show its repos."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer

if TYPE_CHECKING:
    from hf_tui.app import HfTuiApp

HUB_KINDS = frozenset({"demo-seed", "publish", "download"})  # jobs whose success adds repos
WATCH_SECONDS = 1.0


@dataclass
class HubJobsChecked(Message):
    """A look at the watched jobs: those that ended, and whether the hub changed."""

    ended: list[str] = field(default_factory=list[str])
    changed: bool = False


class HubJobWatch:
    """The app's watch over hub-changing jobs: one store read per interval, only while any runs.

    The read runs in a thread worker of the app (group `hub-jobs`); its answer comes back as
    `HubJobsChecked`, which the app hands to `checked`.
    """

    GROUP = "hub-jobs"

    def __init__(self, app: HfTuiApp, *, interval: float = WATCH_SECONDS) -> None:
        self.app = app
        self.interval = interval
        self.watched: set[str] = set()
        self._timer: Timer | None = None

    def add(self, job_id: str) -> None:
        """Watch `job_id` (a job of another kind is dropped at the first look)."""
        self.watched.add(job_id)
        if self._timer is None:
            self._timer = self.app.set_timer(self.interval, self._look)

    def _look(self) -> None:
        self._timer = None
        read = partial(self._read, frozenset(self.watched))
        app = self.app
        app.run_worker(read, thread=True, exclusive=True, exit_on_error=False, group=self.GROUP)

    def _read(self, ids: frozenset[str]) -> None:
        manager = self.app.job_manager()
        ended: list[str] = []
        changed = False
        for job_id in ids:
            record = manager.get(job_id)
            if record.kind not in HUB_KINDS or not record.is_active:
                ended.append(job_id)
                changed |= record.kind in HUB_KINDS and record.status == "succeeded"
        if changed:
            from hf_ecosystem.hub.local import LocalHub

            choice = self.app.backend_choice
            if choice is not None and isinstance(choice.backend, LocalHub):
                choice.backend.refresh()  # index the new repos before the lists look again
        self.app.post_message(HubJobsChecked(ended, changed))

    def checked(self, message: HubJobsChecked) -> None:
        """Forget the ended jobs, tell the lists when the hub changed, look again if any run."""
        self.watched.difference_update(message.ended)
        if message.changed:
            self.app.mutate_reactive(type(self.app).backend_choice)
        if self.watched and self._timer is None:
            self._timer = self.app.set_timer(self.interval, self._look)
