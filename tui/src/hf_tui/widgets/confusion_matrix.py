"""A confusion matrix as a heat-map: counts in cells, shaded by their share of the true label.

A non-zero cell is never shaded like an empty one (a floor on its shade), and the cell under
the cursor is named in the border: true label, predicted label, count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.color import Color
from textual.message import Message

from hf_tui.widgets.data_table import DataTable

LOW = Color(28, 32, 40)
HIGH = Color(0, 150, 255)
MIN_VISIBLE = 0.3  # the least shade of a non-zero cell: 1 of 10,000 must not look like 0
ZERO = Style(bgcolor=LOW.rich_color, color=Color(110, 116, 128).rich_color)


def shade(share: float) -> Style:
    """Background scaled by `share` (0..1) with a text colour readable on it."""
    background = LOW.blend(HIGH, max(0.0, min(1.0, share)))
    return Style(bgcolor=background.rich_color, color=background.get_contrast_text().rich_color)


def cell_style(count: int, total: int) -> Style:
    """A cell's style: empty cells grey on the darkest shade, any other at least MIN_VISIBLE."""
    if count <= 0 or total <= 0:
        return ZERO
    return shade(max(MIN_VISIBLE, count / total))


def centred(text: str, width: int) -> str:
    """`text` centred with no-break spaces (a table cell drops leading plain spaces)."""
    return text.center(width).replace(" ", "\u00a0")


class ConfusionMatrix(DataTable[Text]):
    """Rows are true labels, columns predicted ones; moving onto a cell (arrows, a click) or
    enter on it selects that pair."""

    DEFAULT_CSS = """
    ConfusionMatrix {
        height: auto;
        max-height: 24;
        border-subtitle-color: $text;
    }
    ConfusionMatrix:focus > .datatable--cursor {
        background: $warning;
        color: $text;
        text-style: bold;
    }
    """

    @dataclass
    class PairSelected(Message):
        """The user picked a cell (`predicted` None: the true label's whole row); `chosen` when
        with enter, to go on to its errors."""

        true: str
        predicted: str | None
        chosen: bool = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        # "css": the cursor's colour wins over a cell's shade, so it stays visible on the map.
        super().__init__(id=id, classes=classes, cursor_type="cell", cell_padding=0,
                         cursor_background_priority="css")  # fmt: skip
        self.labels: list[str] = []
        self.counts: list[list[int]] = []

    def show(self, labels: Sequence[str], counts: Sequence[Sequence[int]]) -> None:
        """Draw the matrix; a row's shade is each count over that row's total."""
        self.clear(columns=True)
        self.labels = [str(label) for label in labels]
        n = len(self.labels)
        given = [list(counts[i]) if i < len(counts) else [] for i in range(n)]
        self.counts = [[row[j] if j < len(row) else 0 for j in range(n)] for row in given]
        width = max([5, *(len(label) + 2 for label in self.labels)])
        width = max(width, *(len(str(n)) + 2 for row in counts for n in row), 0)
        head = max([14, *(len(label) + 2 for label in self.labels)])
        self.add_column(Text("true \\ pred", style="bold"), key="true", width=head)
        for i, label in enumerate(self.labels):
            self.add_column(Text(centred(label, width), style="bold"), key=f"p{i}", width=width)
        for i, label in enumerate(self.labels):
            row = self.counts[i]
            cells = [Text(label, style="bold")]
            cells += [Text(centred(str(n), width), style=cell_style(n, sum(row))) for n in row]
            self.add_row(*cells, key=f"t{i}")
        self._describe(self.cursor_coordinate.row, self.cursor_coordinate.column)

    def describe(self, row: int, column: int) -> str:
        """What a cell holds, in words: its true label, predicted label and count."""
        if not 0 <= row < len(self.labels) or not 0 <= column <= len(self.labels):
            return ""
        true, counts = self.labels[row], self.counts[row]
        total = sum(counts)
        if column == 0:
            return f"true {true}: {total} rows, {total - counts[row]} wrong"
        n = counts[column - 1]
        share = "" if not total else " (<1%)" if 0 < n < total / 100 else f" ({n / total:.0%})"
        return f"true {true} → pred {self.labels[column - 1]}: {n}{share}"

    def _describe(self, row: int, column: int) -> None:
        described = self.describe(row, column)
        self.border_subtitle = f"{described} · enter: errors" if described else ""

    @on(DataTable.CellHighlighted)
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._describe(event.coordinate.row, event.coordinate.column)
        if self.has_focus:  # the user moved (keys or a click), not a redraw
            self._select(event.coordinate.row, event.coordinate.column)

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        self._select(event.coordinate.row, event.coordinate.column)

    def action_select_cursor(self) -> None:
        """Enter: choose the cell under the cursor."""
        self._select(self.cursor_coordinate.row, self.cursor_coordinate.column, chosen=True)

    def _select(self, row: int, column: int, *, chosen: bool = False) -> None:
        if not 0 <= row < len(self.labels) or column > len(self.labels):
            return
        predicted = self.labels[column - 1] if column >= 1 else None
        self.post_message(self.PairSelected(self.labels[row], predicted, chosen))
