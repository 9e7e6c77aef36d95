"""The Device screen: GPU panels from a fake NVML, CPU-only machines, polls that never pile up."""

from __future__ import annotations

import os
import pwd
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pynvml
import pytest
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

import hf_tui
from fakes.children import Children
from fakes.nvml import FakeGpu, FakeNvml, Readings
from helpers import wait_until
from hf_ecosystem.device import snapshot
from hf_ecosystem.device.nvml import read_gpus
from hf_ecosystem.device.types import (
    GIB,
    CpuSnapshot,
    DeviceSnapshot,
    GpuProcess,
    GpuSnapshot,
    GpuUse,
    MemorySnapshot,
    ProcessInfo,
)
from hf_tui.screens.device import DeviceScreen
from hf_tui.widgets.gpu_panel import GpuPanel
from hf_tui.widgets.history_graph import HistoryGraph
from hf_tui.widgets.process_panel import ProcessPanel
from hf_tui.widgets.process_table import COLUMNS, ProcessTable


class Host(App[None]):
    """A bare app, with the real app's stylesheet, that shows only the screen under test."""

    CSS_PATH = str(Path(hf_tui.__file__).parent / "app.tcss")

    def __init__(self, screen: DeviceScreen) -> None:
        super().__init__()
        self.device_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.device_screen)


@pytest.fixture
def children() -> Iterator[Children]:
    spawned = Children()
    yield spawned
    spawned.close()


def cells(table: ProcessTable, pid: int) -> dict[str, str]:
    """The row of `pid` as column key -> shown text."""
    row = table.get_row(str(pid))
    return {key: str(cell) for (key, _, _), cell in zip(COLUMNS, row, strict=True)}


def fake_gpus() -> FakeNvml:
    not_supported = pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
    h200 = FakeGpu(
        memory_used_bytes=6 * GIB, utilization_percent=35.0, processes=[(os.getpid(), 5 * GIB)]
    )
    a100 = FakeGpu(
        name="NVIDIA A100-SXM4-80GB",
        memory_total_bytes=80 * GIB,
        memory_used_bytes=1 * GIB,
        utilization_percent=not_supported,
    )
    return FakeNvml([h200, a100])


def text(widget: Static) -> str:
    return str(widget.render())


def errors_in(messages: list[Message]) -> list[BaseException | None]:
    return [
        m.worker.error
        for m in messages
        if isinstance(m, Worker.StateChanged) and m.state == WorkerState.ERROR
    ]


async def test_gpu_panels_show_names_graphs_and_updates(children: Children) -> None:
    fake = fake_gpus()
    trainer = children.spawn(["sleep", "120"])
    fake.gpus[0].run_on(trainer.pid, 5 * GIB)
    screen = DeviceScreen(interval=0.05, nvml=fake)
    messages: list[Message] = []
    async with Host(screen).run_test(size=(120, 50), message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: screen.polls >= 1)
        first, second = screen.query(GpuPanel)
        assert first.border_title == "GPU 0 · NVIDIA H200"
        assert second.border_title == "GPU 1 · NVIDIA A100-SXM4-80GB"
        table = screen.query_one(ProcessTable)
        await wait_until(pilot, lambda: trainer.pid in {p.pid for p in table.processes})
        row = cells(table, trainer.pid)
        assert (row["user"], row["gpu"], row["gpu_memory"]) == (
            pwd.getpwuid(os.getuid()).pw_name,
            "0",
            "5.0 GiB",
        )
        assert row["command"] == "sleep 120"
        assert "util 35%" in text(first.query_one(".gpu-stats", Static))
        assert "util —" in text(second.query_one(".gpu-stats", Static))  # NotSupported
        summary = text(screen.query_one("#device-summary", Static))
        assert "CUDA · 2\N{MULTIPLICATION SIGN} GPU · 7/221 GiB · driver 550.54.15" in summary
        assert "bf16" in summary
        assert not screen.query_one("#no-gpu").display
        panel = screen.query_one(ProcessPanel)
        assert str(panel.border_title).startswith("GPU processes and hf-tui jobs · ")
        assert "sorted by GPU memory ▼" in str(panel.border_title)

        fake.gpus[0].utilization_percent = 77.0
        fake.gpus[0].processes = []
        await wait_until(pilot, lambda: "util 77%" in text(first.query_one(".gpu-stats", Static)))
        await wait_until(pilot, lambda: trainer.pid not in {p.pid for p in table.processes})
        assert screen.history.utilization(0)[-1] == 77.0
        assert len(screen.history.utilization(0)) == screen.polls
    assert errors_in(messages) == []


async def test_history_graphs_follow_the_gpu_and_the_cpu() -> None:
    gpu = FakeGpu(
        memory_total_bytes=100 * GIB,
        memory_used_bytes=Readings(10 * GIB, 50 * GIB, 90 * GIB),
        utilization_percent=Readings(20.0, 60.0, 95.0),
        power_mw=Readings(70_000.0, 350_000.0, 630_000.0),
    )
    screen = DeviceScreen(interval=0.02, nvml=FakeNvml([gpu]), processes=lambda _: ())
    async with Host(screen).run_test(size=(120, 50)) as pilot:
        await wait_until(pilot, lambda: screen.polls >= 4)
        panel = screen.query_one(GpuPanel)
        util = panel.query_one(".gpu-util-history", HistoryGraph)
        memory = panel.query_one(".gpu-memory-history", HistoryGraph)
        power = panel.query_one(".gpu-power-history", HistoryGraph)
        assert util.values[:3] == (20.0, 60.0, 95.0) and util.values[-1] == 95.0
        assert memory.values[:3] == (10.0, 50.0, 90.0)
        assert power.values[:3] == (10.0, 50.0, 90.0)  # of the 700 W limit
        assert (util.latest, memory.latest, power.latest) == ("95%", "90%", "630 W")
        drawn = str(power.render())
        assert "630 W" in drawn and "█" in drawn  # a full block: the 90 % columns
        cpu = screen.query_one("#cpu-history", HistoryGraph)
        ram = screen.query_one("#ram-history", HistoryGraph)
        assert len(cpu.values) == len(ram.values) == screen.polls
        assert ram.values[-1] is not None and 0 < ram.values[-1] < 100


async def test_cpu_only_machine() -> None:
    screen = DeviceScreen(
        interval=0.05,
        nvml=FakeNvml(init_error=pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)),
    )
    async with Host(screen).run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: screen.polls >= 1)
        panel = screen.query_one("#no-gpu", Static)
        assert panel.display and panel.border_title == "CPU only"
        assert "No NVIDIA GPU (no NVIDIA driver found" in text(panel)
        summary = text(screen.query_one("#device-summary", Static))
        assert summary.startswith(f"CPU only · {os.cpu_count()} cores · ")
        assert "\nCPU only: models run on the CPU" in summary
        assert not screen.query(GpuPanel)
        assert f"{os.cpu_count()} logical" in text(screen.query_one("#cpu-line", Static))
        assert "GiB" in str(screen.query_one("#ram-bar").render())


async def test_gpus_appearing_and_disappearing_rebuild_the_panels() -> None:
    fake = fake_gpus()
    screen = DeviceScreen(interval=0.05, nvml=fake)
    async with Host(screen).run_test() as pilot:
        await wait_until(pilot, lambda: len(screen.query(GpuPanel)) == 2)
        fake.gpus.pop()
        await wait_until(pilot, lambda: len(screen.query(GpuPanel)) == 1)
        fake.gpus.clear()
        await wait_until(pilot, lambda: screen.query_one("#no-gpu").display)
        assert not screen.query(GpuPanel)


class SlowSampler:
    """Takes `seconds` per snapshot and records how many run at once."""

    def __init__(self, seconds: float, fake: FakeNvml) -> None:
        self.seconds, self.fake = seconds, fake
        self.lock = threading.Lock()
        self.running = self.most_at_once = self.calls = 0

    def __call__(self) -> DeviceSnapshot:
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(self.seconds)  # a slow NVML/driver, in the worker thread
        snap = snapshot(self.fake)
        with self.lock:
            self.running -= 1
        return snap


async def test_polls_never_pile_up_when_sampling_is_slower_than_the_interval() -> None:
    fake = fake_gpus()
    sampler = SlowSampler(0.1, fake)
    screen = DeviceScreen(interval=0.01, sampler=sampler)
    messages: list[Message] = []
    async with Host(screen).run_test(message_hook=messages.append) as pilot:
        started = time.monotonic()
        await wait_until(pilot, lambda: screen.polls >= 5)
        elapsed = time.monotonic() - started
        for _ in range(5):
            await pilot.press("r")  # impatient refreshes add no second reading in flight
        await wait_until(pilot, lambda: screen.polls >= 8)
        assert sampler.most_at_once == 1
        assert sampler.calls <= screen.polls + 1  # at most one reading in flight
        assert elapsed >= 5 * 0.1  # each poll waited for the one before
        probe = fake_gpus()
        read_gpus(probe)
        assert fake.calls <= (screen.polls + 1) * probe.calls  # NVML read once per poll, no more
    assert errors_in(messages) == []


async def test_polling_pauses_while_another_screen_is_shown() -> None:
    screen = DeviceScreen(interval=0.02, nvml=fake_gpus())
    async with Host(screen).run_test() as pilot:
        await wait_until(pilot, lambda: screen.polls >= 2)
        pilot.app.push_screen(Screen())
        await pilot.pause()
        paused_at = screen.polls
        await pilot.app.workers.wait_for_complete()  # a reading already in flight may land...
        await pilot.pause()
        assert screen.polls <= paused_at + 1
        assert not screen.is_armed("device-poll") and not screen._in_flight  # ...and no next poll
        pilot.app.pop_screen()
        await wait_until(pilot, lambda: screen.polls >= paused_at + 3)


async def test_r_refreshes_now() -> None:
    screen = DeviceScreen(interval=3600, nvml=fake_gpus())
    async with Host(screen).run_test() as pilot:
        await wait_until(pilot, lambda: screen.polls == 1)
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.polls == 2)


async def test_a_failing_reading_is_reported_once_and_polling_goes_on() -> None:
    calls: list[int] = []

    def flaky() -> DeviceSnapshot:
        calls.append(1)
        if len(calls) <= 3:
            raise RuntimeError("sensor on fire")
        return snapshot(FakeNvml())

    screen = DeviceScreen(interval=0.02, sampler=flaky)
    async with Host(screen).run_test() as pilot:
        await wait_until(pilot, lambda: screen.polls >= 1)
        notes = [n for n in pilot.app._notifications if "sensor on fire" in n.message]  # type: ignore[attr-defined]
        assert len(notes) == 1 and notes[0].severity == "error"
        assert len(calls) >= 4


def fixed_machine(util: float = 87.0, power: float = 512.0) -> DeviceSnapshot:
    """A deterministic machine: 16 cores, 2 GPUs with processes, fixed time."""
    h200 = GpuSnapshot(
        0,
        "NVIDIA H200",
        141 * GIB,
        40 * GIB,
        uuid="GPU-0",
        utilization_percent=util,
        temperature_c=64.0,
        power_watts=power,
        power_limit_watts=700.0,
        compute_capability=(9, 0),
        processes=(GpuProcess(4242, "python", 38 * GIB), GpuProcess(777, "pid 777", None)),
    )
    t4 = GpuSnapshot(1, "Tesla T4", 15 * GIB, 1 * GIB, compute_capability=(7, 5))
    return DeviceSnapshot(
        cpu=CpuSnapshot(
            "Test CPU 9000",
            16,
            8,
            per_core_percent=tuple(float(i * 6) for i in range(16)),
            load_average=(1.5, 1.25, 1.0),
        ),
        memory=MemorySnapshot(64 * GIB, 40 * GIB, 24 * GIB, 8 * GIB, 1 * GIB),
        gpus=(h200, t4),
        accelerator="cuda",
        driver_version="550.54.15",
        cuda_driver_version="12.4",
        taken_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def fixed_processes(snap: DeviceSnapshot) -> tuple[ProcessInfo, ...]:
    """What the fixed machine runs: a training job on GPU 0, a download job on the CPU, and a
    GPU process from another container (no user, no command)."""
    worker = "/opt/venv/bin/python -m hf_ecosystem.jobs.worker 260101-090000-a1b2c3"
    return (
        ProcessInfo(
            4242,
            "python",
            worker,
            "ana",
            1000,
            1.0,
            98.0,
            6 * GIB,
            (GpuUse(0, 38 * GIB),),
            "260101-090000-a1b2c3",
        ),
        ProcessInfo(777, "pid 777", gpus=(GpuUse(0, None),)),
        ProcessInfo(
            5150,
            "python",
            "/opt/venv/bin/python -m hf_ecosystem.jobs.worker 260101-091500-d4e5f6",
            "ana",
            1000,
            2.0,
            3.0,
            300 * 1024**2,
            job_id="260101-091500-d4e5f6",
        ),
    )


def test_snapshot_device_screen(snap_compare: Callable[..., bool]) -> None:
    readings = iter([(20.0, 150.0), (45.0, 300.0), (70.0, 450.0), (95.0, 690.0)])
    screen = DeviceScreen(
        interval=3600,
        sampler=lambda: fixed_machine(*next(readings, (87.0, 512.0))),
        processes=fixed_processes,
    )

    async def five_readings(pilot: Any) -> None:
        for polls in range(1, 6):
            await wait_until(pilot, lambda polls=polls: screen.polls >= polls)
            await pilot.press("r")
        await wait_until(pilot, lambda: screen.polls >= 6)
        await pilot.pause()

    assert snap_compare(Host(screen), terminal_size=(120, 50), run_before=five_readings)
