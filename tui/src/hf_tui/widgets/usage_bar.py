"""A one-line labelled usage bar (RAM, swap, GPU memory), coloured by how full it is."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


def level_style(percent: float | None) -> str:
    """The theme colour for a load: calm below 70 %, warning below 90 %, error above."""
    if percent is None:
        return "$text-muted"
    if percent < 70:
        return "$success"
    return "$warning" if percent < 90 else "$error"


def bar(percent: float | None, width: int) -> Content:
    """A bar `width` cells wide, filled to `percent` (empty and muted when unknown)."""
    width = max(width, 0)
    filled = 0 if percent is None else round(min(max(percent, 0.0), 100.0) / 100 * width)
    return Content.assemble(
        ("█" * filled, level_style(percent)), ("░" * (width - filled), "$text-muted")
    )


class UsageBar(Widget):
    """`label ██████░░░░ detail` on one line; the bar takes whatever width is left."""

    DEFAULT_CSS = """
    UsageBar {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(
        self, label: str, *, label_width: int = 7, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.label_width = label_width
        self.percent: float | None = None
        self.detail = "—"

    def set_usage(self, percent: float | None, detail: str) -> None:
        """Show `percent` full with `detail` (e.g. '12.0/64.0 GiB (19%)') after the bar."""
        self.percent = percent
        self.detail = detail
        self.refresh()

    def render(self) -> Content:
        """Label, bar, detail."""
        label = self.label.ljust(self.label_width)
        room = self.content_size.width - len(label) - len(self.detail) - 1
        return Content.assemble((label, "bold"), bar(self.percent, max(room, 4)), " ", self.detail)
