"""The real pynvml layer (`PynvmlBackend`) against a fake `pynvml` module: units, names,
processes, and NVML errors turned into None or a plain reason."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pynvml
import pytest

from hf_ecosystem.device.nvml import PynvmlBackend, read_gpus, unavailable_reason
from hf_ecosystem.device.types import GIB

GONE_PID = 99_999_999  # above Linux's pid_max, so never a live process
TEMPERATURE_GPU = 0  # pynvml.NVML_TEMPERATURE_GPU


@dataclass
class Process:
    """What nvmlDeviceGet*RunningProcesses lists: a pid and its GPU memory (None if unknown)."""

    pid: int
    usedGpuMemory: int | None  # pynvml's field name


@dataclass
class Board:
    """One fake GPU as the driver would report it."""

    name: str = "NVIDIA A100-SXM4-80GB"
    uuid: str = "GPU-a100"
    total: int = 80 * GIB
    used: int = 3 * GIB
    gpu_percent: int = 87
    temperature: int = 54
    power_mw: int = 312_400
    limit_mw: int = 400_000
    capability: tuple[int, int] = (8, 0)
    compute: list[Process] = field(default_factory=list[Process])
    graphics: list[Process] | None = None  # None: the driver refuses the graphics list
    refuse: set[str] = field(default_factory=set[str])  # functions that raise NOT_SUPPORTED


def fake_pynvml(boards: list[Board], *, init: Callable[[], None] | None = None) -> Any:
    """A module with pynvml's function names over `boards`; handles are the Board objects.

    Errors are the real `pynvml.NVMLError` classes, so their names and messages are NVML's own.
    """
    module = types.ModuleType("pynvml")
    ns: Any = module
    ns.NVMLError = pynvml.NVMLError
    ns.NVML_TEMPERATURE_GPU = TEMPERATURE_GPU
    ns.calls = []

    def on_board(fn: str, read: Callable[[Board], Any]) -> Callable[[Board], Any]:
        def call(board: Board) -> Any:
            ns.calls.append(fn)
            if fn in board.refuse:
                raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
            return read(board)

        call.__name__ = fn
        return call

    def handle(index: int) -> Board:
        if not 0 <= index < len(boards):
            raise pynvml.NVMLError(pynvml.NVML_ERROR_INVALID_ARGUMENT)
        return boards[index]

    def temperature(board: Board, sensor: int) -> int:
        assert sensor == TEMPERATURE_GPU, "the GPU die sensor is the one asked for"
        return on_board("temperature", lambda b: b.temperature)(board)

    def graphics(board: Board) -> list[Process]:
        if board.graphics is None:
            raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return board.graphics

    ns.nvmlInit = init or (lambda: None)
    ns.nvmlSystemGetDriverVersion = lambda: "535.104.05"
    ns.nvmlSystemGetCudaDriverVersion = lambda: 12020
    ns.nvmlDeviceGetCount = lambda: len(boards)
    ns.nvmlDeviceGetHandleByIndex = handle
    ns.nvmlDeviceGetName = on_board("name", lambda b: b.name)
    ns.nvmlDeviceGetUUID = on_board("uuid", lambda b: b.uuid)
    ns.nvmlDeviceGetMemoryInfo = on_board(
        "memory", lambda b: types.SimpleNamespace(total=b.total, used=b.used, free=b.total - b.used)
    )
    ns.nvmlDeviceGetUtilizationRates = on_board(
        "utilization", lambda b: types.SimpleNamespace(gpu=b.gpu_percent, memory=5)
    )
    ns.nvmlDeviceGetTemperature = temperature
    ns.nvmlDeviceGetPowerUsage = on_board("power", lambda b: b.power_mw)
    ns.nvmlDeviceGetEnforcedPowerLimit = on_board("limit", lambda b: b.limit_mw)
    ns.nvmlDeviceGetCudaComputeCapability = on_board("capability", lambda b: b.capability)
    ns.nvmlDeviceGetComputeRunningProcesses = on_board("compute", lambda b: b.compute)
    ns.nvmlDeviceGetGraphicsRunningProcesses = on_board("graphics", graphics)
    return module


def install(monkeypatch: pytest.MonkeyPatch, module: Any) -> Any:
    """Make `import pynvml` return `module` for this test."""
    monkeypatch.setitem(sys.modules, "pynvml", module)
    return module


def test_readings_come_back_in_the_snapshot_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes stay bytes, milliwatts become watts, NVML's CUDA number becomes '12.2'."""
    board = Board(compute=[Process(os.getpid(), 2 * GIB)])
    install(monkeypatch, fake_pynvml([board]))
    readings = read_gpus(PynvmlBackend())
    assert readings.error is None
    assert (readings.driver_version, readings.cuda_version) == ("535.104.05", "12.2")
    (gpu,) = readings.gpus
    assert (gpu.index, gpu.name, gpu.uuid) == (0, "NVIDIA A100-SXM4-80GB", "GPU-a100")
    assert (gpu.memory_total_bytes, gpu.memory_used_bytes) == (80 * GIB, 3 * GIB)
    assert gpu.memory_free_bytes == 77 * GIB
    assert gpu.utilization_percent == 87.0 and isinstance(gpu.utilization_percent, float)
    assert gpu.temperature_c == 54.0
    assert gpu.power_watts == pytest.approx(312.4)
    assert gpu.power_limit_watts == pytest.approx(400.0)
    assert gpu.compute_capability == (8, 0) and gpu.supports_bf16
    assert [(p.pid, p.used_memory_bytes) for p in gpu.processes] == [(os.getpid(), 2 * GIB)]


def test_backend_methods_return_plain_python_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each method converts what pynvml gives to the protocol's types."""
    board = Board(capability=(7, 5), power_mw=70_000, limit_mw=70_000)
    inits: list[int] = []
    install(monkeypatch, fake_pynvml([board, Board(name="second")], init=lambda: inits.append(1)))
    backend = PynvmlBackend()
    backend.init()
    backend.init()  # already ready: nvmlInit is not called again
    assert inits == [1]
    assert backend.device_count() == 2
    handle = backend.handle(1)
    assert backend.name(handle) == "second"
    assert backend.handle(0) is board
    assert backend.driver_version() == "535.104.05"
    assert backend.cuda_driver_version() == 12020
    assert backend.memory(board) == (80 * GIB, 3 * GIB)
    assert backend.utilization(board) == 87.0
    assert backend.temperature(board) == 54.0
    assert backend.power_usage_mw(board) == 70_000.0
    assert backend.power_limit_mw(board) == 70_000.0
    assert backend.compute_capability(board) == (7, 5)
    assert backend.uuid(board) == "GPU-a100"


def test_graphics_list_refused_keeps_the_compute_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Data-centre GPUs refuse the graphics process list; the compute list still counts."""
    board = Board(compute=[Process(GONE_PID, 1 * GIB), Process(4242, None)], graphics=None)
    fake = install(monkeypatch, fake_pynvml([board]))
    assert PynvmlBackend().processes(board) == [(GONE_PID, 1 * GIB), (4242, None)]
    assert fake.calls == ["compute", "graphics"]


def test_compute_and_graphics_processes_merge_per_pid(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pid in both lists shows once, with its larger memory; unknown memory sorts last."""
    board = Board(
        compute=[Process(GONE_PID, 1 * GIB), Process(GONE_PID - 1, None)],
        graphics=[Process(GONE_PID, 512 * 1024**2), Process(GONE_PID - 2, 2 * GIB)],
    )
    install(monkeypatch, fake_pynvml([board]))
    assert len(PynvmlBackend().processes(board)) == 4  # the raw lists, overlap included
    (gpu,) = read_gpus(PynvmlBackend()).gpus
    assert [(p.pid, p.used_memory_bytes, p.name) for p in gpu.processes] == [
        (GONE_PID - 2, 2 * GIB, f"pid {GONE_PID - 2}"),
        (GONE_PID, 1 * GIB, f"pid {GONE_PID}"),
        (GONE_PID - 1, None, f"pid {GONE_PID - 1}"),
    ]


def test_both_process_lists_refused_means_no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver that refuses both lists gives an empty list, not an error."""
    board = Board(refuse={"compute"}, graphics=None)
    install(monkeypatch, fake_pynvml([board]))
    assert PynvmlBackend().processes(board) == []
    (gpu,) = read_gpus(PynvmlBackend()).gpus
    assert gpu.processes == ()


def test_refused_readings_become_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOT_SUPPORTED on one reading leaves it None and the others intact."""
    board = Board(refuse={"utilization", "power", "uuid", "capability", "temperature"})
    install(monkeypatch, fake_pynvml([board]))
    (gpu,) = read_gpus(PynvmlBackend()).gpus
    assert gpu.utilization_percent is None
    assert gpu.power_watts is None
    assert gpu.uuid is None
    assert gpu.compute_capability is None and not gpu.supports_bf16
    assert gpu.temperature_c is None
    assert gpu.power_limit_watts == pytest.approx(400.0)
    assert gpu.name == "NVIDIA A100-SXM4-80GB"


def test_refused_name_and_memory_still_list_the_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    """No name becomes 'GPU n'; no memory info becomes 0/0 (shown as unknown)."""
    install(monkeypatch, fake_pynvml([Board(), Board(refuse={"name", "memory"})]))
    _, second = read_gpus(PynvmlBackend()).gpus
    assert (second.name, second.memory_total_bytes, second.memory_used_bytes) == ("GPU 1", 0, 0)


def test_refused_versions_become_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver that will not give its versions still lists its GPUs."""

    def refused() -> str:
        raise pynvml.NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)

    fake = install(monkeypatch, fake_pynvml([Board()]))
    fake.nvmlSystemGetDriverVersion = refused
    fake.nvmlSystemGetCudaDriverVersion = refused
    readings = read_gpus(PynvmlBackend())
    assert (readings.driver_version, readings.cuda_version) == (None, None)
    assert len(readings.gpus) == 1 and readings.error is None


def test_a_lost_gpu_is_named_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A handle NVML refuses skips that GPU and says which, with NVML's message."""
    fake = install(monkeypatch, fake_pynvml([Board(), Board()]))
    fake.nvmlDeviceGetCount = lambda: 3  # one more than there are handles
    readings = read_gpus(PynvmlBackend())
    assert [g.index for g in readings.gpus] == [0, 1]
    assert readings.error == "GPU 2: Invalid Argument"


def test_no_gpus_is_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A driver with zero devices: empty list, versions, no error."""
    install(monkeypatch, fake_pynvml([]))
    readings = read_gpus(PynvmlBackend())
    assert readings.gpus == () and readings.error is None
    assert readings.driver_version == "535.104.05"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (pynvml.NVML_ERROR_LIBRARY_NOT_FOUND, "no NVIDIA driver found (NVML library missing)"),
        (pynvml.NVML_ERROR_DRIVER_NOT_LOADED, "the NVIDIA driver is not loaded"),
        (pynvml.NVML_ERROR_NO_PERMISSION, "no permission to read the NVIDIA driver"),
        (pynvml.NVML_ERROR_UNKNOWN, "NVML unavailable: Unknown Error"),
    ],
)
def test_init_failure_is_a_plain_reason(
    monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    """nvmlInit's error becomes a sentence; no GPUs are read and it is not retried."""
    calls: list[int] = []

    def init() -> None:
        calls.append(1)
        raise pynvml.NVMLError(code)

    install(monkeypatch, fake_pynvml([Board()], init=init))
    backend = PynvmlBackend()
    first, second = read_gpus(backend), read_gpus(backend)
    assert first.gpus == () and first.error == reason
    assert second.error == reason
    assert (first.driver_version, first.cuda_version) == (None, None)
    assert calls == [1]


def test_missing_nvidia_ml_py_is_a_plain_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the pynvml module, read_gpus says the package is missing."""
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes `import pynvml` raise ImportError
    readings = read_gpus(PynvmlBackend())
    assert readings.gpus == ()
    assert readings.error == "nvidia-ml-py is not installed, so GPUs cannot be read"
    with pytest.raises(ImportError):
        PynvmlBackend().init()


def test_a_failed_init_raises_the_same_error_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept failure is raised on every later init, so callers see why."""
    failure = pynvml.NVMLError(pynvml.NVML_ERROR_DRIVER_NOT_LOADED)

    def init() -> None:
        raise failure

    install(monkeypatch, fake_pynvml([], init=init))
    backend = PynvmlBackend()
    for _ in range(2):
        with pytest.raises(pynvml.NVMLError) as caught:
            backend.init()
        assert caught.value is failure


def test_unavailable_reason_names_the_permission_error() -> None:
    """The real pynvml class for NO_PERMISSION maps to its own sentence."""
    error = pynvml.NVMLError(pynvml.NVML_ERROR_NO_PERMISSION)
    assert type(error).__name__ == "NVMLError_NoPermission"
    assert unavailable_reason(error) == "no permission to read the NVIDIA driver"
