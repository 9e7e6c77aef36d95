"""The `warm-model` job: keep models loaded and answer Try requests until idle or cancelled.

One such worker runs per HFTUI_HOME (a lock file says which). It gives its job slot back when
another job is queued for one, so keeping models warm never holds up a training run.
"""

from __future__ import annotations

import contextlib
import fcntl
import threading
import time
from collections.abc import Generator
from typing import IO

from hf_ecosystem.config import Settings, private_dir
from hf_ecosystem.inference.warm_pool import GIB, ModelPool
from hf_ecosystem.inference.warm_protocol import (
    WARM_KIND,
    WarmWorkerResult,
    lock_path,
    socket_path,
)
from hf_ecosystem.inference.warm_server import WarmServer
from hf_ecosystem.jobs.context import JobCancelled, JobContext
from hf_ecosystem.jobs.store import JobStore

POLL_SECONDS = 0.2
QUEUE_CHECK_SECONDS = 1.0
DRAIN_SECONDS = 120.0  # at most this long answering requests that raced an idle exit


@contextlib.contextmanager
def worker_lock(settings: Settings) -> Generator[bool]:
    """Hold the one-worker lock while inside; yields False when another worker holds it."""
    path = lock_path(settings)
    private_dir(path.parent)
    handle: IO[bytes] = path.open("ab")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True  # the lock goes with the file: also when this process is killed
    finally:
        handle.close()


def others_queued(store: JobStore) -> bool:
    """Whether a job other than a warm worker waits for a slot."""
    return any(r.kind != WARM_KIND for r in store.list(statuses=("queued",)))


def serve_until_done(ctx: JobContext, server: WarmServer) -> str:
    """Wait while the server serves; why it should stop: idle, or a queued job wants the slot."""
    store = JobStore(ctx.settings.home)
    checked = time.monotonic()
    while not ctx.cancel.wait(POLL_SECONDS):
        if server.idle_seconds() >= ctx.settings.warm_idle:
            return f"idle for {ctx.settings.warm_idle:g} s"
        if time.monotonic() - checked >= QUEUE_CHECK_SECONDS:
            checked = time.monotonic()
            if not server.busy and others_queued(store):
                return "gave way to a queued job"
    raise JobCancelled()


def run_warm_job(ctx: JobContext) -> WarmWorkerResult:
    """Serve Try requests on the private socket until idle, cancelled or a job waits."""
    import faulthandler

    faulthandler.enable()  # a native crash in a model leaves its stack in the job's log
    settings = ctx.settings
    with worker_lock(settings) as mine:
        if not mine:
            ctx.log("another warm model worker is running; this one stops")
            return WarmWorkerResult("another warm worker runs")
        pool = ModelPool(settings, log=ctx.log)
        server = WarmServer(socket_path(settings), pool, ctx.job_id)
        threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()
        bounds = f"{pool.max_models} models, {pool.max_bytes / GIB:g} GiB"
        ctx.log(f"warm: up to {bounds}; exits after {settings.warm_idle:g} s idle")
        try:
            reason = serve_until_done(ctx, server)
        except JobCancelled:
            server.close()  # the socket goes first: clients fall back to a job at once
            raise
        server.close(drain=DRAIN_SECONDS)  # a request that raced the exit is still answered
        ctx.log(f"stopping: {reason}")
        return WarmWorkerResult(reason, server.served, pool.loaded())
