"""What this machine has and how busy it is: CPU, RAM, swap and GPUs, as one plain snapshot."""

from __future__ import annotations

import functools
import os
import platform
import sys
from pathlib import Path

import psutil

from hf_ecosystem.device.nvml import NvmlBackend, read_gpus
from hf_ecosystem.device.types import (
    Accelerator,
    CpuSnapshot,
    DeviceSnapshot,
    GpuSnapshot,
    MemorySnapshot,
)


@functools.cache
def cpu_model() -> str:
    """The CPU's marketing name from /proc/cpuinfo, else what the platform module says."""
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass  # not Linux, or /proc hidden: fall through to the platform module
    return platform.processor() or platform.machine() or "unknown CPU"


def read_cpu(sample_seconds: float = 0.0) -> CpuSnapshot:
    """CPU model, core counts and per-core load (over `sample_seconds`, or since the last call)."""
    # With no sample psutil measures since its previous call in this process (one shared
    # baseline), so the very first call reads all zeros: a poller gets real numbers from its
    # second poll on; a one-off caller should pass a short sample (0.2 s).
    per_core = psutil.cpu_percent(percpu=True, interval=sample_seconds or None)
    try:
        load = psutil.getloadavg()
    except (OSError, AttributeError):
        load = None
    return CpuSnapshot(
        model=cpu_model(),
        logical_cores=psutil.cpu_count(logical=True) or os.cpu_count() or 1,
        physical_cores=psutil.cpu_count(logical=False),
        per_core_percent=tuple(float(p) for p in per_core),
        load_average=(load[0], load[1], load[2]) if load else None,
    )


def read_memory() -> MemorySnapshot:
    """RAM and swap in bytes."""
    ram = psutil.virtual_memory()
    swap = psutil.swap_memory()
    return MemorySnapshot(
        total_bytes=ram.total,
        available_bytes=ram.available,
        used_bytes=ram.total - ram.available,  # what programs hold, as free(1) counts
        swap_total_bytes=swap.total,
        swap_used_bytes=swap.used,
    )


def detect_accelerator(gpus: tuple[GpuSnapshot, ...]) -> Accelerator:
    """'cuda' when NVML sees a GPU, 'mps' on Apple silicon, else 'cpu' (without importing torch)."""
    if gpus:
        return "cuda"
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return "mps"
    return "cpu"


def snapshot(nvml: NvmlBackend | None = None, *, cpu_sample_seconds: float = 0.0) -> DeviceSnapshot:
    """The whole machine now (the first per-core load reads zero unless sampled: see read_cpu)."""
    readings = read_gpus(nvml)
    return DeviceSnapshot(
        cpu=read_cpu(cpu_sample_seconds),
        memory=read_memory(),
        gpus=readings.gpus,
        accelerator=detect_accelerator(readings.gpus),
        driver_version=readings.driver_version,
        cuda_driver_version=readings.cuda_version,
        nvml_error=readings.error,
    )


CPU_ONLY_TEXT = (
    "CPU only: models run on the CPU, with no fp16/bf16 speed-up; expect slow inference, "
    "and slow training of anything but small models."
)


def describe_accelerator(snap: DeviceSnapshot) -> str:
    """A short plain-language account of what this machine can run and at which precision."""
    if snap.accelerator == "mps":
        return (
            "Apple GPU (MPS): PyTorch runs models on the Apple GPU with fp16; bf16 depends on "
            "the macOS and PyTorch versions, and some operations fall back to the CPU."
        )
    if snap.accelerator != "cuda" or not snap.gpus:
        return CPU_ONLY_TEXT
    capabilities = [g.compute_capability for g in snap.gpus if g.compute_capability is not None]
    lowest = min(capabilities) if capabilities else None
    if lowest is None:
        precision = "compute capability unknown: fp16 mixed precision is the safe choice"
    elif lowest >= (8, 0):
        precision = (
            f"compute capability {lowest[0]}.{lowest[1]}: bf16 and fp16 mixed precision supported"
        )
    else:
        precision = (
            f"compute capability {lowest[0]}.{lowest[1]}: fp16 mixed precision; "
            "no bf16 (needs 8.0+)"
        )
    count = len(snap.gpus)
    spread = "; accelerate launch can spread training over them" if count > 1 else ""
    return f"CUDA: {count} NVIDIA GPU{'s' if count > 1 else ''}, {precision}{spread}."
