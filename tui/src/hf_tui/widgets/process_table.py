"""The processes of the Device screen: pid, user, GPUs, memory, CPU, hf-tui job, command."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from rich.text import Text

from hf_ecosystem.device.processes import ASCENDING, SortKey, sort_processes
from hf_ecosystem.device.types import ProcessInfo
from hf_tui.format import human_bytes
from hf_tui.widgets.data_table import DataTable

COMMAND_WIDTH = 60
# (column key, header, the sort it stands for); None: the column does not sort.
COLUMNS: tuple[tuple[str, str, SortKey | None], ...] = (
    ("pid", "pid", "pid"),
    ("user", "user", "user"),
    ("gpu", "GPU", None),
    ("gpu_memory", "GPU mem", "gpu_memory"),
    ("cpu", "CPU%", "cpu"),
    ("rss", "RSS", "rss"),
    ("job", "job", None),
    ("command", "command", "command"),
)
RIGHT = {"pid", "gpu_memory", "cpu", "rss"}


def short_command(info: ProcessInfo, width: int = COMMAND_WIDTH) -> str:
    """The command line with the program's folder dropped, cut to `width` with an ellipsis."""
    if not info.command:
        return f"[{info.name}]"  # kernel threads and unreadable processes have no command line
    program, _, rest = info.command.partition(" ")
    text = " ".join(
        f"{PurePosixPath(program).name} {rest}".split()
    )  # `python -c` scripts span lines
    return text if len(text) <= width else text[: width - 1] + "…"


def row_cells(info: ProcessInfo, job: str | None) -> tuple[Text, ...]:
    """One process as table cells."""
    cpu = "—" if info.cpu_percent is None else f"{info.cpu_percent:.0f}"
    gpus = ",".join(str(use.index) for use in info.gpus) or "—"
    cells = {
        "pid": str(info.pid),
        "user": info.user or "?",
        "gpu": gpus,
        "gpu_memory": human_bytes(info.gpu_memory_bytes) if info.gpus else "—",
        "cpu": cpu,
        "rss": human_bytes(info.rss_bytes),
        "job": job or "",
        "command": short_command(info),
    }
    return tuple(
        Text(cells[key], justify="right" if key in RIGHT else "left", style=_style(key, info))
        for key, _, _ in COLUMNS
    )


def _style(key: str, info: ProcessInfo) -> str:
    if key == "job" and info.job_id:
        return "bold"
    if key == "user" and info.user is None:
        return "dim"
    return ""


class ProcessTable(DataTable[Text]):
    """Processes sorted by `sort_key`; the cursor stays on the same pid across refreshes."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.processes: list[ProcessInfo] = []
        self.sort_key: SortKey = "cpu"
        self.descending: bool | None = None  # None: the key's natural order (numbers biggest first)
        self._jobs: dict[str, str] = {}

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, header, sort in COLUMNS:
            marker = ""
            if sort is not None and sort == self.sort_key:
                marker = " ▼" if self.sorted_descending else " ▲"
            self.add_column(header + marker, key=key)

    def show(
        self,
        processes: Sequence[ProcessInfo],
        jobs: Mapping[str, str] | None = None,
        *,
        keep: int | None = None,
    ) -> None:
        """Show these processes; `jobs` words each job id (e.g. 'abc123 train'). The cursor
        stays on the process it was on (or on pid `keep`)."""
        if keep is None and (selected := self.selected) is not None:
            keep = selected.pid
        self._jobs = dict(jobs or {})
        self.processes = sort_processes(processes, self.sort_key, descending=self.descending)
        self.clear()
        for info in self.processes:
            job = self._jobs.get(info.job_id, info.job_id) if info.job_id else None
            self.add_row(*row_cells(info, job), key=str(info.pid))
        for row, info in enumerate(self.processes):
            if info.pid == keep:
                self.move_cursor(row=row, animate=False)
                break

    def sort_by(self, key: SortKey, descending: bool | None = None) -> None:
        """Sort by `key` (its natural order unless `descending` is given) and redraw."""
        selected = self.selected
        self.sort_key, self.descending = key, descending
        self.clear(columns=True)
        self._add_columns()
        self.show(self.processes, self._jobs, keep=selected.pid if selected else None)

    @property
    def sorted_descending(self) -> bool:
        """Whether the rows run from the biggest (or Z) down."""
        if self.descending is not None:
            return self.descending
        return self.sort_key not in ASCENDING

    @property
    def selected(self) -> ProcessInfo | None:
        """The process under the cursor."""
        if not self.processes or not 0 <= self.cursor_row < self.row_count:
            return None
        return self.processes[self.cursor_row]
