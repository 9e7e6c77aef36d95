"""A stand-in for NVML fed with fixed readings: pass `FakeNvml([...])` wherever core takes an
`NvmlBackend` (`read_gpus`, `snapshot`, the Device screen) to test without a GPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from hf_ecosystem.device.nvml import ProcessUsage

T = TypeVar("T")


@dataclass
class FakeGpu:
    """Readings for one fake GPU; a value that is an exception is raised when read."""

    name: str | BaseException = "NVIDIA H200"
    memory_total_bytes: int = 141 * 1024**3
    memory_used_bytes: int = 0
    uuid: str | BaseException = "GPU-00000000-0000-0000-0000-000000000000"
    utilization_percent: float | BaseException = 0.0
    temperature_c: float | BaseException = 30.0
    power_mw: float | BaseException = 100_000.0
    power_limit_mw: float | BaseException = 700_000.0
    compute_capability: tuple[int, int] | BaseException = (9, 0)
    processes: Sequence[ProcessUsage] = ()


@dataclass
class FakeNvml:
    """An NVML stand-in fed with fixed readings (an `NvmlBackend`)."""

    gpus: list[FakeGpu] = field(default_factory=list)
    driver: str = "550.54.15"
    cuda: int = 12040
    init_error: BaseException | None = None
    calls: int = 0  # every NVML call, so tests can check that polls do not pile up

    def _get(self, value: T | BaseException) -> T:
        self.calls += 1
        if isinstance(value, BaseException):
            raise value
        return value

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
        return self._get((handle.memory_total_bytes, handle.memory_used_bytes))

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
