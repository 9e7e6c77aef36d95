"""Ask the warm model worker (plain sockets and JSON: the UI process uses this).

`ask` answers an inference request from the running worker, starting one first when none runs.
Whenever no worker can answer (warm workers off, no free job slot, the worker died or went
silent) it raises WarmUnavailable and the caller runs the input as an ordinary job. Every wait
is bounded: a connect timeout, a silence timeout (the worker says "busy" every second while it
works) and a start timeout.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable

from hf_ecosystem.config import Settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.inference.warm_protocol import (
    WARM_KIND,
    LineReader,
    WarmAnswer,
    WarmRequest,
    WarmStatus,
    WarmUnavailable,
    send_message,
    socket_path,
)
from hf_ecosystem.jobs.manager import JobManager
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import JobRecord

CONNECT_SECONDS = 2.0
SILENCE_SECONDS = 15.0  # no word from the worker for this long (it says "busy" every second)
START_SECONDS = 90.0  # a new worker's socket must appear within this (Python + imports)
SOCKET_POLL_SECONDS = 0.05


class WorkerGone(WarmUnavailable):
    """The connection failed before the worker said anything: it had died (a process forked
    from it can keep its socket accepting a moment longer), so a new one may be started."""


RECORD_POLL_SECONDS = 0.5
QUEUED_GRACE_SECONDS = 2.0  # how long a new worker's job may wait for a slot

__all__ = ["WarmUnavailable", "ask", "connect", "ensure_worker", "status"]


def connect(settings: Settings, timeout: float = CONNECT_SECONDS) -> socket.socket | None:
    """A connection to the running worker, or None when none listens."""
    path = socket_path(settings)
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(str(path))
    except OSError:  # a stale file (the worker was killed) or a full backlog
        sock.close()
        return None
    return sock


def exchange(
    sock: socket.socket,
    request: WarmRequest,
    *,
    on_token: Callable[[str], object] | None = None,
    cancel: threading.Event | None = None,
    silence: float = SILENCE_SECONDS,
) -> dict[str, object]:
    """Send one request on `sock` (closed after) and read to its final message."""
    with sock:
        heard = False
        try:
            sock.settimeout(silence)
            send_message(sock, "request", request.to_dict())
            reader = LineReader(sock)
            while True:
                message = reader.next()
                heard = True
                if cancel is not None and cancel.is_set():
                    raise WarmUnavailable("The request was cancelled")
                kind = message.get("type")
                if kind == "token" and on_token is not None:
                    on_token(str(message.get("text", "")))
                elif kind not in ("busy", "token"):
                    return message
        except TimeoutError as exc:
            raise WarmUnavailable(f"The warm worker said nothing for {silence:g} s") from exc
        except (OSError, ConnectionError) as exc:
            gone = WarmUnavailable if heard else WorkerGone
            raise gone(f"The warm worker went away: {exc}") from exc


def status(settings: Settings) -> WarmStatus | None:
    """What the running worker holds; None when none answers."""
    sock = connect(settings)
    if sock is None:
        return None
    try:
        return WarmStatus.from_dict(exchange(sock, WarmRequest(op="status"), silence=5.0))
    except WarmUnavailable:
        return None


def _active_worker(manager: JobManager) -> JobRecord | None:
    return next((r for r in manager.active() if r.kind == WARM_KIND), None)


def _wait_for_socket(
    settings: Settings, manager: JobManager, record: JobRecord, cancel: threading.Event | None
) -> socket.socket | None:
    """The worker's connection once it listens; None if its job ended first."""
    deadline = time.monotonic() + START_SECONDS
    looked = time.monotonic()
    while time.monotonic() < deadline:
        sock = connect(settings)
        if sock is not None:
            return sock
        if cancel is not None and cancel.is_set():
            raise WarmUnavailable("The request was cancelled")
        if time.monotonic() - looked >= RECORD_POLL_SECONDS:
            looked = time.monotonic()
            record = manager.get(record.id)
            if not record.is_active:
                return None
        time.sleep(SOCKET_POLL_SECONDS)
    raise WarmUnavailable(f"The warm worker did not start within {START_SECONDS:g} s")


def _started(manager: JobManager, record: JobRecord) -> JobRecord:
    """The worker's record once its job has a slot; a job still queued after a short grace (a
    job that just ended may hold its slot a moment longer) is cancelled: WarmUnavailable."""
    deadline = time.monotonic() + QUEUED_GRACE_SECONDS
    while record.status == "queued" and time.monotonic() < deadline:
        time.sleep(RECORD_POLL_SECONDS / 5)
        record = manager.get(record.id)
    if record.status == "queued":
        with contextlib.suppress(HfEcoError):  # it may have started or ended meanwhile
            manager.cancel(record.id)
        raise WarmUnavailable("No free job slot for a warm worker")
    return record


def ensure_worker(
    settings: Settings,
    manager: JobManager | None = None,
    cancel: threading.Event | None = None,
    *,
    trust_socket: bool = True,
) -> socket.socket:
    """A connection to a warm worker, starting its job when none runs.

    A worker that cannot start at once (every job slot is taken) is not waited for: its job is
    cancelled and WarmUnavailable raised, so the input queues as an ordinary job, as before.
    `trust_socket=False`: a worker just found dead may still have its socket accepting.
    """
    if settings.warm_models <= 0:
        raise WarmUnavailable("Warm model workers are off (HFTUI_WARM_MODELS=0)")
    manager = manager or JobManager(settings)
    for _attempt in range(2):  # a worker found stopping (idle) is replaced once
        sock = connect(settings) if trust_socket else None
        if sock is not None:
            return sock
        record = _active_worker(manager)
        if record is None:
            socket_path(settings).unlink(missing_ok=True)  # no worker runs: the file is stale
            record = manager.launch(JobSpec.create(WARM_KIND))
        record = _started(manager, record)
        sock = _wait_for_socket(settings, manager, record, cancel)
        if sock is not None:
            return sock
    raise WarmUnavailable("The warm worker stopped before it could answer")


def ask(
    settings: Settings,
    request: WarmRequest,
    *,
    manager: JobManager | None = None,
    start: bool = True,
    on_token: Callable[[str], object] | None = None,
    cancel: threading.Event | None = None,
) -> WarmAnswer:
    """The warm worker's answer to `request` (starting a worker if `start`); WarmUnavailable
    means: run it as a job. An input the model cannot take comes back as the answer's error."""
    sock = connect(settings)
    if sock is None:
        if not start:
            raise WarmUnavailable("No warm worker runs")
        sock = ensure_worker(settings, manager, cancel)
    try:
        message = exchange(sock, request, on_token=on_token, cancel=cancel)
    except WorkerGone:
        if not start:
            raise
        sock = ensure_worker(settings, manager, cancel, trust_socket=False)
        message = exchange(sock, request, on_token=on_token, cancel=cancel)
    if message.get("type") != "answer":
        raise WarmUnavailable(f"The warm worker answered {message.get('type')!r}")
    answer = WarmAnswer.from_dict(message)
    if answer.error is not None and answer.error.get("error") == "ModelNotWarmError":
        raise WarmUnavailable(answer.error.get("title"), answer.error.get("hint"))
    return answer
