"""The real job queue with stand-in workers: each is a real, tagged `sh` process group that
writes the CUDA_VISIBLE_DEVICES it was given and sleeps, so the queue's own code (SQLite claims,
held GPUs, lingering groups, placement) runs for real without loading a model per job."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from hf_ecosystem.jobs.manager import JobManager


class StandInManager(JobManager):
    """The real queue; the worker is `sh` that writes what it was shown, then sleeps."""

    started: list[int]

    def _spawn(self, job_id: str, gpus: tuple[int, ...] = ()) -> None:
        env = self.worker_env(job_id, gpus)
        seen = self.store.job_dir(job_id) / "seen.txt"
        script = f'echo "[${{CUDA_VISIBLE_DEVICES-unset}}]" > "{seen}"; sleep 60'
        process = subprocess.Popen(["sh", "-c", script], start_new_session=True, env=env)
        self.started.append(process.pid)
        # As the real launcher: the pid is recorded, the job stays "starting" (a worker marks
        # itself running); until its exec the child shows the launcher's command line.
        self.store.update(job_id, pid=process.pid)


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll `predicate` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def seen_gpus(manager: JobManager, job_id: str) -> str:
    """The CUDA_VISIBLE_DEVICES a stand-in worker was started with."""
    path = manager.store.job_dir(job_id) / "seen.txt"
    wait_until(lambda: path.is_file() and path.read_text().strip() != "")
    return path.read_text().strip()[1:-1]
