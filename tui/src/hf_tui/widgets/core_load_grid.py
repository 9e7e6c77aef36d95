"""Per-core CPU load: a grid of small bars, or one block per core when there are many cores."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from hf_tui.widgets.history_graph import BLOCKS
from hf_tui.widgets.usage_bar import bar, level_style

BAR_WIDTH = 10
GAP = 2
MAX_BAR_ROWS = 8  # beyond this (big servers) bars would push everything else off screen


def _cell(index: int, percent: float, digits: int) -> Content:
    return Content.assemble(
        (f"{index:>{digits}} ", "$text-muted"), bar(percent, BAR_WIDTH), f" {percent:3.0f}%"
    )


def grid_lines(loads: Sequence[float], width: int) -> list[Content]:
    """Lay the loads out for `width` cells: bars in columns, or compact blocks if too many rows."""
    if not loads:
        return [Content.styled("no per-core readings yet", "$text-muted")]
    digits = len(str(len(loads) - 1))
    cell_width = digits + 1 + BAR_WIDTH + 5
    columns = max(1, (width + GAP) // (cell_width + GAP))
    rows = -(-len(loads) // columns)
    if rows <= MAX_BAR_ROWS:
        lines = []
        for row in range(rows):
            cells = [
                _cell(i, loads[i], digits)
                for i in range(row, len(loads), rows)  # column-major, like htop
            ]
            lines.append(Content(" " * GAP).join(cells))
        return lines
    per_line = max(width, 1)
    blocks = [
        (BLOCKS[max(1, round(min(max(p, 0.0), 100.0) / 100 * (len(BLOCKS) - 1)))], level_style(p))
        for p in loads
    ]
    return [
        Content.assemble(*blocks[start : start + per_line])
        for start in range(0, len(blocks), per_line)
    ]


class CoreLoadGrid(Widget):
    """Every logical core's load; as many columns as fit, compact on many-core machines."""

    DEFAULT_CSS = """
    CoreLoadGrid {
        height: auto;
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.loads: tuple[float, ...] = ()

    def set_loads(self, loads: Sequence[float]) -> None:
        """Show these per-core percentages."""
        resize = len(loads) != len(self.loads)
        self.loads = tuple(loads)
        self.refresh(layout=resize)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the grid needs at this width."""
        return len(grid_lines(self.loads, width))

    def render(self) -> Content:
        """The grid."""
        return Content("\n").join(grid_lines(self.loads, self.content_size.width))
