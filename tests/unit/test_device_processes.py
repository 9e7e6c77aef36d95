"""The process collector and safe stop against real child processes and the real /proc."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import psutil
import pytest

from fakes.children import NOBODY, Children
from fakes.nvml import FakeGpu, FakeNvml
from hf_ecosystem.device import snapshot
from hf_ecosystem.device.processes import (
    ProcessKillError,
    ProcessReader,
    kill_refusal,
    send_signal,
    sort_processes,
    wait_gone,
)
from hf_ecosystem.device.types import GIB, GpuUse, ProcessInfo
from hf_ecosystem.jobs.manager import JOB_ENV

GONE_PID = 99_999_999  # above Linux's pid_max, so never a live process
as_root = pytest.mark.skipif(os.getuid() != 0, reason="starting another user's process needs root")


@pytest.fixture
def children() -> Iterator[Children]:
    spawned = Children()
    yield spawned
    spawned.close()


def by_pid(processes: tuple[ProcessInfo, ...]) -> dict[int, ProcessInfo]:
    return {p.pid: p for p in processes}


def test_a_job_process_is_listed_with_its_job_id_user_and_load(children: Children) -> None:
    job = children.spawn(["sleep", "120"], env={JOB_ENV: "261204-120000-abc123"})
    plain = children.spawn(["sleep", "121"])
    reader = ProcessReader(JOB_ENV)
    first = by_pid(reader.read())
    info = first[job.pid]
    assert info.job_id == "261204-120000-abc123"
    assert info.command == "sleep 120" and info.name == "sleep"
    assert (info.uid, info.user) == (os.getuid(), psutil.Process().username())
    assert info.started_at == psutil.Process(job.pid).create_time()
    assert info.rss_bytes is not None and info.rss_bytes > 0
    assert info.cpu_percent is None  # one look cannot measure CPU: psutil needs two
    assert first.get(plain.pid) is None or first[plain.pid].job_id is None
    second = by_pid(reader.read())
    cpu = second[job.pid].cpu_percent
    assert cpu is not None and cpu >= 0.0


def test_without_a_tag_name_no_job_is_read(children: Children) -> None:
    job = children.spawn(["sleep", "120"], env={JOB_ENV: "job-1"})
    found = by_pid(ProcessReader(top=10_000).read())
    assert found[job.pid].job_id is None


def test_a_cpu_only_box_lists_this_users_busiest_and_every_job(children: Children) -> None:
    jobs = [children.spawn(["sleep", "120"], env={JOB_ENV: f"job-{i}"}) for i in range(3)]
    found = ProcessReader(JOB_ENV, top=2).read()
    assert {p.pid for p in jobs} <= {p.pid for p in found}  # jobs are listed beyond the top
    assert len([p for p in found if p.job_id is None]) == 2
    assert all(p.uid == os.getuid() for p in found)


def test_gpu_processes_from_nvml_are_joined_with_proc(children: Children) -> None:
    trainer = children.spawn(["sleep", "120"], env={JOB_ENV: "job-gpu"})
    viewer = children.spawn(["sleep", "122"])
    idle_job = children.spawn(["sleep", "123"], env={JOB_ENV: "job-cpu"})
    h200, a100 = FakeGpu(), FakeGpu(name="NVIDIA A100")
    h200.run_on(trainer.pid, 30 * GIB)
    a100.run_on(trainer.pid, 10 * GIB)
    a100.run_on(viewer.pid, None)
    a100.run_on(GONE_PID, 2 * GIB)
    snap = snapshot(FakeNvml([h200, a100]))
    found = by_pid(ProcessReader(JOB_ENV).read(snap.gpus))
    assert found[trainer.pid].gpus == (GpuUse(0, 30 * GIB), GpuUse(1, 10 * GIB))
    assert found[trainer.pid].gpu_memory_bytes == 40 * GIB
    assert found[trainer.pid].job_id == "job-gpu"
    assert found[viewer.pid].gpus == (GpuUse(1, None),)
    assert found[viewer.pid].gpu_memory_bytes is None
    gone = found[GONE_PID]  # listed by the driver, invisible here (another pid namespace)
    assert (gone.name, gone.user, gone.started_at, gone.gpu_memory_bytes) == (
        f"pid {GONE_PID}",
        None,
        None,
        2 * GIB,
    )
    assert found[idle_job.pid].gpus == ()  # a job's process is listed even off the GPUs
    assert os.getpid() not in found  # a GPU box lists GPU users and jobs, not everything ours


def test_an_ended_process_is_forgotten_and_a_zombie_is_not_listed(children: Children) -> None:
    job = children.spawn(["sleep", "120"], env={JOB_ENV: "job-z"})
    reader = ProcessReader(JOB_ENV)
    assert job.pid in by_pid(reader.read())
    job.kill()
    deadline = time.monotonic() + 5
    while psutil.Process(job.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert job.pid not in by_pid(reader.read())  # exited, not yet reaped: not a process to show
    job.wait()
    assert job.pid not in by_pid(reader.read())


def test_sorting() -> None:
    a = ProcessInfo(10, "a", "zeta", "bob", cpu_percent=5.0, rss_bytes=3, gpus=(GpuUse(0, 1),))
    b = ProcessInfo(20, "b", "alpha", "amy", cpu_percent=50.0, rss_bytes=1)
    c = ProcessInfo(5, "c", "", "cat", cpu_percent=None, rss_bytes=9, gpus=(GpuUse(0, 8),))
    pids = lambda key, **kw: [p.pid for p in sort_processes([a, b, c], key, **kw)]  # noqa: E731
    assert pids("gpu_memory") == [5, 10, 20]
    assert pids("cpu") == [20, 10, 5]
    assert pids("rss") == [5, 10, 20]
    assert pids("pid") == [5, 10, 20] and pids("pid", descending=True) == [20, 10, 5]
    assert pids("user") == [20, 10, 5]
    assert pids("command") == [20, 5, 10]  # no command line: sorted by its name ("c")


def test_process_info_round_trips_through_a_dict() -> None:
    info = ProcessInfo(
        42, "python", "python train.py", "me", 1000, 1.5, 12.0, GIB, (GpuUse(0, GIB),), "job-1"
    )
    data = info.to_dict()
    assert data["gpu_memory_bytes"] == GIB
    assert ProcessInfo.from_dict(data) == info
    assert ProcessInfo.from_dict({"pid": 7}) == ProcessInfo(7, "")


# -- stopping -----------------------------------------------------------------------------------


def live_info(pid: int) -> ProcessInfo:
    found = by_pid(ProcessReader(top=10_000).read())
    return found[pid]


def test_sigterm_stops_a_child(children: Children) -> None:
    child = children.spawn()
    info = live_info(child.pid)
    assert kill_refusal(info) is None
    send_signal(info)
    assert child.wait(timeout=5) == -signal.SIGTERM
    assert wait_gone(info, 1.0)
    with pytest.raises(ProcessKillError, match="already ended"):
        send_signal(info)


def test_a_child_that_ignores_sigterm_needs_sigkill(children: Children) -> None:
    child = children.ignoring_sigterm()
    info = live_info(child.pid)
    send_signal(info, signal.SIGTERM)
    assert not wait_gone(info, 0.3)  # still running: the UI offers SIGKILL
    assert child.poll() is None
    send_signal(info, signal.SIGKILL)
    assert wait_gone(info, 5.0)  # a zombie counts as gone, even before it is reaped
    assert child.wait(timeout=5) == -signal.SIGKILL


def test_a_reused_pid_is_not_signalled(children: Children) -> None:
    child = children.spawn()
    info = live_info(child.pid)
    assert info.started_at is not None
    older = ProcessInfo(info.pid, info.name, uid=info.uid, started_at=info.started_at - 100)
    with pytest.raises(ProcessKillError, match="already ended"):
        send_signal(older)  # same pid, another process: left alone
    assert child.poll() is None


def test_pid_1_ourselves_and_our_shell_are_refused() -> None:
    init = ProcessInfo(1, "init", uid=os.getuid(), started_at=0.0)
    refusal = kill_refusal(init)
    assert refusal is not None and "init process" in refusal.title
    with pytest.raises(ProcessKillError, match="hf-tui itself"):
        send_signal(live_info(os.getpid()))
    parent = psutil.Process().parent()
    assert parent is not None
    parent_info = ProcessInfo(parent.pid, parent.name(), uid=os.getuid(), started_at=1.0)
    refusal = kill_refusal(parent_info)
    assert refusal is not None and "shell or terminal" in refusal.title
    unseen = kill_refusal(ProcessInfo(GONE_PID, f"pid {GONE_PID}"))
    assert unseen is not None and "cannot be seen" in unseen.title


@as_root
def test_another_users_process_is_refused_even_for_root(children: Children) -> None:
    stranger = children.spawn(user=NOBODY)
    info = by_pid(ProcessReader().read(snapshot(gpu_user(stranger.pid)).gpus))[stranger.pid]
    assert info.uid == NOBODY
    refusal = kill_refusal(info)
    assert refusal is not None and refusal.title.startswith(f"pid {stranger.pid} belongs to ")
    assert "your own processes" in refusal.hint
    with pytest.raises(ProcessKillError, match="belongs to"):
        send_signal(info)
    time.sleep(0.2)
    assert stranger.poll() is None  # root could have: hf-tui did not


@as_root
def test_a_process_that_changed_hands_is_not_signalled(children: Children) -> None:
    stranger = children.spawn(user=NOBODY)
    real = by_pid(ProcessReader().read(snapshot(gpu_user(stranger.pid)).gpus))[stranger.pid]
    stale = ProcessInfo(real.pid, real.name, uid=os.getuid(), started_at=real.started_at)
    with pytest.raises(ProcessKillError, match="no longer yours"):
        send_signal(stale)
    assert stranger.poll() is None


def gpu_user(pid: int) -> FakeNvml:
    gpu = FakeGpu()
    gpu.run_on(pid, GIB)
    return FakeNvml([gpu])


@as_root
def test_a_uid_without_a_name_is_shown_and_refused_by_number(children: Children) -> None:
    nameless = 54_321  # no passwd entry: a process from another container's user table
    stranger = children.spawn(user=nameless)
    info = by_pid(ProcessReader().read(snapshot(gpu_user(stranger.pid)).gpus))[stranger.pid]
    assert (info.uid, info.user) == (nameless, None)
    refusal = kill_refusal(info)
    assert refusal is not None and refusal.title == f"pid {stranger.pid} belongs to uid {nameless}"
