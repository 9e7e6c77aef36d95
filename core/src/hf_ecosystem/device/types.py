"""Plain snapshots of the machine: CPU, RAM, GPUs — what crosses from core to UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

GIB = 1024**3
Accelerator = Literal["cuda", "mps", "cpu"]


@dataclass(frozen=True, slots=True)
class GpuProcess:
    """A process using a GPU, with its GPU memory when the driver reports it."""

    pid: int
    name: str
    used_memory_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class GpuSnapshot:
    """One GPU at one moment; readings the driver does not give are None."""

    index: int
    name: str
    memory_total_bytes: int
    memory_used_bytes: int
    uuid: str | None = None
    utilization_percent: float | None = None
    temperature_c: float | None = None
    power_watts: float | None = None
    power_limit_watts: float | None = None
    compute_capability: tuple[int, int] | None = None
    processes: tuple[GpuProcess, ...] = ()

    @property
    def memory_free_bytes(self) -> int:
        """Total minus used."""
        return max(self.memory_total_bytes - self.memory_used_bytes, 0)

    @property
    def supports_bf16(self) -> bool:
        """bf16 needs compute capability 8.0 (Ampere) or newer."""
        return self.compute_capability is not None and self.compute_capability >= (8, 0)


@dataclass(frozen=True, slots=True)
class CpuSnapshot:
    """CPU model, core counts and load."""

    model: str
    logical_cores: int
    physical_cores: int | None = None
    per_core_percent: tuple[float, ...] = ()
    load_average: tuple[float, float, float] | None = None


@dataclass(frozen=True, slots=True)
class MemorySnapshot:
    """RAM and swap in bytes."""

    total_bytes: int
    available_bytes: int
    used_bytes: int
    swap_total_bytes: int = 0
    swap_used_bytes: int = 0


@dataclass(frozen=True, slots=True)
class DeviceSnapshot:
    """The whole machine at one moment."""

    cpu: CpuSnapshot
    memory: MemorySnapshot
    gpus: tuple[GpuSnapshot, ...] = ()
    accelerator: Accelerator = "cpu"
    driver_version: str | None = None
    cuda_driver_version: str | None = None
    nvml_error: str | None = None
    taken_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def summary(self) -> str:
        """One line for the header, e.g. '1× H200 · 12/141 GiB' or 'CPU only'."""
        if not self.gpus:
            return "Apple GPU (MPS)" if self.accelerator == "mps" else "CPU only"
        names = {g.name.removeprefix("NVIDIA ").split()[0] for g in self.gpus}
        name = names.pop() if len(names) == 1 else "GPU"
        used = sum(g.memory_used_bytes for g in self.gpus) / GIB
        total = sum(g.memory_total_bytes for g in self.gpus) / GIB
        return f"{len(self.gpus)}× {name} · {used:.0f}/{total:.0f} GiB"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        data = asdict(self)
        data["taken_at"] = self.taken_at.isoformat()
        data["summary"] = self.summary()
        for gpu, raw in zip(self.gpus, data["gpus"], strict=True):
            raw["memory_free_bytes"] = gpu.memory_free_bytes
        return data
