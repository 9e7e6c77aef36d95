"""`hf-tui device`: CPU, RAM and GPUs of this machine, for people or scripts."""

from __future__ import annotations

import argparse

from hf_ecosystem.device import snapshot
from hf_ecosystem.device.inventory import describe_accelerator
from hf_ecosystem.device.types import DeviceSnapshot, GpuSnapshot
from hf_tui.commands import common_options
from hf_tui.format import human_bytes
from hf_tui.output import print_json, print_table

CPU_SAMPLE_SECONDS = 0.2  # psutil needs an interval, or per-core load reads all zeros


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `device`."""
    parser = sub.add_parser(
        "device", parents=[common_options()], help="CPU, RAM and GPUs of this machine"
    )
    parser.set_defaults(handler=run_device)


def run_device(args: argparse.Namespace) -> int:
    """Print one snapshot of the machine."""
    snap = snapshot(cpu_sample_seconds=CPU_SAMPLE_SECONDS)
    explanation = describe_accelerator(snap)
    if args.json:
        print_json({"ok": True, "device": snap.to_dict(), "explanation": explanation})
        return 0
    print_human(snap, explanation)
    return 0


def _used_of(used: int, total: int) -> str:
    return f"{human_bytes(used)} of {human_bytes(total)} ({100 * used / total:.0f}%)"


def print_human(snap: DeviceSnapshot, explanation: str) -> None:
    """CPU and memory lines, then each GPU with its processes, then what it means."""
    cpu, memory = snap.cpu, snap.memory
    cores = f"{cpu.logical_cores} logical" + (
        f" / {cpu.physical_cores} physical" if cpu.physical_cores else ""
    )
    busy = (
        f", {sum(cpu.per_core_percent) / len(cpu.per_core_percent):.0f}% busy"
        if cpu.per_core_percent
        else ""
    )
    load = ", load " + " ".join(f"{v:.2f}" for v in cpu.load_average) if cpu.load_average else ""
    print(f"CPU   {cpu.model}: {cores} cores{busy}{load}")
    swap = (
        _used_of(memory.swap_used_bytes, memory.swap_total_bytes)
        if memory.swap_total_bytes
        else "none"
    )
    print(f"RAM   {_used_of(memory.used_bytes, memory.total_bytes)}; swap {swap}")
    for gpu in snap.gpus:
        print_gpu(gpu)
    if snap.accelerator == "cuda":
        versions = ", ".join(
            text
            for text in (
                f"driver {snap.driver_version}" if snap.driver_version else "",
                f"CUDA {snap.cuda_driver_version}" if snap.cuda_driver_version else "",
            )
            if text
        )
        print(f"\n{snap.summary()}" + (f" ({versions})" if versions else ""))
    elif snap.nvml_error:
        print(f"\nNo NVIDIA GPU: {snap.nvml_error}.")
    if snap.gpus and snap.nvml_error:
        print(f"NVML: {snap.nvml_error}")
    print(explanation)


def print_gpu(gpu: GpuSnapshot) -> None:
    """One GPU's line and its process table."""
    readings = [
        _used_of(gpu.memory_used_bytes, gpu.memory_total_bytes)
        if gpu.memory_total_bytes
        else "memory unknown",
        "util " + ("—" if gpu.utilization_percent is None else f"{gpu.utilization_percent:.0f}%"),
        "temp —" if gpu.temperature_c is None else f"{gpu.temperature_c:.0f} °C",
    ]
    if gpu.power_watts is not None:
        limit = f"/{gpu.power_limit_watts:.0f}" if gpu.power_limit_watts else ""
        readings.append(f"{gpu.power_watts:.0f}{limit} W")
    if gpu.compute_capability is not None:
        readings.append("compute capability {}.{}".format(*gpu.compute_capability))
    print(f"\nGPU {gpu.index}  {gpu.name}: " + ", ".join(readings))
    if not gpu.processes:
        print("      no processes")
        return
    rows = [[str(p.pid), p.name, human_bytes(p.used_memory_bytes)] for p in gpu.processes]
    print_table(["pid", "process", "GPU memory"], rows)
