"""`hf-tui device`: real CPU and RAM numbers, GPUs through a fake NVML, JSON and human output."""

from __future__ import annotations

import json
import os

import psutil
import pynvml
import pytest

from fakes.nvml import FakeGpu, FakeNvml
from hf_ecosystem.device import nvml
from hf_ecosystem.device.inventory import cpu_model
from hf_ecosystem.device.types import GIB
from hf_tui.cli import main


def use_nvml(monkeypatch: pytest.MonkeyPatch, fake: FakeNvml) -> None:
    monkeypatch.setattr(nvml, "default_backend", lambda: fake)


def test_json_matches_psutil(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["device", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    device = data["device"]
    cpu, memory = device["cpu"], device["memory"]
    assert cpu["logical_cores"] == os.cpu_count() == psutil.cpu_count()
    assert cpu["physical_cores"] == psutil.cpu_count(logical=False)
    assert len(cpu["per_core_percent"]) == os.cpu_count()
    assert all(0 <= p <= 100 for p in cpu["per_core_percent"])
    assert cpu["load_average"] == pytest.approx(list(os.getloadavg()), abs=1.0)
    ram, swap = psutil.virtual_memory(), psutil.swap_memory()
    assert memory["total_bytes"] == ram.total
    assert memory["swap_total_bytes"] == swap.total
    assert 0 < memory["used_bytes"] < memory["total_bytes"]
    # the same process, a moment apart: "used" cannot have moved by more than a GiB
    assert memory["used_bytes"] == pytest.approx(ram.total - ram.available, abs=GIB)
    if not device["gpus"]:  # this machine (and CI): no NVIDIA driver
        assert device["accelerator"] in ("cpu", "mps")
        assert data["explanation"]
        assert device["summary"] in ("CPU only", "Apple GPU (MPS)")


def test_json_with_fake_gpus(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    use_nvml(monkeypatch, FakeNvml([FakeGpu(memory_used_bytes=12 * GIB)]))
    assert main(["device", "--json"]) == 0
    device = json.loads(capsys.readouterr().out)["device"]
    assert device["accelerator"] == "cuda"
    assert device["gpus"][0]["name"] == "NVIDIA H200"
    assert device["cuda_driver_version"] == "12.4"
    assert device["summary"].endswith("H200 · 12/141 GiB")


def test_human_output_with_gpus(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    fake = FakeNvml(
        [
            FakeGpu(
                memory_used_bytes=12 * GIB,
                utilization_percent=35.0,
                temperature_c=41.0,
                power_mw=250_000.0,
                processes=[(os.getpid(), 10 * GIB)],
            ),
            FakeGpu(
                name="Tesla T4",
                compute_capability=(7, 5),
                power_mw=pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED),
            ),
        ]
    )
    use_nvml(monkeypatch, fake)
    assert main(["device"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"CPU   {cpu_model()}: {os.cpu_count()} logical")
    assert out.splitlines()[1].startswith("RAM   ")
    assert "GPU 0  NVIDIA H200: 12.0 GiB of 141.0 GiB (9%), util 35%, 41 °C, 250/700 W" in out
    assert "compute capability 9.0" in out
    assert psutil.Process().name() in out and "10.0 GiB" in out  # the process table
    assert "GPU 1  Tesla T4:" in out and "no processes" in out
    assert "driver 550.54.15, CUDA 12.4" in out
    assert "compute capability 7.5" in out and "no bf16" in out  # the explanation, last


def test_human_output_cpu_only(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    use_nvml(
        monkeypatch, FakeNvml(init_error=pynvml.NVMLError(pynvml.NVML_ERROR_LIBRARY_NOT_FOUND))
    )
    assert main(["device"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("CPU   ") and lines[1].startswith("RAM   ")
    assert "No NVIDIA GPU: no NVIDIA driver found" in "\n".join(lines)
    assert lines[-1].startswith("CPU only: models run on the CPU")
    assert not any(line.startswith("GPU ") for line in lines)
