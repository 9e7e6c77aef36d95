"""A rolling window of machine readings (CPU, RAM, each GPU's load, memory, power) for graphs."""

from __future__ import annotations

from collections import deque

from hf_ecosystem.device.types import DeviceSnapshot

Series = tuple[float | None, ...]


def _percent(part: float | None, whole: float | None) -> float | None:
    if part is None or not whole or whole <= 0:
        return None
    return 100.0 * part / whole


class DeviceHistory:
    """The last `size` readings of each series, oldest first, as percentages (None: no reading).

    Series: CPU busy (mean over cores), RAM used, and per GPU index its utilisation, memory used
    and power drawn (of its limit). A GPU that disappears loses its history."""

    def __init__(self, size: int = 120) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._series: dict[tuple[str, int], deque[float | None]] = {}

    def _append(self, name: str, index: int, value: float | None) -> None:
        self._series.setdefault((name, index), deque(maxlen=self.size)).append(value)

    def add(self, snap: DeviceSnapshot) -> None:
        """Record one snapshot."""
        cores = snap.cpu.per_core_percent
        self._append("cpu", -1, sum(cores) / len(cores) if cores else None)
        memory = snap.memory
        self._append("ram", -1, _percent(memory.used_bytes, memory.total_bytes))
        seen = {gpu.index for gpu in snap.gpus}
        for key in [k for k in self._series if k[1] >= 0 and k[1] not in seen]:
            del self._series[key]
        for gpu in snap.gpus:
            self._append("util", gpu.index, gpu.utilization_percent)
            self._append(
                "memory", gpu.index, _percent(gpu.memory_used_bytes, gpu.memory_total_bytes)
            )
            self._append("power", gpu.index, _percent(gpu.power_watts, gpu.power_limit_watts))

    def _get(self, name: str, index: int) -> Series:
        return tuple(self._series.get((name, index), ()))

    def cpu(self) -> Series:
        """Mean CPU load over all cores."""
        return self._get("cpu", -1)

    def ram(self) -> Series:
        """RAM used."""
        return self._get("ram", -1)

    def utilization(self, index: int) -> Series:
        """GPU `index`'s utilisation (None where the driver gave none)."""
        return self._get("util", index)

    def memory(self, index: int) -> Series:
        """GPU `index`'s memory used (None where the total is unknown)."""
        return self._get("memory", index)

    def power(self, index: int) -> Series:
        """GPU `index`'s power draw as a share of its limit (None without both readings)."""
        return self._get("power", index)
