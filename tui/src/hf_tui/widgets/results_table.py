"""The results table of the search screens: one row per repo, more rows when scrolled to the end."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.message import Message

from hf_ecosystem.hub.types import RepoKind, RepoSummary
from hf_tui.format import summary_cells, summary_columns
from hf_tui.widgets.data_table import DataTable

LOAD_MORE_MARGIN = 5  # rows before the end at which the next page is asked for


class ResultsTable(DataTable[str]):
    """Search results; posts Selected on enter/click and NeedMore near the end."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class Selected(Message):
        """The user opened a repo."""

        repo_id: str
        kind: RepoKind

    @dataclass
    class NeedMore(Message):
        """The cursor or the scroll reached the last rows: load the next page."""

        table: ResultsTable

    def __init__(self, kind: RepoKind, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.kind: RepoKind = kind
        self.has_more = False
        self._asked_at = -1

    def on_mount(self) -> None:
        for label in summary_columns(self.kind):
            self.add_column(label, key=label)

    def show(self, results: list[RepoSummary], *, has_more: bool, append: bool = False) -> None:
        """Replace (or extend) the rows."""
        if not append:
            self.clear()
            self._asked_at = -1
        for item in results:
            if item.id in self.rows:
                continue  # a page boundary can repeat a row when the ranking shifts
            self.add_row(*summary_cells(item), key=item.id)
        self.has_more = has_more

    def _maybe_need_more(self) -> None:
        near_end = self.cursor_row >= self.row_count - LOAD_MORE_MARGIN
        scrolled = self.scroll_y >= self.max_scroll_y and self.max_scroll_y > 0
        if self.has_more and (near_end or scrolled) and self._asked_at != self.row_count:
            self._asked_at = self.row_count
            self.post_message(self.NeedMore(self))

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._maybe_need_more()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._maybe_need_more()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(str(event.row_key.value), self.kind))
