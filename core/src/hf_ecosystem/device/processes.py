"""Processes worth showing on the Device screen (GPU users, hf-tui jobs, this user's busiest)
and stopping one safely: psutil and /proc only, never torch."""

from __future__ import annotations

import os
import pwd
import signal
import time
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

import psutil

from hf_ecosystem.device.types import GpuSnapshot, GpuUse, ProcessInfo
from hf_ecosystem.errors import HfEcoError

SortKey = Literal["gpu_memory", "cpu", "rss", "pid", "user", "command"]
SORT_KEYS: tuple[SortKey, ...] = ("gpu_memory", "cpu", "rss", "pid", "user", "command")
ASCENDING: frozenset[SortKey] = frozenset({"pid", "user", "command"})  # A-Z; the rest biggest first
TOP_OWN = 15  # this user's busiest processes listed on a box without GPUs


class ProcessKillError(HfEcoError):
    """A process cannot or may not be stopped from here."""

    default_title = "Cannot stop this process"
    default_hint = "Only your own processes can be stopped here."


class ProcessReader:
    """Reads processes again and again, keeping psutil's handles so CPU % covers the time since
    the last read (psutil measures between two calls on the same handle).

    `tag_env` names the environment variable that marks a process as an hf-tui job's (the jobs
    layer owns the name and passes it in); a process's environment is read only when the
    kernel lets us (our own processes)."""

    def __init__(self, tag_env: str | None = None, *, top: int = TOP_OWN) -> None:
        self.tag_env = tag_env
        self.top = top
        self._handles: dict[int, psutil.Process] = {}
        self._users: dict[int, str | None] = {}
        self._job_ids: dict[int, str | None] = {}
        self._sampled: set[int] = set()  # pids whose CPU time has a baseline

    def read(self, gpus: Sequence[GpuSnapshot] = ()) -> tuple[ProcessInfo, ...]:
        """GPU processes, every process of an hf-tui job, and (with no GPU) this user's busiest."""
        uses: dict[int, list[GpuUse]] = {}
        for gpu in gpus:
            for proc in gpu.processes:
                uses.setdefault(proc.pid, []).append(GpuUse(gpu.index, proc.used_memory_bytes))
        own = self._own_pids()
        for pid in set(self._handles) - {*uses, *own}:
            self._forget(pid)  # ended: a reused pid starts afresh
        jobs = {pid: self._job_of(pid) for pid in own}
        tagged = [pid for pid in own if jobs[pid] and pid not in uses]
        # Load (CPU, RSS) is read only for what may be shown: on a GPU box its GPU users and
        # jobs; without GPUs everything of ours, to find the busiest.
        candidates = [*uses, *tagged, *([p for p in own if not jobs[p]] if not gpus else [])]
        loads = {pid: self._load(pid) for pid in candidates}
        chosen = [*uses, *(pid for pid in tagged if loads[pid])]
        if not gpus:
            rest = [(p, load) for p in own if not jobs[p] and (load := loads[p]) is not None]
            rest.sort(key=lambda item: (-(item[1].cpu or 0.0), -item[1].rss, item[0]))
            chosen += [pid for pid, _ in rest[: self.top]]
        return tuple(self._info(pid, tuple(uses.get(pid, ())), loads[pid]) for pid in chosen)

    def _forget(self, pid: int) -> None:
        self._handles.pop(pid, None)
        self._job_ids.pop(pid, None)
        self._sampled.discard(pid)

    def _handle(self, pid: int) -> psutil.Process:
        handle = self._handles.get(pid)
        if handle is None:
            handle = self._handles[pid] = psutil.Process(pid)
        return handle

    def _job_of(self, pid: int) -> str | None:
        """The job id in `pid`'s environment, read once per process (it does not change)."""
        if pid not in self._job_ids:
            try:
                self._job_ids[pid] = self._job_id(self._handle(pid))
            except (psutil.Error, OSError):
                return None  # ended while we looked
        return self._job_ids[pid]

    def _own_pids(self) -> list[int]:
        me = os.getuid()
        proc = os.path.isdir("/proc")  # noqa: PTH112 - checked once per read
        found: list[int] = []
        for pid in psutil.pids():
            try:
                # /proc/<pid> belongs to the process's user: a stat, not a parse of its status.
                uid = os.stat(f"/proc/{pid}").st_uid if proc else psutil.Process(pid).uids().real  # noqa: PTH116
            except (psutil.Error, OSError):
                continue  # ended while we looked
            if uid == me:
                found.append(pid)
        return found

    def _load(self, pid: int) -> _Load | None:
        """CPU %, RSS and job of a live process; None when gone, a zombie or unreadable."""
        try:
            handle = self._handle(pid)
            with handle.oneshot():
                if handle.status() == psutil.STATUS_ZOMBIE:
                    return None
                cpu = handle.cpu_percent(None)
                rss = handle.memory_info().rss
        except (psutil.Error, OSError):
            self._forget(pid)
            return None
        measured = pid in self._sampled  # psutil's first CPU reading of a handle means nothing
        self._sampled.add(pid)
        return _Load(handle, cpu if measured else None, rss, self._job_ids.get(pid))

    def _info(self, pid: int, gpus: tuple[GpuUse, ...], load: _Load | None) -> ProcessInfo:
        """Everything we can read of `pid`; an unseen one (another namespace, gone) keeps its
        pid and its GPU use."""
        if load is None:
            return ProcessInfo(pid, f"pid {pid}", gpus=gpus)
        handle = load.handle
        try:
            with handle.oneshot():
                uid = handle.uids().real
                return ProcessInfo(
                    pid=pid,
                    name=handle.name(),
                    command=_command(handle),
                    user=self._user(uid),
                    uid=uid,
                    started_at=handle.create_time(),
                    cpu_percent=load.cpu,
                    rss_bytes=load.rss,
                    gpus=gpus,
                    job_id=load.job_id,
                )
        except (psutil.Error, OSError):
            return ProcessInfo(pid, f"pid {pid}", gpus=gpus)

    def _user(self, uid: int) -> str | None:
        if uid not in self._users:  # a passwd lookup per process per read is the slow part
            try:
                self._users[uid] = pwd.getpwuid(uid).pw_name
            except KeyError:  # a uid with no name in this container
                self._users[uid] = None
        return self._users[uid]

    def _job_id(self, handle: psutil.Process) -> str | None:
        if self.tag_env is None:
            return None
        try:
            return handle.environ().get(self.tag_env) or None
        except (psutil.Error, OSError):
            return None  # another user's: its environment is not ours to read


class _Load(NamedTuple):
    handle: psutil.Process
    cpu: float | None  # None on the first look at this process
    rss: int
    job_id: str | None


def _command(handle: psutil.Process) -> str:
    try:
        return " ".join(handle.cmdline())
    except (psutil.Error, OSError):
        return ""


def _sort_value(info: ProcessInfo, key: SortKey) -> float | str:
    if key == "gpu_memory":
        return info.gpu_memory_bytes or 0
    if key == "cpu":
        return info.cpu_percent or 0.0
    if key == "rss":
        return info.rss_bytes or 0
    if key == "pid":
        return info.pid
    if key == "user":
        return info.user or ""
    return info.command or info.name


def sort_processes(
    processes: Iterable[ProcessInfo], key: SortKey, *, descending: bool | None = None
) -> list[ProcessInfo]:
    """Sorted by `key`; numbers biggest first and text A-Z unless `descending` says otherwise.
    Ties go by GPU memory, then CPU, then RSS, so the heaviest come first."""
    if descending is None:
        descending = key not in ASCENDING
    ordered = sorted(
        processes,
        key=lambda p: (
            -(p.gpu_memory_bytes or 0),
            -(p.cpu_percent or 0.0),
            -(p.rss_bytes or 0),
            p.pid,
        ),
    )
    return sorted(ordered, key=lambda p: _sort_value(p, key), reverse=descending)


# -- stopping a process ---------------------------------------------------------------------------


def _ancestors() -> set[int]:
    """Our parent, its parent, …: the shell and terminal this program runs in."""
    found: set[int] = set()
    try:
        for parent in psutil.Process().parents():
            found.add(parent.pid)
    except (psutil.Error, OSError):
        pass  # a parent ended while we looked: the rest of the chain is not ours any more
    return found


def kill_refusal(info: ProcessInfo) -> ProcessKillError | None:
    """Why `info` must not be stopped from here (pid 1, ourselves, another user's), or None."""
    pid = info.pid
    if pid <= 1:
        return ProcessKillError(
            f"pid {pid} is the system's init process",
            "Stopping it would bring down the machine (or this container).",
        )
    if pid == os.getpid():
        return ProcessKillError("That is hf-tui itself", "Quit with q instead.")
    if pid in _ancestors():
        return ProcessKillError(
            f"pid {pid} runs hf-tui (its shell or terminal)",
            "Stopping it would close this session; quit hf-tui first.",
        )
    if info.uid is None or info.started_at is None:
        return ProcessKillError(
            f"pid {pid} cannot be seen from here",
            "It ended, or it runs in another container or pid namespace.",
        )
    if info.uid != os.getuid():
        owner = info.user or f"uid {info.uid}"
        return ProcessKillError(
            f"pid {pid} belongs to {owner}",
            "Only your own processes can be stopped here; ask its owner or an administrator.",
        )
    return None


def _live(info: ProcessInfo) -> psutil.Process | None:
    """The process `info` describes, if it still runs (a reused pid is another process)."""
    try:
        handle = psutil.Process(info.pid)
        if info.started_at is not None and abs(handle.create_time() - info.started_at) > 0.01:
            return None
        if handle.status() == psutil.STATUS_ZOMBIE:
            return None
        return handle
    except (psutil.Error, OSError):
        return None


def send_signal(info: ProcessInfo, sig: signal.Signals = signal.SIGTERM) -> None:
    """Send `sig` to the process `info` describes, after the checks of `kill_refusal` (made
    again on the live process: its owner may have changed since it was listed)."""
    refusal = kill_refusal(info)
    if refusal is not None:
        raise refusal
    handle = _live(info)
    if handle is None:
        raise ProcessKillError(f"pid {info.pid} has already ended", "Nothing to stop.")
    try:
        if handle.uids().real != os.getuid():
            raise ProcessKillError(f"pid {info.pid} is no longer yours", "It was not stopped.")
        handle.send_signal(sig)
    except psutil.NoSuchProcess:
        raise ProcessKillError(f"pid {info.pid} has already ended", "Nothing to stop.") from None
    except psutil.AccessDenied:
        raise ProcessKillError(
            f"No permission to signal pid {info.pid}",
            "The system refused: it may be protected or run as another user.",
        ) from None


def wait_gone(info: ProcessInfo, timeout: float, *, poll: float = 0.05) -> bool:
    """True once the process `info` describes has ended (a zombie counts), within `timeout`."""
    deadline = time.monotonic() + timeout
    while _live(info) is not None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)
    return True
