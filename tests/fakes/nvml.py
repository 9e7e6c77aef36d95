"""A stand-in for NVML fed with fixed readings: pass `FakeNvml([...])` wherever core takes an
`NvmlBackend` (`read_gpus`, `snapshot`, the Device screen) to test without a GPU.

A reading may also be a `Readings` (the next value on each read, the last one repeating), so a
test can watch a history graph move; `FakeGpu.processes` lists (pid, GPU memory) pairs, which
tests point at real child processes (`run_on`) so the process table reads a real /proc."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

from hf_ecosystem.device.nvml import ProcessUsage

T = TypeVar("T")


class Readings(Generic[T]):
    """Successive readings of one sensor: each read takes the next value, the last one stays."""

    def __init__(self, *values: T | BaseException) -> None:
        if not values:
            raise ValueError("at least one reading")
        self.values = list(values)
        self.reads = 0

    def next(self) -> T | BaseException:
        value = self.values[min(self.reads, len(self.values) - 1)]
        self.reads += 1
        return value


@dataclass
class FakeGpu:
    """Readings for one fake GPU; a value that is an exception is raised when read."""

    name: str | BaseException = "NVIDIA H200"
    memory_total_bytes: int = 141 * 1024**3
    memory_used_bytes: int | Readings[int] = 0
    uuid: str | BaseException = "GPU-00000000-0000-0000-0000-000000000000"
    utilization_percent: float | BaseException | Readings[float] = 0.0
    temperature_c: float | BaseException = 30.0
    power_mw: float | BaseException | Readings[float] = 100_000.0
    power_limit_mw: float | BaseException = 700_000.0
    compute_capability: tuple[int, int] | BaseException = (9, 0)
    processes: Sequence[ProcessUsage] = ()

    def run_on(self, pid: int, memory_bytes: int | None) -> None:
        """Let process `pid` hold `memory_bytes` of this GPU (a compute process, as NVML lists)."""
        self.processes = [*self.processes, (pid, memory_bytes)]


@dataclass
class FakeNvml:
    """An NVML stand-in fed with fixed readings (an `NvmlBackend`)."""

    gpus: list[FakeGpu] = field(default_factory=list)
    driver: str = "550.54.15"
    cuda: int = 12040
    init_error: BaseException | None = None
    calls: int = 0  # every NVML call, so tests can check that polls do not pile up

    def _get(self, value: T | BaseException | Readings[T]) -> T:
        self.calls += 1
        read = cast("T | BaseException", value.next() if isinstance(value, Readings) else value)
        if isinstance(read, BaseException):
            raise read
        return read

    def init(self) -> None:
        self._get(self.init_error or None)

    def driver_version(self) -> str:
        return self._get(self.driver)

    def cuda_driver_version(self) -> int:
        return self._get(self.cuda)

    def device_count(self) -> int:
        return self._get(len(self.gpus))

    def handle(self, index: int) -> FakeGpu:
        return self._get(self.gpus[index])

    def name(self, handle: FakeGpu) -> str:
        return self._get(handle.name)

    def uuid(self, handle: FakeGpu) -> str:
        return self._get(handle.uuid)

    def memory(self, handle: FakeGpu) -> tuple[int, int]:
        used = handle.memory_used_bytes
        if isinstance(used, Readings):
            used = self._get(used)
        return self._get((handle.memory_total_bytes, used))

    def utilization(self, handle: FakeGpu) -> float:
        return self._get(handle.utilization_percent)

    def temperature(self, handle: FakeGpu) -> float:
        return self._get(handle.temperature_c)

    def power_usage_mw(self, handle: FakeGpu) -> float:
        return self._get(handle.power_mw)

    def power_limit_mw(self, handle: FakeGpu) -> float:
        return self._get(handle.power_limit_mw)

    def compute_capability(self, handle: FakeGpu) -> tuple[int, int]:
        return self._get(handle.compute_capability)

    def processes(self, handle: FakeGpu) -> Sequence[ProcessUsage]:
        return self._get(handle.processes)
