"""Helpers for pilot tests: bounded waits (no fixed sleeps), fixed device snapshots, local hubs."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from textual.coordinate import Coordinate
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from hf_ecosystem.device.types import CpuSnapshot, DeviceSnapshot, MemorySnapshot

GIB = 1024**3
FIXED_TIME = 1_700_000_000  # 2023-11-14, so the "updated" column is stable


def cpu_only_snapshot() -> DeviceSnapshot:
    """A fixed CPU-only machine for deterministic headers and snapshots."""
    return DeviceSnapshot(
        cpu=CpuSnapshot(
            "Test CPU", logical_cores=2, physical_cores=2, per_core_percent=(10.0, 20.0)
        ),
        memory=MemorySnapshot(total_bytes=24 * GIB, available_bytes=20 * GIB, used_bytes=4 * GIB),
    )


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Let the app run until `predicate()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await pilot.pause(0.02)


def text_of(pilot: Pilot[Any], selector: str) -> str:
    """The rendered text of a Static on the current screen ('' until it is mounted)."""
    try:
        return str(pilot.app.screen.query_one(selector, Static).render())
    except NoMatches:
        return ""


def columns_fit(pilot: Pilot[Any], selector: str = "#results") -> bool:
    """True once the table has sized its auto-width columns to its cells (it does so when idle):
    a snapshot taken before that shows clipped columns, more often on a busy machine."""
    table = pilot.app.screen.query_one(selector, DataTable)
    if table._require_update_dimensions or table._updated_cells:  # measured on the next idle
        return False
    for column in table.columns.values():
        cells = (table.get_cell(row, column.key) for row in table.rows)
        widest = max((cell_len(str(cell)) for cell in cells), default=0)
        if column.auto_width and column.content_width < widest:
            return False
    return _rows_render_whole(table)


def _rows_render_whole(table: DataTable[Any]) -> bool:
    """True when the rendered lines show every visible cell whole: the table caches rendered rows
    and redraws them with the new widths only after its next resize event, so measured widths alone
    do not mean a screenshot shows them."""
    width = table.scrollable_content_region.width
    header = table.header_height if table.show_header else 0
    rows = table.ordered_rows[: max(0, table.size.height - header)]
    if table.scroll_y or any(row.height != 1 for row in rows):
        return True  # only the simple case is checked: one line per row, from the top
    for index, row in enumerate(rows):
        line = table.render_line(header + index).text
        right = 0
        for column in table.ordered_columns:
            right += column.get_render_width(table)
            if right > width:
                break
            cell = str(table.get_cell(row.key, column.key))
            if "\n" not in cell and cell not in line:
                return False
    return True


def table_ids(pilot: Pilot[Any], selector: str = "#results") -> list[str]:
    """The row keys of a DataTable on the current screen, in display order ([] until mounted)."""
    try:
        table = pilot.app.screen.query_one(selector, DataTable)
    except NoMatches:
        return []
    return [
        str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value)
        for i in range(table.row_count)
    ]


def add_local_repo(
    root: Path, repo_id: str, card: str, files: dict[str, bytes] | None = None, kind: str = "models"
) -> Path:
    """A repo folder in the local hub layout, with fixed mtimes."""
    folder = root / kind / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(card, encoding="utf-8")
    for name, data in (files or {"config.json": b"{}"}).items():
        (folder / name).write_bytes(data)
    for path in [*folder.iterdir(), folder]:
        os.utime(path, (FIXED_TIME, FIXED_TIME))
    return folder
