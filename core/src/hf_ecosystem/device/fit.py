"""Where a job of a given size fits on this machine: the GPU with the most free memory, CPU RAM."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from hf_ecosystem.device.activations import MIB

if TYPE_CHECKING:
    from hf_ecosystem.device.types import DeviceSnapshot

GIB = 1024**3
# The CUDA context and allocator slack live outside max_memory_allocated; keep this much free.
GPU_RESERVE = 512 * MIB


@dataclass(frozen=True, slots=True)
class FitVerdict:
    """Where a job of `needed_bytes` fits on this machine: a GPU, CPU RAM, or nowhere."""

    kind: Literal["gpu", "cpu", "none"]
    gpu_index: int | None
    needed_bytes: int
    available_bytes: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return asdict(self)


def _gib(value: float) -> str:
    return f"{value / GIB:.1f}"


def fit_verdict(needed_bytes: int, snapshot: DeviceSnapshot) -> FitVerdict:
    """Whether `needed_bytes` fits on the GPU with the most free memory, else in CPU RAM."""
    gpus = sorted(snapshot.gpus, key=lambda g: (-g.memory_free_bytes, g.index))
    ram = snapshot.memory.available_bytes
    if gpus and needed_bytes + GPU_RESERVE <= gpus[0].memory_free_bytes:
        gpu = gpus[0]
        name = gpu.name.removeprefix("NVIDIA ").strip() or "GPU"
        text = (
            f"fits on GPU {gpu.index} ({name}: {_gib(gpu.memory_free_bytes)} of "
            f"{_gib(gpu.memory_total_bytes)} GiB free)"
        )
        return FitVerdict("gpu", gpu.index, needed_bytes, gpu.memory_free_bytes, text)
    if needed_bytes <= ram:
        text = f"fits in CPU RAM ({_gib(ram)} of {_gib(snapshot.memory.total_bytes)} GiB available)"
        if gpus:
            text += f"; largest GPU has {_gib(gpus[0].memory_free_bytes)} GiB free"
        return FitVerdict("cpu", None, needed_bytes, ram, text)
    gpu_part = f"largest GPU has {_gib(gpus[0].memory_free_bytes)} free" if gpus else "no GPU"
    text = f"does not fit: needs {_gib(needed_bytes)} GiB, {gpu_part}, RAM {_gib(ram)} available"
    best = max([ram, *(g.memory_free_bytes for g in gpus)])
    return FitVerdict("none", None, needed_bytes, best, text)
