"""One GPU: memory bar, load, temperature, power and graphs of their history."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from hf_ecosystem.device.types import GIB, GpuSnapshot
from hf_tui.widgets.history_graph import HistoryGraph
from hf_tui.widgets.usage_bar import UsageBar, level_style


def memory_detail(used: int, total: int) -> str:
    """'12.0/141.0 GiB (8%)', or 'unknown' when the driver gave no total."""
    if total <= 0:
        return "unknown"
    return f"{used / GIB:.1f}/{total / GIB:.1f} GiB ({100 * used / total:.0f}%)"


def gpu_stats(gpu: GpuSnapshot) -> Content:
    """'util 35% · 45 °C · 120/700 W · CC 9.0 (bf16)'; a missing reading shows a dash."""
    util = gpu.utilization_percent
    parts: list[Content] = [
        Content.assemble("util ", ("—" if util is None else f"{util:.0f}%", level_style(util))),
        Content("temp —" if gpu.temperature_c is None else f"{gpu.temperature_c:.0f} °C"),
    ]
    if gpu.power_watts is None:
        parts.append(Content("power —"))
    elif gpu.power_limit_watts:
        parts.append(Content(f"{gpu.power_watts:.0f}/{gpu.power_limit_watts:.0f} W"))
    else:
        parts.append(Content(f"{gpu.power_watts:.0f} W"))
    if gpu.compute_capability is not None:
        major, minor = gpu.compute_capability
        parts.append(Content(f"CC {major}.{minor} ({'bf16' if gpu.supports_bf16 else 'fp16'})"))
    return Content(" · ").join(parts)


class GpuPanel(Vertical):
    """A bordered panel for one GPU, refreshed with `show` on every poll."""

    DEFAULT_CSS = """
    GpuPanel {
        height: auto;
        border: round $accent;
        border-title-color: $accent;
        padding: 0 1;
        margin-bottom: 1;
    }
    GpuPanel .gpu-graphs {
        height: auto;
    }
    GpuPanel HistoryGraph {
        height: 3;
        margin-right: 2;
    }
    """

    def __init__(self, index: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = index
        self.border_title = f"GPU {index}"

    def compose(self) -> ComposeResult:
        yield Static(classes="gpu-stats")
        yield UsageBar("memory", label_width=8, classes="gpu-memory")
        with Horizontal(classes="gpu-graphs"):
            yield HistoryGraph("util", classes="gpu-util-history")
            yield HistoryGraph("memory", classes="gpu-memory-history")
            yield HistoryGraph("power", classes="gpu-power-history")

    def show(
        self,
        gpu: GpuSnapshot,
        utilization: Sequence[float | None] = (),
        memory: Sequence[float | None] = (),
        power: Sequence[float | None] = (),
    ) -> None:
        """Update every line from one reading plus its utilisation, memory and power histories
        (power as a share of the limit; the graph's label gives the watts)."""
        self.border_title = f"GPU {gpu.index} · {gpu.name}"
        total, used = gpu.memory_total_bytes, gpu.memory_used_bytes
        self.query_one(".gpu-stats", Static).update(gpu_stats(gpu))
        self.query_one(".gpu-memory", UsageBar).set_usage(
            100 * used / total if total > 0 else None, memory_detail(used, total)
        )
        self.query_one(".gpu-util-history", HistoryGraph).set_values(utilization)
        self.query_one(".gpu-memory-history", HistoryGraph).set_values(memory)
        watts = None if gpu.power_watts is None else f"{gpu.power_watts:.0f} W"
        self.query_one(".gpu-power-history", HistoryGraph).set_values(power, watts)
