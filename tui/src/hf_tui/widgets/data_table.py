"""Textual's DataTable, redrawn once it has re-measured its columns.

The table measures new rows when idle; the rows it drew before that stay in its render caches
(keyed by an update counter that a width change does not bump) until its next resize. On a busy
machine a frame can be drawn between `add_row` and that idle pass, and the list then shows every
cell cut to the header's width for as long as nothing resizes it. This subclass bumps the
counter after each re-measure, so the next frame draws the rows at their measured widths.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widgets import DataTable as _DataTable

CellType = TypeVar("CellType")


class DataTable(_DataTable[CellType]):
    """A DataTable whose rows are redrawn after columns are re-measured (see the module doc)."""

    async def _on_idle(self, _: events.Idle) -> None:
        # Runs before the base class's idle handler (dispatch walks the MRO): queue the redraw
        # to run after it has measured.
        if self._require_update_dimensions or self._updated_cells:
            self.call_next(self._redraw_rows)

    def _redraw_rows(self) -> None:
        self._update_count += 1
        self.refresh()
