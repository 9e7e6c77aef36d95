"""The detached worker: `python -m hf_ecosystem.jobs.worker JOB_ID` runs one job to the end."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from hf_ecosystem.config import load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs.context import JobCancelled, JobContext
from hf_ecosystem.jobs.events import EventWriter
from hf_ecosystem.jobs.kinds import get_kind
from hf_ecosystem.jobs.manager import HEARTBEAT_SECONDS, JobManager, group_alive
from hf_ecosystem.jobs.params import resolve
from hf_ecosystem.jobs.results import JobResult
from hf_ecosystem.jobs.store import JobStore
from hf_ecosystem.redact import redact


def _heartbeat(events: EventWriter, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        events.emit("heartbeat", pid=os.getpid())


def run(job_id: str) -> int:
    """Run one job; the exit code is 0 on success, 1 on failure, 143 when cancelled."""
    os.umask(0o077)  # its events, results and run folders are the user's alone
    settings = load_settings()
    store = JobStore(settings.home)
    record = store.get(job_id)
    # A local job was claimed ("starting") by the scheduler; a Slurm job stays "queued" until
    # its node runs this.
    expected = "queued" if record.spec.slurm is not None else "starting"
    if record.status != expected or record.cancel_requested:
        return 0  # someone else ran, cancelled or gave up on it
    events = EventWriter(store.events_path(job_id))
    ctx = JobContext(job_id, record.spec, events, store.job_dir(job_id), settings)

    def on_term(signum: int, frame: FrameType | None) -> None:
        ctx.cancel.set()
        raise JobCancelled()

    signal.signal(signal.SIGTERM, on_term)
    store.update(job_id, status="running", pid=os.getpid())
    events.emit("status", status="running", pid=os.getpid())
    if record.gpu_ids:
        ctx.log(f"GPUs given: {', '.join(map(str, record.gpu_ids))} (CUDA_VISIBLE_DEVICES)")
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(events, stop), daemon=True).start()
    code = 1
    try:
        handler: Callable[[JobContext], JobResult] = resolve(get_kind(record.kind).handler)
        result = handler(ctx).to_dict()  # handlers return their kind's typed result
        events.emit("result", **result)
        store.finish(job_id, "succeeded", exit_code=0, result=result)
        code = 0
    except JobCancelled:
        code = _cancelled(store, events, job_id)
    except Exception as exc:  # a cancel or a failure: sorted out below
        code = (
            _cancelled(store, events, job_id)
            if ctx.cancel.is_set()
            else _failed(store, events, job_id, exc)
        )
    finally:
        stop.set()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # The queue moves on when this job's last process is gone: its watcher (started with it by
    # the manager) runs the scheduler then, also when this process is killed.
    return code


def _cancelled(store: JobStore, events: EventWriter, job_id: str) -> int:
    """Record a cancel; also when the handler's library turned the SIGTERM into its own error
    (a download's `except Exception` wrapper), which would otherwise read as a failure."""
    events.emit("status", status="cancelled")
    store.finish(job_id, "cancelled", exit_code=143)
    return 143


def _failed(store: JobStore, events: EventWriter, job_id: str, exc: Exception) -> int:
    """Record a failure: our errors as they are, anything else with its traceback in the log."""
    if isinstance(exc, HfEcoError):
        events.emit("error", **exc.to_dict())  # its class name lets a UI offer the right fix
        store.finish(job_id, "failed", exit_code=1, error=exc.to_dict())
        return 1
    sys.stderr.write(redact(traceback.format_exc()))  # a token in a message stays out
    title = f"Unexpected error: {type(exc).__name__}: {redact(str(exc))[:300]}"
    hint = "The traceback is in the job's log (`hf-tui jobs logs ID`)."
    events.emit("error", title=title, hint=hint)
    store.finish(job_id, "failed", exit_code=1, error={"title": title, "hint": hint})
    return 1


def schedule_after(pgid: int, job_id: str, *, poll: float = 0.25) -> list[str]:
    """The watcher of a job: wait until the job's processes in group `pgid` are gone, then
    schedule (which also marks the job lost if it died without recording its end)."""
    while group_alive(pgid, job_id):
        time.sleep(poll)
    return JobManager(load_settings()).schedule()


def run_node(job_id: str) -> int:
    """The part of a multi-node Slurm job one of its other nodes runs (the kind's node handler);
    it records nothing: node 0's worker owns the job's status, events and result."""
    settings = load_settings()
    store = JobStore(settings.home)
    record = store.get(job_id)
    kind = get_kind(record.kind)
    if kind.node_handler is None or not record.is_active:
        return 0
    ctx = JobContext(
        job_id, record.spec, EventWriter(Path(os.devnull)), store.job_dir(job_id), settings
    )
    handler: Callable[[JobContext], int] = resolve(kind.node_handler)
    return handler(ctx)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 3 and args[0] == "--schedule-after" and args[1].isdigit():
        schedule_after(int(args[1]), args[2])
        return 0
    if len(args) == 2 and args[0] == "--node":
        return run_node(args[1])
    if len(args) != 1:
        sys.stderr.write("usage: python -m hf_ecosystem.jobs.worker [--node] JOB_ID\n")
        return 2
    return run(args[0])


if __name__ == "__main__":
    sys.exit(main())
