"""PolledTableScreen: a live table that re-reads its rows while it is shown."""

from __future__ import annotations

from typing import ClassVar

from hf_tui.screens.base import HfScreen
from hf_tui.widgets.data_table import DataTable


class PolledTableScreen(HfScreen):
    """Polls while shown, the next poll armed only after the last one arrived (or failed), never
    while another screen is on top; j/k move the table's cursor.

    Subclasses name their table (`TABLE_ID`) and their poll worker's group (`POLL_GROUP`),
    define `poll`, and call `rearm_poll` once a poll's answer is shown.
    """

    TABLE_ID: ClassVar[str]
    POLL_GROUP: ClassVar[str]

    def __init__(self, *, interval: float) -> None:
        super().__init__()
        self.interval = interval

    def poll(self) -> object:
        """Read the rows again, off the event loop."""
        raise NotImplementedError

    def on_screen_suspend(self) -> None:
        self.disarm()

    def on_screen_resume(self) -> None:
        self.poll()

    def rearm_poll(self) -> None:
        """Arm the next poll while this screen is the one shown."""
        if self.is_current:
            self.rearm(self.interval, self.poll)
        else:
            self.disarm()

    def worker_failed(self, group: str, title: str, hint: str) -> None:
        if group == self.POLL_GROUP:
            self.rearm_poll()  # a failed look is tried again after the usual interval

    def action_poll_now(self) -> None:
        """Look again now."""
        self.poll()

    def action_cursor_down(self) -> None:
        """Next row."""
        self.query_one(f"#{self.TABLE_ID}", DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        """Previous row."""
        self.query_one(f"#{self.TABLE_ID}", DataTable).action_cursor_up()
