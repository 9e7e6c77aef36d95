"""A line plot of named metric curves over training steps (train loss, eval loss, accuracy…)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

Series = Mapping[str, Sequence[tuple[int, float]]]


class MetricCurves(PlotextPlot):
    """Several curves on one plot; `show` replaces them and redraws."""

    DEFAULT_CSS = """
    MetricCurves {
        height: 1fr;
        min-height: 8;
    }
    """

    def __init__(
        self,
        title: str,
        *,
        placeholder: str = "No values logged yet.",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.title = title
        self.placeholder = placeholder
        self.series: dict[str, list[tuple[int, float]]] = {}

    def show(self, series: Series) -> None:
        """Plot these curves (name -> (step, value) points), dropping the previous ones."""
        self.series = {name: list(points) for name, points in series.items() if points}
        self.refresh()

    def render(self) -> RenderResult:
        if not self.series:
            return Text(f"{self.title}\n{self.placeholder}", style="dim")
        plt = self.plt
        plt.clear_figure()
        plt.title(self.title)
        plt.xlabel("step")
        for name, points in self.series.items():
            steps = [step for step, _ in points]
            values = [value for _, value in points]
            marker = "braille" if len(points) > 1 else "dot"
            plt.plot(steps, values, label=name, marker=marker)
        return super().render()
