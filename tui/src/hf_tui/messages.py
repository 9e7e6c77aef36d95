"""App-wide messages, named in the past tense."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from hf_ecosystem.hub.selection import BackendChoice
from hf_ecosystem.jobs.events import JobEvent
from hf_ecosystem.jobs.store import JobRecord


@dataclass
class BackendSelected(Message):
    """The hub backend was chosen (and the local index refreshed when offline)."""

    choice: BackendChoice
    empty_local_hub: bool = False


@dataclass
class UserResolved(Message):
    """The header's user part is known ("@name", "not logged in", …)."""

    line: str


@dataclass
class DeviceSummarised(Message):
    """The header's one-line device summary is known."""

    line: str


@dataclass
class JobLaunched(Message):
    """A screen's worker queued a job (and saved the file it runs from, when there is one)."""

    job_id: str
    saved: Path | None = None  # the publish card or the run's YAML, written before the launch


@dataclass
class JobUpdated(Message):
    """A followed job's record and the events written since its previous update."""

    record: JobRecord
    events: list[JobEvent]
    offset: int  # where the next read of the job's events starts
    round: int = 0  # which follow() asked: the follower drops answers to an older one
