"""A one-line history of percentages on a fixed 0-100 scale, newest on the right."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from hf_tui.widgets.usage_bar import level_style

BLOCKS = " ▁▂▃▄▅▆▇█"


def spark(values: Sequence[float | None], width: int) -> Content:
    """The last `width` values as block characters; gaps (None) show as a muted dot."""
    shown = list(values)[-width:] if width > 0 else []
    parts: list[tuple[str, str]] = [(" " * (width - len(shown)), "")]
    for value in shown:
        if value is None:
            parts.append(("·", "$text-muted"))
            continue
        level = round(min(max(value, 0.0), 100.0) / 100 * (len(BLOCKS) - 1))
        parts.append((BLOCKS[max(level, 1)], level_style(value)))  # 0 % still shows a baseline
    return Content.assemble(*parts)


class PercentSparkline(Widget):
    """`label ▁▂▅▇█▆ 73%`: unlike Textual's Sparkline the scale is absolute, not min-max."""

    DEFAULT_CSS = """
    PercentSparkline {
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
        self.values: tuple[float | None, ...] = ()

    def set_values(self, values: Sequence[float | None]) -> None:
        """Show this history (oldest first)."""
        self.values = tuple(values)
        self.refresh()

    def render(self) -> Content:
        """Label, sparkline, latest value."""
        latest = self.values[-1] if self.values else None
        tail = " —  " if latest is None else f" {latest:3.0f}%"
        room = self.content_size.width - self.label_width - len(tail)
        return Content.assemble(
            (self.label.ljust(self.label_width), "bold"), spark(self.values, max(room, 0)), tail
        )
