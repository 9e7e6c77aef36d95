"""GPU readings through NVML (nvidia-ml-py), behind a small layer (`NvmlBackend`) that callers
can swap: `read_gpus(nvml)` and `snapshot(nvml)` take any backend (tests pass a fake)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol, TypeVar

import psutil

from hf_ecosystem.device.types import GpuProcess, GpuSnapshot

log = logging.getLogger(__name__)
T = TypeVar("T")
ProcessUsage = tuple[int, int | None]  # pid, GPU memory in bytes (None when not reported)


class NvmlBackend(Protocol):
    """The NVML calls we use, in NVML's own units (bytes, mW, %); each may raise NVMLError."""

    def init(self) -> None:
        """Make NVML ready; raises when the library or driver is missing."""
        ...

    def driver_version(self) -> str: ...
    def cuda_driver_version(self) -> int: ...
    def device_count(self) -> int: ...
    def handle(self, index: int) -> Any: ...
    def name(self, handle: Any) -> str: ...
    def uuid(self, handle: Any) -> str: ...
    def memory(self, handle: Any) -> tuple[int, int]: ...
    def utilization(self, handle: Any) -> float: ...
    def temperature(self, handle: Any) -> float: ...
    def power_usage_mw(self, handle: Any) -> float: ...
    def power_limit_mw(self, handle: Any) -> float: ...
    def compute_capability(self, handle: Any) -> tuple[int, int]: ...
    def processes(self, handle: Any) -> Sequence[ProcessUsage]: ...


def _pynvml() -> Any:
    """The pynvml module, imported on first use; typed Any because its functions are unannotated."""
    import pynvml

    return pynvml


class PynvmlBackend:
    """The real NVML through pynvml; initialised once per process, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._failure: BaseException | None = None

    def init(self) -> None:
        """Call nvmlInit once (thread-safe); a failure is kept and raised again, not retried."""
        with self._lock:
            if self._ready:
                return
            if self._failure is None:
                try:
                    pynvml = _pynvml()
                    pynvml.nvmlInit()
                    self._ready = True
                    return
                except Exception as exc:  # ImportError, NVMLError_*: reported by read_gpus
                    self._failure = exc
            raise self._failure

    def driver_version(self) -> str:
        pynvml = _pynvml()
        return str(pynvml.nvmlSystemGetDriverVersion())

    def cuda_driver_version(self) -> int:
        pynvml = _pynvml()
        return int(pynvml.nvmlSystemGetCudaDriverVersion())

    def device_count(self) -> int:
        pynvml = _pynvml()
        return int(pynvml.nvmlDeviceGetCount())

    def handle(self, index: int) -> Any:
        pynvml = _pynvml()
        return pynvml.nvmlDeviceGetHandleByIndex(index)

    def name(self, handle: Any) -> str:
        pynvml = _pynvml()
        return str(pynvml.nvmlDeviceGetName(handle))

    def uuid(self, handle: Any) -> str:
        pynvml = _pynvml()
        return str(pynvml.nvmlDeviceGetUUID(handle))

    def memory(self, handle: Any) -> tuple[int, int]:
        pynvml = _pynvml()
        # v1 "used" includes driver-reserved memory, so total - used is what a model can take.
        info = pynvml.nvmlDeviceGetMemoryInfo(handle)
        return int(info.total), int(info.used)

    def utilization(self, handle: Any) -> float:
        pynvml = _pynvml()
        return float(pynvml.nvmlDeviceGetUtilizationRates(handle).gpu)

    def temperature(self, handle: Any) -> float:
        pynvml = _pynvml()
        return float(pynvml.nvmlDeviceGetTemperature(handle, pynvml.NVML_TEMPERATURE_GPU))

    def power_usage_mw(self, handle: Any) -> float:
        pynvml = _pynvml()
        return float(pynvml.nvmlDeviceGetPowerUsage(handle))

    def power_limit_mw(self, handle: Any) -> float:
        pynvml = _pynvml()
        return float(pynvml.nvmlDeviceGetEnforcedPowerLimit(handle))

    def compute_capability(self, handle: Any) -> tuple[int, int]:
        pynvml = _pynvml()
        major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(handle)
        return int(major), int(minor)

    def processes(self, handle: Any) -> Sequence[ProcessUsage]:
        pynvml = _pynvml()
        found: list[ProcessUsage] = []
        for query in (
            pynvml.nvmlDeviceGetComputeRunningProcesses,
            pynvml.nvmlDeviceGetGraphicsRunningProcesses,
        ):
            try:
                found += [(int(p.pid), p.usedGpuMemory) for p in query(handle)]
            except pynvml.NVMLError as exc:
                # Many data-centre GPUs refuse the graphics list; keep the compute one.
                log.debug("NVML %s failed: %s", query.__name__, exc)
        return found


class GpuReadings(NamedTuple):
    """What read_gpus found: the GPUs, driver and CUDA versions, and why NVML failed (or None)."""

    gpus: tuple[GpuSnapshot, ...]
    driver_version: str | None
    cuda_version: str | None
    error: str | None


_default_lock = threading.Lock()
_default_backend: PynvmlBackend | None = None


def default_backend() -> PynvmlBackend:
    """The process-wide real NVML backend."""
    global _default_backend
    with _default_lock:
        if _default_backend is None:
            _default_backend = PynvmlBackend()
        return _default_backend


def _nvml_error_types() -> tuple[type[BaseException], ...]:
    try:
        import pynvml
    except ImportError:
        return ()
    return (pynvml.NVMLError,)


def unavailable_reason(exc: BaseException) -> str:
    """A short plain-language reason NVML could not start."""
    if isinstance(exc, ImportError):
        return "nvidia-ml-py is not installed, so GPUs cannot be read"
    kind = type(exc).__name__
    if kind == "NVMLError_LibraryNotFound":
        return "no NVIDIA driver found (NVML library missing)"
    if kind == "NVMLError_DriverNotLoaded":
        return "the NVIDIA driver is not loaded"
    if kind == "NVMLError_NoPermission":
        return "no permission to read the NVIDIA driver"
    return f"NVML unavailable: {exc}"


def cuda_version_text(version: int) -> str:
    """NVML's CUDA driver version number as text: 12040 -> '12.4'."""
    return f"{version // 1000}.{version % 1000 // 10}"


def process_name(pid: int) -> str:
    """The process name for a pid, or 'pid N' when it is gone or in another namespace."""
    try:
        return psutil.Process(pid).name() or f"pid {pid}"
    except (psutil.Error, OSError):
        return f"pid {pid}"


def read_gpus(nvml: NvmlBackend | None = None) -> GpuReadings:
    """Read every GPU NVML sees; a reading the driver refuses becomes None, never an exception."""
    backend: NvmlBackend = nvml if nvml is not None else default_backend()
    errors = _nvml_error_types()
    try:
        backend.init()
        count = backend.device_count()
    except Exception as exc:  # any start-up failure means no GPUs, said plainly
        return GpuReadings((), None, None, unavailable_reason(exc))

    def reading(read: Callable[[], T]) -> T | None:
        try:
            return read()
        except errors as exc:
            log.debug("NVML reading failed: %s", exc)
            return None

    gpus: list[GpuSnapshot] = []
    lost: list[str] = []
    for index in range(count):
        try:
            handle = backend.handle(index)
        except errors as exc:
            lost.append(f"GPU {index}: {exc}")
            continue
        gpus.append(_read_gpu(backend, index, handle, reading))
    driver = reading(backend.driver_version)
    cuda = reading(backend.cuda_driver_version)
    return GpuReadings(
        tuple(gpus),
        driver,
        cuda_version_text(cuda) if cuda else None,
        "; ".join(lost) or None,
    )


def _read_gpu(
    backend: NvmlBackend, index: int, handle: Any, reading: Callable[[Callable[[], Any]], Any]
) -> GpuSnapshot:
    memory = reading(lambda: backend.memory(handle))
    total, used = memory if memory is not None else (0, 0)  # 0/0 shows as "unknown"
    power = reading(lambda: backend.power_usage_mw(handle))
    limit = reading(lambda: backend.power_limit_mw(handle))
    return GpuSnapshot(
        index=index,
        name=reading(lambda: backend.name(handle)) or f"GPU {index}",
        memory_total_bytes=total,
        memory_used_bytes=used,
        uuid=reading(lambda: backend.uuid(handle)),
        utilization_percent=reading(lambda: backend.utilization(handle)),
        temperature_c=reading(lambda: backend.temperature(handle)),
        power_watts=power / 1000 if power is not None else None,
        power_limit_watts=limit / 1000 if limit is not None else None,
        compute_capability=reading(lambda: backend.compute_capability(handle)),
        processes=_processes(reading(lambda: backend.processes(handle)) or ()),
    )


def _processes(found: Sequence[ProcessUsage]) -> tuple[GpuProcess, ...]:
    """One entry per pid (compute and graphics lists overlap), biggest GPU memory first."""
    memory: dict[int, int | None] = {}
    for pid, used in found:
        previous = memory.get(pid)
        memory[pid] = max(previous or 0, used) if used is not None else previous
    ordered = sorted(memory.items(), key=lambda item: (-(item[1] or 0), item[0]))
    return tuple(GpuProcess(pid, process_name(pid), used) for pid, used in ordered)
