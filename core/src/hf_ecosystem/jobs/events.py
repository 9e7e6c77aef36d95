"""The event protocol: JSON lines a worker appends to jobs/<id>/events.jsonl, read by tailing."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hf_ecosystem.redact import redact

EventType = Literal[
    "progress", "log", "metric", "artifact", "result", "error", "heartbeat", "status"
]


@dataclass(frozen=True, slots=True)
class JobEvent:
    """One event: its type, when, and plain JSON data."""

    type: EventType
    data: dict[str, Any] = field(default_factory=dict[str, Any])
    time: float = field(default_factory=time.time)

    def to_json(self) -> str:
        """One redacted JSON line (no newline)."""
        return redact(json.dumps({"type": self.type, "time": self.time, **self.data}))

    @classmethod
    def from_json(cls, line: str) -> JobEvent:
        """Parse one line."""
        raw = json.loads(line)
        kind = raw.pop("type")
        when = float(raw.pop("time", 0.0))
        return cls(kind, raw, when)


class EventWriter:
    """Appends events to a file; thread-safe (the heartbeat thread writes too)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def emit(self, type: EventType, **data: Any) -> JobEvent:
        """Write one event and return it."""
        event = JobEvent(type, data)
        line = event.to_json() + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
        return event

    def progress(self, done: float, total: float | None, *, unit: str = "", started: float) -> None:
        """A progress event with rate and ETA computed from `started`."""
        elapsed = max(time.time() - started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if total and rate > 0 else None
        self.emit("progress", done=done, total=total, unit=unit, rate=rate, eta=eta)


def read_events(path: Path, offset: int = 0) -> tuple[list[JobEvent], int]:
    """Events after byte `offset` and the offset to continue from (partial lines wait)."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            chunk = handle.read()
    except FileNotFoundError:
        return [], offset
    events: list[JobEvent] = []
    consumed = 0
    for raw in chunk.splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            break  # the writer is mid-line: read it next time
        consumed += len(raw)
        try:
            events.append(JobEvent.from_json(raw.decode("utf-8")))
        except (ValueError, KeyError):
            continue  # one corrupt line must not hide the rest
    return events, offset + consumed
