"""A confusion matrix as a heat-map: counts in cells, shaded by their share of the true label."""

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


def shade(share: float) -> Style:
    """Background scaled by `share` (0..1) with a text colour readable on it."""
    background = LOW.blend(HIGH, max(0.0, min(1.0, share)))
    return Style(bgcolor=background.rich_color, color=background.get_contrast_text().rich_color)


def centred(text: str, width: int) -> str:
    """`text` centred with no-break spaces (a table cell drops leading plain spaces)."""
    return text.center(width).replace(" ", "\u00a0")


class ConfusionMatrix(DataTable[Text]):
    """Rows are true labels, columns predicted ones; moving onto a cell selects that pair."""

    DEFAULT_CSS = """
    ConfusionMatrix {
        height: auto;
        max-height: 24;
    }
    """

    @dataclass
    class PairSelected(Message):
        """The user picked a cell (`predicted` None: the true label's whole row)."""

        true: str
        predicted: str | None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="cell", cell_padding=0)
        self.labels: list[str] = []

    def show(self, labels: Sequence[str], counts: Sequence[Sequence[int]]) -> None:
        """Draw the matrix; a row's shade is each count over that row's total."""
        self.clear(columns=True)
        self.labels = [str(label) for label in labels]
        width = max([5, *(len(label) + 2 for label in self.labels)])
        width = max(width, *(len(str(n)) + 2 for row in counts for n in row), 0)
        head = max([14, *(len(label) + 2 for label in self.labels)])
        self.add_column(Text("true \\ pred", style="bold"), key="true", width=head)
        for i, label in enumerate(self.labels):
            self.add_column(Text(centred(label, width), style="bold"), key=f"p{i}", width=width)
        for i, label in enumerate(self.labels):
            row = list(counts[i]) if i < len(counts) else []
            total = sum(row)
            cells = [Text(label, style="bold")]
            for j in range(len(self.labels)):
                n = row[j] if j < len(row) else 0
                share = n / total if total else 0.0
                cells.append(Text(centred(str(n), width), style=shade(share)))
            self.add_row(*cells, key=f"t{i}")

    @on(DataTable.CellHighlighted)
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        if self.has_focus:  # the user moved (keys or a click), not a redraw
            self._select(event.coordinate.row, event.coordinate.column)

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        self._select(event.coordinate.row, event.coordinate.column)

    def _select(self, row: int, column: int) -> None:
        if not 0 <= row < len(self.labels) or column > len(self.labels):
            return
        predicted = self.labels[column - 1] if column >= 1 else None
        self.post_message(self.PairSelected(self.labels[row], predicted))
