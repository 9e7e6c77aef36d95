"""A job's process group: which live processes are the job's (tagged with its id), and
signalling only those (pids are reused, so a group id alone could name someone else's)."""

from __future__ import annotations

import contextlib
import os
import signal
import time

JOB_ENV = "HFTUI_JOB_ID"  # set for a worker; its children (training ranks) inherit it


def job_processes(pgid: int, job_id: str) -> list[int]:
    """The live processes of process group `pgid` that belong to job `job_id` (they carry
    HFTUI_JOB_ID in their environment). Pids are reused (pid_max is 32768 here and wraps within
    a long session), so a group id alone could name someone else's processes: only tagged ones
    count, are waited for or are signalled. Without /proc (macOS) the group is trusted."""
    try:
        entries = os.listdir("/proc")  # noqa: PTH208 - hot loop
    except OSError:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    tag = f"{JOB_ENV}={job_id}".encode()
    found: list[int] = []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:  # noqa: PTH123 - hot loop
                stat = handle.read()
            # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
            fields = stat[stat.rfind(b")") + 2 :].split()
            if len(fields) < 3 or int(fields[2]) != pgid or fields[0] == b"Z":
                continue
            if tag in _environ(name).split(b"\0"):
                found.append(int(name))
        except (OSError, ValueError):
            continue  # it ended while we looked, or it is not ours to read
    return found


def _environ(pid: str) -> bytes:
    """The environment of process `pid`. While a process execs (a shell starting `sleep`, a worker
    starting a rank) its environ reads empty for an instant: read again rather than count it out,
    or a group that is still alive looks gone and its slot is freed early."""
    data = b""
    for attempt in range(5):
        with open(f"/proc/{pid}/environ", "rb") as handle:  # noqa: PTH123 - hot loop
            data = handle.read()
        if data:
            break
        time.sleep(0.002 * (attempt + 1))
    return data


def group_alive(pgid: int, job_id: str) -> bool:
    """True while a process of job `job_id` lives in group `pgid` (zombies do not count)."""
    return bool(job_processes(pgid, job_id))


def signal_group(pid: int, sig: signal.Signals, job_id: str) -> None:
    """Signal what is left of a job: the processes of its worker's group (the worker started its
    own session, so the group id is the worker's pid) that carry the job's id."""
    for member in job_processes(pid, job_id):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(member, sig)
