"""Device inventory against a fake NVML: readings, missing readings, no driver, history."""

from __future__ import annotations

import json
import os
import threading
import time

import psutil
import pynvml
import pytest

from fakes.nvml import FakeGpu, FakeNvml
from hf_ecosystem.device import inventory, nvml, snapshot
from hf_ecosystem.device.history import DeviceHistory
from hf_ecosystem.device.inventory import describe_accelerator
from hf_ecosystem.device.nvml import PynvmlBackend, read_gpus
from hf_ecosystem.device.types import GIB, CpuSnapshot, DeviceSnapshot, GpuSnapshot, MemorySnapshot

TIMES = "\N{MULTIPLICATION SIGN}"
GONE_PID = 99_999_999  # above Linux's pid_max, so never a live process


def two_h200s() -> FakeNvml:
    return FakeNvml(
        [
            FakeGpu(
                memory_used_bytes=6 * GIB,
                utilization_percent=35.0,
                temperature_c=41.0,
                power_mw=250_500.0,
                processes=[(os.getpid(), 4 * GIB), (GONE_PID, 2 * GIB), (os.getpid(), None)],
            ),
            FakeGpu(
                uuid="GPU-1",
                memory_used_bytes=6 * GIB,
                utilization_percent=pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED),
                power_mw=pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED),
                processes=[(GONE_PID, None)],
            ),
        ]
    )


def machine(*gpus: GpuSnapshot, accelerator: str = "cuda") -> DeviceSnapshot:
    return DeviceSnapshot(
        cpu=CpuSnapshot("Test CPU", 4),
        memory=MemorySnapshot(16 * GIB, 8 * GIB, 8 * GIB),
        gpus=gpus,
        accelerator=accelerator,  # type: ignore[arg-type]
    )


def test_two_gpus_with_processes() -> None:
    readings = read_gpus(two_h200s())
    assert readings.error is None
    assert (readings.driver_version, readings.cuda_version) == ("550.54.15", "12.4")
    first, second = readings.gpus
    assert (first.index, first.name, first.memory_total_bytes) == (0, "NVIDIA H200", 141 * GIB)
    assert first.memory_used_bytes == 6 * GIB
    assert first.utilization_percent == 35.0
    assert first.temperature_c == 41.0
    assert first.power_watts == pytest.approx(250.5)  # NVML reports milliwatts
    assert first.power_limit_watts == pytest.approx(700.0)
    assert first.compute_capability == (9, 0) and first.supports_bf16
    # one row per pid, biggest first; names come from psutil, a vanished pid keeps its number
    assert [(p.pid, p.used_memory_bytes) for p in first.processes] == [
        (os.getpid(), 4 * GIB),
        (GONE_PID, 2 * GIB),
    ]
    assert first.processes[0].name == psutil.Process().name()
    assert first.processes[1].name == f"pid {GONE_PID}"
    assert second.uuid == "GPU-1"
    assert second.processes[0].used_memory_bytes is None


def test_a_refused_reading_becomes_none_not_an_error() -> None:
    _, second = read_gpus(two_h200s()).gpus
    assert second.utilization_percent is None
    assert second.power_watts is None
    assert second.power_limit_watts == pytest.approx(700.0)  # the other readings survive
    assert second.temperature_c == 30.0


class NoMemoryInfo(FakeNvml):
    def memory(self, handle: FakeGpu) -> tuple[int, int]:
        raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)


def test_unreadable_name_and_memory_still_list_the_gpu() -> None:
    (gpu,) = read_gpus(
        NoMemoryInfo([FakeGpu(name=pynvml.NVMLError(pynvml.NVML_ERROR_UNKNOWN))])
    ).gpus
    assert (gpu.name, gpu.memory_total_bytes, gpu.memory_used_bytes) == ("GPU 0", 0, 0)


def test_a_lost_gpu_is_skipped_and_named_in_the_error() -> None:
    fake = two_h200s()
    real_handle = fake.handle

    def handle(index: int) -> FakeGpu:
        if index == 1:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_GPU_IS_LOST)
        return real_handle(index)

    fake.handle = handle  # type: ignore[method-assign]
    readings = read_gpus(fake)
    assert [g.index for g in readings.gpus] == [0]
    assert readings.error is not None and readings.error.startswith("GPU 1:")


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND), "no NVIDIA driver found"),
        (pynvml.NVMLError(pynvml.NVML_ERROR_DRIVER_NOT_LOADED), "driver is not loaded"),
        (ImportError("No module named 'pynvml'"), "nvidia-ml-py is not installed"),
        (pynvml.NVMLError(pynvml.NVML_ERROR_UNKNOWN), "NVML unavailable: Unknown Error"),
    ],
)
def test_no_nvml_means_cpu_only_with_a_reason(failure: BaseException, reason: str) -> None:
    snap = snapshot(FakeNvml(two_h200s().gpus, init_error=failure))
    assert snap.gpus == ()
    assert snap.accelerator == "cpu"
    assert snap.nvml_error is not None and reason in snap.nvml_error
    assert snap.summary() == "CPU only"
    assert describe_accelerator(snap).startswith("CPU only: models run on the CPU")


def test_real_backend_inits_once_and_keeps_its_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def failing_init() -> None:
        calls.append(1)
        raise pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND)

    monkeypatch.setattr(pynvml, "nvmlInit", failing_init)
    backend = PynvmlBackend()
    for _ in range(3):
        assert "no NVIDIA driver found" in (read_gpus(backend).error or "")
    assert len(calls) == 1


def test_real_backend_init_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def slow_init() -> None:
        calls.append(1)
        time.sleep(0.05)  # widen the race window

    monkeypatch.setattr(pynvml, "nvmlInit", slow_init)
    backend = PynvmlBackend()
    threads = [threading.Thread(target=backend.init) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1


def test_default_backend_on_this_machine_never_raises() -> None:
    readings = read_gpus()
    assert nvml.default_backend() is nvml.default_backend()
    assert readings.gpus or readings.error  # no GPU here: a reason instead of an exception


def test_snapshot_with_gpus() -> None:
    snap = snapshot(two_h200s())
    assert snap.accelerator == "cuda"
    assert (snap.driver_version, snap.cuda_driver_version) == ("550.54.15", "12.4")
    assert snap.summary() == f"2{TIMES} H200 · 12/282 GiB"
    assert snap.nvml_error is None
    assert len(snap.cpu.per_core_percent) == psutil.cpu_count()
    assert snap.memory.total_bytes == psutil.virtual_memory().total


def test_to_dict_is_json_serialisable() -> None:
    snap = snapshot(two_h200s())
    data = json.loads(json.dumps(snap.to_dict()))
    assert data["summary"] == f"2{TIMES} H200 · 12/282 GiB"
    assert data["gpus"][0]["memory_free_bytes"] == 135 * GIB
    assert data["gpus"][0]["compute_capability"] == [9, 0]
    assert data["gpus"][1]["utilization_percent"] is None
    assert data["gpus"][0]["processes"][0]["pid"] == os.getpid()


def test_cuda_version_text() -> None:
    assert nvml.cuda_version_text(12040) == "12.4"
    assert nvml.cuda_version_text(11080) == "11.8"


def test_describe_accelerator() -> None:
    hopper = GpuSnapshot(0, "NVIDIA H200", 141 * GIB, 0, compute_capability=(9, 0))
    turing = GpuSnapshot(1, "Tesla T4", 15 * GIB, 0, compute_capability=(7, 5))
    unknown = GpuSnapshot(0, "NVIDIA H200", 141 * GIB, 0)
    assert "bf16 and fp16" in describe_accelerator(machine(hopper))
    mixed = describe_accelerator(machine(hopper, turing))
    assert "compute capability 7.5" in mixed and "no bf16" in mixed  # the weakest GPU decides
    assert "accelerate launch" in mixed
    assert "fp16 mixed precision is the safe choice" in describe_accelerator(machine(unknown))
    assert describe_accelerator(machine(accelerator="cpu")).startswith("CPU only")
    assert "Apple GPU (MPS)" in describe_accelerator(machine(accelerator="mps"))


def test_apple_silicon_is_mps_without_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inventory.sys, "platform", "darwin")
    monkeypatch.setattr(inventory.platform, "machine", lambda: "arm64")
    assert inventory.detect_accelerator(()) == "mps"
    monkeypatch.setattr(inventory.platform, "machine", lambda: "x86_64")
    assert inventory.detect_accelerator(()) == "cpu"


def test_cpu_reading_matches_psutil() -> None:
    cpu = inventory.read_cpu(0.05)
    assert cpu.model and cpu.model == inventory.cpu_model()
    assert cpu.logical_cores == psutil.cpu_count() == len(cpu.per_core_percent)
    assert cpu.physical_cores == psutil.cpu_count(logical=False)
    assert all(0.0 <= p <= 100.0 for p in cpu.per_core_percent)
    assert cpu.load_average is not None and len(cpu.load_average) == 3


def test_history_is_a_ring_buffer_per_gpu() -> None:
    history = DeviceHistory(size=3)
    for step in range(5):
        util = None if step == 3 else float(step * 10)
        history.add(
            machine(
                GpuSnapshot(
                    0,
                    "A",
                    100,
                    step * 10,
                    utilization_percent=util,
                    power_watts=70.0 * step,
                    power_limit_watts=700.0,
                ),
                GpuSnapshot(1, "B", 0, 0, utilization_percent=50.0, power_watts=80.0),
            )
        )
    assert history.utilization(0) == (20.0, None, 40.0)
    assert history.memory(0) == (20.0, 30.0, 40.0)
    assert history.power(0) == (20.0, 30.0, 40.0)  # watts as a share of the limit
    assert history.memory(1) == (None, None, None)  # unknown total: no percentage
    assert history.power(1) == (None, None, None)  # no limit: no share
    history.add(machine(GpuSnapshot(1, "B", 100, 50, utilization_percent=60.0)))
    assert history.utilization(0) == ()  # GPU 0 went away: its history too
    assert history.power(0) == () and history.memory(0) == ()
    assert history.utilization(1) == (50.0, 50.0, 60.0)


def test_history_keeps_cpu_and_ram_for_cpu_only_machines() -> None:
    history = DeviceHistory(size=2)
    for busy in (10.0, 30.0, 50.0):
        history.add(
            DeviceSnapshot(
                cpu=CpuSnapshot("Test CPU", 2, per_core_percent=(busy, busy + 20)),
                memory=MemorySnapshot(16 * GIB, 12 * GIB, int(busy / 100 * 16 * GIB)),
            )
        )
    assert history.cpu() == (40.0, 60.0)  # the mean over cores, last two readings
    assert history.ram() == pytest.approx((30.0, 50.0))
    history.add(DeviceSnapshot(cpu=CpuSnapshot("x", 1), memory=MemorySnapshot(0, 0, 0)))
    assert history.cpu()[-1] is None and history.ram()[-1] is None  # no readings: gaps
    with pytest.raises(ValueError, match="at least 1"):
        DeviceHistory(size=0)
