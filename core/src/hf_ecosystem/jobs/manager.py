"""JobManager: launch detached workers, the queue, lost detection, cancel, wait."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hf_ecosystem.config import Settings, load_settings
from hf_ecosystem.errors import HfEcoError
from hf_ecosystem.jobs import gpus as gpu_queue
from hf_ecosystem.jobs import placement, slurm
from hf_ecosystem.jobs.events import JobEvent, read_events
from hf_ecosystem.jobs.groups import JOB_ENV, group_alive, signal_group
from hf_ecosystem.jobs.placement import LINGER_SECONDS
from hf_ecosystem.jobs.spec import JobSpec
from hf_ecosystem.jobs.store import LOCAL_ONLY, JobRecord, JobStore, pid_alive, pid_running

if TYPE_CHECKING:
    from hf_ecosystem.device.nvml import NvmlBackend

HEARTBEAT_SECONDS = 2.0
STALE_AFTER_SECONDS = 30.0  # a worker that has not beaten for this long is lost
START_TIMEOUT_SECONDS = 60.0  # "starting" for longer than this without a pid: lost
WORKER_MODULE = "hf_ecosystem.jobs.worker"
CANCEL_GRACE_SECONDS = 10.0


def default_concurrency() -> int:
    """One job per GPU, one on a CPU-only box; HFTUI_MAX_JOBS overrides (0 pauses the queue:
    jobs wait until it is raised)."""
    if env := os.environ.get("HFTUI_MAX_JOBS"):
        try:
            return max(0, int(env))
        except ValueError:
            pass
    from hf_ecosystem.device.nvml import read_gpus

    gpus = read_gpus()[0]
    return max(1, len(gpus))


def thread_limits(max_running: int, env: dict[str, str]) -> dict[str, str]:
    """CPU threads per job when several run at once: the cores shared out, not each job taking
    all of them (torch's OpenMP threads oversubscribed 2× ran ~5× slower here). A user's own
    OMP_NUM_THREADS is kept."""
    if max_running <= 1 or "OMP_NUM_THREADS" in env:
        return {}
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"OMP_NUM_THREADS": str(max(1, (cores or 1) // max_running))}


class JobManager:
    """The one entry point for jobs: used by the CLI, the TUI and by workers themselves."""

    def __init__(  # nvml: None for the real one (tests pass a fake)
        self, settings: Settings | None = None, *, max_running: int | None = None,
        nvml: NvmlBackend | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings or load_settings()
        self.store = JobStore(self.settings.home)
        self._max_running = max_running
        self._gpus: tuple[int, ...] | None = None
        self._nvml = nvml

    @property
    def max_running(self) -> int:
        """How many jobs may run at once."""
        if self._max_running is None:
            self._max_running = default_concurrency()
        return self._max_running

    @property
    def gpus(self) -> tuple[int, ...]:
        """The GPUs this queue hands out (NVML's, or HFTUI_GPUS)."""
        if self._gpus is None:
            self._gpus = gpu_queue.queue_gpus(self._nvml)
        return self._gpus

    def waiting_for(self, record: JobRecord) -> str | None:
        """Why a queued job waits for GPUs ("needs 18.2 GiB; GPU 0 has 11.0 GiB free, GPU 1 is
        reserved by job …"), or None."""
        if record.status != "queued":
            return None
        with self.store.transaction() as conn:
            return self._place(conn, record.spec, record.memory_bytes).reason

    def _place(self, conn: Any, spec: JobSpec, memory: int | None) -> placement.Placement:
        """The one placement decision: the scheduler and the waiting reason both ask it."""
        need, share = self.gpus_needed(spec), self.settings.share_gpus
        rooms = placement.gpu_rooms(self.gpus, self._nvml if memory is not None else False)
        return placement.decide(conn, need, memory, rooms, group_alive, share=share)

    def gpus_needed(self, spec: JobSpec) -> int:
        """How many GPUs a job of this spec is given here."""
        return gpu_queue.wanted(spec.gpus, spec.gpu_capable, self.gpus)

    # -- launch and queue -----------------------------------------------------------------------

    def launch(self, spec: JobSpec) -> JobRecord:
        """Queue a validated job and start it if a slot (and the GPUs it needs) is free; a job
        asking for more GPUs than the queue has is refused here, before anything starts. A job
        for Slurm is submitted there at once (Slurm queues it)."""
        if spec.slurm is not None:
            return self._submit_slurm(spec)
        need = self.gpus_needed(spec)
        problem = gpu_queue.refusal(need, self.gpus)
        memory = placement.job_memory(spec, share=self.settings.share_gpus) if need else None
        rooms = placement.gpu_rooms(self.gpus, self._nvml if memory is not None else False)
        problem = problem or placement.refusal(need, memory, rooms)
        if problem is not None:
            raise problem
        record = self.store.create(spec, memory_bytes=memory)
        self.schedule()
        return self.store.get(record.id)

    def _submit_slurm(self, spec: JobSpec) -> JobRecord:
        record = self.store.create(spec)
        try:
            slurm.submit(self.store, record, self.settings)
        except HfEcoError as exc:
            self.store.finish(record.id, "failed", error=exc.to_dict())
            raise
        return self.store.get(record.id)

    def schedule(self) -> list[str]:
        """Start queued jobs, oldest first, while fewer than `max_running` run; their ids."""
        self._mark_lost()
        return self._start_queued()

    def _start_queued(self) -> list[str]:
        """Start the oldest queued job while a slot and its GPUs are free (queue order is kept:
        a job waiting for GPUs holds back the ones behind it)."""
        started: list[str] = []
        while True:
            if not self.store.list(statuses=("queued",)):
                break  # the common case for a look at the jobs: nothing waits, no write
            with self.store.transaction() as conn:
                # Both counts in one transaction: a job finishing in between would otherwise be
                # in neither, and its still-running worker would share the slot with a new one.
                running = conn.execute(
                    "SELECT COUNT(*) FROM jobs WHERE status IN ('starting','running')"
                    f" AND {LOCAL_ONLY}"
                ).fetchone()[0]
                if running + _lingering(conn) >= self.max_running:
                    break
                row = conn.execute(
                    "SELECT id, spec, memory_bytes FROM jobs WHERE status = 'queued'"
                    f" AND {LOCAL_ONLY} ORDER BY created_at, id LIMIT 1"
                ).fetchone()
                if row is None:
                    break
                job_id = row[0]
                given = self._place(conn, JobSpec.from_json(row[1]), row[2]).gpus
                if given is None:
                    break  # waits for GPUs to free up
                # Claimed inside the transaction, so two schedulers never start the same job
                # nor give the same GPU twice.
                conn.execute(
                    "UPDATE jobs SET status = 'starting', started_at = ?, gpu_ids = ? WHERE id = ?",
                    (time.time(), gpu_queue.format_ids(given) or None, job_id),
                )
            self._spawn(job_id, given)
            started.append(job_id)
        return started

    def worker_env(self, job_id: str, gpus: tuple[int, ...] = ()) -> dict[str, str]:
        """The environment a job's worker starts with."""
        env = {**os.environ, "HFTUI_HOME": str(self.settings.home), "PYTHONUNBUFFERED": "1"}
        env.update(gpu_queue.visible_env(gpus, bool(self.gpus)))  # exactly its GPUs
        env[JOB_ENV] = job_id  # how its processes are told from others once pids are reused
        if self._max_running is not None:
            env["HFTUI_MAX_JOBS"] = str(self._max_running)
        env.update(thread_limits(self.max_running, env))
        return env

    def _spawn(self, job_id: str, gpus: tuple[int, ...] = ()) -> None:
        log = self.store.log_path(job_id)
        log.parent.mkdir(parents=True, exist_ok=True)
        env = self.worker_env(job_id, gpus)
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", WORKER_MODULE, job_id],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session: it outlives our terminal and SSH
                close_fds=True,
                env=env,
                cwd=str(self.settings.home),
            )
        self.store.update(job_id, pid=process.pid)
        # Its watcher: when the worker's process group is gone (finished, failed or killed), it
        # runs the scheduler, so the queue moves with no TUI or CLI open.
        subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, "--schedule-after", str(process.pid), job_id],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            env={k: v for k, v in env.items() if k != JOB_ENV},  # not one of the job's processes
            cwd=str(self.settings.home),
        )

    # -- looking at jobs ------------------------------------------------------------------------

    def refresh(self) -> list[str]:
        """Mark jobs whose process is gone or silent as lost and start what the freed slots
        allow (every look at the jobs moves the queue); the ids marked lost."""
        lost = self._mark_lost()
        self._start_queued()
        return lost

    def _mark_lost(self) -> list[str]:
        lost: list[str] = []
        now = time.time()
        lost += slurm.refresh(self.store)  # their state comes from Slurm, not from a pid
        for record in self.store.list(statuses=("starting", "running")):
            if record.spec.slurm is not None:
                continue
            alive = pid_alive(record.pid, record.id)
            if record.status == "starting":
                # Between fork and exec a new worker still shows its launcher's command line,
                # so its job id is not in it yet: any live process counts, within the timeout.
                young = now - (record.started_at or now) < START_TIMEOUT_SECONDS
                alive = alive or (young and (record.pid is None or pid_running(record.pid)))
            beat = self.last_heartbeat(record.id)
            stale = (
                record.status == "running" and beat is not None and now - beat > STALE_AFTER_SECONDS
            )
            if not alive and record.cancel_requested:
                # Killed after the grace period (or died) while being cancelled: that is a cancel.
                self.store.finish(record.id, "cancelled", exit_code=-9)
                continue
            if not alive or stale:
                why = "its process is gone" if not alive else "it stopped sending heartbeats"
                hint = "See its log; start it again."
                if record.kind == "train":
                    hint = (
                        f"See its log; resume it from its last checkpoint (`hf-tui run train "
                        f"--resume {record.id}`), or start it again if it saved none."
                    )
                error = {"title": f"Job lost: {why}", "hint": hint}
                if self.store.finish(record.id, "lost", error=error):
                    lost.append(record.id)
                    if record.pid is not None:
                        # What is left of it (a silent worker, training ranks) must not go on
                        # writing into its folder while its slot is given to another job.
                        signal_group(record.pid, signal.SIGKILL, record.id)
        return lost

    def last_heartbeat(self, job_id: str) -> float | None:
        """Time of the newest event of any kind (every event proves the worker lives)."""
        path = self.store.events_path(job_id)
        try:
            return path.stat().st_mtime
        except FileNotFoundError:
            return None

    def active(self) -> list[JobRecord]:
        """Queued and running jobs, newest first, after lost detection."""
        self.refresh()
        return self.store.list(statuses=("queued", "starting", "running"))

    def list(self) -> list[JobRecord]:
        """Every job, newest first, after lost detection."""
        self.refresh()
        return self.store.list()

    def get(self, job_id: str) -> JobRecord:
        """One job, after lost detection."""
        self.refresh()
        return self.store.get(job_id)

    def read_new(self, job_id: str, offset: int = 0) -> tuple[JobRecord, list[JobEvent], int]:
        """The record and the events written after byte `offset`, and the offset to go on from.

        The record is looked at before the events are read, so once it says the job ended the
        events returned with it are the job's last ones: a follower can stop there.
        """
        record = self.get(job_id)
        events, offset = read_events(self.store.events_path(record.id), offset)
        return record, events, offset

    def new_events(self, job_id: str, offset: int = 0) -> tuple[list[JobEvent], int]:
        """The events of a listed job written after byte `offset`, and the offset to go on from
        (no lost detection: lists call `list()` once, then this per job)."""
        return read_events(self.store.events_path(job_id), offset)

    def events_path(self, job_id: str) -> Path:
        """The job's events file."""
        return self.store.events_path(self.store.get(job_id).id)

    def log_path(self, job_id: str) -> Path:
        """The job's log file (on Slurm: the task's output that submitit keeps)."""
        record = self.store.get(job_id)
        if record.slurm_id is not None:
            return slurm.log_path(self.store, record)
        return self.store.log_path(record.id)

    # -- ending jobs ----------------------------------------------------------------------------

    def cancel(self, job_id: str, *, grace: float = CANCEL_GRACE_SECONDS) -> JobRecord:
        """SIGTERM the job's process group, SIGKILL after `grace` seconds; queued jobs just stop."""
        record = self.store.get(job_id)
        if not record.is_active:
            raise HfEcoError(f"Job {record.id} already {record.status}", "Nothing to cancel.")
        if record.spec.slurm is not None:
            slurm.cancel(self.store, record, grace=grace)
            return self.store.get(record.id)
        self.store.update(record.id, cancel_requested=1)
        if record.status == "queued" or record.pid is None:
            self.store.finish(record.id, "cancelled")
            return self.store.get(record.id)
        signal_group(record.pid, signal.SIGTERM, record.id)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and pid_alive(record.pid, record.id):
            time.sleep(0.05)
        if pid_alive(record.pid, record.id):
            signal_group(record.pid, signal.SIGKILL, record.id)
        self.store.finish(record.id, "cancelled", exit_code=-signal.SIGTERM)
        self.schedule()
        return self.store.get(record.id)

    def remove(self, job_id: str) -> None:
        """Delete a finished job and its files."""
        self.store.delete(job_id)

    def prune(self) -> list[str]:
        """Delete every finished job; the ids removed."""
        removed = [r.id for r in self.list() if not r.is_active]
        for job_id in removed:
            self.store.delete(job_id)
        return removed

    def wait(self, job_id: str, *, timeout: float | None = None, poll: float = 0.2) -> JobRecord:
        """Block until the job finishes (or `timeout` passes); returns its record."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            record = self.get(job_id)
            if not record.is_active:
                return record
            if deadline is not None and time.monotonic() > deadline:
                return record
            time.sleep(poll)


def _lingering(conn: Any) -> int:
    """Finished jobs whose processes still exist: a worker lives on briefly after recording its
    end (and a killed one can leave ranks behind); until they are gone they hold their slot, so
    a GPU is not handed to the next job while the last one still holds memory."""
    rows = conn.execute(
        "SELECT pid, id FROM jobs WHERE status IN ('succeeded','failed','cancelled','lost')"
        " AND pid IS NOT NULL AND finished_at >= ?",
        (time.time() - LINGER_SECONDS,),
    ).fetchall()
    return sum(1 for row in rows if group_alive(int(row[0]), str(row[1])))
