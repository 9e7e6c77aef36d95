"""The Device screen: CPU, RAM and every GPU of this machine, polled live."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Header, Static

from hf_ecosystem.device.inventory import GpuHistory, describe_accelerator, snapshot
from hf_ecosystem.device.nvml import NvmlBackend
from hf_ecosystem.device.types import GIB, DeviceSnapshot
from hf_tui.screens.base import HfScreen
from hf_tui.widgets.core_load_grid import CoreLoadGrid
from hf_tui.widgets.gpu_panel import GpuPanel
from hf_tui.widgets.usage_bar import UsageBar


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


class DeviceScreen(HfScreen):
    """CPU, RAM and per-GPU panels, re-read every `interval` seconds while the screen is shown."""

    BINDINGS = [Binding("r", "refresh_now", "Refresh")]
    QUIET_GROUPS = frozenset({"device"})  # said once per failure streak, not every second

    @dataclass
    class Sampled(Message):
        """A new reading of the machine arrived from the polling worker."""

        snapshot: DeviceSnapshot

    def __init__(
        self,
        interval: float = 1.0,
        nvml: NvmlBackend | None = None,
        sampler: Callable[[], DeviceSnapshot] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.nvml = nvml
        self.sampler = sampler  # tests inject a fixed one; None reads the real machine
        self.history = GpuHistory(size=120)  # two minutes at 1 Hz
        self.last: DeviceSnapshot | None = None
        self.polls = 0
        self._in_flight = False
        self._active = False
        self._failed = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="device-body"):
            yield Static("Reading this machine…", id="device-summary")
            with Vertical(id="device-cpu"):
                yield Static(id="cpu-line")
                yield CoreLoadGrid(id="cpu-cores")
            with Vertical(id="device-memory"):
                yield UsageBar("RAM", id="ram-bar")
                yield UsageBar("swap", id="swap-bar")
            yield Vertical(id="gpu-panels")
            yield Static(id="no-gpu")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#device-cpu").border_title = "CPU"
        self.query_one("#device-memory").border_title = "Memory"
        self.query_one("#no-gpu").display = False

    # -- polling: one reading at a time, the next one armed only after the last arrived --------

    def on_screen_resume(self) -> None:
        self._active = True
        self._poll()

    def on_screen_suspend(self) -> None:
        self._active = False
        self._disarm()

    def on_unmount(self) -> None:
        self._active = False

    def action_refresh_now(self) -> None:
        """Read the machine now (a reading already on its way counts as now)."""
        self._disarm()
        self._poll()

    def _disarm(self) -> None:
        self.disarm("device-poll")

    def _arm(self) -> None:
        self._disarm()
        if self._active:
            self.rearm(self.interval, self._poll, name="device-poll")

    def _poll(self) -> None:
        if self._in_flight or not self._active:
            return
        self._in_flight = True
        self._sample(first=self.polls == 0)

    @work(thread=True, exclusive=True, exit_on_error=False, group="device")
    def _sample(self, first: bool) -> None:
        """Take one snapshot off the event loop (NVML and /proc reads can stall)."""
        if self.sampler is not None:
            snap = self.sampler()
        else:
            # psutil's first per-core reading is all zeros; a short sample gives real numbers.
            snap = snapshot(self.nvml, cpu_sample_seconds=0.1 if first else 0.0)
        self.post_message(self.Sampled(snap))

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group != "device":
            return
        self._in_flight = False
        if not self._failed:  # once per failure streak, not every second
            self._failed = True
            self.notify(
                hint or title,
                title="Cannot read this machine",
                severity="error",
                timeout=10,
                markup=False,
            )
        self._arm()

    @on(Sampled)
    async def _sampled(self, message: Sampled) -> None:
        self._in_flight = False
        self._failed = False
        await self.show_snapshot(message.snapshot)
        self.polls += 1  # counted once shown, so "polls" means readings on screen
        self._arm()

    # -- drawing -------------------------------------------------------------------------------

    async def show_snapshot(self, snap: DeviceSnapshot) -> None:
        """Update every panel from one snapshot (and add it to the GPU history)."""
        self.last = snap
        self.history.add(snap)
        notes = f"\nNVML: {snap.nvml_error}" if snap.gpus and snap.nvml_error else ""
        self.query_one("#device-summary", Static).update(
            Content.assemble(
                (headline(snap), "bold"), "\n", describe_accelerator(snap), (notes, "$warning")
            )
        )
        self.query_one("#cpu-line", Static).update(Content(cpu_line(snap)))
        self.query_one("#cpu-cores", CoreLoadGrid).set_loads(snap.cpu.per_core_percent)
        memory = snap.memory
        self.query_one("#ram-bar", UsageBar).set_usage(
            100 * memory.used_bytes / memory.total_bytes if memory.total_bytes else None,
            _gib_detail(memory.used_bytes, memory.total_bytes),
        )
        self.query_one("#swap-bar", UsageBar).set_usage(
            100 * memory.swap_used_bytes / memory.swap_total_bytes
            if memory.swap_total_bytes
            else None,
            _gib_detail(memory.swap_used_bytes, memory.swap_total_bytes) or "no swap",
        )
        await self._show_gpus(snap)

    async def _show_gpus(self, snap: DeviceSnapshot) -> None:
        container = self.query_one("#gpu-panels", Vertical)
        panels = list(container.query_children(GpuPanel))
        if [p.index for p in panels] != [g.index for g in snap.gpus]:
            await container.remove_children()
            panels = [GpuPanel(g.index, id=f"gpu-{g.index}") for g in snap.gpus]
            await container.mount_all(panels)
        for panel, gpu in zip(panels, snap.gpus, strict=True):
            panel.show(gpu, self.history.utilization(gpu.index), self.history.memory(gpu.index))
        no_gpu = self.query_one("#no-gpu", Static)
        no_gpu.display = not snap.gpus
        if not snap.gpus:
            no_gpu.border_title = snap.summary()
            no_gpu.update(Content(no_gpu_text(snap)))


def _gib_detail(used: int, total: int) -> str:
    """'12.0/64.0 GiB (19%)', or '' when there is nothing (no swap)."""
    if total <= 0:
        return ""
    return f"{used / GIB:.1f}/{total / GIB:.1f} GiB ({100 * used / total:.0f}%)"
