"""How the Device screen words a reading: its headline, the CPU line, the CPU-only note."""

from __future__ import annotations

from hf_ecosystem.device.types import GIB, DeviceSnapshot


def headline(snap: DeviceSnapshot) -> str:
    """The screen's first line: accelerator, GPU summary, driver and CUDA versions."""
    if snap.accelerator != "cuda":
        ram = snap.memory.total_bytes / GIB
        return f"{snap.summary()} · {snap.cpu.logical_cores} cores · {ram:.0f} GiB RAM"
    parts = ["CUDA", snap.summary()]
    if snap.driver_version:
        parts.append(f"driver {snap.driver_version}")
    if snap.cuda_driver_version:
        parts.append(f"CUDA {snap.cuda_driver_version}")
    return " · ".join(parts)


def cpu_line(snap: DeviceSnapshot) -> str:
    """'AMD EPYC 9654 · 192 logical / 96 physical cores · load 1.20 0.90 0.80 · busy 12%'."""
    cpu = snap.cpu
    cores = f"{cpu.logical_cores} logical"
    if cpu.physical_cores:
        cores += f" / {cpu.physical_cores} physical"
    parts = [cpu.model, f"{cores} cores"]
    if cpu.load_average is not None:
        parts.append("load " + " ".join(f"{v:.2f}" for v in cpu.load_average))
    if cpu.per_core_percent:
        parts.append(f"busy {sum(cpu.per_core_percent) / len(cpu.per_core_percent):.0f}%")
    return " · ".join(parts)


def no_gpu_text(snap: DeviceSnapshot) -> str:
    """What the CPU-only (or Apple GPU) panel says."""
    ram = f"{snap.memory.total_bytes / GIB:.0f} GiB RAM"
    if snap.accelerator == "mps":
        return f"The Apple GPU shares the {ram} with the CPU."
    reason = snap.nvml_error or "NVML sees no GPU"
    return (
        f"No NVIDIA GPU ({reason}).\n"
        f"Models and jobs run on the {snap.cpu.logical_cores} CPU cores with {ram}.\n"
        "On a GPU machine, check that the NVIDIA driver is installed and `nvidia-smi` works."
    )


def gib_detail(used: int, total: int) -> str:
    """'12.0/64.0 GiB (19%)', or '' when there is nothing (no swap)."""
    if total <= 0:
        return ""
    return f"{used / GIB:.1f}/{total / GIB:.1f} GiB ({100 * used / total:.0f}%)"
