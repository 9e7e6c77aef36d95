"""A few rows of history on a fixed 0-100 scale, newest on the right, like nvitop's graphs."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from hf_tui.widgets.usage_bar import level_style

BLOCKS = " ▁▂▃▄▅▆▇█"  # eighths of a cell, empty to full
STEPS = len(BLOCKS) - 1


def graph_rows(values: Sequence[float | None], width: int, rows: int) -> list[Content]:
    """The last `width` values as `rows` lines of bars, top line first; a missing reading shows
    as a muted dot on the base line, 0 % as the lowest bar (so the graph's floor is visible)."""
    rows = max(rows, 1)
    shown = list(values)[-width:] if width > 0 else []
    pad = " " * (max(width, 0) - len(shown))
    lines: list[list[tuple[str, str]]] = [[(pad, "")] for _ in range(rows)]
    for value in shown:
        if value is None:
            for row, line in enumerate(lines):
                line.append(("·" if row == rows - 1 else " ", "$text-muted"))
            continue
        eighths = max(round(min(max(value, 0.0), 100.0) / 100 * rows * STEPS), 1)
        style = level_style(value)
        for row, line in enumerate(lines):
            filled = min(max(eighths - STEPS * (rows - 1 - row), 0), STEPS)
            line.append((BLOCKS[filled], style))
    return [Content.assemble(*line) for line in lines]


class HistoryGraph(Widget):
    """A label and the latest value on the left, the history as bars on the right.

    Its height (CSS) sets how many rows the bars get; each column is one reading."""

    DEFAULT_CSS = """
    HistoryGraph {
        height: 3;
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
        self.latest = "—"

    def set_values(self, values: Sequence[float | None], latest: str | None = None) -> None:
        """Show this history (oldest first); `latest` words the newest reading (else 'N%')."""
        self.values = tuple(values)
        newest = self.values[-1] if self.values else None
        if latest is not None:
            self.latest = latest
        else:
            self.latest = "—" if newest is None else f"{newest:.0f}%"
        self.refresh()

    def render(self) -> Content:
        """Gutter (label, latest value) and the bars."""
        rows = max(self.content_size.height, 1)
        width = self.content_size.width - self.label_width
        gutter = [
            Content.styled(self.label[: self.label_width - 1].ljust(self.label_width), "bold"),
            Content(self.latest[: self.label_width - 1].ljust(self.label_width)),
        ]
        bars = graph_rows(self.values, width, rows)
        lines = [
            (gutter[row] if row < len(gutter) else Content(" " * self.label_width)) + bars[row]
            for row in range(rows)
        ]
        return Content("\n").join(lines)
