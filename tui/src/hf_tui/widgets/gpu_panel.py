"""One GPU: memory bar, load, temperature, power, history sparklines and its processes."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from hf_ecosystem.device.types import GIB, GpuProcess, GpuSnapshot
from hf_tui.widgets.percent_sparkline import PercentSparkline
from hf_tui.widgets.usage_bar import UsageBar, level_style

MAX_PROCESS_ROWS = 8


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


def process_lines(processes: Sequence[GpuProcess]) -> Content:
    """A small pid / name / GPU memory table, capped at MAX_PROCESS_ROWS rows."""
    if not processes:
        return Content.styled("no processes on this GPU", "$text-muted")
    lines = [Content.styled(f"{'pid':>8}  {'process':<24} {'GPU memory':>10}", "bold")]
    for proc in processes[:MAX_PROCESS_ROWS]:
        memory = (
            "—" if proc.used_memory_bytes is None else f"{proc.used_memory_bytes / GIB:.1f} GiB"
        )
        lines.append(Content(f"{proc.pid:>8}  {proc.name[:24]:<24} {memory:>10}"))
    if len(processes) > MAX_PROCESS_ROWS:
        more = len(processes) - MAX_PROCESS_ROWS
        lines.append(Content.styled(f"… and {more} more", "$text-muted"))
    return Content("\n").join(lines)


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
    GpuPanel .gpu-processes {
        margin-top: 1;
    }
    """

    def __init__(self, index: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = index
        self.border_title = f"GPU {index}"

    def compose(self) -> ComposeResult:
        yield Static(classes="gpu-stats")
        yield UsageBar("memory", label_width=8, classes="gpu-memory")
        yield PercentSparkline("util", label_width=8, classes="gpu-util-history")
        yield PercentSparkline("mem", label_width=8, classes="gpu-memory-history")
        yield Static(classes="gpu-processes")

    def show(
        self,
        gpu: GpuSnapshot,
        utilization: Sequence[float | None] = (),
        memory: Sequence[float | None] = (),
    ) -> None:
        """Update every line from one reading plus the utilisation and memory histories."""
        self.border_title = f"GPU {gpu.index} · {gpu.name}"
        total, used = gpu.memory_total_bytes, gpu.memory_used_bytes
        self.query_one(".gpu-stats", Static).update(gpu_stats(gpu))
        self.query_one(".gpu-memory", UsageBar).set_usage(
            100 * used / total if total > 0 else None, memory_detail(used, total)
        )
        self.query_one(".gpu-util-history", PercentSparkline).set_values(utilization)
        self.query_one(".gpu-memory-history", PercentSparkline).set_values(memory)
        self.query_one(".gpu-processes", Static).update(process_lines(gpu.processes))
