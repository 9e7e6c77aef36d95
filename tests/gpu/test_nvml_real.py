"""Real NVML on a real NVIDIA GPU: our snapshot agrees with nvidia-smi (skipped without a GPU)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from hf_ecosystem.device import snapshot
from hf_ecosystem.device.inventory import describe_accelerator
from hf_ecosystem.device.nvml import read_gpus
from hf_ecosystem.device.types import GIB

MIB = 1024**2
READINGS = read_gpus()
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not READINGS.gpus, reason=f"no NVIDIA GPU: {READINGS.error}"),
]


def nvidia_smi() -> list[dict[str, str]]:
    """One row per GPU from nvidia-smi's CSV query, or skip when it is not installed."""
    if shutil.which("nvidia-smi") is None:
        pytest.skip("nvidia-smi not installed")
    fields = ["index", "name", "memory.total", "memory.used", "compute_cap", "driver_version"]
    out = subprocess.run(
        ["nvidia-smi", f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits"],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    return [dict(zip(fields, (c.strip() for c in line.split(",")), strict=True))
            for line in out.strip().splitlines()]  # fmt: skip


def test_snapshot_agrees_with_nvidia_smi() -> None:
    snap = snapshot()
    rows = nvidia_smi()
    assert len(snap.gpus) == len(rows)
    assert snap.accelerator == "cuda"
    assert snap.driver_version == rows[0]["driver_version"]
    for gpu, row in zip(snap.gpus, rows, strict=True):
        assert gpu.index == int(row["index"])
        assert gpu.name == row["name"]
        assert gpu.memory_total_bytes == pytest.approx(int(row["memory.total"]) * MIB, rel=0.01)
        # our "used" counts driver-reserved memory (what a model cannot take); smi's may not
        assert gpu.memory_used_bytes == pytest.approx(int(row["memory.used"]) * MIB, abs=2 * GIB)
        if row["compute_cap"] not in ("", "[N/A]"):
            major, minor = row["compute_cap"].split(".")
            assert gpu.compute_capability == (int(major), int(minor))


def test_every_reading_is_plain_data() -> None:
    snap = snapshot()
    json.dumps(snap.to_dict())
    assert snap.cuda_driver_version and snap.cuda_driver_version[0].isdigit()
    for gpu in snap.gpus:
        assert gpu.memory_total_bytes > 0 and 0 <= gpu.memory_used_bytes <= gpu.memory_total_bytes
        if gpu.utilization_percent is not None:
            assert 0 <= gpu.utilization_percent <= 100
        if gpu.power_watts is not None and gpu.power_limit_watts is not None:
            assert 0 < gpu.power_watts < 2 * gpu.power_limit_watts
        assert all(p.pid > 0 and p.name for p in gpu.processes)
    assert describe_accelerator(snap).startswith("CUDA: ")
