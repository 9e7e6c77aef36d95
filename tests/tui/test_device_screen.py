"""The Device screen: GPU panels from a fake NVML, CPU-only machines, polls that never pile up."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pynvml
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

import hf_tui
from fakes.nvml import FakeGpu, FakeNvml
from helpers import wait_until
from hf_ecosystem.device import snapshot
from hf_ecosystem.device.nvml import read_gpus
from hf_ecosystem.device.types import (
    GIB,
    CpuSnapshot,
    DeviceSnapshot,
    GpuProcess,
    GpuSnapshot,
    MemorySnapshot,
)
from hf_tui.screens.device import DeviceScreen
from hf_tui.widgets.gpu_panel import GpuPanel


class Host(App[None]):
    """A bare app, with the real app's stylesheet, that shows only the screen under test."""

    CSS_PATH = str(Path(hf_tui.__file__).parent / "app.tcss")

    def __init__(self, screen: DeviceScreen) -> None:
        super().__init__()
        self.device_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.device_screen)


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


async def test_gpu_panels_show_names_processes_and_updates() -> None:
    fake = fake_gpus()
    screen = DeviceScreen(interval=0.05, nvml=fake)
    messages: list[Message] = []
    async with Host(screen).run_test(size=(120, 50), message_hook=messages.append) as pilot:
        await wait_until(pilot, lambda: screen.polls >= 1)
        first, second = screen.query(GpuPanel)
        assert first.border_title == "GPU 0 · NVIDIA H200"
        assert second.border_title == "GPU 1 · NVIDIA A100-SXM4-80GB"
        processes = text(first.query_one(".gpu-processes", Static))
        assert psutil.Process().name()[:24] in processes and "5.0 GiB" in processes
        assert "util 35%" in text(first.query_one(".gpu-stats", Static))
        assert "util —" in text(second.query_one(".gpu-stats", Static))  # NotSupported
        summary = text(screen.query_one("#device-summary", Static))
        assert "CUDA · 2\N{MULTIPLICATION SIGN} GPU · 7/221 GiB · driver 550.54.15" in summary
        assert "bf16" in summary
        assert not screen.query_one("#no-gpu").display

        fake.gpus[0].utilization_percent = 77.0
        fake.gpus[0].processes = []
        await wait_until(pilot, lambda: "util 77%" in text(first.query_one(".gpu-stats", Static)))
        processes_of_first = first.query_one(".gpu-processes", Static)
        await wait_until(pilot, lambda: "no processes" in text(processes_of_first))
        assert screen.history.utilization(0)[-1] == 77.0
        assert len(screen.history.utilization(0)) == screen.polls
    assert errors_in(messages) == []


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


def fixed_machine() -> DeviceSnapshot:
    """A deterministic machine: 16 cores, 2 GPUs with processes, fixed time."""
    h200 = GpuSnapshot(
        0,
        "NVIDIA H200",
        141 * GIB,
        40 * GIB,
        uuid="GPU-0",
        utilization_percent=87.0,
        temperature_c=64.0,
        power_watts=512.0,
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


def test_snapshot_device_screen(snap_compare: Callable[..., bool]) -> None:
    screen = DeviceScreen(interval=3600, sampler=fixed_machine)

    async def first_reading(pilot: Any) -> None:
        await wait_until(pilot, lambda: screen.polls >= 1)
        await pilot.pause()

    assert snap_compare(Host(screen), terminal_size=(120, 40), run_before=first_reading)
