"""What a running job's code gets: its spec, event helpers, a cancel flag and a work folder."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.spec import JobSpec


class JobCancelled(HfEcoError):
    """The job was asked to stop."""

    default_title = "Job cancelled"
    default_hint = ""


@dataclass
class JobContext:
    """Passed to a job handler; everything it reports goes through here."""

    job_id: str
    spec: JobSpec
    events: EventWriter
    work_dir: Path
    settings: Settings
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.time)

    def check_cancelled(self) -> None:
        """Raise JobCancelled when a stop was asked for (call it between units of work)."""
        if self.cancel.is_set():
            raise JobCancelled()

    def progress(self, done: float, total: float | None, unit: str = "") -> None:
        """Report progress; rate and ETA are derived."""
        self.events.progress(done, total, unit=unit, started=self.started)

    def log(self, message: str, level: str = "info") -> None:
        """A line for the job's event log."""
        self.events.emit("log", level=level, message=message)

    def metric(self, **values: Any) -> None:
        """Named numbers (loss, accuracy, samples/s…)."""
        self.events.emit("metric", **values)

    def artifact(self, path: Path | str, kind: str = "file") -> None:
        """A file the job produced."""
        self.events.emit("artifact", path=str(path), kind=kind)
