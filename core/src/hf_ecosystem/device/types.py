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
class GpuUse:
    """What one process holds on one GPU (memory None when the driver does not say)."""

    index: int
    memory_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class ProcessInfo:
    """One process worth showing: who runs it, its load, what it holds on which GPU, its job."""

    pid: int
    name: str
    command: str = ""  # the full command line; '' when it cannot be read
    user: str | None = None  # None when the process cannot be seen (another pid namespace)
    uid: int | None = None
    started_at: float | None = None  # epoch seconds: tells this process from a reused pid
    cpu_percent: float | None = None  # None on the first reading: psutil measures between two
    rss_bytes: int | None = None
    gpus: tuple[GpuUse, ...] = ()
    job_id: str | None = None  # the hf-tui job it belongs to (HFTUI_JOB_ID in its environment)

    @property
    def gpu_memory_bytes(self) -> int | None:
        """GPU memory over all its GPUs, or None when no GPU reports any."""
        known = [use.memory_bytes for use in self.gpus if use.memory_bytes is not None]
        return sum(known) if known else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        data = asdict(self)
        data["gpu_memory_bytes"] = self.gpu_memory_bytes
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProcessInfo:
        """Read what `to_dict` wrote (fields it lacks take their defaults)."""
        gpus = tuple(GpuUse(int(g["index"]), g.get("memory_bytes")) for g in data.get("gpus", ()))
        return cls(
            pid=int(data["pid"]),
            name=str(data.get("name", "")),
            command=str(data.get("command", "")),
            user=data.get("user"),
            uid=data.get("uid"),
            started_at=data.get("started_at"),
            cpu_percent=data.get("cpu_percent"),
            rss_bytes=data.get("rss_bytes"),
            gpus=gpus,
            job_id=data.get("job_id"),
        )


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
