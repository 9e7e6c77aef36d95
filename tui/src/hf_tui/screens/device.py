"""The Device screen: CPU, RAM, every GPU and the processes using them, polled live."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Header, Static

from hf_ecosystem.device.history import DeviceHistory
from hf_ecosystem.device.inventory import describe_accelerator, snapshot
from hf_ecosystem.device.nvml import NvmlBackend
from hf_ecosystem.device.processes import ProcessReader
from hf_ecosystem.device.types import DeviceSnapshot, ProcessInfo
from hf_tui.screens.base import HfScreen
from hf_tui.screens.device_text import cpu_line, gib_detail, headline, no_gpu_text
from hf_tui.widgets.core_load_grid import CoreLoadGrid
from hf_tui.widgets.gpu_panel import GpuPanel
from hf_tui.widgets.history_graph import HistoryGraph
from hf_tui.widgets.process_panel import ProcessPanel
from hf_tui.widgets.process_table import ProcessTable
from hf_tui.widgets.usage_bar import UsageBar

if TYPE_CHECKING:
    from hf_ecosystem.jobs.manager import JobManager
    from hf_ecosystem.jobs.store import JobRecord

ProcessSource = Callable[[DeviceSnapshot], Sequence[ProcessInfo]]


class DeviceScreen(HfScreen):
    """CPU, RAM and per-GPU panels with history graphs, and the processes using the machine,
    re-read every `interval` seconds while the screen is shown."""

    BINDINGS = [
        Binding("r", "refresh_now", "Refresh"),
        Binding("k", "kill", "Kill process"),
        Binding("delete", "kill", "Kill process", show=False),
        Binding("s", "next_sort", "Sort"),
        Binding("S,shift+s", "reverse_sort", "Reverse sort", key_display="S"),
    ]
    QUIET_GROUPS = frozenset({"device"})  # said once per failure streak, not every second

    @dataclass
    class Sampled(Message):
        """A new reading of the machine (and its processes) arrived from the polling worker."""

        snapshot: DeviceSnapshot
        processes: tuple[ProcessInfo, ...] = ()
        jobs: dict[str, JobRecord] = field(default_factory=dict)

    def __init__(
        self,
        interval: float = 1.0,
        nvml: NvmlBackend | None = None,
        sampler: Callable[[], DeviceSnapshot] | None = None,
        *,
        processes: ProcessSource | None = None,
        term_grace: float = 3.0,
        name: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id)
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = interval
        self.nvml = nvml
        self.sampler = sampler  # tests inject a fixed one; None reads the real machine
        self.processes = processes  # tests may inject fixed processes; None reads /proc
        self.term_grace = term_grace  # seconds after SIGTERM before SIGKILL is offered
        self.history = DeviceHistory(size=120)  # two minutes at 1 Hz
        self.last: DeviceSnapshot | None = None
        self.jobs: dict[str, JobRecord] = {}
        self.polls = 0
        self._reader: ProcessReader | None = None
        self._manager: JobManager | None = None
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
                yield HistoryGraph("CPU", id="cpu-history")
            with Vertical(id="device-memory"):
                yield UsageBar("RAM", id="ram-bar")
                yield UsageBar("swap", id="swap-bar")
                yield HistoryGraph("RAM", id="ram-history")
            yield Vertical(id="gpu-panels")
            yield Static(id="no-gpu")
        yield ProcessPanel(self._job_manager, term_grace=self.term_grace, id="device-processes")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#device-cpu").border_title = "CPU"
        self.query_one("#device-memory").border_title = "Memory"
        self.query_one("#no-gpu").display = False
        self.query_one(ProcessTable).focus()

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
        processes = tuple(self._read_processes(snap))
        self.post_message(self.Sampled(snap, processes, self._job_records(processes)))

    def _read_processes(self, snap: DeviceSnapshot) -> Sequence[ProcessInfo]:
        if self.processes is not None:
            return self.processes(snap)
        if self._reader is None:
            from hf_ecosystem.jobs.manager import JOB_ENV  # the jobs layer names the tag

            self._reader = ProcessReader(JOB_ENV)
        return self._reader.read(snap.gpus)

    def _job_manager(self) -> JobManager:
        """The app's job manager where it has one, else one over the configured home."""
        app_manager = getattr(self.app, "job_manager", None)
        if callable(app_manager):
            return app_manager()  # type: ignore[no-any-return]
        if self._manager is None:
            from hf_ecosystem.jobs.manager import JobManager

            self._manager = JobManager(getattr(self.app, "settings", None))
        return self._manager

    def _job_records(self, processes: Sequence[ProcessInfo]) -> dict[str, JobRecord]:
        """The stored record of each job the processes belong to (jobs of another home: none)."""
        ids = {p.job_id for p in processes if p.job_id}
        if not ids:
            return {}
        from hf_ecosystem.jobs.store import JobNotFoundError

        store = self._job_manager().store
        found: dict[str, JobRecord] = {}
        for job_id in ids:
            try:
                found[job_id] = store.get(job_id)
            except JobNotFoundError:
                continue
        return found

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
        self.jobs = message.jobs
        await self.show_snapshot(message.snapshot)
        self.query_one(ProcessPanel).show(
            message.processes, message.jobs, has_gpus=bool(message.snapshot.gpus)
        )
        self.polls += 1  # counted once shown, so "polls" means readings on screen
        self._arm()

    # -- drawing -------------------------------------------------------------------------------

    async def show_snapshot(self, snap: DeviceSnapshot) -> None:
        """Update every panel from one snapshot (and add it to the history)."""
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
        self.query_one("#cpu-history", HistoryGraph).set_values(self.history.cpu())
        memory = snap.memory
        self.query_one("#ram-bar", UsageBar).set_usage(
            100 * memory.used_bytes / memory.total_bytes if memory.total_bytes else None,
            gib_detail(memory.used_bytes, memory.total_bytes),
        )
        self.query_one("#swap-bar", UsageBar).set_usage(
            100 * memory.swap_used_bytes / memory.swap_total_bytes
            if memory.swap_total_bytes
            else None,
            gib_detail(memory.swap_used_bytes, memory.swap_total_bytes) or "no swap",
        )
        self.query_one("#ram-history", HistoryGraph).set_values(self.history.ram())
        await self._show_gpus(snap)

    async def _show_gpus(self, snap: DeviceSnapshot) -> None:
        container = self.query_one("#gpu-panels", Vertical)
        panels = list(container.query_children(GpuPanel))
        if [p.index for p in panels] != [g.index for g in snap.gpus]:
            await container.remove_children()
            panels = [GpuPanel(g.index, id=f"gpu-{g.index}") for g in snap.gpus]
            await container.mount_all(panels)
        history = self.history
        for panel, gpu in zip(panels, snap.gpus, strict=True):
            i = gpu.index
            panel.show(gpu, history.utilization(i), history.memory(i), history.power(i))
        no_gpu = self.query_one("#no-gpu", Static)
        no_gpu.display = not snap.gpus
        if not snap.gpus:
            no_gpu.border_title = snap.summary()
            no_gpu.update(Content(no_gpu_text(snap)))

    # -- the process list: sorting and stopping live in the panel; the keys are the screen's,
    # so that help (?) lists them --------------------------------------------------------------

    def action_kill(self) -> None:
        """Stop the selected process (or cancel its job) after a confirmation."""
        self.query_one(ProcessPanel).kill_selected()

    def action_next_sort(self) -> None:
        """Sort the processes by the next column."""
        self.query_one(ProcessPanel).next_sort()

    def action_reverse_sort(self) -> None:
        """Reverse the order of the processes."""
        self.query_one(ProcessPanel).reverse_sort()

    @on(ProcessPanel.Stopped)
    def _stopped(self) -> None:
        self.action_refresh_now()
